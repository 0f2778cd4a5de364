import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../platform/repo-root';
import { readScenario } from '../../devtools/scenario-replay/format';
import { runScenario } from '../../devtools/scenario-replay/run';

// The end-to-end acceptance test: the shared scenario replayed through the real workflow, worker and register on
// a time-skipping server must give its expected annual report exactly. CI has shared/ beside the clone.
const scenarioFile = path.resolve(repoRoot(), '..', 'shared', 'scenarios', 'dundee-2011.json');

describe('scenario dundee-2011', () => {
  it('replays to exactly the expected annual report', async () => {
    const scenario = readScenario(scenarioFile);
    const run = await runScenario(scenario);
    expect(run.replay.refusals).toEqual([]);
    expect(run.replay.slowDays).toEqual([]);
    expect(Object.keys(run.report).sort()).toEqual(Object.keys(scenario.expected ?? {}).sort());
    expect(run.report).toStrictEqual(scenario.expected);
  }, 120_000);
});
