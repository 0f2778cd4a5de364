// Platform smoke test: the same tiny workflow (a durable timer, a signal, an update) on both Temporal servers the
// tests use, through the same helpers every test file uses.
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNoteUpdate, smokeWorkflow, wakeSignal } from './fixtures/smoke-workflow';
import { bundleComplaintWorkflows, startDevServer, startTimeSkippingServer } from './support/temporal';

const DAY_MS = 24 * 60 * 60 * 1000;
const smokeWorkflowsPath = path.resolve(__dirname, 'fixtures', 'smoke-workflow.ts');

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleComplaintWorkflows(smokeWorkflowsPath);
});

async function withWorker<T>(env: TestWorkflowEnvironment, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
  });
  return worker.runUntil(fn());
}

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a 56-day timer in well under a second of real time', async () => {
    const taskQueue = 'smoke-time-skipping';
    await withWorker(env, taskQueue, async () => {
      const started = performance.now();
      const result = await env.client.workflow.execute(smokeWorkflow, {
        args: [56 * DAY_MS],
        taskQueue,
        workflowId: `smoke-timer-${Date.now()}`,
      });
      const realMs = performance.now() - started;
      console.log(`56-day timer on the time-skipping server: ${realMs.toFixed(0)} ms of real time`);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(56 * DAY_MS);
      // Typically ~100 ms; the bound leaves room for a loaded 2-core CI machine.
      expect(realMs).toBeLessThan(2_000);
    });
  });

  it('accepts an update and a signal while the timer is pending', async () => {
    const taskQueue = 'smoke-time-skipping-messages';
    await withWorker(env, taskQueue, async () => {
      const handle = await env.client.workflow.start(smokeWorkflow, {
        args: [56 * DAY_MS, true],
        taskQueue,
        workflowId: `smoke-messages-${Date.now()}`,
      });
      expect(await handle.executeUpdate(addNoteUpdate, { args: ['first'] })).toBe(1);
      await expect(handle.executeUpdate(addNoteUpdate, { args: ['  '] })).rejects.toMatchObject({
        cause: { message: 'a note must not be empty' },
      });
      await handle.signal(wakeSignal);
      const result = await handle.result();
      expect(result).toMatchObject({ notes: ['first'], wokenBySignal: true });
      expect(result.elapsedMs).toBeLessThan(56 * DAY_MS);
    });
  });
});

describe('dev server (Temporal CLI)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a short timer, an update and a signal', async () => {
    const taskQueue = 'smoke-dev-server';
    await withWorker(env, taskQueue, async () => {
      const timer = await env.client.workflow.execute(smokeWorkflow, {
        args: [200],
        taskQueue,
        workflowId: `smoke-dev-timer-${Date.now()}`,
      });
      expect(timer.elapsedMs).toBeGreaterThanOrEqual(200);

      const handle = await env.client.workflow.start(smokeWorkflow, {
        args: [56 * DAY_MS, true],
        taskQueue,
        workflowId: `smoke-dev-messages-${Date.now()}`,
      });
      expect(await handle.executeUpdate(addNoteUpdate, { args: ['first'] })).toBe(1);
      expect(await handle.executeUpdate(addNoteUpdate, { args: ['second'] })).toBe(2);
      await handle.signal(wakeSignal);
      expect(await handle.result()).toMatchObject({ notes: ['first', 'second'], wokenBySignal: true });
    });
  });

  it('has the complaint search attributes registered', async () => {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
      namespace: env.namespace ?? 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['ComplaintStatus', 'ComplaintStage', 'ComplaintNextDeadline', 'ComplaintOverdue']),
    );
  });
});
