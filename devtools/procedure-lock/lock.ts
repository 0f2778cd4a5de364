import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson, sha256Hex } from '../../api/references';
import { procedureKey, type Procedure } from '../../domain/procedure';
import { listProcedures } from '../../domain/procedures';
import { repoRoot } from '../../platform/repo-root';

// Published procedure versions are frozen: domain/procedures/lock.json holds the SHA-256 of each one's canonical
// JSON (keys sorted). tests/domain/procedure-lock.test.ts fails when a locked version's content changes or a
// published version is not locked; `npm run lock-procedures` locks the new versions and never rewrites a locked one.
// The hash is computed here, in tooling: domain/ may not load node:crypto.

export const LOCK_FILE = path.join(repoRoot(), 'domain', 'procedures', 'lock.json');

export type ProcedureLock = Record<string, string>;

export function procedureHash(procedure: Procedure): string {
  return `sha256:${sha256Hex(canonicalJson(procedure))}`;
}

export function readLock(file = LOCK_FILE): ProcedureLock {
  return JSON.parse(readFileSync(file, 'utf8')) as ProcedureLock;
}

export interface LockCheck {
  /** Locked versions whose content is not what was locked. */
  changed: string[];
  /** Published versions with no hash in the lock. */
  unlocked: string[];
  /** Locked versions no longer published (a published version is never removed: complaints may follow it). */
  missing: string[];
}

export function checkLock(lock: ProcedureLock, procedures: readonly Procedure[] = listProcedures()): LockCheck {
  const published = new Map(procedures.map((procedure) => [procedureKey(procedure), procedureHash(procedure)]));
  return {
    changed: [...published].filter(([key, hash]) => lock[key] !== undefined && lock[key] !== hash).map(([k]) => k),
    unlocked: [...published.keys()].filter((key) => lock[key] === undefined),
    missing: Object.keys(lock).filter((key) => !published.has(key)),
  };
}

/** The lock with every unlocked published version added; refuses when a locked version changed. */
export function lockNewVersions(
  lock: ProcedureLock,
  procedures: readonly Procedure[] = listProcedures(),
): ProcedureLock {
  const check = checkLock(lock, procedures);
  if (check.changed.length > 0 || check.missing.length > 0) {
    throw new Error(
      `Published procedure versions are frozen; publish a new version instead of changing ${[...check.changed, ...check.missing].join(', ')}`,
    );
  }
  const next: ProcedureLock = { ...lock };
  for (const procedure of procedures) next[procedureKey(procedure)] ??= procedureHash(procedure);
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function writeLock(lock: ProcedureLock, file = LOCK_FILE): void {
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}
