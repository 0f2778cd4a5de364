import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { startDevServer } from '../support/temporal';

// Deadlines through the API on the dev server: bounded extensions, the procedure schedule, deadlines explained.

const DAY_MS = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startDevServer();
  stack = await startApiStack(env, { timeoutMs: 8_000 });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

async function newComplaint(overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await call('intake', 'POST', '/complaints', { body: intakeBody(overrides) });
  expect(response.status, response.text).toBe(201);
  return response.json().ref as string;
}

const extend = (ref: string, body: Record<string, unknown>) =>
  call('manager', 'POST', `/complaints/${ref}/extensions`, {
    body: { reason: 'Waiting for records', agreedWithComplainant: true, ...body },
  });

describe('extensions are bounded', () => {
  it('repeated extensions stop a year past the original deadline, and the complaint still answers', async () => {
    const ref = await newComplaint();
    const original = (await call('case-officer', 'GET', `/complaints/${ref}`)).json().stages[0].response.originalDueAt;
    const justPast = await extend(ref, { newDeadline: new Date(Date.parse(original) + 367 * DAY_MS).toISOString() });
    expect(justPast.status, justPast.text).toBe(409);
    expect(justPast.json().error.code).toBe('extension-too-long');

    let answered = 0;
    for (let i = 0; i < 30; i++) {
      const response = await extend(ref, { days: 300 });
      if (response.status !== 200) {
        expect(response.status, response.text).toBe(409);
        expect(response.json().error.code).toBe('extension-too-long');
        break;
      }
      answered++;
    }
    expect(answered).toBe(1);
    const far = await extend(ref, { newDeadline: '9000-12-31T23:59:59.000Z' });
    expect(far.status, far.text).toBe(409);
    expect(far.json().error.code).toBe('extension-too-long');

    const state = (await call('case-officer', 'GET', `/complaints/${ref}`)).json();
    const response = state.stages[0].response;
    expect(Date.parse(response.dueAt) - Date.parse(response.originalDueAt)).toBeLessThanOrEqual(366 * DAY_MS);
    const acknowledged = await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`, { body: {} });
    expect(acknowledged.status, acknowledged.text).toBe(200);
  });
});
