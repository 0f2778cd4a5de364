// A worker process for the benchmark (bench/run.ts starts it as a child, so that its memory can be measured on
// its own). `complaints`: what `npm run worker` runs (worker/main.ts): the real activities from the configuration
// (the register in PGlite under DATA_DIR, notices to DATA_DIR/outbox) and createComplaintsWorker, but given the
// workflow bundle bench/run.ts built once instead of bundling at start. `baseline`: the minimal workflow of
// bench/baseline-workflow.ts, no activities. Both get exactly the same Worker settings (WORKER_SETTINGS).
//
//   node --import tsx bench/worker.ts <complaints|baseline> <bundle.js> <task queue>
// Configuration from the environment as for the real worker (TEMPORAL_ADDRESS, DATA_DIR, LOG_LEVEL, ...).
// Prints "READY" once polling; SIGTERM drains and exits 0.
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivitiesFromConfig } from '../activities';
import { loadConfigOrExit } from '../platform/config';
import { installTemporalRuntime } from '../platform/runtime';
import { connectWorkerConnection } from '../platform/temporal-connection';
import { createComplaintsWorker } from '../worker/create-worker';

/**
 * The Worker settings under test, for both workers. Empty: the SDK's defaults, which is what worker/main.ts uses.
 * BENCH_WORKER_OPTIONS (JSON) overrides them for experiments, e.g. '{"maxCachedWorkflows":500}'.
 */
export const WORKER_SETTINGS: Partial<WorkerOptions> = process.env.BENCH_WORKER_OPTIONS
  ? (JSON.parse(process.env.BENCH_WORKER_OPTIONS) as Partial<WorkerOptions>)
  : {};

async function main(): Promise<void> {
  const [role, bundlePath, taskQueue] = process.argv.slice(2);
  if ((role !== 'complaints' && role !== 'baseline') || !bundlePath || !taskQueue) {
    throw new Error('usage: bench/worker.ts <complaints|baseline> <bundle.js> <task queue>');
  }
  const config = loadConfigOrExit();
  installTemporalRuntime(config.LOG_LEVEL);
  const connection = await connectWorkerConnection(config);
  const namespace = config.TEMPORAL_NAMESPACE;
  let close = async () => undefined as void;
  let worker: Worker;
  if (role === 'complaints') {
    const made = await createActivitiesFromConfig(config);
    close = made.close;
    worker = await createComplaintsWorker({
      connection,
      namespace,
      taskQueue,
      activities: made.activities,
      workflowBundle: { codePath: bundlePath },
      workerOptions: WORKER_SETTINGS,
    });
  } else {
    worker = await Worker.create({
      ...WORKER_SETTINGS,
      connection,
      namespace,
      taskQueue,
      workflowBundle: { codePath: bundlePath },
    });
  }
  const running = worker.run();
  // The Runtime handles SIGTERM/SIGINT (worker.run() drains and returns).
  console.log(`READY ${role} pid=${process.pid} maxCachedWorkflows=${worker.options.maxCachedWorkflows}`);
  try {
    await running;
  } finally {
    await close();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench worker failed:', err);
    process.exit(1);
  },
);
