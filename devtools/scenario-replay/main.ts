// `npm run scenario -- --file <scenario.json> --out <report.json> [--register temp|configured]`
// Replays a scenario (shared/scenarios/README.md) through the real API, worker and register on a time-skipping
// Temporal server it starts itself, and writes the annual report for the scenario's period as JSON. When the
// scenario has an `expected` report, says whether it matches (exit code 2 when it does not).
//   --register temp        (default) a fresh embedded register in a temporary folder, removed afterwards
//   --register configured  the configured register (DATABASE_URL, or PGlite under DATA_DIR/register), kept, so
//                          that `npm run report` can read the same period afterwards
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { loadConfigOrExit } from '../../platform/config';
import { openRegister, type Register } from '../../register';
import { readScenario } from './format';
import { runScenario } from './run';

const USAGE = 'usage: npm run scenario -- --file <scenario.json> --out <report.json> [--register temp|configured]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      out: { type: 'string' },
      register: { type: 'string', default: 'temp' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.file || !values.out || !['temp', 'configured'].includes(values.register)) {
    console.error(USAGE);
    return 1;
  }
  const scenario = readScenario(values.file);
  const started = Date.now();
  let register: Register | undefined;
  if (values.register === 'configured') {
    register = await openRegister(loadConfigOrExit());
    console.error(`Register: ${register.description}`);
  }
  try {
    let lastShown = 0;
    const run = await runScenario(scenario, {
      ...(register ? { register } : {}),
      onProgress: ({ day, done, total }) => {
        if (Date.now() - lastShown < 2_000 && done < total) return;
        lastShown = Date.now();
        console.error(`  day ${day}: ${done}/${total} steps (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      },
    });
    mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(run.report, null, 2)}\n`);
    console.error(`Period: ${run.replay.period.from} to ${run.replay.period.to} (exclusive)`);
    for (const refusal of run.replay.refusals)
      console.error(
        `  refused on day ${refusal.day}: ${refusal.event} on ${refusal.ref} (${refusal.code}: ${refusal.message})`,
      );
    if (run.replay.slowDays.length)
      console.error(`  WARNING: days ${run.replay.slowDays.join(', ')} took longer than the replay's timing margin`);
    console.error(`Report written to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (scenario.expected) {
      const matches = isDeepStrictEqual(run.report, scenario.expected);
      console.error(
        matches
          ? "The report matches the scenario's expected report."
          : "The report DIFFERS from the scenario's expected report.",
      );
      if (!matches) {
        for (const key of new Set([...Object.keys(scenario.expected), ...Object.keys(run.report)])) {
          const got = (run.report as unknown as Record<string, unknown>)[key];
          if (!isDeepStrictEqual(got, scenario.expected[key]))
            console.error(`  ${key}: expected ${JSON.stringify(scenario.expected[key])}, got ${JSON.stringify(got)}`);
        }
        return 2;
      }
    }
    return 0;
  } finally {
    await register?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
