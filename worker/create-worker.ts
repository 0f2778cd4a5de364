import type { NativeConnection, Worker, WorkerOptions, WorkflowBundleOption } from '@temporalio/worker';
import type { AppConfig } from '../platform/config';
import { payloadKeysFor, type PayloadKeyRing } from '../platform/payload-keys';
import { ComplaintsWorker, complaintWorkflowCodeOptions } from './workflow-options';

export { complaintWorkflowsPath, prebuiltWorkflowBundlePath } from './workflow-options';

export interface ComplaintsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A bundle from `bundleWorkflowCode` (tests bundle once per file) or `{ codePath }` of a prebuilt one. */
  workflowBundle?: WorkflowBundleOption;
  /** The payload key ring (platform/payload-keys.ts); absent: payloads in plain JSON (tests that do not test it). */
  payloadKeys?: PayloadKeyRing;
  /** Anything else for Worker.create (e.g. shutdownGraceTime in tests); interceptors and converter only in workflow-options.ts. */
  workerOptions?: Partial<
    Omit<
      WorkerOptions,
      | 'connection'
      | 'namespace'
      | 'taskQueue'
      | 'activities'
      | 'workflowBundle'
      | 'workflowsPath'
      | 'interceptors'
      | 'dataConverter'
    >
  >;
}

/**
 * The complaints Worker. Its workflow code, interceptors and data converter come from workflow-options.ts, which
 * the audit replayer shares (see there for where the code comes from).
 */
export async function createComplaintsWorker(options: ComplaintsWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities } = options;
  return ComplaintsWorker.create({
    ...options.workerOptions,
    connection,
    namespace,
    taskQueue,
    activities,
    ...complaintWorkflowCodeOptions(options.workflowBundle, options.payloadKeys),
  });
}

export interface ConfiguredWorkerOptions {
  config: AppConfig;
  connection: NativeConnection;
  /** The activities made from the configuration (activities/index.ts `createActivitiesFromConfig`). */
  made: { activities: object; close(): Promise<void> };
  workflowBundle?: WorkflowBundleOption;
  workerOptions?: ComplaintsWorkerOptions['workerOptions'];
}

/**
 * The complaints Worker as `npm run worker` runs it: namespace, task queue and workflow cache
 * (WORKER_MAX_CACHED_WORKFLOWS) from the configuration. `run()` polls until the Runtime's shutdown signal has
 * drained it, then closes the activities' resources (closed at once if the Worker cannot be made). The benchmark's
 * worker (bench/worker.ts) is this one, given its prebuilt bundle.
 */
export async function createConfiguredComplaintsWorker(
  options: ConfiguredWorkerOptions,
): Promise<{ worker: Worker; run: () => Promise<void> }> {
  const { config, connection, made } = options;
  try {
    const worker = await createComplaintsWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: made.activities,
      payloadKeys: payloadKeysFor(config),
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
      workerOptions: {
        maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
        ...options.workerOptions,
      },
    });
    const run = async () => {
      try {
        await worker.run();
      } finally {
        await made.close();
      }
    };
    return { worker, run };
  } catch (err) {
    await made.close();
    throw err;
  }
}
