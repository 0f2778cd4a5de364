// A decode at the codec server (POST /codec/decode) that opens a complaint's sealed personal fields is a read of its
// personal data (issue 14): it is in that complaint's access log (who = the token's subject, route POST /codec/decode),
// once per complaint per request, and not in the log of a complaint whose payloads were not in it. A decode of
// payloads holding no sealed field is no read. Real API, worker and register (PGlite), payload codec and data keys
// on (test key ring), time-skipping server; the payloads are the complaints' own, read from Temporal without the codec.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { caller, eventually, intakeBody, people, startApiStack, type ApiStack } from '../support/api';
import { storedInput } from '../support/codec-payloads';
import { testPayloadKeys } from '../support/payload-keys';
import { startTimeSkippingServer } from '../support/temporal';

let env: TestWorkflowEnvironment;
let register: Register;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  register = await registerOver(await openPgliteInMemory(), { keys: testPayloadKeys() });
  stack = await startApiStack(env, { payloadKeys: testPayloadKeys(), register });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await register?.close();
  await env?.teardown();
});

const NAME = 'Zxqcodec Marker';

async function newComplaint(name: string): Promise<string> {
  const body = intakeBody({ complainant: { name, email: 'zxqcodec@example.org' } });
  const response = await call('intake', 'POST', '/complaints', { body });
  expect(response.status, response.text).toBe(201);
  return response.json().ref as string;
}

const codecReads = async (ref: string) => {
  const response = await call('auditor', 'GET', `/complaints/${ref}/access-log`);
  expect(response.status, response.text).toBe(200);
  const { items } = response.json() as { items: Array<{ viewer: { id: string; roles: string[] }; route: string }> };
  return items.filter((item) => item.route === 'POST /codec/decode');
};

describe('codec-server decodes in the access log', () => {
  it("a decode that opens complaint A's fields is in A's access log, once per request, and not in B's", async () => {
    const a = await newComplaint(NAME);
    const b = await newComplaint('Zxqother Person');
    const input = await storedInput(env.client, a);
    expect(Buffer.from(input.data, 'base64').toString('utf8')).not.toContain(NAME);
    expect(await codecReads(a)).toEqual([]);

    // Two payloads of A in one request (as the Web UI sends a history's): one read of A.
    const decoded = await call('manager', 'POST', '/codec/decode', { body: { payloads: [input, input] } });
    expect(decoded.status, decoded.text).toBe(200);
    const payloads = decoded.json().payloads as Array<{ data: string }>;
    expect(Buffer.from(payloads[0]!.data, 'base64').toString('utf8')).toContain(NAME);

    const reads = await eventually(async () => {
      const found = await codecReads(a);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(reads[0]!.viewer).toEqual({ id: people.manager.id, roles: ['manager'] });
    expect(await codecReads(b)).toEqual([]);
  });

  it('a decode of payloads without sealed fields is no read', async () => {
    const ref = await newComplaint(NAME);
    const plain = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: '' }] };
    plain.payloads[0]!.data = Buffer.from(JSON.stringify({ ref, note: 'nothing sealed' })).toString('base64');
    const encoded = await call('manager', 'POST', '/codec/encode', { body: plain });
    expect(encoded.status).toBe(200);
    expect((await call('manager', 'POST', '/codec/decode', { body: encoded.json() })).status).toBe(200);
    // Then the auditor reads its input: the log, written in order, would hold the manager's decode before it.
    const input = { payloads: [await storedInput(env.client, ref)] };
    expect((await call('auditor', 'POST', '/codec/decode', { body: input })).status).toBe(200);
    await eventually(async () =>
      expect((await codecReads(ref)).map((read) => read.viewer.id)).toEqual([people.auditor.id]),
    );
  });
});
