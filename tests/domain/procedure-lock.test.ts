import { describe, expect, it } from 'vitest';
import { checkLock, lockNewVersions, procedureHash, readLock } from '../../devtools/procedure-lock/lock';
import { listProcedures } from '../../domain/procedures';
import { spsoModelProcedure } from '../../domain/procedures/spso-mchp';

describe('published procedure versions are frozen (domain/procedures/lock.json)', () => {
  it('every published version is locked and none has changed', () => {
    expect(checkLock(readLock())).toEqual({ changed: [], unlocked: [], missing: [] });
  });

  it('the hash is of canonical JSON: the order of keys does not matter, any value does', () => {
    const reordered = Object.fromEntries(Object.entries(spsoModelProcedure).reverse()) as typeof spsoModelProcedure;
    expect(procedureHash(reordered)).toBe(procedureHash(spsoModelProcedure));
    const changed = { ...spsoModelProcedure, stages: [{ ...spsoModelProcedure.stages[0]!, name: 'Stage one' }] };
    expect(procedureHash(changed)).not.toBe(procedureHash(spsoModelProcedure));
  });

  it('a changed published version fails the check, and locking refuses it; a new version is added', () => {
    const lock = readLock();
    const edited = listProcedures().map((p) =>
      p.id === 'spso-mchp' && p.version === 1 ? { ...p, assumptions: [] } : p,
    );
    expect(checkLock(lock, edited).changed).toEqual(['spso-mchp@1']);
    expect(() => lockNewVersions(lock, edited)).toThrow(/frozen/);

    const next = { ...spsoModelProcedure, version: 99, assumptions: [] };
    const withNew = [...listProcedures(), next];
    expect(checkLock(lock, withNew).unlocked).toEqual(['spso-mchp@99']);
    expect(lockNewVersions(lock, withNew)['spso-mchp@99']).toBe(procedureHash(next));
    expect(checkLock(lock, listProcedures().slice(1)).missing).toEqual(['dundee-swd-2011@1']);
  });
});
