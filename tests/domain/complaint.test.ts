import { describe, expect, it } from 'vitest';
import type { ComplaintCommand } from '../../domain/actions';
import {
  applyEvent,
  decide,
  initialState,
  isOverdue,
  nextDeadline,
  nextScheduledEvent,
  receiveComplaint,
  replayTimeline,
  type ComplaintEvent,
  type ComplaintState,
  type Decision,
} from '../../domain/complaint';
import type { ComplaintDetails } from '../../domain/intake';
import { getProcedure } from '../../domain/procedures';
import type { Procedure } from '../../domain/procedure';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T09:00:00Z'); // a Monday, winter time
const officer = { id: 'officer.jones' };
const manager = { id: 'manager.brown', role: 'manager' };
const dundee = getProcedure({ id: 'dundee-swd-2011', version: 1 });
const spso = getProcedure({ id: 'spso-mchp', version: 1 });

const details = (serious = false): ComplaintDetails => ({
  complainant: { name: 'Pat', email: 'pat@example.org' },
  serviceArea: 'community-care',
  category: 'delay',
  channel: 'email',
  summary: 'Assessment delayed',
  serious,
});

/** A complaint driven through the pure rules: every accepted decision is applied, as the workflow does. */
class Complaint {
  readonly state: ComplaintState;
  constructor(
    readonly procedure: Procedure = dundee,
    options: { serious?: boolean; holidays?: string[]; receivedAt?: number; recordedAt?: number } = {},
  ) {
    const received = receiveComplaint({
      ref: 'SW-TEST-1',
      procedure,
      details: details(options.serious),
      receivedAtMs: options.receivedAt ?? T0,
      holidays: options.holidays ?? [],
    });
    const recordedAt = options.recordedAt ?? options.receivedAt ?? T0;
    this.state = initialState({ ...received, seq: 1, at: new Date(recordedAt).toISOString(), actor: { id: 'intake' } });
  }
  try(command: ComplaintCommand, at: number): Decision {
    return decide(this.state, command, at, this.procedure);
  }
  do(command: ComplaintCommand, at: number): ComplaintEvent[] {
    const decision = this.try(command, at);
    if (!decision.ok) throw new Error(`refused: ${decision.reason}`);
    this.apply(decision.events, at, command.actor);
    return decision.events;
  }
  apply(events: ComplaintEvent[], at: number, actor = { id: 'system' }): void {
    for (const event of events)
      applyEvent(this.state, { ...event, seq: this.state.timeline.length + 1, at: new Date(at).toISOString(), actor });
  }
  /** Runs the clock up to `until`, applying whatever falls due, as the workflow's timers do. */
  runClock(until: number): ComplaintEvent[] {
    const fired: ComplaintEvent[] = [];
    let now = Date.parse(this.state.timeline[this.state.timeline.length - 1]!.at);
    for (;;) {
      const next = nextScheduledEvent(this.state, this.procedure, now);
      if (!next || next.atMs > until) return fired;
      now = Math.max(now, next.atMs);
      this.apply([next.event], now);
      fired.push(next.event);
    }
  }
  get stage() {
    return this.state.stages[this.state.stages.length - 1]!;
  }
}

const ack = { action: 'acknowledge', actor: officer } as const;
const outcome = (o: 'upheld' | 'not-upheld' | 'partially-upheld' | 'resolved' = 'not-upheld') =>
  ({ action: 'record-outcome', actor: officer, outcome: o }) as const;
const escalate = (extra: { to?: string; bypass?: boolean } = {}) =>
  ({ action: 'request-escalation', actor: officer, ...extra }) as const;
const extend = (extra: { days?: number; newDeadline?: string; agreedWithComplainant?: boolean; reason?: string }) =>
  ({
    action: 'grant-extension',
    actor: officer,
    reason: 'Awaiting a report from a partner agency',
    agreedWithComplainant: true,
    ...extra,
  }) as ComplaintCommand;

function refusal(decision: Decision) {
  expect(decision.ok).toBe(false);
  return decision as Extract<Decision, { ok: false }>;
}

describe('deadlines of the 2011 procedure (calendar days, exact multiples of 24 h)', () => {
  it('Level 1: acknowledge within 5 days, respond within 14, from receipt', () => {
    const c = new Complaint();
    expect(c.stage.acknowledgement?.dueAt).toBe(new Date(T0 + 5 * DAY).toISOString());
    expect(c.stage.response.dueAt).toBe(new Date(T0 + 14 * DAY).toISOString());
  });

  it('a serious complaint starts at Level 2 with 5 and 28 days from receipt', () => {
    const c = new Complaint(dundee, { serious: true });
    expect(c.state.currentStage).toBe('level-2');
    expect(c.stage.acknowledgement?.dueAt).toBe(new Date(T0 + 5 * DAY).toISOString());
    expect(c.stage.response.dueAt).toBe(new Date(T0 + 28 * DAY).toISOString());
  });

  it('later stages count from the escalation request: Level 2 28, Director 28, Committee 56 days', () => {
    const c = new Complaint();
    let t = T0 + DAY;
    c.do(ack, t);
    c.do(outcome(), (t += DAY));
    c.do(escalate(), (t += 3 * DAY));
    expect(c.stage.stage).toBe('level-2');
    expect(c.stage.response.dueAt).toBe(new Date(t + 28 * DAY).toISOString());
    expect(c.stage.acknowledgement?.dueAt).toBe(new Date(t + 5 * DAY).toISOString());
    c.do(ack, (t += DAY));
    c.do(outcome(), (t += DAY));
    c.do(escalate(), (t += DAY));
    expect(c.stage.stage).toBe('director-review');
    expect(c.stage.response.dueAt).toBe(new Date(t + 28 * DAY).toISOString());
    c.do(ack, (t += DAY));
    c.do(outcome(), (t += DAY));
    c.do(escalate(), (t += DAY));
    expect(c.stage.stage).toBe('committee');
    expect(c.stage.response.dueAt).toBe(new Date(t + 56 * DAY).toISOString());
  });

  it('an action exactly at its deadline is on time; a millisecond later is late', () => {
    const onTime = new Complaint();
    onTime.do(ack, T0 + 5 * DAY);
    expect(onTime.stage.acknowledgement?.onTime).toBe(true);
    const late = new Complaint();
    late.do(ack, T0 + 5 * DAY + 1);
    expect(late.stage.acknowledgement?.onTime).toBe(false);
  });
});

describe('deadlines of the SPSO model procedure (working days)', () => {
  it('Stage 1 answers within 5 working days, skipping a weekend and a Scottish public holiday', () => {
    // Received Thu 2026-04-02 10:00 BST; Good Friday 3 April is a holiday, Easter Monday is not in Scotland.
    const received = Date.parse('2026-04-02T09:00:00Z');
    const c = new Complaint(spso, { receivedAt: received, holidays: ['2026-04-03'] });
    expect(c.stage.acknowledgement).toBeNull();
    // Working days: Mon 6, Tue 7, Wed 8, Thu 9, Fri 10 → end of Fri 10 April (BST).
    expect(c.stage.response.dueAt).toBe('2026-04-10T22:59:59.999Z');
  });

  it('Stage 2 (serious) is acknowledged within 3 and answered within 20 working days', () => {
    const received = Date.parse('2026-12-21T10:00:00Z'); // Monday before Christmas
    const holidays = ['2026-12-25', '2026-12-28', '2027-01-01', '2027-01-04'];
    const c = new Complaint(spso, { serious: true, receivedAt: received, holidays });
    // 22, 23, 24 December.
    expect(c.stage.acknowledgement?.dueAt).toBe('2026-12-24T23:59:59.999Z');
    // 22,23,24,29,30,31 Dec (6), 5..8 Jan (10), 11..15 (15), 18..22 (20).
    expect(c.stage.response.dueAt).toBe('2027-01-22T23:59:59.999Z');
  });

  it('a Stage 1 extension may not take the response beyond 10 working days in total', () => {
    const received = Date.parse('2026-03-02T09:00:00Z'); // Monday
    const c = new Complaint(spso, { receivedAt: received });
    expect(c.stage.response.dueAt).toBe('2026-03-09T23:59:59.999Z');
    expect(refusal(c.try(extend({ days: 6 }), received + DAY)).code).toBe('extension-too-long');
    c.do(extend({ days: 5, agreedWithComplainant: false }), received + DAY);
    expect(c.stage.response.dueAt).toBe('2026-03-16T23:59:59.999Z');
  });

  it('a new holiday calendar recalculates pending deadlines but not met ones', () => {
    const received = Date.parse('2026-03-02T09:00:00Z');
    const c = new Complaint(spso, { serious: true, receivedAt: received });
    expect(c.stage.acknowledgement?.dueAt).toBe('2026-03-05T23:59:59.999Z');
    c.do({ action: 'update-calendar', actor: officer, holidays: ['2026-03-04'] }, received + HOUR);
    expect(c.stage.acknowledgement?.dueAt).toBe('2026-03-06T23:59:59.999Z');
    c.do(ack, received + 2 * HOUR);
    const responseBefore = c.stage.response.dueAt;
    c.do({ action: 'update-calendar', actor: officer, holidays: ['2026-03-04', '2026-03-05'] }, received + 3 * HOUR);
    expect(c.stage.acknowledgement?.dueAt).toBe('2026-03-06T23:59:59.999Z');
    expect(Date.parse(c.stage.response.dueAt)).toBe(Date.parse(responseBefore) + DAY);
  });

  it("'resolved' is an outcome of the SPSO procedure but not of the 2011 one", () => {
    const s = new Complaint(spso);
    expect(s.try(outcome('resolved'), T0 + HOUR).ok).toBe(true);
    const d = new Complaint();
    d.do(ack, T0 + HOUR);
    expect(refusal(d.try(outcome('resolved'), T0 + 2 * HOUR)).code).toBe('outcome-not-in-procedure');
  });
});

describe('timers: reminders, breaches and the escalation window', () => {
  it('reminds a day before the acknowledgement deadline, then notes the breach, and never twice', () => {
    const c = new Complaint();
    const fired = c.runClock(T0 + 6 * DAY);
    expect(fired.map((e) => e.type)).toEqual(['reminder-issued', 'deadline-breached']);
    expect(c.state.timeline.slice(1).map((e) => Date.parse(e.at) - T0)).toEqual([4 * DAY, 5 * DAY]);
    expect(isOverdue(c.state)).toBe(true);
    expect(c.runClock(T0 + 6 * DAY)).toEqual([]);
  });

  it('response reminder three days before and breach at 14 days; acknowledging stops the acknowledgement timers', () => {
    const c = new Complaint();
    c.do(ack, T0 + DAY);
    const fired = c.runClock(T0 + 15 * DAY);
    expect(fired).toEqual([
      expect.objectContaining({ type: 'reminder-issued', deadline: 'response', hoursBefore: 72 }),
      expect.objectContaining({ type: 'deadline-breached', deadline: 'response' }),
    ]);
    expect(c.state.timeline.slice(2).map((e) => (Date.parse(e.at) - T0) / DAY)).toEqual([11, 14]);
  });

  it('an extension moves the pending deadline and its reminder', () => {
    const c = new Complaint();
    c.do(ack, T0 + DAY);
    c.runClock(T0 + 12 * DAY); // the 11-day reminder has gone
    c.do(extend({ days: 14 }), T0 + 12 * DAY);
    expect(c.stage.response.dueAt).toBe(new Date(T0 + 28 * DAY).toISOString());
    const fired = c.runClock(T0 + 29 * DAY);
    expect(fired.map((e) => [e.type, (Date.parse((e as { dueAt: string }).dueAt) - T0) / DAY])).toEqual([
      ['reminder-issued', 28],
      ['deadline-breached', 28],
    ]);
    expect(
      c.state.timeline.filter((e) => e.type === 'deadline-breached').map((e) => (Date.parse(e.at) - T0) / DAY),
    ).toEqual([28]);
  });

  it('a complaint recorded after its acknowledgement deadline breaches at once, with no stale reminder', () => {
    const c = new Complaint(dundee, { receivedAt: T0 - 6 * DAY, recordedAt: T0 });
    expect(c.runClock(T0).map((e) => e.type)).toEqual(['deadline-breached']);
  });

  it('closes with the outcome when the 28-day escalation window ends', () => {
    const c = new Complaint();
    c.do(ack, T0 + DAY);
    c.do(outcome('upheld'), T0 + 2 * DAY);
    expect(c.state.status).toBe('awaiting-escalation');
    expect(nextDeadline(c.state, dundee)).toEqual({
      stage: 'level-1',
      kind: 'escalation-window',
      dueAt: new Date(T0 + 30 * DAY).toISOString(),
    });
    expect(c.runClock(T0 + 30 * DAY - 1)).toEqual([]);
    expect(c.runClock(T0 + 30 * DAY)).toEqual([
      { type: 'closed', reason: 'escalation-window-ended', outcome: 'upheld' },
    ]);
    expect(c.state.status).toBe('closed');
    expect(nextScheduledEvent(c.state, dundee, T0 + 400 * DAY)).toBeUndefined();
  });
});

describe('transitions', () => {
  it('the full ladder: Level 1 → Level 2 → Director → Committee → Ombudsman', () => {
    const c = new Complaint();
    let t = T0;
    for (const stage of ['level-1', 'level-2', 'director-review', 'committee']) {
      expect(c.state.currentStage).toBe(stage);
      c.do(ack, (t += DAY));
      c.do(outcome(), (t += DAY));
      if (stage !== 'committee') c.do(escalate(), (t += DAY));
    }
    expect(nextDeadline(c.state, dundee)?.kind).toBe('referral-window');
    const events = c.do({ action: 'refer-to-ombudsman', actor: officer, reference: 'SPSO-201100123' }, t + 30 * DAY);
    expect(events.map((e) => e.type)).toEqual(['referred-to-ombudsman', 'closed']);
    expect(c.state.status).toBe('closed');
    expect(c.state.closure?.reason).toBe('referred-to-ombudsman');
    expect(c.state.ombudsmanReferral?.reference).toBe('SPSO-201100123');
  });

  it('the complainant may bypass the Director review, by flag or by naming the Committee', () => {
    for (const request of [
      escalate({ bypass: true }),
      escalate({ to: 'committee' }),
      escalate({ to: 'committee', bypass: true }),
    ]) {
      const c = new Complaint(dundee, { serious: true });
      c.do(ack, T0 + DAY);
      c.do(outcome(), T0 + 2 * DAY);
      const [event] = c.do(request, T0 + 3 * DAY);
      expect(event).toMatchObject({ type: 'escalated', from: 'level-2', to: 'committee', bypassed: 'director-review' });
      expect(c.stage.response.dueAt).toBe(new Date(T0 + 3 * DAY + 56 * DAY).toISOString());
    }
  });

  it('Level 1 cannot be bypassed, and a stage that is not next cannot be asked for', () => {
    const c = new Complaint();
    c.do(ack, T0 + DAY);
    c.do(outcome(), T0 + 2 * DAY);
    expect(refusal(c.try(escalate({ bypass: true }), T0 + 3 * DAY)).code).toBe('stage-not-reachable');
    expect(refusal(c.try(escalate({ to: 'committee' }), T0 + 3 * DAY)).code).toBe('stage-not-reachable');
  });

  it('withdrawal ends the complaint at any open stage', () => {
    const c = new Complaint();
    c.do({ action: 'withdraw', actor: officer, reason: 'Resolved informally' }, T0 + DAY);
    expect(c.state.status).toBe('withdrawn');
    expect(nextScheduledEvent(c.state, dundee, T0 + 100 * DAY)).toBeUndefined();
  });

  it('assigning and reassigning the case officer', () => {
    const c = new Complaint();
    c.do({ action: 'assign', actor: officer, officer: { id: 'officer.jones' } }, T0 + HOUR);
    expect(refusal(c.try({ action: 'assign', actor: officer, officer: { id: 'officer.jones' } }, T0 + HOUR)).code).toBe(
      'already-assigned',
    );
    const [event] = c.do({ action: 'assign', actor: manager, officer: { id: 'officer.khan' } }, T0 + 2 * HOUR);
    expect(event).toMatchObject({ previous: { id: 'officer.jones' } });
    expect(c.state.caseOfficer?.id).toBe('officer.khan');
  });
});

describe('who may assign whom', () => {
  const jones = { id: 'officer.jones', role: 'case-officer' };
  const khan = { id: 'officer.khan', role: 'case-officer' };
  const assign = (actor: { id: string; role?: string }, officerId: string): ComplaintCommand => ({
    action: 'assign',
    actor,
    officer: { id: officerId },
  });
  const assignedTo = (officerId: string) => {
    const c = new Complaint();
    c.do(assign(manager, officerId), T0 + HOUR);
    return c;
  };

  it('a manager assigns anyone, whether the complaint is unassigned or assigned to someone else', () => {
    expect(new Complaint().try(assign(manager, 'officer.khan'), T0 + HOUR).ok).toBe(true);
    expect(assignedTo('officer.jones').try(assign(manager, 'officer.khan'), T0 + 2 * HOUR).ok).toBe(true);
    expect(assignedTo('officer.jones').try(assign(manager, 'manager.brown'), T0 + 2 * HOUR).ok).toBe(true);
  });

  it('a case officer takes an unassigned complaint, or one already theirs, themselves', () => {
    expect(new Complaint().try(assign(jones, 'officer.jones'), T0 + HOUR).ok).toBe(true);
    // Theirs already: permitted, but nothing to record.
    expect(refusal(assignedTo('officer.jones').try(assign(jones, 'officer.jones'), T0 + 2 * HOUR)).code).toBe(
      'already-assigned',
    );
  });

  it('a case officer may not assign someone else, whoever holds the complaint', () => {
    for (const c of [new Complaint(), assignedTo('officer.jones'), assignedTo('officer.khan')]) {
      expect(refusal(c.try(assign(jones, 'officer.khan'), T0 + 2 * HOUR))).toEqual({
        ok: false,
        code: 'assignment-not-permitted',
        reason:
          'A case officer may assign a complaint only to themselves (officer.id "officer.jones"); assigning someone else needs a manager',
      });
    }
  });

  it("a case officer may not take a complaint that is someone else's", () => {
    expect(refusal(assignedTo('officer.khan').try(assign(jones, 'officer.jones'), T0 + 2 * HOUR))).toEqual({
      ok: false,
      code: 'assignment-not-permitted',
      reason: 'Complaint SW-TEST-1 is assigned to officer.khan; reassigning it needs a manager',
    });
    expect(assignedTo('officer.khan').try(assign(khan, 'officer.khan'), T0 + 2 * HOUR).ok).toBe(false);
  });

  it('an actor without a role (another system) is not a manager; any role but manager is held to the same rule', () => {
    for (const actor of [{ id: 'system.care-first' }, { id: 'intake.smith', role: 'intake' }]) {
      expect(refusal(new Complaint().try(assign(actor, 'officer.jones'), T0 + HOUR)).code).toBe(
        'assignment-not-permitted',
      );
    }
  });

  it('without the rule (complaints recorded before the patch assignment-by-role) anyone assigns anyone', () => {
    const c = assignedTo('officer.khan');
    expect(decide(c.state, assign(jones, 'officer.jones'), T0 + 2 * HOUR, dundee, { assignmentByRole: false }).ok).toBe(
      true,
    );
  });
});

describe('refusals carry the reason', () => {
  it('outcome before acknowledgement', () => {
    const r = refusal(new Complaint().try(outcome(), T0 + HOUR));
    expect(r).toMatchObject({
      code: 'not-acknowledged',
      reason: 'Level 1 must be acknowledged before its outcome is recorded',
    });
  });

  it('a second acknowledgement', () => {
    const c = new Complaint();
    c.do(ack, T0 + HOUR);
    expect(refusal(c.try(ack, T0 + 2 * HOUR)).code).toBe('already-acknowledged');
  });

  it('escalation before an outcome, and after the window', () => {
    const c = new Complaint();
    c.do(ack, T0 + HOUR);
    expect(refusal(c.try(escalate(), T0 + 2 * HOUR)).code).toBe('no-outcome-yet');
    c.do(outcome(), T0 + DAY);
    expect(c.try(escalate(), T0 + 29 * DAY).ok).toBe(true);
    expect(refusal(c.try(escalate(), T0 + 29 * DAY + 1)).code).toBe('escalation-window-closed');
  });

  it('an extension without the agreement the procedure requires, without a later date, or after the deadline', () => {
    const c = new Complaint();
    expect(refusal(c.try(extend({ days: 7, agreedWithComplainant: false }), T0 + DAY))).toMatchObject({
      code: 'agreement-required',
      reason: "an extension at Level 1 needs the complainant's agreement",
    });
    expect(refusal(c.try(extend({ newDeadline: new Date(T0 + 10 * DAY).toISOString() }), T0 + DAY)).code).toBe(
      'deadline-not-later',
    );
    expect(refusal(c.try(extend({ days: 7 }), T0 + 14 * DAY + 1)).code).toBe('deadline-passed');
  });

  it('an extension to an explicit new deadline', () => {
    const c = new Complaint();
    const newDeadline = new Date(T0 + 30 * DAY).toISOString();
    c.do(extend({ newDeadline }), T0 + DAY);
    expect(c.stage.response).toMatchObject({
      dueAt: newDeadline,
      originalDueAt: new Date(T0 + 14 * DAY).toISOString(),
    });
  });

  it('a referral to the Ombudsman before the Committee has decided', () => {
    const c = new Complaint();
    c.do(ack, T0 + HOUR);
    c.do(outcome(), T0 + DAY);
    expect(refusal(c.try({ action: 'refer-to-ombudsman', actor: officer }, T0 + 2 * DAY)).code).toBe('not-final-stage');
  });

  it('anything after closure or withdrawal', () => {
    const c = new Complaint();
    c.do({ action: 'withdraw', actor: officer }, T0 + HOUR);
    for (const command of [
      ack,
      outcome(),
      escalate(),
      extend({ days: 3 }),
      { action: 'add-note', actor: officer, text: 'x' } as const,
    ]) {
      expect(refusal(c.try(command, T0 + 2 * HOUR)).code).toBe('complaint-closed');
    }
  });
});

describe('replaying a recorded timeline', () => {
  it('rebuilds exactly the state the events produced', () => {
    const c = new Complaint();
    c.do(ack, T0 + DAY);
    c.do(extend({ days: 7 }), T0 + 2 * DAY);
    c.runClock(T0 + 30 * DAY);
    c.do(outcome('partially-upheld'), T0 + 30 * DAY);
    expect(replayTimeline(c.state.timeline)).toEqual(c.state);
  });
});
