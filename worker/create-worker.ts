import { existsSync } from 'node:fs';
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';

export interface ComplaintsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A bundle from `bundleWorkflowCode` (tests bundle once per file) or `{ codePath }` of a prebuilt one. */
  workflowBundle?: WorkflowBundleOption;
  /** Anything else for Worker.create (e.g. shutdownGraceTime in tests). */
  workerOptions?: Partial<Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowBundle' | 'workflowsPath'>>;
}

/** `dist/workflow-bundle.js`, written by `npm run build`, when this file runs compiled from dist/. */
export function prebuiltWorkflowBundlePath(): string | undefined {
  if (!__filename.endsWith('.js')) return undefined;
  const codePath = path.resolve(__dirname, '..', 'workflow-bundle.js');
  return existsSync(codePath) ? codePath : undefined;
}

/** The workflows' entry module (workflows/index.ts, or index.js when compiled), for bundling at start. */
export function complaintWorkflowsPath(): string {
  const dir = path.resolve(__dirname, '..', 'workflows');
  for (const file of ['index.ts', 'index.js']) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  return require.resolve('../workflows');
}

/**
 * The complaints Worker. Workflow code comes from, in order: the bundle passed in; the prebuilt
 * dist/workflow-bundle.js when running compiled; else it is bundled now from workflows/ (slower start: dev only).
 */
export async function createComplaintsWorker(options: ComplaintsWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities } = options;
  const prebuilt = prebuiltWorkflowBundlePath();
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : prebuilt
      ? { workflowBundle: { codePath: prebuilt } }
      : { workflowsPath: complaintWorkflowsPath() };
  return Worker.create({ ...options.workerOptions, connection, namespace, taskQueue, activities, ...workflowSource });
}
