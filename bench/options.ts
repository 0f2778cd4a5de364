// The benchmark's command-line options, parsed by ONE zod schema (as platform/config.ts parses the environment):
// a bad option prints one line naming it, e.g. `Invalid option: --complaints must be a non-negative integer (got
// "many")`, and exits 1. Defaults depend on --quick; a few options also come from the environment (BENCH_*).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { repoRoot } from '../platform/repo-root';

export const PHASES = ['lifecycle', 'open-loop', 'read', 'scale', 'replay', 'codec'] as const;
export type PhaseName = (typeof PHASES)[number];

export const HELP = `npm run bench [-- options]
  --quick                 small run: 300 complaints, 1,000 at scale (500 due in 2 cohorts), 5 s reads, 200 replays
  --complaints N          lifecycle complaints (default 2000; env BENCH_COMPLAINTS)
  --concurrency N         concurrent connections / client loops (default 32; env BENCH_CONCURRENCY)
  --scale N               open complaints in the scale run (default 10000; env BENCH_SCALE)
  --start-concurrency N   concurrent starts when opening them (default: --concurrency; 64 was no faster)
  --due N                 how many of them have their reminder fall due during the run (default 3000; env BENCH_DUE), in
  --cohorts N             cohorts, each all at one instant (default 3; the rest are due days later)
  --cohort-gap S          seconds between cohorts (default 30)
  --read-seconds S        duration of each read test (default 10)
  --open-loop-seconds S   open loop: arrivals at half the lifecycle's throughput for S seconds (default 30; quick 15)
  --replay N              histories to replay (default 500)
  --skip PHASES           comma-separated: ${PHASES.join(', ')}
  --out DIR               where results go (default bench/results)
  --keep                  keep the temporary folder (server database, logs, outbox)
  --help                  this text
Environment: BENCH_QUICK=1 (as --quick), BENCH_WORKER_OPTIONS='{"maxCachedWorkflows":500}' (JSON Worker options for
both workers), BENCH_LOG_LEVEL (the worker's and API's LOG_LEVEL, default info as in production),
BENCH_DATABASE_URL (register in PostgreSQL instead of the embedded PGlite), BENCH_PROFILE=worker,api (V8 CPU
profiles of those processes into <tmp>/profiles, with --keep).`;

/** Every message completes the sentence "--<option> …". */
const count = z
  .string()
  .regex(/^\d+$/, 'must be a non-negative integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'is too large')
  .optional();
const atLeastOne = z
  .string()
  .regex(/^\d+$/, 'must be an integer of 1 or more')
  .transform(Number)
  .refine((n) => n >= 1 && Number.isSafeInteger(n), 'must be an integer of 1 or more')
  .optional();

/** The options as given (strings from the command line), before the defaults that depend on --quick. */
const benchArguments = z.object({
  quick: z.boolean(),
  complaints: count,
  concurrency: atLeastOne,
  'start-concurrency': atLeastOne,
  scale: count,
  due: count,
  cohorts: atLeastOne,
  'cohort-gap': count,
  'read-seconds': atLeastOne,
  'open-loop-seconds': atLeastOne,
  replay: count,
  skip: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(PHASES, `must list phases among ${PHASES.join(', ')}`))),
  out: z.string().min(1, 'must be a folder').optional(),
  keep: z.boolean(),
});

export const benchOptionsSchema = benchArguments.transform((o) => {
  const quick = o.quick;
  const complaints = o.complaints ?? (quick ? 300 : 2000);
  const concurrency = o.concurrency ?? 32;
  return {
    quick,
    complaints,
    /** Not counted: 5 % of the lifecycle complaints, between 32 and 100, of each kind. */
    warmup: Math.min(100, Math.max(32, Math.round(complaints / 20))),
    concurrency,
    startConcurrency: o['start-concurrency'] ?? concurrency,
    scale: o.scale ?? (quick ? 1000 : 10_000),
    due: o.due ?? (quick ? 500 : 3000),
    cohorts: o.cohorts ?? (quick ? 2 : 3),
    cohortGapSeconds: o['cohort-gap'] ?? (quick ? 15 : 30),
    readSeconds: o['read-seconds'] ?? (quick ? 5 : 10),
    openLoopSeconds: o['open-loop-seconds'] ?? (quick ? 15 : 30),
    replay: o.replay ?? (quick ? 200 : 500),
    skip: new Set<PhaseName>(o.skip),
    out: path.resolve(o.out ?? path.join(repoRoot(), 'bench', 'results')),
    keep: o.keep,
  };
});

export type BenchOptions = z.output<typeof benchOptionsSchema>;

/** A bad option: its message is one line naming it. */
export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';
}

const ENV_FALLBACKS = {
  complaints: 'BENCH_COMPLAINTS',
  concurrency: 'BENCH_CONCURRENCY',
  scale: 'BENCH_SCALE',
  due: 'BENCH_DUE',
} as const;

/** Parses `argv` (without node and the script); undefined for --help. Throws a BenchOptionError. */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        ...Object.fromEntries(
          Object.keys(benchArguments.shape)
            .filter((name) => !['quick', 'keep'].includes(name))
            .map((name) => [name, { type: 'string' as const }]),
        ),
      },
    }));
  } catch (err) {
    const message = (err as Error).message;
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    const unknown = (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    throw new BenchOptionError(
      unknown && option
        ? `Invalid option: ${option} is not an option (npm run bench -- --help lists them)`
        : `Invalid option: ${message.split('\n')[0]}`,
    );
  }
  if (values.help) return undefined;
  const raw: Record<string, unknown> = { ...values, quick: values.quick === true || env.BENCH_QUICK === '1' };
  for (const [option, variable] of Object.entries(ENV_FALLBACKS)) {
    if (raw[option] === undefined && env[variable]) raw[option] = env[variable];
  }
  delete raw.help;
  const result = benchOptionsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? 'options');
  const got = raw[name] === undefined ? '' : ` (got ${JSON.stringify(raw[name])})`;
  throw new BenchOptionError(`Invalid option: --${name} ${issue?.message ?? 'is not valid'}${got}`);
}

/** For the entry point: the options, or the help text (exit 0), or one line on stderr (exit 1). */
export function parseBenchOptionsOrExit(argv = process.argv.slice(2)): BenchOptions {
  try {
    const options = parseBenchOptions(argv);
    if (options) return options;
    console.log(HELP);
    process.exit(0);
  } catch (err) {
    if (!(err instanceof BenchOptionError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
