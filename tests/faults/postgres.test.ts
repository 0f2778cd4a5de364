// The fault suite's "PostgreSQL down, then back" (issue 18): the stack of drill.test.ts with its register in a
// PostgreSQL server of the test's own (devtools/fault-drill/private-postgres.ts, never the shared one on 5432),
// crashed (pg_ctl stop -m immediate) while complaints are driven through the API, and started again: no register
// entry lost, the register equal to Temporal entry for entry, nothing doubled. Without PostgreSQL's binaries it is
// skipped with the reason, except in CI, where it fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postgresBinaries,
  runFaultDrill,
  startLocalStack,
  startPrivatePostgres,
  type LocalStack,
  type PrivatePostgres,
} from '../../devtools/fault-drill';

const bin = postgresBinaries();
const COMPLAINTS = Number(process.env.FAULT_DRILL_PG_COMPLAINTS ?? 40);

describe.runIf(!bin && process.env.CI)('PostgreSQL for the fault suite in CI', () => {
  it('is installed: CI must have /usr/lib/postgresql/<version>/bin (initdb, pg_ctl)', () => {
    expect(bin, 'PostgreSQL binaries not found under /usr/lib/postgresql').toBeDefined();
  });
});

describe.skipIf(!bin)(
  'the fault drill with PostgreSQL crashed and restarted (skipped: no /usr/lib/postgresql/*/bin)',
  () => {
    let postgres: PrivatePostgres;
    let stack: LocalStack;
    let failed = false;

    beforeAll(async () => {
      postgres = await startPrivatePostgres(bin!);
      stack = await startLocalStack({ databaseUrl: postgres.url });
    }, 120_000);

    afterAll(async () => {
      await stack?.stop({ keep: failed });
      await postgres?.stop();
    });

    it('loses no register entry when PostgreSQL dies mid-action and comes back', async () => {
      const lines: string[] = [];
      // Kept and shown if the drill never returns (the test's timeout): what it had done by then, and its logs.
      failed = true;
      const stuck = setTimeout(() => console.error(`${lines.join('\n')}\nlogs in ${stack.tmp}`), 175_000);
      const figures = await runFaultDrill(stack.target, {
        complaints: COMPLAINTS,
        concurrency: 16,
        faults: [{ control: postgres.control, atProgress: 0.3, downMs: 5_000 }],
        timerEvery: 10,
        timerLeadMs: 20_000,
        settleTimeoutMs: 60_000,
        log: (line) => lines.push(`${new Date().toISOString().slice(11, 19)} ${line}`),
      });
      clearTimeout(stuck);
      failed = figures.problems.length > 0;
      const why = `${lines.join('\n')}\nlogs in ${stack.tmp}`;
      expect(figures.problems, why).toEqual([]);
      expect(figures.faults.map((f) => [f.name, f.inFlight > 0])).toEqual([['postgres', true]]);
      expect(figures.complaintsCreated).toBe(COMPLAINTS);
      expect(figures.registerDifferences).toBe(0);
      expect(figures.lost + figures.duplicated + figures.repaired).toBe(0);
      expect(figures.timersFired).toBe(figures.timersDue);
    }, 180_000);
  },
);
