// A worker process for the benchmark (bench/run.ts starts it as a child, so that its memory can be measured on
// its own). `complaints`: what `npm run worker` runs (worker/main.ts): the real activities from the configuration
// (the register in PGlite under DATA_DIR, notices to DATA_DIR/outbox) and createConfiguredComplaintsWorker, but
// given the workflow bundle bench/stack.ts built once instead of bundling at start. `baseline`: the minimal workflow of
// bench/baseline-workflow.ts, no activities. Both get exactly the same Worker settings (WORKER_SETTINGS). `engine`:
// `complaints` and the API (api/main.ts `startApi`) in this one process over one embedded register it owns, as
// `npm start` runs them with no DATABASE_URL (scripts/worker-and-api.ts).
//
//   node --import tsx bench/worker.ts <complaints|engine|baseline> <bundle.js> <task queue>
// Configuration from the environment as for the real worker (TEMPORAL_ADDRESS, DATA_DIR, LOG_LEVEL, ...).
// Prints "READY" once polling; SIGTERM drains and exits 0.
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { createActivitiesFromConfig } from '../activities';
import { runAsMain } from '../devtools/child-processes';
import { type AppConfig, loadConfigOrExit } from '../platform/config';
import { installTemporalRuntime } from '../platform/runtime';
import { connectWorkerConnection } from '../platform/temporal-connection';
import { openRegister } from '../register';
import { createConfiguredComplaintsWorker } from '../worker/create-worker';
import { ComplaintsWorker } from '../worker/workflow-options';

/**
 * The Worker settings under test, for both workers, over what worker/main.ts sets from the configuration (the
 * workflow cache, WORKER_MAX_CACHED_WORKFLOWS, default 500; the SDK's defaults for the rest). BENCH_WORKER_OPTIONS
 * (JSON) overrides them for experiments, e.g. '{"maxCachedWorkflows":2310}' (the SDK's default on this machine).
 */
export const WORKER_SETTINGS: Partial<WorkerOptions> = process.env.BENCH_WORKER_OPTIONS
  ? (JSON.parse(process.env.BENCH_WORKER_OPTIONS) as Partial<WorkerOptions>)
  : {};

/** The baseline worker: the minimal workflow, no activities, the same Worker (its sandbox too) and settings. */
async function baselineWorker(connection: NativeConnection, config: AppConfig, bundle: string) {
  const worker = await ComplaintsWorker.create({
    // The complaints worker's cache size (worker/create-worker.ts), so that both are measured with the same settings.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    ...WORKER_SETTINGS,
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle: { codePath: bundle },
  });
  return { worker, run: () => worker.run() };
}

const ROLES = ['complaints', 'engine', 'baseline'] as const;
type Role = (typeof ROLES)[number];

async function main(): Promise<number> {
  const [role, bundlePath, taskQueue] = process.argv.slice(2) as [Role | undefined, string?, string?];
  if (!role || !ROLES.includes(role) || !bundlePath || !taskQueue) {
    throw new Error('usage: bench/worker.ts <complaints|engine|baseline> <bundle.js> <task queue>');
  }
  const config = loadConfigOrExit({ ...process.env, TEMPORAL_TASK_QUEUE: taskQueue });
  installTemporalRuntime(config.LOG_LEVEL);
  const register =
    role === 'engine' ? await openRegister(config, { owner: "the benchmark's worker and API" }) : undefined;
  const connection = await connectWorkerConnection(config);
  let api: { stop(): Promise<void> } | undefined;
  try {
    // The complaints worker is the one `npm run worker` runs (worker/create-worker.ts), given the prebuilt bundle.
    const { worker, run } =
      role === 'baseline'
        ? await baselineWorker(connection, config, bundlePath)
        : await createConfiguredComplaintsWorker({
            config,
            connection,
            made: await createActivitiesFromConfig(config, register ? { register } : {}),
            workflowBundle: { codePath: bundlePath },
            workerOptions: WORKER_SETTINGS,
          });
    const running = run();
    // Loaded only for `engine`: the API's modules (Fastify, the web application) would slow every worker's start, and
    // the fault drill restarts a `complaints` worker against the clock.
    if (register) api = await (await import('../api/main.js')).startApi(config, { register });
    // The Runtime handles SIGTERM/SIGINT (worker.run() drains and returns); the API stops after it.
    console.log(`READY ${role} pid=${process.pid} maxCachedWorkflows=${worker.options.maxCachedWorkflows}`);
    await running;
    return 0;
  } finally {
    await api?.stop();
    await connection.close();
    await register?.close();
  }
}

runAsMain(main);
