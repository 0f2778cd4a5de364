// The one idempotency rule, for intake and actions alike, on a Temporal dev server with the real worker: the same
// Idempotency-Key with the same body replays the first answer; with another body it is a 409
// idempotency-key-reused, and nothing is recorded twice or silently dropped.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { startDevServer } from '../support/temporal';

let env: TestWorkflowEnvironment;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startDevServer();
  stack = await startApiStack(env, { timeoutMs: 5_000 });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function newComplaint(): Promise<string> {
  const response = await call('intake', 'POST', '/complaints', { body: intakeBody() });
  expect(response.status, response.text).toBe(201);
  return response.json().ref as string;
}

/** How many workflows this test's summary started (each complaint is one workflow; claims are not complaints). */
async function complaintsWithSummary(summary: string): Promise<string[]> {
  const refs: string[] = [];
  for (const batch of stack.recorded.batches) {
    if (batch.snapshot.details.summary === summary && !refs.includes(batch.ref)) refs.push(batch.ref);
  }
  return refs;
}

describe('actions', () => {
  it('replay the first answer for the same key and body, and refuse another body under the key (409)', async () => {
    const ref = await newComplaint();
    const headers = { 'idempotency-key': `note-${unique()}` };
    const first = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'First' }, headers });
    expect(first.status, first.text).toBe(200);
    const again = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'First' }, headers });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(first.json());

    const other = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'Second' }, headers });
    expect(other.status, other.text).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');

    const state = (await call('case-officer', 'GET', `/complaints/${ref}`)).json();
    const notes = state.timeline.filter((entry: { type: string }) => entry.type === 'note-added');
    expect(notes.map((note: { text: string }) => note.text)).toEqual(['First']);
  });

  it('apply to every action alike: an acknowledgement repeated with a note under its key is a 409', async () => {
    const ref = await newComplaint();
    const headers = { 'idempotency-key': `ack-${unique()}` };
    const act = (body: unknown) => call('case-officer', 'POST', `/complaints/${ref}/acknowledge`, { body, headers });
    expect((await act({})).status).toBe(200);
    expect((await act({})).status).toBe(200);
    const other = await act({ note: 'by phone' });
    expect(other.status, other.text).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');
  });

  it('find the first body of a key used hundreds of events ago (the history is read a page at a time)', async () => {
    const ref = await newComplaint();
    const headers = { 'idempotency-key': `early-${unique()}` };
    const note = (text: string, extra: Record<string, string> = {}) =>
      call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text }, headers: extra });
    expect((await note('Early', headers)).status).toBe(200);
    for (let i = 0; i < 45; i++) expect((await note(`Later ${i}`)).status).toBe(200);
    const history = (await call('auditor', 'GET', `/complaints/${ref}/history`)).json();
    expect(history.events.length).toBeGreaterThan(250);

    expect((await note('Early', headers)).status).toBe(200);
    const other = await note('Not early', headers);
    expect(other.status, other.text).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');
  });

  it('answer a keyed action on an unknown complaint 404, not 500 (found by the fuzzer)', async () => {
    const response = await call('case-officer', 'POST', '/complaints/NO-SUCH-REF/notes', {
      body: { text: 'Hello' },
      headers: { 'idempotency-key': `unknown-${unique()}` },
    });
    expect(response.status, response.text).toBe(404);
    expect(response.json().error.code).toBe('complaint-not-found');
  });

  it("scope the key to the caller: another person's same key is another request", async () => {
    const ref = await newComplaint();
    const headers = { 'idempotency-key': `shared-${unique()}` };
    const mine = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'Mine' }, headers });
    const theirs = await call('otherOfficer', 'POST', `/complaints/${ref}/notes`, {
      body: { text: 'Theirs' },
      headers,
    });
    expect([mine.status, theirs.status]).toEqual([200, 200]);
  });
});

describe('intake', () => {
  it('enforces a key given with a ref: the same key without it and another body is a 409, not a second complaint', async () => {
    const summary = `Keyed with ref ${unique()}`;
    const ref = `KEYREF-${unique().toUpperCase()}`;
    const headers = { 'idempotency-key': `intake-${unique()}` };
    const withRef = intakeBody({ ref, summary });
    expect((await call('intake', 'POST', '/complaints', { body: withRef, headers })).status).toBe(201);

    const replay = await call('intake', 'POST', '/complaints', { body: { ...withRef }, headers });
    expect(replay.status).toBe(200);
    expect(replay.json().ref).toBe(ref);

    const withoutRef = await call('intake', 'POST', '/complaints', { body: intakeBody({ summary }), headers });
    expect(withoutRef.status, withoutRef.text).toBe(409);
    expect(withoutRef.json().error.code).toBe('idempotency-key-reused');

    const otherRef = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ ref: `${ref}-2`, summary }),
      headers,
    });
    expect(otherRef.status, otherRef.text).toBe(409);
    expect(otherRef.json().error.code).toBe('idempotency-key-reused');
    await expect(stack.complaints.state(`${ref}-2`)).rejects.toMatchObject({ statusCode: 404 });
    expect(await complaintsWithSummary(summary)).toEqual([ref]);
  });

  it('enforces a key first used without a ref when a ref comes with it later', async () => {
    const summary = `Keyed then ref ${unique()}`;
    const headers = { 'idempotency-key': `intake-${unique()}` };
    const first = await call('intake', 'POST', '/complaints', { body: intakeBody({ summary }), headers });
    expect(first.status).toBe(201);
    const ref = `LATER-${unique().toUpperCase()}`;
    const later = await call('intake', 'POST', '/complaints', { body: intakeBody({ ref, summary }), headers });
    expect(later.status, later.text).toBe(409);
    expect(later.json().error.code).toBe('idempotency-key-reused');
    await expect(stack.complaints.state(ref)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('makes one complaint when differing bodies race under one key: the others are 409', async () => {
    const headers = { 'idempotency-key': `race-${unique()}` };
    const summary = `Race ${unique()}`;
    const responses = await Promise.all(
      ['a', 'b', 'c', 'a'].map((v) =>
        call('intake', 'POST', '/complaints', { body: intakeBody({ summary, ref: `RACE-${v}-${unique()}` }), headers }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(3);
    for (const response of responses.filter((r) => r.status === 409))
      expect(response.json().error.code).toBe('idempotency-key-reused');
  });
});
