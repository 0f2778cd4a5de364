import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../platform/repo-root';
import { readScenario } from '../../devtools/scenario-replay/format';
import { runScenario } from '../../devtools/scenario-replay/run';

// The acceptance tests: every year in ../shared/scenarios (CI has shared/ beside the clone) replayed through the API,
// the real workflow, worker and register on a time-skipping server must give its expected figures exactly, computed
// from what happened: the 2011 annual report, and for working-day years (a startDate the replay skips to) the
// Ombudsman's indicators. Other years in the same formats are replayed the same way, so none is named here; ours,
// written to show the figures are computed for any year (tests/fixtures/scenarios, hand-counted), are replayed too.
const scenarioDirs = [
  path.resolve(repoRoot(), '..', 'shared', 'scenarios'),
  path.join(repoRoot(), 'tests', 'fixtures', 'scenarios'),
];
/** Each year's file, named from the folder above the checkout (shared/scenarios/...) or from the checkout (tests/...). */
const scenarioFiles = scenarioDirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(dir, name)),
);
const shortName = (file: string) =>
  path.relative(file.startsWith(repoRoot()) ? repoRoot() : path.resolve(repoRoot(), '..'), file);

describe('the shared scenarios', () => {
  it('are there to replay, shared and ours', () => {
    for (const dir of scenarioDirs)
      expect(
        scenarioFiles.filter((file) => path.dirname(file) === dir),
        dir,
      ).not.toEqual([]);
  });

  it.each(scenarioFiles.map((file) => ({ file, name: shortName(file) })))(
    '$name replays to exactly its expected figures',
    async ({ file }) => {
      const scenario = readScenario(file);
      const run = await runScenario(scenario);
      expect(run.replay.refusals).toEqual([]);
      expect(run.replay.slowDays).toEqual([]);
      expect(Object.keys(run.report).sort()).toEqual(Object.keys(scenario.expected ?? {}).sort());
      expect(run.report).toStrictEqual(scenario.expected);
      // Each procedure's quarters add up to its year.
      for (const entry of run.bundle.spso?.procedures ?? []) {
        expect(entry.quarters).toHaveLength(4);
        const sum = (pick: (figures: typeof entry.year) => number) =>
          entry.quarters.reduce((n, quarter) => n + pick(quarter.figures), 0);
        expect(sum((figures) => figures.received)).toBe(entry.year.received);
        expect(sum((figures) => figures.closures.total)).toBe(entry.year.closures.total);
      }
      // Under load a year took up to 258 s on the 2-core machine (38 s when quiet).
    },
    300_000,
  );
});
