// The complaints worker runs workflow code in threads started from worker/workflow-thread.cjs: the SDK's sandbox
// without its promise tracking (a stack trace captured and source-mapped for every Promise, a quarter of a replay's
// CPU). What it gives up is the `__stack_trace` query; the SDK's own worker, beside it, still answers it, which is
// what shows the difference is ours.
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintDataConverter } from '../../platform/payload-codec';
import { complaintWorkflow } from '../../workflows';
import { complaintStateQuery } from '../../workflows/messages';
import { complaintStartOptions } from '../../workflows/start-options';
import { createComplaintsWorker } from '../../worker/create-worker';
import { ComplaintHarness } from '../support/complaint-harness';
import { RecordingActivities } from '../support/recording-activities';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let inputs: ComplaintHarness;
/** With the workers' data converter, which encodes failures' messages. */
let client: Client;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  bundle = await bundleComplaintWorkflows();
  inputs = new ComplaintHarness(env);
  client = new Client({ connection: env.connection, dataConverter: complaintDataConverter(undefined) });
});

afterAll(async () => {
  await env?.teardown();
});

/** Starts a complaint on a worker of its own, asks it `query`, and stops the worker. */
async function askOneComplaint(worker: Worker, taskQueue: string, query: string): Promise<unknown> {
  return worker.runUntil(async () => {
    const input = await inputs.input();
    const handle = await client.workflow.start(
      complaintWorkflow,
      complaintStartOptions(input, { taskQueue, indexed: false }),
    );
    // The product's own query first: the workflow runs in this worker's threads.
    expect((await handle.query(complaintStateQuery)).ref).toBe(input.ref);
    return handle.query(query).then(
      (answer) => ({ answer }),
      (err: Error) => ({ refused: err.name }),
    );
  });
}

describe('the workflow threads', () => {
  it('run complaints without tracking their promises: the stack-trace query is refused', async () => {
    const taskQueue = `workflow-thread-ours-${process.pid}`;
    const worker = await createComplaintsWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: new RecordingActivities().activities,
      workflowBundle: bundle,
    });
    // The worker's reason ("Workflow stack traces are not enabled on this worker") reaches the client encoded, as
    // every failure's message does (workflows/failure-converter.cjs), and a query's failure is not decoded.
    expect(await askOneComplaint(worker, taskQueue, '__stack_trace')).toEqual({ refused: 'QueryNotRegisteredError' });
  });

  it("are the SDK's own otherwise: its worker answers where the complaint waits", async () => {
    const taskQueue = `workflow-thread-sdk-${process.pid}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: new RecordingActivities().activities,
      workflowBundle: bundle,
    });
    const asked = (await askOneComplaint(worker, taskQueue, '__stack_trace')) as { answer?: string };
    expect(asked.answer).toMatch(/at /);
  });
});
