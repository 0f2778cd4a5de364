// The complaints worker process (`npm run worker`; in production `node dist/worker/main.js`).
// Configuration from the environment (platform/config.ts); SIGINT/SIGTERM drain and stop it cleanly (exit 0).
import { type AppConfig, loadConfigOrExit, temporalAddress } from '../platform/config';
import { installTemporalRuntime } from '../platform/runtime';
import { checkSearchAttributes, describeSearchAttributeProblems } from '../platform/search-attributes';
import {
  ensureReconciliationSchedule,
  ensureRetentionSchedule,
  REGISTER_RECONCILIATION_SCHEDULE_ID,
  RETENTION_SCHEDULE_ID,
} from '../platform/schedules';
import { connectClient, connectWorkerConnection, exitOnStartupError } from '../platform/temporal-connection';
import type { Register } from '../register';
import { createConfiguredComplaintsWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // The Runtime's default shutdown signals (SIGINT, SIGTERM, SIGQUIT, SIGUSR2) make worker.run() drain and return.
  installTemporalRuntime(config.LOG_LEVEL);
  logStopSignals();
  const { run } = await prepareWorker(config);
  await run();
}

/**
 * The Runtime stops listening after the first signal; Ctrl-C under npm delivers two (terminal and npm), and a
 * second one must not kill a worker that is finishing its tasks. This only says so, once.
 */
export function logStopSignals(): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) console.log(`${signal}: stopping the worker once in-flight tasks finish`);
      stopping = true;
    });
  }
}

/**
 * Everything `npm run worker` does before it polls: the connection, the search-attribute check, the Schedules, the
 * activities and the Worker. `run()` polls until the Runtime's shutdown signal has drained it, then closes the
 * connection. `options.register`: the register this process opened already (scripts/worker-and-api.ts, the worker
 * and the API in one process over the embedded register); else the activities open the configured one.
 * The Temporal Runtime must be installed first (installTemporalRuntime).
 */
export async function prepareWorker(
  config: AppConfig,
  options: { register?: Register } = {},
): Promise<{ run: () => Promise<void> }> {
  const connection = await connectWorkerConnection(config).catch(exitOnStartupError);
  const namespace = config.TEMPORAL_NAMESPACE;
  try {
    try {
      const problems = describeSearchAttributeProblems(await checkSearchAttributes(connection, namespace), namespace);
      if (problems) console.error(`WARNING: ${problems}. Until then complaints cannot be listed or filtered by them.`);
    } catch (err) {
      console.error(
        `WARNING: could not check search attributes on namespace "${namespace}": ${(err as Error).message}`,
      );
    }

    // The daily register reconciliation's Schedule, made here (not by a separate script) so that `npm start` and every
    // deployment have it with no extra step; creating it is idempotent, so several workers doing it is harmless.
    await ensureSchedules(config);

    // Loaded only now, so a configuration or connection problem is reported before activities' dependencies load.
    const { createActivitiesFromConfig } = await import('../activities/index.js');
    const made = await createActivitiesFromConfig(config, options);
    const { run } = await createConfiguredComplaintsWorker({ config, connection, made });
    console.log(
      `Worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on namespace "${namespace}" at ${temporalAddress(config)}`,
    );
    return {
      run: async () => {
        try {
          await run();
          console.log('Worker stopped');
        } finally {
          await connection.close();
        }
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** Creates or updates the Schedules (platform/schedules.ts), one line either way; a failure does not stop the worker. */
async function ensureSchedules(config: AppConfig): Promise<void> {
  try {
    const client = await connectClient(config);
    try {
      const outcome = await ensureReconciliationSchedule(client, config.TEMPORAL_TASK_QUEUE);
      console.log(`Schedule "${REGISTER_RECONCILIATION_SCHEDULE_ID}" ${outcome} (daily 03:00 Europe/London)`);
      const retention = await ensureRetentionSchedule(client, config.TEMPORAL_TASK_QUEUE);
      console.log(`Schedule "${RETENTION_SCHEDULE_ID}" ${retention} (daily 04:00 Europe/London)`);
    } finally {
      await client.connection.close();
    }
  } catch (err) {
    console.error(
      `WARNING: could not create the Schedules "${REGISTER_RECONCILIATION_SCHEDULE_ID}" and "${RETENTION_SCHEDULE_ID}": ${(err as Error).message}`,
    );
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('Worker failed:', err);
      process.exit(1);
    },
  );
}
