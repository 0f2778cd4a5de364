import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../platform/repo-root';
import { openPgliteInMemory, registerOver } from '../../register';
import { readScenario } from '../../devtools/scenario-replay/format';
import { runScenario } from '../../devtools/scenario-replay/run';
import { workflowTimelineLengths } from '../../devtools/scenario-replay/register-sync';

// The register through a worker restart mid-year: the shared scenario again, with the worker stopped and a new
// one started halfway, and register writes whose completion is lost after they committed (so Temporal retries
// batches already written). No row may be lost or doubled, and the report must not change.
const scenarioFile = path.resolve(repoRoot(), '..', 'shared', 'scenarios', 'dundee-2011.json');

describe('register across a worker restart', () => {
  it('loses and doubles no register rows when the worker stops mid-scenario and register writes fail after committing', async () => {
    const scenario = readScenario(scenarioFile);
    const register = await registerOver(await openPgliteInMemory());
    const middle = scenario.complaints[Math.floor(scenario.complaints.length / 2)]!.receivedDay;
    let restarted = 0;
    let lengths = new Map<string, number>();
    try {
      const run = await runScenario(scenario, {
        register,
        restartsWorker: true,
        afterDay: async (day, services) => {
          // A worker that dies mid-year, and writes whose acknowledgement is lost, so Temporal retries batches
          // that are already in the register.
          if (day >= middle && restarted === 0) {
            restarted += 1;
            await services.restartWorker({ failRegisterWritesAfterCommit: 5 });
          }
          if (day === Math.max(...scenario.complaints.map((c) => c.events.at(-1)?.day ?? c.receivedDay))) {
            lengths = await workflowTimelineLengths(
              services.env.client,
              scenario.complaints.map((c) => c.ref),
            );
          }
        },
      });
      expect(restarted).toBe(1);
      expect(run.failedAfterCommit).toBe(5);
      expect(run.report).toStrictEqual(scenario.expected);
      expect([...lengths.keys()].sort()).toEqual(scenario.complaints.map((c) => c.ref).sort());
      // Every complaint's entries are exactly 1..n, once each, n at least what its workflow held at the last event.
      for (const complaint of scenario.complaints) {
        const timeline = await register.timeline(complaint.ref);
        expect(timeline.map((entry) => entry.seq)).toEqual(timeline.map((_, i) => i + 1));
        expect(timeline.length).toBeGreaterThanOrEqual(lengths.get(complaint.ref)!);
        const snapshot = await register.complaint(complaint.ref);
        expect(snapshot?.lastSeq).toBe(timeline.length);
      }
    } finally {
      await register.close();
    }
  }, 120_000);
});
