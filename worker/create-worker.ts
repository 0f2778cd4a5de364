import { type NativeConnection, Worker, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import { complaintWorkflowCodeOptions } from './workflow-options';

export { complaintWorkflowsPath, prebuiltWorkflowBundlePath } from './workflow-options';

export interface ComplaintsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A bundle from `bundleWorkflowCode` (tests bundle once per file) or `{ codePath }` of a prebuilt one. */
  workflowBundle?: WorkflowBundleOption;
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
  return Worker.create({
    ...options.workerOptions,
    connection,
    namespace,
    taskQueue,
    activities,
    ...complaintWorkflowCodeOptions(options.workflowBundle),
  });
}
