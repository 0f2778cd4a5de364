// The complaint workflow on the time-skipping server: weeks pass in milliseconds, and every deadline,
// transition and refusal is checked against a real Temporal server and the real workflow bundle.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { replayComplaintHistories } from '../../audit/replay';
import { reconstructTimeline } from '../../audit/timeline';
import { londonDate } from '../../domain/calendar';
import type { ComplaintState, TimelineEntry } from '../../domain/complaint';
import type { complaintWorkflow } from '../../workflows/complaint';
import {
  ACTION_REJECTED,
  INVALID_ACTION,
  actionSignals,
  actionUpdates,
  complaintStateQuery,
} from '../../workflows/messages';
import { DAY_MS, HOUR_MS, manager, officer } from '../support/complaint-harness';
import { bundleComplaintWorkflows } from '../support/temporal';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';
import { executeUpdateForState } from '../../platform/complaint-actions';

const stack = useTimeSkippingHarness();

type Handle = WorkflowHandle<typeof complaintWorkflow>;

/** Register batches that went to the server as activity tasks (rather than being written by local activities). */
function registerActivityTasks(history: Awaited<ReturnType<Handle['fetchHistory']>>): number {
  return (history.events ?? []).filter(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordInRegister',
  ).length;
}

const acknowledge = (handle: Handle) =>
  executeUpdateForState(handle, actionUpdates.acknowledge, { args: [{ actor: officer }] });
const decideOutcome = (handle: Handle, outcome: 'upheld' | 'not-upheld' | 'partially-upheld' = 'not-upheld') =>
  executeUpdateForState(handle, actionUpdates['record-outcome'], {
    args: [{ actor: officer, outcome, findings: 'Records checked' }],
  });
const escalate = (handle: Handle, extra: { to?: string; bypass?: boolean } = {}) =>
  executeUpdateForState(handle, actionUpdates['request-escalation'], { args: [{ actor: officer, ...extra }] });

const TIMER_RECORDED_WITHIN_MS = 60_000;

/**
 * Days from receipt at which a timer event was due. A timer fires once the workflow task that set it has
 * completed, so it is recorded after its due time: never before, and within a minute (milliseconds on a quiet
 * machine; the time-skipping server's clock runs on while a loaded one gets to the task, seen up to 1.8 s).
 */
function dueDaysAfterReceipt(state: ComplaintState, entry: TimelineEntry): number {
  const dueAtMs = timerDueAt(entry);
  const lateMs = Date.parse(entry.at) - dueAtMs;
  expect(lateMs).toBeGreaterThanOrEqual(0);
  expect(lateMs).toBeLessThan(TIMER_RECORDED_WITHIN_MS);
  return (dueAtMs - Date.parse(state.receivedAt)) / DAY_MS;
}

function timerDueAt(entry: TimelineEntry): number {
  if (entry.type === 'reminder-issued') return Date.parse(entry.dueAt) - entry.hoursBefore * HOUR_MS;
  if (entry.type === 'deadline-breached') return Date.parse(entry.dueAt);
  throw new Error(`${entry.type} is not a timer event`);
}
/** Replays a complaint's history with today's workflow bundle, expecting no nondeterminism; returns it as recorded. */
async function replaysCleanly(handle: Handle, history: Awaited<ReturnType<Handle['fetchHistory']>>) {
  const recorded = { workflowId: handle.workflowId, runId: (await handle.describe()).runId, source: 'test', history };
  const outcomes = [];
  for await (const outcome of replayComplaintHistories([recorded], {
    workflowBundle: await bundleComplaintWorkflows(),
  }))
    outcomes.push(outcome);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['ok']);
  return recorded;
}

const ofType = (state: ComplaintState, type: TimelineEntry['type']) =>
  state.timeline.filter((entry) => entry.type === type);

/** The ApplicationFailure behind a refused Update. */
async function refusal(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => {
      throw new Error('expected the update to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('deadlines fire exactly at their offsets', () => {
  it('Level 1: acknowledgement reminder at 4 days, breach at 5; response reminder at 11, breach at 14', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await stack.env.sleep(15 * DAY_MS);
    const state = await handle.query(complaintStateQuery);
    const timers = state.timeline.filter((e) => e.type === 'reminder-issued' || e.type === 'deadline-breached');
    expect(timers.map((e) => [e.type, (e as { deadline: string }).deadline, dueDaysAfterReceipt(state, e)])).toEqual([
      ['reminder-issued', 'acknowledgement', 4],
      ['deadline-breached', 'acknowledgement', 5],
      ['reminder-issued', 'response', 11],
      ['deadline-breached', 'response', 14],
    ]);
    expect(timers.every((e) => e.actor.id === 'system')).toBe(true);
    expect(stack.h.recorded.noticesFor(state.ref).map((n) => n.kind)).toEqual([
      'acknowledgement-reminder',
      'acknowledgement-overdue',
      'response-reminder',
      'response-overdue',
    ]);
  });

  it('a serious complaint starts at Level 2: acknowledgement due at 5 days, response at 28', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input({ details: { serious: true } }));
    await acknowledge(handle);
    await stack.env.sleep(29 * DAY_MS);
    const state = await handle.query(complaintStateQuery);
    expect(state.currentStage).toBe('level-2');
    expect(ofType(state, 'deadline-breached').map((e) => dueDaysAfterReceipt(state, e))).toEqual([28]);
    expect(ofType(state, 'reminder-issued').map((e) => dueDaysAfterReceipt(state, e))).toEqual([23]);
  });

  it('working days: 5 working days across a weekend and a public holiday end at the end of the fifth', async () => {
    // Received on a Friday at 10:00; the Monday after is a public holiday.
    const now = await stack.h.now();
    let friday = now + 7 * DAY_MS;
    while (new Date(friday).getUTCDay() !== 5) friday += DAY_MS;
    const fridayDate = londonDate(friday);
    const receivedAt = Date.parse(`${fridayDate}T10:00:00Z`);
    await stack.env.sleep(receivedAt - now);
    const holidayMonday = londonDate(receivedAt + 3 * DAY_MS);
    const handle = await stack.h.startComplaint(
      await stack.h.input({
        procedure: { id: 'spso-mchp', version: 1 },
        holidays: [holidayMonday],
        receivedAt: new Date(receivedAt).toISOString(),
      }),
    );
    await stack.env.sleep(12 * DAY_MS);
    const state = await handle.query(complaintStateQuery);
    const [breach] = ofType(state, 'deadline-breached');
    const dueAt = timerDueAt(breach!);
    dueDaysAfterReceipt(state, breach!);
    // Tue, Wed, Thu, Fri, then Mon: the deadline is the last moment of the Monday ten days after the Friday.
    expect(londonDate(dueAt)).toBe(londonDate(receivedAt + 10 * DAY_MS));
    expect(londonDate(dueAt + 1)).toBe(londonDate(receivedAt + 11 * DAY_MS));
    const [reminder] = ofType(state, 'reminder-issued');
    expect(dueAt - timerDueAt(reminder!)).toBe(24 * HOUR_MS);
  });
});

describe('actions move and stop the timers', () => {
  it('an extension moves the response deadline and its reminder; the old deadline passes silently', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await acknowledge(handle);
    await stack.env.sleep(12 * DAY_MS);
    const extended = await executeUpdateForState(handle, actionUpdates['grant-extension'], {
      args: [
        { actor: manager, days: 14, reason: 'Information awaited from a partner agency', agreedWithComplainant: true },
      ],
    });
    expect(Date.parse(extended.stages[0]!.response.dueAt) - Date.parse(extended.receivedAt)).toBe(28 * DAY_MS);
    await stack.env.sleep(17 * DAY_MS);
    const state = await handle.query(complaintStateQuery);
    expect(ofType(state, 'reminder-issued').map((e) => dueDaysAfterReceipt(state, e))).toEqual([11, 25]);
    expect(ofType(state, 'deadline-breached').map((e) => dueDaysAfterReceipt(state, e))).toEqual([28]);
    expect(state.stages[0]!.response.extensions).toEqual([
      expect.objectContaining({
        days: 14,
        reason: 'Information awaited from a partner agency',
        agreedWithComplainant: true,
        by: manager,
      }),
    ]);
  });

  it('acknowledging and answering in time leaves nothing to fire; the window then closes the complaint', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await acknowledge(handle);
    await stack.env.sleep(2 * DAY_MS);
    const decided = await decideOutcome(handle, 'upheld');
    expect(decided.status).toBe('awaiting-escalation');
    const final = await handle.result();
    expect(final.status).toBe('closed');
    expect(final.closure).toMatchObject({ reason: 'escalation-window-ended', outcome: 'upheld' });
    const windowEnd = Date.parse(final.stages[0]!.escalationWindowEndsAt!);
    expect(windowEnd - Date.parse(final.stages[0]!.response.metAt!)).toBe(28 * DAY_MS);
    expect(Date.parse(final.closure!.at) - windowEnd).toBeGreaterThanOrEqual(0);
    expect(Date.parse(final.closure!.at) - windowEnd).toBeLessThan(TIMER_RECORDED_WITHIN_MS);
    expect(ofType(final, 'reminder-issued')).toEqual([]);
    expect(ofType(final, 'deadline-breached')).toEqual([]);
    expect(final.stages[0]).toMatchObject({
      acknowledgement: { onTime: true },
      response: { onTime: true, outcome: 'upheld' },
    });
  });
});

describe('the ladder', () => {
  it('Level 1 → Level 2 → Director → Committee → Ombudsman, each stage timed from its escalation request', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    for (const stage of ['level-1', 'level-2', 'director-review']) {
      await acknowledge(handle);
      await decideOutcome(handle);
      await stack.env.sleep(3 * DAY_MS);
      const escalated = await escalate(handle);
      expect(escalated.stages.map((s) => s.stage).slice(-2)[0]).toBe(stage);
    }
    let state = await handle.query(complaintStateQuery);
    expect(state.currentStage).toBe('committee');
    const committee = state.stages[3]!;
    expect(Date.parse(committee.response.dueAt) - Date.parse(committee.startedAt)).toBe(56 * DAY_MS);
    await acknowledge(handle);
    await stack.env.sleep(57 * DAY_MS);
    state = await handle.query(complaintStateQuery);
    expect(ofType(state, 'deadline-breached').map((e) => timerDueAt(e) - Date.parse(committee.startedAt))).toEqual([
      56 * DAY_MS,
    ]);
    await decideOutcome(handle, 'partially-upheld');
    const referred = await executeUpdateForState(handle, actionUpdates['refer-to-ombudsman'], {
      args: [{ actor: officer, reference: 'SPSO-2026-0042' }],
    });
    expect(referred).toMatchObject({
      status: 'closed',
      closure: { reason: 'referred-to-ombudsman', outcome: 'partially-upheld' },
    });
    const final = await handle.result();
    expect(final.stages.map((s) => s.stage)).toEqual(['level-1', 'level-2', 'director-review', 'committee']);
    expect(final.ombudsmanReferral).toMatchObject({ reference: 'SPSO-2026-0042', by: officer });
  });

  it("the Director review is bypassed at the complainant's request", async () => {
    const handle = await stack.h.startComplaint(await stack.h.input({ details: { serious: true } }));
    await acknowledge(handle);
    await decideOutcome(handle);
    const state = await escalate(handle, { bypass: true });
    expect(state.currentStage).toBe('committee');
    expect(state.timeline.at(-1)).toMatchObject({
      type: 'escalated',
      from: 'level-2',
      to: 'committee',
      bypassed: 'director-review',
    });
  });

  it('withdrawal ends the workflow and cancels its timers', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await executeUpdateForState(handle, actionUpdates.withdraw, {
      args: [{ actor: officer, reason: 'The complainant is satisfied' }],
    });
    const final = await handle.result();
    expect(final.status).toBe('withdrawn');
    expect(final.timeline.map((e) => e.type)).toEqual(['complaint-received', 'withdrawn']);
  });
});

describe('refused actions', () => {
  it('are refused with the reason, and leave no trace in the history', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());

    const early = await refusal(decideOutcome(handle));
    expect(early).toMatchObject({
      type: ACTION_REJECTED,
      message: 'Level 1 must be acknowledged before its outcome is recorded',
    });
    expect(early.details).toEqual([{ code: 'not-acknowledged' }]);

    expect((await refusal(escalate(handle))).details).toEqual([{ code: 'no-outcome-yet' }]);
    const noAgreement = await refusal(
      executeUpdateForState(handle, actionUpdates['grant-extension'], {
        args: [{ actor: manager, days: 7, reason: 'Staff on leave', agreedWithComplainant: false }],
      }),
    );
    expect(noAgreement).toMatchObject({
      message: "an extension at Level 1 needs the complainant's agreement",
      details: [{ code: 'agreement-required' }],
    });

    const malformed = await refusal(
      executeUpdateForState(handle, actionUpdates['record-outcome'], {
        args: [{ actor: officer, outcome: 'maybe' as 'upheld' }],
      }),
    );
    expect(malformed.type).toBe(INVALID_ACTION);
    expect(malformed.message).toMatch(/^outcome: /);

    const state = await handle.query(complaintStateQuery);
    expect(state.timeline.map((e) => e.type)).toEqual(['complaint-received']);
    // The server may note the workflow tasks that ran the validators; nothing else is written.
    // The server notes the workflow tasks that ran the validators; no Update is admitted, accepted or completed.
    const attributes = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
      Object.keys(e).filter((k) => k.endsWith('Attributes')),
    );
    expect(attributes.filter((name) => name.startsWith('workflowExecutionUpdate'))).toEqual([]);
  });

  it('escalation after the window is impossible: the complaint has closed', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await acknowledge(handle);
    await decideOutcome(handle);
    await stack.env.sleep(29 * DAY_MS);
    // The workflow has completed: the server refuses the Update itself (the time-skipping server answers "not found").
    await expect(escalate(handle)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const final = await handle.result();
    expect(final.status).toBe('closed');
    expect(final.timeline.at(-1)).toMatchObject({ type: 'closed', reason: 'escalation-window-ended' });
  });

  it('anything after closure is refused', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await executeUpdateForState(handle, actionUpdates.withdraw, { args: [{ actor: officer }] });
    const final = await handle.result();
    await expect(acknowledge(handle)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await handle.query(complaintStateQuery)).timeline).toEqual(final.timeline);
  });

  it('an invalid signal is recorded as rejected and the complaint carries on', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await handle.signal(actionSignals['record-outcome'], { actor: officer, outcome: 'upheld' });
    await handle.signal(actionSignals.acknowledge, { actor: { id: '' } } as never);
    await handle.signal(actionSignals.acknowledge, { actor: officer });
    const state = await handle.query(complaintStateQuery);
    expect(state.timeline.map((e) => [e.type, (e as { code?: string }).code])).toEqual([
      ['complaint-received', undefined],
      ['action-rejected', 'not-acknowledged'],
      ['action-rejected', 'invalid-message'],
      ['acknowledged', undefined],
    ]);
    expect(state.timeline[1]).toMatchObject({
      action: 'record-outcome',
      actor: officer,
      reason: 'Level 1 must be acknowledged before its outcome is recorded',
    });
    expect(state.timeline[2]).toMatchObject({ actor: { id: 'unknown' } });
  });
});

describe('one complaint per reference', () => {
  it('a duplicate intake never starts a second workflow, even after closure', async () => {
    const input = await stack.h.input();
    const handle = await stack.h.startComplaint(input);
    await expect(
      stack.h.startComplaint({ ...input, details: { ...input.details, summary: 'Another' } }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await executeUpdateForState(handle, actionUpdates.withdraw, { args: [{ actor: officer }] });
    await handle.result();
    await expect(stack.h.startComplaint(input)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  it('a signal and an update racing to acknowledge: exactly one wins', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    const [signalled, updated] = await Promise.allSettled([
      handle.signal(actionSignals.acknowledge, { actor: manager }),
      acknowledge(handle),
    ]);
    expect(signalled.status).toBe('fulfilled');
    const state = await handle.query(complaintStateQuery);
    const acknowledgements = ofType(state, 'acknowledged');
    expect(acknowledgements).toHaveLength(1);
    if (updated.status === 'fulfilled') {
      expect(acknowledgements[0]!.actor).toEqual(officer);
      expect(ofType(state, 'action-rejected')).toEqual([
        expect.objectContaining({ action: 'acknowledge', code: 'already-acknowledged', actor: manager }),
      ]);
    } else {
      expect(acknowledgements[0]!.actor).toEqual(manager);
      expect(((updated.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).details).toEqual([
        { code: 'already-acknowledged' },
      ]);
    }
  });
});

describe("who may assign whom (decided in the workflow, by the actor's role)", () => {
  const khan = { id: 'officer.khan', name: 'Raj Khan', role: 'case-officer' };
  const assign = (handle: Handle, actor: typeof officer, officerId: string) =>
    executeUpdateForState(handle, actionUpdates.assign, { args: [{ actor, officer: { id: officerId } }] });
  /** The patch ids of a history's markers (each marker's patch-data payload holds its id). */
  const patchIds = (history: Awaited<ReturnType<Handle['fetchHistory']>>) =>
    (history.events ?? []).flatMap((e) =>
      (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map(
        (p) => (JSON.parse(Buffer.from(p.data ?? []).toString('utf8')) as { id: string }).id,
      ),
    );

  it("a case officer's assign signal for someone else is recorded as rejected; a manager's is recorded", async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await handle.signal(actionSignals.assign, { actor: officer, officer: { id: 'officer.khan' } });
    await handle.signal(actionSignals.assign, { actor: manager, officer: { id: 'officer.khan' } });
    const state = await handle.query(complaintStateQuery);
    expect(state.timeline.slice(1)).toEqual([
      expect.objectContaining({
        type: 'action-rejected',
        action: 'assign',
        code: 'assignment-not-permitted',
        actor: officer,
        reason:
          'A case officer may assign a complaint only to themselves (officer.id "officer.jones"); assigning someone else needs a manager',
      }),
      expect.objectContaining({ type: 'case-officer-assigned', officer: { id: 'officer.khan' }, actor: manager }),
    ]);
    expect(state.caseOfficer).toEqual({ id: 'officer.khan' });
    // The rule is versioned (histories recorded before it replay with the API's rule), and the new history replays.
    const history = await handle.fetchHistory();
    expect(patchIds(history)).toContain('assignment-by-role');
    await replaysCleanly(handle, history);
  });

  it('two officers racing to take the same unassigned complaint: exactly one wins', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    const results = await Promise.allSettled([assign(handle, officer, officer.id), assign(handle, khan, khan.id)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const cause = (lost[0]!.reason as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause.details).toEqual([{ code: 'assignment-not-permitted' }]);
    const state = await handle.query(complaintStateQuery);
    expect(ofType(state, 'case-officer-assigned')).toHaveLength(1);
    const winner = results[0]!.status === 'fulfilled' ? officer : khan;
    expect(state.caseOfficer?.id).toBe(winner.id);
    expect(cause.message).toBe(`Complaint ${state.ref} is assigned to ${winner.id}; reassigning it needs a manager`);
  });
});

describe('side effects', () => {
  it('every recorded event reaches the register once, in order', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await acknowledge(handle);
    await executeUpdateForState(handle, actionUpdates['add-note'], {
      args: [{ actor: officer, text: 'Spoke to the complainant' }],
    });
    await decideOutcome(handle, 'upheld');
    const final = await handle.result();
    const registered = stack.h.recorded.entries.get(final.ref) ?? [];
    expect(registered.map((e) => e.seq)).toEqual(final.timeline.map((e) => e.seq));
    expect(registered).toEqual(final.timeline);
    const lastBatch = stack.h.recorded.batches.filter((b) => b.ref === final.ref).at(-1)!;
    expect(lastBatch.snapshot).toMatchObject({
      status: 'closed',
      lastSeq: final.timeline.length,
      nextDeadline: null,
      overdue: false,
    });
    // Written by the worker as it completes each task (local activities), not as activity tasks of their own.
    expect(registerActivityTasks(await handle.fetchHistory())).toBe(0);
  });

  it('a register that hangs holds an action up for 5 seconds at most, inside the API deadline; its batch then goes as an activity', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await stack.h.recorded.waitFor(() => (stack.h.recorded.entries.get(handle.workflowId) ?? []).length === 1);
    stack.h.recorded.registerHangsLeft = 2; // both tries of the local activity
    try {
      const started = Date.now();
      const acknowledged = await acknowledge(handle);
      expect(Date.now() - started).toBeLessThan(7_000);
      await stack.h.recorded.waitFor(
        () => (stack.h.recorded.entries.get(handle.workflowId) ?? []).length === acknowledged.timeline.length,
      );
      expect(stack.h.recorded.entries.get(handle.workflowId)).toEqual(acknowledged.timeline);
      expect(registerActivityTasks(await handle.fetchHistory())).toBe(1);
    } finally {
      stack.h.recorded.releaseHangingWrites();
    }
  });

  it('a register that refuses writes holds an action up for seconds only; its batch then goes as an activity', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await stack.h.recorded.waitFor(() => (stack.h.recorded.entries.get(handle.workflowId) ?? []).length === 1);
    stack.h.recorded.registerFailuresLeft = 2; // both tries of the local activity
    const started = Date.now();
    const acknowledged = await acknowledge(handle);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(acknowledged.stages[0]!.acknowledgement?.metAt).toBeDefined();
    await stack.h.recorded.waitFor(
      () => (stack.h.recorded.entries.get(handle.workflowId) ?? []).length === acknowledged.timeline.length,
    );
    expect(stack.h.recorded.entries.get(handle.workflowId)).toEqual(acknowledged.timeline);
    const history = await handle.fetchHistory();
    expect(registerActivityTasks(history)).toBe(1);
    // Such a history replays, and the audit finds every entry in it: the first batch in a local-activity marker,
    // the one that fell back in the activity's input.
    const recorded = await replaysCleanly(handle, history);
    const audited = await reconstructTimeline([recorded]);
    expect(audited.findings.filter((finding) => finding.level === 'error')).toEqual([]);
    expect(audited.state.timeline).toEqual(acknowledged.timeline);
  });

  it('a batch the register refuses for what it holds is given up after a few tries, and never wedges the complaint', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await stack.h.recorded.waitFor(() => (stack.h.recorded.entries.get(handle.workflowId) ?? []).length === 1);
    // Both local tries and every try of the ordinary activity are refused, as a NUL in PostgreSQL text would be.
    stack.h.recorded.registerRefusalsLeft = 1_000;
    await acknowledge(handle);
    await stack.env.sleep(60_000); // the activity's retries (1 s, 2 s, ...) pass
    const refusals = (await handle.fetchHistory()).events?.filter(
      (e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === 'RegisterRefusedBatch',
    );
    expect(refusals).toHaveLength(1);
    expect(refusals![0]!.activityTaskFailedEventAttributes!.failure!.applicationFailureInfo!.nonRetryable).toBe(true);
    const triesLeft = stack.h.recorded.registerRefusalsLeft;
    expect(1_000 - triesLeft).toBe(2 + 3); // two local tries, then REGISTER_REFUSAL_ATTEMPTS of the activity
    // The complaint goes on; once the register takes writes again the pending entries go with the next batch.
    stack.h.recorded.registerRefusalsLeft = 0;
    const withdrawn = await executeUpdateForState(handle, actionUpdates.withdraw, { args: [{ actor: officer }] });
    await handle.result();
    expect(stack.h.recorded.entries.get(handle.workflowId)).toEqual(withdrawn.timeline);
  });

  it('a notice that cannot be delivered is recorded, and the deadlines still fire on time', async () => {
    stack.h.recorded.undeliverable.add('acknowledgement-reminder');
    try {
      const handle = await stack.h.startComplaint(await stack.h.input());
      await stack.env.sleep(6 * DAY_MS);
      const state = await handle.query(complaintStateQuery);
      const failed = ofType(state, 'notification-failed');
      expect(failed).toEqual([
        expect.objectContaining({ reason: `no mailbox accepts acknowledgement-reminder for ${state.ref}` }),
      ]);
      expect(ofType(state, 'deadline-breached').map((e) => dueDaysAfterReceipt(state, e))).toEqual([5]);
    } finally {
      stack.h.recorded.undeliverable.clear();
    }
  });

  it('the complainant is told of the acknowledgement and of the outcome with how to escalate and by when', async () => {
    const handle = await stack.h.startComplaint(await stack.h.input());
    await acknowledge(handle);
    const decided = await decideOutcome(handle, 'not-upheld');
    const notices = await stack.h.recorded.waitForNotices(decided.ref, 2);
    expect(notices.map((n) => [n.kind, n.audience])).toEqual([
      ['complaint-acknowledged', 'complainant'],
      ['outcome-letter', 'complainant'],
    ]);
    expect(notices[0]!.dueAt).toBe(decided.stages[0]!.response.dueAt);
    expect(notices[1]!.nextStep).toEqual({
      kind: 'escalate',
      stage: { id: 'level-2', name: 'Level 2' },
      byAt: decided.stages[0]!.escalationWindowEndsAt,
    });
  });
});
