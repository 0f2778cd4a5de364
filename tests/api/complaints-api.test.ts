// The HTTP API end to end: app.inject against a real Temporal dev server (search attributes registered) and the
// real complaints worker (in-memory mail; its register writes go through to a real register, PGlite in memory, which
// the app reads from). One server for the file; tests run in order, and the
// last ones stop the worker and then the server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistoryJson } from '../../audit/histories';
import { londonDate } from '../../domain/calendar';
import { replayComplaintHistories } from '../../audit/replay';
import { buildApp } from '../../api/app';
import { ComplaintService } from '../../api/complaint-service';
import { createMetrics } from '../../api/metrics';
import type { ComplaintList } from '../../api/complaint-reads';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { createComplaintsWorker } from '../../worker/create-worker';
import { caller, eventually, intakeBody, startApiStack, testTokens, type ApiStack, type Person } from '../support/api';
import { RecordingActivities } from '../support/recording-activities';
import { bundleComplaintWorkflows, startDevServer } from '../support/temporal';

const DAY_MS = 24 * 60 * 60 * 1000;
const REF = /^SW-\d{4}-\d{6}$/;

let env: TestWorkflowEnvironment;
let register: Register;
let stack: ApiStack;
let call: ReturnType<typeof caller>;
let serverStopped = false;

beforeAll(async () => {
  env = await startDevServer();
  register = await registerOver(await openPgliteInMemory());
  stack = await startApiStack(env, { timeoutMs: 4_000, register });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await register?.close();
  if (!serverStopped) await env?.teardown();
});

/** A fresh complaint (as intake), its ref. */
async function newComplaint(overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await call('intake', 'POST', '/complaints', { body: intakeBody(overrides) });
  expect(response.status, response.text).toBe(201);
  return response.json().ref as string;
}

/** Refs of complaints the worker registered with this summary (the register sees every complaint that exists). */
function complaintsWithSummary(summary: string): string[] {
  return [
    ...new Set(
      stack.recorded.batches.filter((batch) => batch.snapshot.details.summary === summary).map((batch) => batch.ref),
    ),
  ];
}

function expectErrorShape(body: Record<string, unknown>): void {
  expect(Object.keys(body)).toEqual(['error']);
  const error = body.error as Record<string, unknown>;
  expect(typeof error.code).toBe('string');
  expect(typeof error.message).toBe('string');
  for (const key of Object.keys(error)) expect(['code', 'message', 'details']).toContain(key);
}

describe('intake: POST /complaints', () => {
  it('records a complaint under a new readable reference and answers with its state', async () => {
    const before = Date.now();
    const response = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ representative: { name: 'Chris Advocate', relationship: 'advocate', consentGiven: true } }),
    });
    expect(response.status, response.text).toBe(201);
    const state = response.json();
    expect(state.ref).toMatch(REF);
    expect(state.ref.slice(3, 7)).toBe(String(new Date().getUTCFullYear()));
    expect(response.headers.location).toBe(`/complaints/${state.ref}`);
    expect(state).toMatchObject({
      status: 'open',
      currentStage: 'level-1',
      procedure: { id: 'dundee-swd-2011', version: 2 },
      caseOfficer: null,
      details: {
        serviceArea: 'community-care',
        serious: false,
        representative: { name: 'Chris Advocate', consentGiven: true },
      },
    });
    expect(Date.parse(state.receivedAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(state.holidays.length).toBeGreaterThan(0);
    expect(state.timeline[0]).toMatchObject({
      type: 'complaint-received',
      actor: { id: 'intake.smith', name: 'Jo Smith', role: 'intake' },
    });
  });

  it('starts a serious complaint at the second stage; takes a given reference, received time and procedure', async () => {
    const serious = await call('intake', 'POST', '/complaints', { body: intakeBody({ serious: true }) });
    expect(serious.status).toBe(201);
    expect(serious.json().currentStage).toBe('level-2');

    const ref = `CUSTOM-${Date.now().toString(36).toUpperCase()}`;
    const receivedAt = new Date(Date.now() - 2 * 60 * 60 * 1000).toISOString();
    const given = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ ref, receivedAt, procedure: { id: 'spso-mchp' } }),
    });
    expect(given.status, given.text).toBe(201);
    expect(given.json()).toMatchObject({
      ref,
      receivedAt,
      currentStage: 'stage-1',
      procedure: { id: 'spso-mchp', version: 2 },
    });
  });

  it('refuses an unknown procedure and a received time in the future or before 2000, field by field', async () => {
    const unknown = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ procedure: { id: 'no-such-procedure' } }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error.details).toEqual([
      { in: 'body', path: 'procedure', message: 'unknown procedure no-such-procedure' },
    ]);
    const future = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ receivedAt: new Date(Date.now() + DAY_MS).toISOString() }),
    });
    expect(future.status).toBe(400);
    expect(future.json().error.details).toEqual([
      { in: 'body', path: 'receivedAt', message: 'must not be in the future' },
    ]);
    const ancient = await call('intake', 'POST', '/complaints', {
      body: intakeBody({ receivedAt: '1911-03-01T09:00:00Z' }),
    });
    expect(ancient.status).toBe(400);
    expect(ancient.json().error.details).toEqual([
      { in: 'body', path: 'receivedAt', message: 'must be on or after 2000-01-01' },
    ]);
  });
});

describe('intake is idempotent', () => {
  it('answers a repeated Idempotency-Key with the complaint it made, and a different body under it with 409', async () => {
    const body = intakeBody({ summary: `Idempotent ${Date.now()}` });
    const headers = { 'idempotency-key': `key-${Date.now()}` };
    const first = await call('intake', 'POST', '/complaints', { body, headers });
    expect(first.status).toBe(201);
    const again = await call('intake', 'POST', '/complaints', { body: { ...body }, headers });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().ref).toBe(first.json().ref);
    expect(again.json().timeline[0]).toEqual(first.json().timeline[0]);

    const different = await call('intake', 'POST', '/complaints', { body: { ...body, category: 'delay' }, headers });
    expect(different.status).toBe(409);
    expect(different.json().error.code).toBe('idempotency-key-reused');
    await eventually(async () => expect(complaintsWithSummary(body.summary as string)).toEqual([first.json().ref]));
  });

  it('makes one complaint when the same keyed request arrives several times at once', async () => {
    const body = intakeBody({ summary: `Concurrent ${Date.now()}` });
    const headers = { 'idempotency-key': `concurrent-${Date.now()}` };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => call('intake', 'POST', '/complaints', { body, headers })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const refs = new Set(responses.map((r) => r.json().ref));
    expect(refs.size).toBe(1);
    await eventually(async () => expect(complaintsWithSummary(body.summary as string)).toEqual([...refs]));
  });

  it("scopes a key to the caller: another person's same key is another request", async () => {
    const key = { 'idempotency-key': `shared-${Date.now()}` };
    const mine = await call('intake', 'POST', '/complaints', { body: intakeBody(), headers: key });
    const theirs = await call('secondIntake', 'POST', '/complaints', { body: intakeBody(), headers: key });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.json().ref).not.toBe(mine.json().ref);
  });

  it('answers a repeated reference with its complaint, and a different body under it with 409', async () => {
    const ref = `DUP-${Date.now().toString(36).toUpperCase()}`;
    const body = intakeBody({ ref, summary: 'Given reference' });
    expect((await call('intake', 'POST', '/complaints', { body })).status).toBe(201);
    const again = await call('intake', 'POST', '/complaints', { body: { ...body } });
    expect(again.status).toBe(200);
    expect(again.json().ref).toBe(ref);
    const other = await call('intake', 'POST', '/complaints', { body: { ...body, summary: 'Someone else' } });
    expect(other.status).toBe(409);
    expect(other.json().error).toMatchObject({ code: 'reference-in-use' });
  });

  it('rejects a malformed Idempotency-Key', async () => {
    const response = await call('intake', 'POST', '/complaints', {
      body: intakeBody(),
      headers: { 'idempotency-key': 'has spaces in it' },
    });
    expect(response.status).toBe(400);
    expect(response.json().error.details[0]).toMatchObject({ in: 'headers', path: 'idempotency-key' });
  });
});

describe('actions: POST /complaints/:ref/…', () => {
  it('walks a complaint through every stage, with the procedure refusing what is not allowed now (409)', async () => {
    const ref = await newComplaint();
    const act = (who: Person, path: string, body?: unknown, headers?: Record<string, string>) =>
      call(who, 'POST', `/complaints/${ref}/${path}`, {
        ...(body !== undefined ? { body } : {}),
        ...(headers ? { headers } : {}),
      });
    const refused = async (who: Person, path: string, body: unknown, code: string) => {
      const response = await act(who, path, body);
      expect(response.status, `${path}: ${response.text}`).toBe(409);
      expect(response.json().error.code).toBe(code);
      expect(response.json().error.message.length).toBeGreaterThan(10);
    };

    await refused('case-officer', 'outcome', { outcome: 'upheld' }, 'not-acknowledged');
    const acknowledged = await act('case-officer', 'acknowledge', { note: 'Letter sent' });
    expect(acknowledged.status, acknowledged.text).toBe(200);
    expect(acknowledged.json().stages[0].acknowledgement).toMatchObject({
      metBy: { id: 'officer.jones', role: 'case-officer' },
      onTime: true,
    });
    await refused('case-officer', 'acknowledge', {}, 'already-acknowledged');

    // A case officer takes an unassigned complaint; only a manager gives it to someone else.
    expect((await act('case-officer', 'assign', { officer: { id: 'officer.khan' } })).status).toBe(403);
    const assigned = await act('case-officer', 'assign', { officer: { id: 'officer.jones', name: 'Sam Jones' } });
    expect(assigned.status, assigned.text).toBe(200);
    expect(assigned.json().caseOfficer).toEqual({ id: 'officer.jones', name: 'Sam Jones' });
    const takeOver = await act('otherOfficer', 'assign', { officer: { id: 'officer.khan' } });
    expect(takeOver.status).toBe(403);
    expect(takeOver.json().error.message).toMatch(/assigned to officer\.jones/);
    const reassigned = await act('manager', 'assign', { officer: { id: 'officer.khan' } });
    expect(reassigned.status).toBe(200);
    expect(reassigned.json().timeline.at(-1)).toMatchObject({
      type: 'case-officer-assigned',
      previous: { id: 'officer.jones' },
      actor: { id: 'manager.brown', role: 'manager' },
    });
    await refused('manager', 'assign', { officer: { id: 'officer.khan' } }, 'already-assigned');

    // Extensions: managers only, as the procedure allows.
    expect(
      (await act('case-officer', 'extensions', { days: 7, reason: 'Waiting for records', agreedWithComplainant: true }))
        .status,
    ).toBe(403);
    await refused(
      'manager',
      'extensions',
      { days: 7, reason: 'Waiting for records', agreedWithComplainant: false },
      'agreement-required',
    );
    const both = await act('manager', 'extensions', {
      days: 7,
      newDeadline: new Date(Date.now() + 30 * DAY_MS).toISOString(),
      reason: 'Waiting',
      agreedWithComplainant: true,
    });
    expect(both.status).toBe(400);
    expect(both.json().error.details).toEqual([
      { in: 'body', path: 'days', message: 'give either days or newDeadline, not both' },
    ]);
    const extended = await act('manager', 'extensions', {
      days: 7,
      reason: 'Waiting for records',
      agreedWithComplainant: true,
    });
    expect(extended.status, extended.text).toBe(200);
    const response = extended.json().stages[0].response;
    expect(Date.parse(response.dueAt) - Date.parse(response.originalDueAt)).toBe(7 * DAY_MS);

    await refused('case-officer', 'escalation', {}, 'no-outcome-yet');
    await refused('case-officer', 'spso-referral', {}, 'not-final-stage');
    await refused('case-officer', 'outcome', { outcome: 'resolved' }, 'outcome-not-in-procedure');
    const outcome = await act('case-officer', 'outcome', {
      outcome: 'partially-upheld',
      findings: 'Two visits were missed',
    });
    expect(outcome.status).toBe(200);
    expect(outcome.json().status).toBe('awaiting-escalation');
    await refused('case-officer', 'escalation', { bypass: true }, 'stage-not-reachable');

    const escalated = await act('case-officer', 'escalation', {});
    expect(escalated.status).toBe(200);
    expect(escalated.json()).toMatchObject({ status: 'open', currentStage: 'level-2' });
    const note = await act('case-officer', 'notes', { text: 'Complainant phoned' });
    expect(note.json().timeline.at(-1)).toMatchObject({
      type: 'note-added',
      text: 'Complainant phoned',
      actor: { id: 'officer.jones' },
    });
    expect((await act('case-officer', 'calendar', { holidays: ['2026-12-25'] })).status).toBe(403);
    const calendar = await act('manager', 'calendar', { holidays: ['2026-12-25', '2026-12-28'] });
    expect(calendar.status).toBe(200);
    expect(calendar.json().holidays).toEqual(['2026-12-25', '2026-12-28']);

    // Level 2, then straight to the Committee at the complainant's request, then the Ombudsman.
    expect((await act('case-officer', 'acknowledge')).status).toBe(200);
    expect((await act('case-officer', 'outcome', { outcome: 'not-upheld' })).status).toBe(200);
    const bypassed = await act('case-officer', 'escalation', { bypass: true });
    expect(bypassed.json()).toMatchObject({
      currentStage: 'committee',
      timeline: expect.arrayContaining([expect.objectContaining({ type: 'escalated', bypassed: 'director-review' })]),
    });
    expect((await act('case-officer', 'acknowledge')).status).toBe(200);
    expect((await act('case-officer', 'outcome', { outcome: 'upheld' })).status).toBe(200);
    await refused('case-officer', 'escalation', {}, 'no-further-stage');
    const referred = await act('case-officer', 'spso-referral', { reference: 'SPSO-201234' });
    expect(referred.status).toBe(200);
    expect(referred.json()).toMatchObject({
      status: 'closed',
      ombudsmanReferral: { reference: 'SPSO-201234' },
      closure: { reason: 'referred-to-ombudsman' },
    });

    // Closed is closed, whether the workflow is still finishing or has completed.
    await refused('case-officer', 'notes', { text: 'Too late' }, 'complaint-closed');
    await eventually(async () =>
      expect((await env.client.workflow.getHandle(ref).describe()).status.name).toBe('COMPLETED'),
    );
    await refused('manager', 'withdraw', {}, 'complaint-closed');
  });

  it('withdraws a complaint; nothing more can be recorded on it', async () => {
    const ref = await newComplaint();
    const withdrawn = await call('case-officer', 'POST', `/complaints/${ref}/withdraw`, {
      body: { reason: 'Resolved informally' },
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json()).toMatchObject({
      status: 'withdrawn',
      withdrawal: { reason: 'Resolved informally', by: { id: 'officer.jones' } },
    });
    await eventually(async () =>
      expect((await env.client.workflow.getHandle(ref).describe()).status.name).toBe('COMPLETED'),
    );
    const after = await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`);
    expect(after.status).toBe(409);
    expect(after.json().error).toMatchObject({ code: 'complaint-closed', message: expect.stringMatching(/withdrawn/) });
    // Its state and history stay readable.
    expect((await call('auditor', 'GET', `/complaints/${ref}`)).json().status).toBe('withdrawn');
  });

  it('records an action once when it is repeated with the same Idempotency-Key', async () => {
    const ref = await newComplaint();
    const headers = { 'idempotency-key': `note-${Date.now()}` };
    const first = await call('case-officer', 'POST', `/complaints/${ref}/notes`, {
      body: { text: 'Called back' },
      headers,
    });
    const second = await call('case-officer', 'POST', `/complaints/${ref}/notes`, {
      body: { text: 'Called back' },
      headers,
    });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.json()).toEqual(first.json());
    const state = (await call('case-officer', 'GET', `/complaints/${ref}`)).json();
    expect(state.timeline.filter((entry: { type: string }) => entry.type === 'note-added')).toHaveLength(1);
  });

  it('answers 404 for an unknown complaint and 400 for a malformed reference or body', async () => {
    const unknown = await call('case-officer', 'POST', '/complaints/SW-1999-000001/acknowledge', { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe('complaint-not-found');
    const badRef = await call('case-officer', 'POST', '/complaints/no_underscores!/acknowledge', { body: {} });
    expect(badRef.status).toBe(400);
    expect(badRef.json().error.details[0]).toMatchObject({ in: 'params', path: 'ref' });
    const ref = await newComplaint();
    const badBody = await call('case-officer', 'POST', `/complaints/${ref}/outcome`, {
      body: { outcome: 'delighted', extra: true },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.json().error.details).toEqual([
      { in: 'body', path: 'outcome', message: expect.stringContaining('upheld') },
      { in: 'body', path: 'extra', message: 'unknown field' },
    ]);
  });
});

describe('reading: GET /complaints/:ref and /history', () => {
  it('gives the full state to readers and 404 for an unknown reference', async () => {
    const ref = await newComplaint();
    for (const who of ['case-officer', 'manager', 'auditor'] as const) {
      const response = await call(who, 'GET', `/complaints/${ref}`);
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({ ref, status: 'open', stages: [{ stage: 'level-1' }] });
    }
    const missing = await call('auditor', 'GET', '/complaints/SW-1999-000002');
    expect(missing.status).toBe(404);
    expect(missing.json().error.code).toBe('complaint-not-found');
  });

  it('gives auditors the raw event history, which the Temporal replayer accepts', async () => {
    const ref = await newComplaint();
    await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`);
    const response = await call('auditor', 'GET', `/complaints/${ref}/history`);
    expect(response.status).toBe(200);
    const history = response.json();
    expect(history.events[0]).toMatchObject({ eventId: '1', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' });
    expect(
      history.events.some(
        (event: { eventType: string }) => event.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
      ),
    ).toBe(true);
    const outcomes = [];
    for await (const outcome of replayComplaintHistories([parseHistoryJson(response.text, 'api')], {
      workflowBundle: await bundleComplaintWorkflows(),
    }))
      outcomes.push(outcome);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.ok, outcomes[0]?.message).toBe(true);

    expect((await call('auditor', 'GET', '/complaints/SW-1999-000003/history')).status).toBe(404);
  });
});

describe('list: GET /complaints', () => {
  // Complaints received in a window no other test uses, so that the filters can be checked exactly.
  const now = Date.now();
  const windowFrom = new Date(now - 45 * DAY_MS).toISOString();
  const windowTo = new Date(now - DAY_MS).toISOString();
  const refs: Record<string, string> = {};
  const officerWithQuote = "o'brien.x";
  const recentDay = londonDate(now - 2 * DAY_MS);

  beforeAll(async () => {
    // Around midday (London) two days ago, all on that date.
    const base = Date.parse(`${recentDay}T12:00:00Z`);
    const recent = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    refs.fresh1 = await newComplaint({ receivedAt: recent(1), serviceArea: 'childrens-services', category: 'delay' });
    refs.fresh2 = await newComplaint({
      receivedAt: recent(2),
      serviceArea: 'childrens-services',
      category: 'communication',
    });
    refs.fresh3 = await newComplaint({ receivedAt: recent(3), serviceArea: 'criminal-justice', category: 'delay' });
    refs.serious = await newComplaint({
      receivedAt: recent(4),
      serviceArea: 'general',
      category: 'decision',
      serious: true,
    });
    // Received 40 days ago: its deadlines passed at once, so it is overdue.
    refs.overdue = await newComplaint({
      receivedAt: new Date(now - 40 * DAY_MS).toISOString(),
      serviceArea: 'general',
      category: 'other',
    });
    expect(
      (
        await call('manager', 'POST', `/complaints/${refs.fresh2}/assign`, {
          body: { officer: { id: officerWithQuote } },
        })
      ).status,
    ).toBe(200);
    expect((await call('case-officer', 'POST', `/complaints/${refs.fresh3}/withdraw`)).status).toBe(200);
  });

  /** The list, limited to this test's window unless the query names its own. */
  const list = async (query: string) => {
    const window = query.includes('received')
      ? ''
      : `receivedFrom=${encodeURIComponent(windowFrom)}&receivedTo=${encodeURIComponent(windowTo)}&`;
    const response = await call('auditor', 'GET', `/complaints?${window}${query}`);
    expect(response.status, response.text).toBe(200);
    return response.json() as ComplaintList;
  };
  const refsOf = async (query: string) => (await list(query)).items.map((item) => item.ref).sort();
  const expectRefs = (query: string, names: string[]) =>
    eventually(async () => expect(await refsOf(query)).toEqual(names.map((name) => refs[name]).sort()));

  it('filters by status, stage, service area, category, officer, overdue and deadline', async () => {
    await expectRefs('', ['fresh1', 'fresh2', 'fresh3', 'serious', 'overdue']);
    await expectRefs('status=withdrawn', ['fresh3']);
    await expectRefs('status=open', ['fresh1', 'fresh2', 'serious', 'overdue']);
    await expectRefs('status=open,withdrawn&serviceArea=childrens-services,criminal-justice', [
      'fresh1',
      'fresh2',
      'fresh3',
    ]);
    await expectRefs('stage=level-2', ['serious']);
    await expectRefs('category=delay', ['fresh1', 'fresh3']);
    await expectRefs(`officer=${encodeURIComponent(officerWithQuote)}`, ['fresh2']);
    await expectRefs('officer=nobody', []);
    expect((await call('auditor', 'GET', '/complaints?officer=back%5Cslash')).status).toBe(400);
    await expectRefs('overdue=true', ['overdue']);
    await expectRefs('overdue=false&status=open', ['fresh1', 'fresh2', 'serious']);
    await expectRefs(`nextDeadlineBefore=${encodeURIComponent(new Date(now).toISOString())}`, ['overdue']);
    // A London date means its whole day.
    await expectRefs(`receivedFrom=${recentDay}&receivedTo=${recentDay}`, ['fresh1', 'fresh2', 'fresh3', 'serious']);
  });

  it('lists what the register holds, without asking the workflows', async () => {
    const item = (await list('category=decision')).items[0];
    expect(item).toEqual({
      ref: refs.serious,
      status: 'open',
      stage: 'level-2',
      serviceArea: 'general',
      category: 'decision',
      caseOfficer: null,
      procedure: 'dundee-swd-2011@2',
      receivedAt: expect.any(String),
      nextDeadline: expect.any(String),
      overdue: false,
      startedAt: expect.any(String),
      closedAt: null,
      nextDeadlineKind: expect.any(String),
      serious: true,
      complainantName: expect.any(String),
      summary: expect.any(String),
      revision: 1,
    });
  });

  it('pages with a cursor, each complaint once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: ComplaintList = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.ref));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual(Object.values(refs).sort());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('refuses a cursor from other filters, a forged cursor and bad filter values', async () => {
    const first = await list('limit=2');
    expect(first.nextCursor).toBeTruthy();
    const other = await call('auditor', 'GET', `/complaints?limit=2&status=open&cursor=${first.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.json().error.code).toBe('invalid-cursor');
    const forged = await call('auditor', 'GET', '/complaints?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    const bad = await call(
      'auditor',
      'GET',
      '/complaints?status=lost&limit=500&overdue=maybe&receivedFrom=yesterday&sort=sideways',
    );
    expect(bad.status).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { path: string }) => d.path)
        .sort(),
    ).toEqual(['limit', 'overdue', 'receivedFrom', 'sort', 'status']);
  });
});

describe('who may do what', () => {
  const roles = ['intake', 'case-officer', 'manager', 'auditor'] as const;
  const missing = 'SW-1999-000009';
  const actionBodies: Record<string, unknown> = {
    acknowledge: {},
    assign: { officer: { id: 'someone.else' } },
    outcome: { outcome: 'upheld' },
    escalation: {},
    extensions: { days: 3, reason: 'Records are late', agreedWithComplainant: true },
    withdraw: {},
    'spso-referral': {},
    notes: { text: 'A note' },
    calendar: { holidays: [] },
    procedure: { to: 'spso-mchp@1', reason: 'The council adopted the SPSO procedure' },
  };
  // Allowed: the request gets past authorisation (an unknown complaint then answers 404). Denied: 403.
  const matrix: Array<{
    method: 'GET' | 'POST';
    url: string;
    body?: unknown;
    allowed: readonly string[];
    passes: number;
  }> = [
    { method: 'POST', url: '/complaints', body: intakeBody(), allowed: ['intake'], passes: 201 },
    { method: 'GET', url: '/complaints?limit=1', allowed: ['case-officer', 'manager', 'auditor'], passes: 200 },
    { method: 'GET', url: `/complaints/${missing}`, allowed: ['case-officer', 'manager', 'auditor'], passes: 404 },
    { method: 'GET', url: `/complaints/${missing}/history`, allowed: ['manager', 'auditor'], passes: 404 },
    { method: 'GET', url: '/metrics', allowed: roles, passes: 200 },
    ...Object.entries(actionBodies).map(([path, body]) => ({
      method: 'POST' as const,
      url: `/complaints/${missing}/${path}`,
      body,
      allowed: ['extensions', 'calendar', 'procedure'].includes(path) ? ['manager'] : ['case-officer', 'manager'],
      // Who may assign whom is the workflow's rule (by the actor's role): an unknown complaint answers 404 first.
      passes: 404,
    })),
  ];

  it('walks every route for every role, without a token and with a bad one', async () => {
    const table: string[] = [];
    for (const route of matrix) {
      const options = route.body !== undefined ? { body: route.body } : {};
      for (const role of roles) {
        const response = await call(role, route.method, route.url, options);
        const expected = route.allowed.includes(role) ? route.passes : 403;
        table.push(`${route.method} ${route.url} as ${role}: ${response.status}`);
        expect(response.status, `${route.method} ${route.url} as ${role}: ${response.text}`).toBe(expected);
        if (response.status === 403) expect(response.json().error.code).toBe('forbidden');
      }
      const anonymous = await call('nobody', route.method, route.url, options);
      expect(anonymous.status, `${route.url} without a token`).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="complaints"');
      const forged = await call({ token: 'not-a-real-token' }, route.method, route.url, options);
      expect(forged.status).toBe(401);
      expect(forged.headers['www-authenticate']).toContain('invalid_token');
      expect(forged.json().error.code).toBe('unauthenticated');
    }
    expect(table.length).toBe(matrix.length * roles.length);
    // Not a bearer token at all.
    expect(
      (await call('nobody', 'GET', '/complaints', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status,
    ).toBe(401);
  });

  it('needs no token for /health and the documentation', async () => {
    expect((await call('nobody', 'GET', '/health')).json()).toEqual({
      status: 'ok',
      temporal: { namespace: 'default', taskQueue: stack.complaints.options.taskQueue, workersPolling: 1 },
    });
    expect((await call('nobody', 'GET', '/docs/json')).status).toBe(200);
    expect((await call('nobody', 'GET', '/docs/')).status).toBe(200);
  });
});

describe('bad requests always get the one error shape, never a 500', () => {
  it('malformed JSON, wrong types, unknown fields, wrong content types, huge bodies, unknown routes', async () => {
    const cases: Array<{ name: string; response: Awaited<ReturnType<typeof call>>; status: number; code: string }> = [];
    const json = { 'content-type': 'application/json' };
    const add = async (
      name: string,
      status: number,
      code: string,
      response: Promise<Awaited<ReturnType<typeof call>>>,
    ) => cases.push({ name, status, code, response: await response });

    await add(
      'malformed JSON',
      400,
      'invalid-json',
      call('intake', 'POST', '/complaints', { raw: '{"complainant": {', headers: json }),
    );
    await add(
      'empty JSON body',
      400,
      'invalid-json',
      call('intake', 'POST', '/complaints', { raw: '', headers: json }),
    );
    await add(
      'wrong types',
      400,
      'invalid-request',
      call('intake', 'POST', '/complaints', { body: intakeBody({ serviceArea: 5, summary: ['a'], serious: 'yes' }) }),
    );
    await add(
      'unknown field',
      400,
      'invalid-request',
      call('intake', 'POST', '/complaints', { body: intakeBody({ priority: 'high' }) }),
    );
    await add(
      'array body',
      400,
      'invalid-request',
      call('intake', 'POST', '/complaints', { raw: '[1,2]', headers: json }),
    );
    await add(
      'null body',
      400,
      'invalid-request',
      call('intake', 'POST', '/complaints', { raw: 'null', headers: json }),
    );
    await add(
      'prototype pollution',
      400,
      'invalid-json',
      call('intake', 'POST', '/complaints', { raw: '{"__proto__": {"admin": true}}', headers: json }),
    );
    await add(
      'text body',
      400,
      'invalid-request',
      call('intake', 'POST', '/complaints', { raw: 'hello', headers: { 'content-type': 'text/plain' } }),
    );
    await add(
      'XML body',
      415,
      'unsupported-media-type',
      call('intake', 'POST', '/complaints', { raw: '<complaint/>', headers: { 'content-type': 'application/xml' } }),
    );
    await add(
      'huge body',
      413,
      'body-too-large',
      call('intake', 'POST', '/complaints', { body: intakeBody({ summary: 'x'.repeat(300 * 1024) }) }),
    );
    await add(
      'huge action body',
      413,
      'body-too-large',
      call('case-officer', 'POST', '/complaints/SW-1999-000001/notes', { body: { text: 'y'.repeat(300 * 1024) } }),
    );
    await add(
      'too long for the schema',
      400,
      'invalid-request',
      call('case-officer', 'POST', '/complaints/SW-1999-000001/notes', { body: { text: 'y'.repeat(10_001) } }),
    );
    await add('bad query value', 400, 'invalid-request', call('auditor', 'GET', '/complaints?limit=abc'));
    await add(
      'a date in the first century',
      400,
      'invalid-request',
      call('auditor', 'GET', '/complaints?receivedFrom=0050-01-01'),
    );
    await add(
      'an instant in year 1',
      400,
      'invalid-request',
      call('auditor', 'GET', '/complaints?nextDeadlineBefore=0001-01-01T00:00:00Z'),
    );
    await add(
      'the last date there is',
      400,
      'invalid-request',
      call('auditor', 'GET', '/complaints?receivedTo=9999-12-31'),
    );
    await add('unknown route', 404, 'not-found', call('auditor', 'GET', '/complaint'));
    await add('unknown route, no token', 404, 'not-found', call('nobody', 'GET', '/admin/secrets'));
    await add('wrong method', 404, 'not-found', call('manager', 'DELETE', '/complaints/SW-1999-000001'));
    await add('malformed URL', 400, 'bad-url', call('auditor', 'GET', '/complaints/%E0%A4%A'));
    await add('reference too long', 400, 'invalid-request', call('auditor', 'GET', `/complaints/SW-${'9'.repeat(80)}`));

    for (const { name, response, status, code } of cases) {
      expect(response.status, `${name}: ${response.text}`).toBe(status);
      expect(response.headers['content-type'], name).toMatch(/^application\/json/);
      const body = response.json();
      expectErrorShape(body);
      expect(body.error.code, name).toBe(code);
      expect(response.text, name).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|Error:/);
    }
    const wrongTypes = cases.find((c) => c.name === 'wrong types')!.response.json();
    expect(wrongTypes.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'serious',
      'serviceArea',
      'summary',
    ]);
    expect(cases.find((c) => c.name === 'unknown field')!.response.json().error.details).toEqual([
      { in: 'body', path: 'priority', message: 'unknown field' },
    ]);
  });
});

describe('documentation and metrics', () => {
  it('serves OpenAPI 3 generated from the schemas, and Swagger UI at /docs', async () => {
    const spec = (await call('nobody', 'GET', '/docs/json')).json();
    expect(spec.openapi).toBe('3.0.3');
    expect(spec.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/metrics',
        '/complaints',
        '/complaints/{ref}',
        '/complaints/{ref}/history',
        '/complaints/{ref}/acknowledge',
        '/complaints/{ref}/spso-referral',
      ]),
    );
    const intake = spec.paths['/complaints'].post;
    const bodySchema = intake.requestBody.content['application/json'].schema;
    expect(bodySchema.additionalProperties).toBe(false);
    expect(bodySchema.required).toEqual(
      expect.arrayContaining(['complainant', 'serviceArea', 'category', 'channel', 'summary']),
    );
    expect(bodySchema.properties.serviceArea.enum).toContain('community-care');
    expect(Object.keys(intake.responses)).toEqual(
      expect.arrayContaining(['201', '200', '400', '401', '403', '409', '503']),
    );
    expect(
      intake.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key'),
    ).toBe(true);
    const ui = await call('nobody', 'GET', '/docs/');
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  it('counts requests, latencies, complaints started and actions rejected', async () => {
    const response = await call('auditor', 'GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/http_requests_total\{method="POST",route="\/complaints",status_code="201"\} \d+/);
    expect(response.text).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/complaints\/:ref",status_code="200"\} \d+/,
    );
    expect(response.text).toMatch(
      /complaints_started_total\{service_area="community-care",procedure="dundee-swd-2011@2"\} \d+/,
    );
    expect(response.text).toMatch(
      /complaint_actions_rejected_total\{action="record-outcome",code="not-acknowledged"\} \d+/,
    );
    expect(response.text).toMatch(/complaint_actions_recorded_total\{action="acknowledge"\} \d+/);
    expect(response.text).toMatch(/http_requests_total\{method="GET",route="unmatched",status_code="404"\} \d+/);
  });
});

describe('when Temporal or its worker is unavailable', () => {
  // The same server and task queue, with a short deadline so that the waits stay short.
  let impatient: ReturnType<typeof caller>;
  beforeAll(async () => {
    const complaints = new ComplaintService(stack.complaints.client, { ...stack.complaints.options, timeoutMs: 1_500 });
    const app = await buildApp({ complaints, tokens: testTokens(), metrics: createMetrics({ defaultMetrics: false }) });
    impatient = caller(app);
  });

  it('a namespace that does not exist: /health answers 503 naming it, not a 500', async () => {
    const complaints = new ComplaintService(stack.complaints.client, {
      ...stack.complaints.options,
      namespace: 'no-such-namespace',
    });
    const app = await buildApp({ complaints, tokens: testTokens(), metrics: createMetrics({ defaultMetrics: false }) });
    const health = await caller(app)('nobody', 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.json().error).toEqual({
      code: 'temporal-unavailable',
      message: 'The Temporal namespace "no-such-namespace" does not exist (TEMPORAL_NAMESPACE)',
    });
    await app.close();
  });

  it('with no worker: intake is recorded and answered (201), reads and actions answer 503 within the deadline; a keyed retry records once', async () => {
    const ref = await newComplaint();
    await stack.stopWorker();
    const started = Date.now();
    const read = await impatient('case-officer', 'GET', `/complaints/${ref}`);
    expect(read.status).toBe(503);
    expect(read.json().error).toMatchObject({
      code: 'temporal-unavailable',
      message: expect.stringMatching(/did not answer within 1.5s/),
    });
    expect(Date.now() - started).toBeLessThan(5_000);

    const note = { body: { text: 'No worker' }, headers: { 'idempotency-key': `down-${Date.now()}` } };
    const action = await impatient('case-officer', 'POST', `/complaints/${ref}/notes`, note);
    expect(action.status).toBe(503);
    expect(action.json().error.message).toMatch(/Idempotency-Key/);

    const intake = await impatient('intake', 'POST', '/complaints', { body: intakeBody() });
    // Answered from the function the workflow opens it with: no worker needed.
    expect(intake.status).toBe(201);
    expect(intake.json()).toMatchObject({ ref: expect.stringMatching(REF), status: 'open' });
    expect(intake.headers.location).toBe(`/complaints/${intake.json().ref}`);

    // The worker comes back: the complaint recorded meanwhile is there, and retrying the action with its key
    // records it once (Temporal kept the first attempt and answers the retry with it).
    const worker = await createComplaintsWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: stack.complaints.options.taskQueue,
      activities: new RecordingActivities().activities,
      workflowBundle: await bundleComplaintWorkflows(),
    });
    // The new worker may not answer within one request's deadline at first: the server keeps a complaint's tasks for
    // the stopped worker (its sticky queue) for a few seconds. Until then a 503 is the documented answer, and the
    // client retries with the same Idempotency-Key, as a client would (bounded here).
    const untilAnswered = async (request: () => ReturnType<typeof call>) => {
      let response = await request();
      for (let attempt = 0; response.status === 503 && attempt < 5; attempt++) response = await request();
      return response;
    };
    await worker.runUntil(async () => {
      const read = await untilAnswered(() => call('case-officer', 'GET', `/complaints/${intake.json().ref}`));
      expect(read.status, read.text).toBe(200);
      expect(read.json().status).toBe('open');
      const retried = await untilAnswered(() => call('case-officer', 'POST', `/complaints/${ref}/notes`, note));
      expect(retried.status).toBe(200);
      expect(retried.json().timeline.filter((entry: { text?: string }) => entry.text === 'No worker')).toHaveLength(1);
    });
  });

  it('with the server stopped: 503 with a clear message, and /health says so', async () => {
    await env.teardown();
    serverStopped = true;
    const health = await impatient('nobody', 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.json().error.code).toBe('temporal-unavailable');
    const intake = await impatient('intake', 'POST', '/complaints', { body: intakeBody() });
    expect(intake.status).toBe(503);
    expect(intake.json().error.message).toMatch(/Temporal/);
    expect((await impatient('auditor', 'GET', '/complaints')).status).toBe(503);
    expect((await impatient('case-officer', 'POST', '/complaints/SW-1999-000001/acknowledge')).status).toBe(503);
  });
});
