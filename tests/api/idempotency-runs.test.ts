// The idempotency rule where Temporal alone does not keep it: across continue-as-new (Temporal deduplicates an
// Update id within one run only; the workflow carries the keyed Updates it handled into the next run) and for a
// refused first attempt (a keyed action refused by the rules is refused after acceptance, so it is remembered), and
// a refused intake. The API and the real worker on the dev server: no timer needs to fire here, and the time-skipping
// server (1.40.0) loses an Update that arrives while the run continues as new (it hangs until the caller's deadline),
// where a real server aborts it with a retryable error and the client lands it on the new run (temporal#6485).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { complaintDetails, intakeClerk, uniqueRef } from '../support/complaint-harness';
import { startDevServer } from '../support/temporal';
import { complaintStartOptions } from '../../workflows/start-options';
import type { ComplaintWorkflowInput } from '../../workflows/complaint';
import { type ComplaintHistory, fetchComplaintHistories } from '../../audit/histories';
import { reconstructTimeline } from '../../audit/timeline';

let env: TestWorkflowEnvironment;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startDevServer();
  stack = await startApiStack(env, { timeoutMs: 10_000 });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A complaint that continues as new after a few events (as a long-lived one does after thousands). */
async function shortRunComplaint(): Promise<string> {
  const input: ComplaintWorkflowInput = {
    ref: uniqueRef('RUNS'),
    procedure: { id: 'dundee-swd-2011', version: 1 },
    details: complaintDetails(),
    receivedAt: new Date(await env.currentTimeMs()).toISOString(),
    holidays: [],
    actor: intakeClerk,
    continueAsNewAfterEvents: 40,
  };
  await env.client.workflow.start('complaintWorkflow', {
    ...complaintStartOptions(input, { taskQueue: stack.complaints.options.taskQueue, indexed: false }),
    args: [input],
  });
  return input.ref;
}

const runId = async (ref: string) => (await env.client.workflow.getHandle(ref).describe()).runId;

/** Adds unkeyed notes until the complaint has continued as new. */
async function untilNextRun(ref: string): Promise<void> {
  const first = await runId(ref);
  for (let i = 0; i < 40 && (await runId(ref)) === first; i++) {
    const response = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: `Filler ${i}` } });
    expect(response.status, response.text).toBe(200);
  }
  expect(await runId(ref)).not.toBe(first);
}

const keyed = (key: string) => ({ 'idempotency-key': key });

/** The audit's reading of every run of the complaint: each Update accounted for, no problem found. */
async function auditProblems(ref: string): Promise<string[]> {
  const runs: ComplaintHistory[] = [];
  for await (const run of fetchComplaintHistories(env.client, { refs: [ref] })) runs.push(run);
  const timeline = await reconstructTimeline(runs);
  return timeline.findings.filter((finding) => finding.level === 'error').map((finding) => finding.message);
}

/**
 * A keyed outcome refused because the complaint is not acknowledged, then the acknowledgement that would allow it:
 * `outcome` repeats the request under the same key.
 */
async function outcomeRefusedThenAcknowledged() {
  const ref = await shortRunComplaint();
  const headers = keyed(`outcome-${unique()}`);
  const outcome = (body: unknown) => call('case-officer', 'POST', `/complaints/${ref}/outcome`, { body, headers });
  const refused = await outcome({ outcome: 'upheld' });
  expect(refused.status, refused.text).toBe(409);
  expect(refused.json().error.code).toBe('not-acknowledged');
  expect((await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`, { body: {} })).status).toBe(200);
  return { ref, outcome, refused };
}

describe('an action repeated after the complaint continued as new', () => {
  it('answers as the first time and records nothing; another body under the key is a 409', async () => {
    const ref = await shortRunComplaint();
    const headers = keyed(`note-${unique()}`);
    const first = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'Once' }, headers });
    expect(first.status, first.text).toBe(200);

    await untilNextRun(ref);

    const again = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'Once' }, headers });
    expect(again.status, again.text).toBe(200);
    expect(again.json()).toEqual(first.json());
    const other = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'Twice' }, headers });
    expect(other.status, other.text).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');

    const state = (await call('case-officer', 'GET', `/complaints/${ref}`)).json();
    const texts = state.timeline
      .filter((e: { type: string }) => e.type === 'note-added')
      .map((e: { text: string }) => e.text);
    expect(texts.filter((text: string) => text === 'Once' || text === 'Twice')).toEqual(['Once']);
    expect(await auditProblems(ref)).toEqual([]);
  });

  it('answers a refusal from an earlier run the same, even once the action would be allowed', async () => {
    const { ref, outcome, refused } = await outcomeRefusedThenAcknowledged();

    await untilNextRun(ref);

    const again = await outcome({ outcome: 'upheld' });
    expect(again.status, again.text).toBe(409);
    expect(again.json()).toEqual(refused.json());
    const other = await outcome({ outcome: 'not-upheld' });
    expect(other.status, other.text).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');
    const state = (await call('case-officer', 'GET', `/complaints/${ref}`)).json();
    expect(state.timeline.some((e: { type: string }) => e.type === 'outcome-recorded')).toBe(false);
    expect(await auditProblems(ref)).toEqual([]);
  });
});

describe('a refused first attempt', () => {
  it('is answered the same when repeated, though the rules would now allow it; another body is a 409', async () => {
    const { ref, outcome, refused } = await outcomeRefusedThenAcknowledged();

    const again = await outcome({ outcome: 'upheld' });
    expect(again.status, again.text).toBe(409);
    expect(again.json()).toEqual(refused.json());
    const other = await outcome({ outcome: 'not-upheld', findings: 'Another body' });
    expect(other.status, other.text).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');

    // Without a key the same request is decided afresh: now allowed.
    expect(
      (await call('case-officer', 'POST', `/complaints/${ref}/outcome`, { body: { outcome: 'upheld' } })).status,
    ).toBe(200);
  });

  it('at intake: the same body is refused the same; another body under the key is a 409 and starts nothing', async () => {
    const headers = keyed(`intake-${unique()}`);
    const summary = `Refused intake ${unique()}`;
    const refusedBody = intakeBody({ summary, procedure: { id: 'no-such-procedure' } });
    const refused = await call('intake', 'POST', '/complaints', { body: refusedBody, headers });
    expect(refused.status, refused.text).toBe(400);
    const again = await call('intake', 'POST', '/complaints', { body: refusedBody, headers });
    expect(again.status).toBe(400);
    expect(again.json()).toEqual(refused.json());

    const other = await call('intake', 'POST', '/complaints', { body: intakeBody({ summary }), headers });
    expect(other.status, other.text).toBe(409);
    expect(other.json().error.code).toBe('idempotency-key-reused');
    expect(stack.recorded.batches.some((batch) => batch.snapshot.details.summary === summary)).toBe(false);
  });
});
