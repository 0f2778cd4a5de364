import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../platform/repo-root';
import { readScenario } from '../../devtools/scenario-replay/format';
import { runScenario } from '../../devtools/scenario-replay/run';

// The working-day acceptance test: a year under the 2020 model procedure (shared/scenarios/spso-2031.json, with a
// startDate the replay skips the time-skipping server to) replayed through the API, the workflow and the register
// must give its expected Ombudsman indicators exactly, computed from what happened.
const scenarioFile = path.resolve(repoRoot(), '..', 'shared', 'scenarios', 'spso-2031.json');

describe('scenario spso-2031', () => {
  it("replays to exactly the expected total, service areas and Ombudsman's indicators", async () => {
    const scenario = readScenario(scenarioFile);
    const run = await runScenario(scenario);
    expect(run.replay.refusals).toEqual([]);
    expect(run.replay.slowDays).toEqual([]);
    expect(Object.keys(run.report).sort()).toEqual(Object.keys(scenario.expected ?? {}).sort());
    expect(run.report).toStrictEqual(scenario.expected);
    // The quarters add up to the year.
    const [entry] = run.bundle.spso?.procedures ?? [];
    expect(entry?.quarters).toHaveLength(4);
    const sum = (pick: (figures: NonNullable<typeof entry>['year']) => number) =>
      entry!.quarters.reduce((n, quarter) => n + pick(quarter.figures), 0);
    expect(sum((figures) => figures.received)).toBe(entry!.year.received);
    expect(sum((figures) => figures.closures.total)).toBe(entry!.year.closures.total);
  }, 300_000);
});
