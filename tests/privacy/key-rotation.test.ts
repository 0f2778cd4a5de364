// Key rotation end to end (issue 14, README "Rotation"): a complaint taken while the ring held one key (test-old), then
// the worker, the API and the register restarted with a key appended (test-old, test-current), as an operator
// rotates. The old complaint stays readable through the API, in full; its workflow goes on (the new worker replays
// its history, written under the old key) and takes another action, whose payloads are under the new key; its history
// replays with the new ring. A new complaint's payloads name the new key and its data key is wrapped with it, while
// the old complaint's data key stays wrapped with the old one. A ring without the old key cannot replay it.
// On the dev server: on the time-skipping server the old complaint's next task never reached the restarted worker.
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayComplaintHistories } from '../../audit/replay';
import { KEY_ID_METADATA } from '../../platform/payload-codec';
import { openPgliteInMemory, registerOver, type Register, type SqlStore } from '../../register';
import { dataKeyStoreOver } from '../../register/data-keys';
import { caller, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { testPayloadKeys } from '../support/payload-keys';
import { bundleComplaintWorkflows, startDevServer } from '../support/temporal';

const OLD = { name: 'Zxqrotold Person', note: 'Zxqrotold note before the rotation' };
const LATER_NOTE = 'Zxqrotold note after the rotation';
const NEW = { name: 'Zxqrotnew Person' };

let env: TestWorkflowEnvironment;
let store: SqlStore;
let before: { register: Register; stack: ApiStack };
let after: { register: Register; stack: ApiStack };
const refs = { old: '', new: '' };

/** The key ids named by a complaint's payloads in its history, in order, each once. */
async function keyIdsOf(ref: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(ref).fetchHistory();
  const ids: string[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    const payload = value as Payload;
    const id = payload.metadata?.[KEY_ID_METADATA];
    if (payload.data instanceof Uint8Array && id) {
      const text = Buffer.from(id).toString('utf8');
      if (ids.at(-1) !== text) ids.push(text);
      return;
    }
    for (const item of Object.values(value)) visit(item);
  };
  visit(history.events);
  return ids;
}

async function intake(stack: ApiStack, name: string): Promise<string> {
  const response = await caller(stack.app)('intake', 'POST', '/complaints', {
    body: intakeBody({ complainant: { name, email: 'zxqrotation@example.org' } }),
  });
  expect(response.status, response.text).toBe(201);
  return response.json().ref as string;
}

beforeAll(async () => {
  env = await startDevServer();
  store = await openPgliteInMemory();
  const oldRing = testPayloadKeys('test-old');
  const register = await registerOver(store, { keys: oldRing });
  before = { register, stack: await startApiStack(env, { payloadKeys: oldRing, register }) };
  refs.old = await intake(before.stack, OLD.name);
  const noted = await caller(before.stack.app)('case-officer', 'POST', `/complaints/${refs.old}/notes`, {
    body: { text: OLD.note },
  });
  expect(noted.status, noted.text).toBe(200);
  // The rotation: everything stopped, and started again with a key appended to the ring.
  await before.stack.close();
  const rotated = testPayloadKeys();
  const afterRegister = await registerOver(store, { keys: rotated });
  after = {
    register: afterRegister,
    stack: await startApiStack(env, {
      payloadKeys: rotated,
      register: afterRegister,
      taskQueue: before.stack.complaints.options.taskQueue,
      // The old complaint's next task first waits on the stopped worker's sticky queue (10 s), then comes here.
      timeoutMs: 30_000,
    }),
  };
}, 120_000);

afterAll(async () => {
  await after?.stack.close();
  await before?.stack.close();
  await after?.register.close();
  await env?.teardown();
});

describe('key rotation', () => {
  it('before it, everything is under the old key', async () => {
    expect(await keyIdsOf(refs.old)).toEqual(['test-old']);
    const [key] = await dataKeyStoreOver(store).findDataKeys([refs.old]);
    expect(key!.wrappingKeyId).toBe('test-old');
  });

  it('the old complaint stays readable, goes on under the new key, and replays', async () => {
    const call = caller(after.stack.app);
    const read = await call('case-officer', 'GET', `/complaints/${refs.old}`);
    expect(read.status, read.text).toBe(200);
    expect(read.text).toContain(OLD.name);
    expect(read.text).toContain(OLD.note);
    const noted = await call('case-officer', 'POST', `/complaints/${refs.old}/notes`, { body: { text: LATER_NOTE } });
    expect(noted.status, noted.text).toBe(200);
    const again = await call('case-officer', 'GET', `/complaints/${refs.old}?atLeastRevision=3`);
    expect(again.text).toContain(LATER_NOTE);
    // Its payloads: the old key's, then the new key's from the rotation on.
    expect(await keyIdsOf(refs.old)).toEqual(['test-old', 'test-current']);
    // Its data key was not re-wrapped: still the old key's, and the note sealed after the rotation is under it too.
    const [key] = await dataKeyStoreOver(store).findDataKeys([refs.old]);
    expect(key!.wrappingKeyId).toBe('test-old');

    const history = await env.client.workflow.getHandle(refs.old).fetchHistory();
    const workflowBundle = await bundleComplaintWorkflows();
    const replay = async (payloadKeys: ReturnType<typeof testPayloadKeys>) => {
      const outcomes = [];
      const histories = [{ workflowId: refs.old, runId: '', source: 'temporal:default', history }];
      for await (const outcome of replayComplaintHistories(histories, { workflowBundle, payloadKeys }))
        outcomes.push(outcome.status);
      return outcomes;
    };
    expect(await replay(testPayloadKeys())).toEqual(['ok']);
    // The ring without the old key cannot (an old key is removed only once nothing needs it).
    expect(await replay(testPayloadKeys('test-current'))).not.toEqual(['ok']);
  }, 60_000);

  it('a new complaint is under the new key: its payloads and its data key', async () => {
    refs.new = await intake(after.stack, NEW.name);
    expect(await keyIdsOf(refs.new)).toEqual(['test-current']);
    const [key] = await dataKeyStoreOver(store).findDataKeys([refs.new]);
    expect(key!.wrappingKeyId).toBe('test-current');
    const read = await caller(after.stack.app)('case-officer', 'GET', `/complaints/${refs.new}`);
    expect(read.text).toContain(NEW.name);
  });
});
