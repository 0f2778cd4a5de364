import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker as WorkflowThread } from 'node:worker_threads';
import {
  type BundleOptions,
  type ReplayWorkerOptions,
  Worker,
  type WorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
// Not in the SDK's index: the thread pool's parts, to start its threads from our entry file (workflow-thread.cjs).
// eslint-disable-next-line no-restricted-imports -- on purpose; pinned to 1.24.x, tests/worker/workflow-thread.test.ts
import { ThreadedVMWorkflowCreator, WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm';
import { complaintDataConverter, FAILURE_CONVERTER_PATH } from '../platform/payload-codec';
import type { PayloadKeyRing } from '../platform/payload-keys';

// What decides how workflow code runs: the code (bundle), the workflow interceptors and the data converter.
// The worker (create-worker.ts) and the audit replayer (audit/replay.ts) both take them from here, so a history
// is replayed exactly as the worker would run it. Add an interceptor or a converter HERE, never in one of them.

export type ComplaintWorkflowCodeOptions = Pick<
  WorkerOptions,
  'workflowBundle' | 'workflowsPath' | 'interceptors' | 'dataConverter'
> &
  Pick<ReplayWorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors' | 'dataConverter'>;

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

/** What every bundle of the workflows needs besides the code: the failure converter (workflows/failure-converter.cjs). */
export const complaintBundleOptions = { failureConverterPath: FAILURE_CONVERTER_PATH } satisfies Partial<BundleOptions>;

/**
 * Workflow code, interceptors and data converter. Code comes from, in order: the bundle passed in; the prebuilt
 * dist/workflow-bundle.js when running compiled; else it is bundled now from workflows/ (slower start: dev only).
 * No custom interceptors. The data converter (platform/payload-codec.ts): failures' messages encoded, and with
 * `payloadKeys` (platform/payload-keys.ts `payloadKeysFor(config)`) every payload encrypted.
 */
export function complaintWorkflowCodeOptions(
  workflowBundle?: WorkflowBundleOption,
  payloadKeys?: PayloadKeyRing,
): ComplaintWorkflowCodeOptions {
  const prebuilt = prebuiltWorkflowBundlePath();
  const source: ComplaintWorkflowCodeOptions = workflowBundle
    ? { workflowBundle }
    : prebuilt
      ? { workflowBundle: { codePath: prebuilt } }
      : { workflowsPath: complaintWorkflowsPath() };
  return { ...source, dataConverter: complaintDataConverter(payloadKeys) };
}

/** Each workflow thread's entry: the SDK's, after installing the sandbox's hooks without promise tracking. */
export const WORKFLOW_THREAD_ENTRY = path.join(__dirname, 'workflow-thread.cjs');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the same CommonJS module the threads load
const { installWithoutPromiseStacks } = require(WORKFLOW_THREAD_ENTRY) as { installWithoutPromiseStacks(): void };

/**
 * The SDK's Worker, calling into the workflow sandbox without a watchdog thread and without tracking promises.
 *
 * The watchdog: the SDK passes a timeout (`isolateExecutionTimeout`: 5 s; 49 days when replaying) to every `vm`
 * call into workflow code, and Node runs each call with a timeout under a watchdog: a new thread, started and joined
 * per call, tens of calls per workflow task. That cost about 60 µs a call on an idle machine and much more on a busy
 * one (the join waits for the thread to be scheduled): the audit's replay ran 1.7-1.9 × faster without it
 * (bench/README.md). What the watchdog bought: a workflow task stuck in an endless loop of workflow code is failed
 * after 5 s instead of holding its workflow thread. Our workflow code is a few hundred lines over pure domain
 * functions with bounded loops, every change to it is replayed against recorded histories, and the replayer never
 * needed it.
 *
 * The promise tracking: see workflow-thread.cjs (the `__stack_trace` query is given up; replay 1.5 × faster). The
 * SDK installs its hooks in whichever thread runs workflow code: the workflow threads (started here from our entry
 * file, as the SDK's ThreadedVMWorkflowCreator starts them from its own) or, in debug mode and when replaying, this
 * thread.
 *
 * The worker and the audit's replayer both come from here (create-worker.ts, audit/replay.ts).
 */
export class ComplaintsWorker extends Worker {
  protected static override async createWorkflowCreator(
    ...[bundle, compiledOptions, logger]: Parameters<typeof Worker.createWorkflowCreator>
  ): ReturnType<typeof Worker.createWorkflowCreator> {
    // The SDK hands this value to `vm`'s `timeout` option as is, where `undefined` means no watchdog.
    const isolateExecutionTimeoutMs = undefined as unknown as number;
    if (compiledOptions.debugMode) {
      installWithoutPromiseStacks();
      return super.createWorkflowCreator(bundle, { ...compiledOptions, isolateExecutionTimeoutMs }, logger);
    }
    // As the SDK's ThreadedVMWorkflowCreator.create (@temporalio/worker 1.24), from our entry file.
    const { patchActivationCallback } = compiledOptions;
    const threads = Array.from(
      { length: compiledOptions.workflowThreadPoolSize },
      () => new WorkerThreadClient(new WorkflowThread(WORKFLOW_THREAD_ENTRY), logger, patchActivationCallback),
    );
    await Promise.all(
      threads.map((thread) =>
        thread.send({
          type: 'init',
          workflowBundle: bundle,
          isolateExecutionTimeoutMs,
          reuseV8Context: compiledOptions.reuseV8Context ?? true,
          registeredActivityNames: new Set(compiledOptions.activities.keys()),
          hasPatchActivationCallback: patchActivationCallback !== undefined,
        }),
      ),
    );
    return new ThreadedVMWorkflowCreator(threads);
  }
}
