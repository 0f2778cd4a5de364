import { describe, expect, it } from 'vitest';
import type { ComplaintCommand } from '../../domain/actions';
import {
  applyEvent,
  deadlinesUnderCalendar,
  decide,
  explainedState,
  initialState,
  isOverdue,
  nextScheduledEvent,
  receiveComplaint,
  type ComplaintEvent,
  type Decision,
} from '../../domain/complaint';
import { allResponsesOnTime } from '../../domain/annual-report';
import { explainDeadline } from '../../domain/deadline-explanation';
import { noticeFor } from '../../domain/notices';
import type { ComplaintDetails } from '../../domain/intake';
import type { Procedure } from '../../domain/procedure';
import { getProcedure } from '../../domain/procedures';
import { scottishPublicHolidays } from '../../domain/scottish-holidays';

// The deadline rules of the 2017 and 2020 procedures and the bounds on every procedure's extensions, through the
// pure rules (decide / applyEvent / nextScheduledEvent), as the workflow drives them.

const HOLIDAYS = scottishPublicHolidays(2025, 2028);
const NAMES = { '2026-12-25': 'Christmas Day', '2026-12-28': 'Boxing Day (substitute day)' };
const mchp2020 = getProcedure({ id: 'spso-mchp-2020', version: 1 });
const socialWork2017 = getProcedure({ id: 'spso-social-work-2017', version: 1 });
const dundee = getProcedure({ id: 'dundee-swd-2011', version: 1 });
const spso = getProcedure({ id: 'spso-mchp', version: 1 });
const officer = { id: 'officer.jones' };
const manager = { id: 'manager.brown', role: 'manager' };
const iso = (ms: number) => new Date(ms).toISOString();

function complaint(procedure: Procedure, receivedAt: string, extra: Partial<ComplaintDetails> = {}) {
  const details: ComplaintDetails = {
    complainant: { name: 'Pat' },
    serviceArea: 'community-care',
    category: 'delay',
    channel: 'email',
    summary: 'Assessment delayed',
    serious: false,
    ...extra,
  };
  const received = receiveComplaint({
    ref: 'SW-TEST-2',
    procedure,
    details,
    receivedAtMs: Date.parse(receivedAt),
    holidays: HOLIDAYS,
    holidayNames: NAMES,
  });
  const state = initialState({ ...received, seq: 1, at: receivedAt, actor: { id: 'intake' } });
  const run = (command: ComplaintCommand, at: string): Decision => decide(state, command, Date.parse(at), procedure);
  const apply = (events: ComplaintEvent[], at: string) => {
    for (const event of events) applyEvent(state, { ...event, seq: state.timeline.length + 1, at, actor: officer });
  };
  const act = (command: ComplaintCommand, at: string) => {
    const decision = run(command, at);
    if (!decision.ok) throw new Error(`refused: ${decision.reason}`);
    apply(decision.events, at);
    return decision.events;
  };
  const stage = () => state.stages[state.stages.length - 1]!;
  return { state, run, act, apply, stage };
}

const extend = (extra: Record<string, unknown>, actor = manager) =>
  ({ action: 'grant-extension', actor, reason: 'Records are late', agreedWithComplainant: true, ...extra }) as never;

describe('the 2020 model procedure: deadlines and their explanations', () => {
  it('Stage 1 received on Christmas Eve: day 1 is that day, 5 working days end on 5 January, each skip named', () => {
    const c = complaint(mchp2020, '2026-12-24T10:00:00.000Z');
    expect(c.stage().response.dueAt).toBe('2027-01-05T23:59:59.999Z');
    expect(c.stage().response.working).toMatchObject({
      rule: 'working-days/receipt-day',
      days: 5,
      firstDay: '2026-12-24',
      lastDay: '2027-01-05',
    });
    expect(c.stage().response.working?.skipped.slice(0, 4)).toEqual([
      { date: '2026-12-25', why: 'holiday', name: 'Christmas Day' },
      { date: '2026-12-26', why: 'weekend' },
      { date: '2026-12-27', why: 'weekend' },
      { date: '2026-12-28', why: 'holiday', name: 'Boxing Day (substitute day)' },
    ]);
    expect(c.state.holidayNames).toEqual(NAMES);
  });

  it('the first published versions record no explanation and count as they always did', () => {
    const c = complaint(spso, '2026-12-07T10:00:00.000Z');
    expect(c.stage().response.dueAt).toBe('2026-12-14T23:59:59.999Z'); // day 1 = the day after receipt
    expect(c.stage().response.working).toBeUndefined();
    expect(c.state.holidayNames).toBeUndefined();
    expect(complaint(mchp2020, '2026-12-07T10:00:00.000Z').stage().response.dueAt).toBe('2026-12-11T23:59:59.999Z');
  });

  it('an extension by days is explained, and Stage 1 never goes past 10 working days from day 1', () => {
    const c = complaint(mchp2020, '2026-12-07T10:00:00.000Z');
    const [granted] = c.act(extend({ days: 3 }), '2026-12-09T10:00:00.000Z');
    expect(granted).toMatchObject({ dueAt: '2026-12-16T23:59:59.999Z', working: { firstDay: '2026-12-14' } });
    expect(c.stage().response.extensions[0]?.working?.rule).toBe('working-days/day-after-receipt/extension');
    c.act(extend({ days: 2 }), '2026-12-10T10:00:00.000Z'); // day 10 = Friday 18 December
    expect(c.stage().response.dueAt).toBe('2026-12-18T23:59:59.999Z');
    const tooLong = c.run(extend({ days: 1 }), '2026-12-10T11:00:00.000Z');
    expect(tooLong).toMatchObject({ ok: false, code: 'extension-too-long' });
  });

  it('reminders go at 09:00 London on the working day before the deadline, then the breach at the deadline', () => {
    // Due Tuesday 5 January 2027; Monday 4 January is the substitute for 2 January, so Thursday 31 December.
    const winter = complaint(mchp2020, '2026-12-24T10:00:00.000Z');
    const reminder = nextScheduledEvent(winter.state, mchp2020, Date.parse('2026-12-24T10:00:00.000Z'))!;
    expect(iso(reminder.atMs)).toBe('2026-12-31T09:00:00.000Z');
    expect(reminder.event).toMatchObject({ type: 'reminder-issued', deadline: 'response', hoursBefore: 135 });

    // Summer time: due Friday 5 June, reminded at 09:00 BST (08:00Z) on Thursday 4 June.
    const summer = complaint(mchp2020, '2026-06-01T10:00:00.000Z');
    const first = nextScheduledEvent(summer.state, mchp2020, Date.parse('2026-06-01T10:00:00.000Z'))!;
    expect(iso(first.atMs)).toBe('2026-06-04T08:00:00.000Z');
    summer.apply([first.event], iso(first.atMs));
    const second = nextScheduledEvent(summer.state, mchp2020, first.atMs)!;
    expect(second.event).toMatchObject({ type: 'deadline-breached', dueAt: '2026-06-05T22:59:59.999Z' });
    expect(iso(second.atMs)).toBe('2026-06-05T22:59:59.999Z');
  });

  it('the first published versions still remind the hours before the deadline they list', () => {
    const c = complaint(spso, '2026-06-01T10:00:00.000Z'); // due end of Monday 8 June (day 1 = 2 June)
    const reminder = nextScheduledEvent(c.state, spso, Date.parse('2026-06-01T10:00:00.000Z'))!;
    expect(iso(reminder.atMs)).toBe('2026-06-07T22:59:59.999Z');
  });
});

describe('the second versions of the first procedures (dundee-swd-2011@2, spso-mchp@2)', () => {
  const dundee2 = getProcedure({ id: 'dundee-swd-2011', version: 2 });
  const spso2 = getProcedure({ id: 'spso-mchp', version: 2 });

  it('the same stages and timescales as version 1; version 1 unchanged', () => {
    const shape = (p: Procedure) => p.stages.map((s) => [s.id, s.acknowledge?.within, s.respond.within, s.outcomes]);
    expect(shape(dundee2)).toEqual(shape(dundee));
    expect(shape(spso2)).toEqual(shape(spso));
    expect(dundee.counting).toBeUndefined();
    expect(spso.counting).toBeUndefined();
    expect(dundee2.assumptions.join(' ')).toMatch(/dundee-swd-2011@1/);
  });

  it('2011: "within 14 days" ends at the end of the 14th London day after receipt, late at night and across BST', () => {
    // Received 23:30 UTC on Saturday 28 March 2026 = 23:30 GMT, day 0; the clocks go forward on the 29th.
    const late = complaint(dundee2, '2026-03-28T23:30:00.000Z');
    expect(late.stage().acknowledgement?.dueAt).toBe('2026-04-02T22:59:59.999Z'); // end of Thursday 2 April, BST
    expect(late.stage().response.dueAt).toBe('2026-04-11T22:59:59.999Z');
    expect(late.stage().response.working).toMatchObject({
      rule: 'calendar-days/end-of-london-day',
      firstDay: '2026-03-28',
      lastDay: '2026-04-11',
    });
    // 23:30 UTC in summer is already the next London day: day 0 is 2 June.
    const summer = complaint(dundee2, '2026-06-01T23:30:00.000Z');
    expect(summer.stage().response.dueAt).toBe('2026-06-16T22:59:59.999Z');
    // Version 1: exactly 14 × 24 hours from the minute.
    expect(complaint(dundee, '2026-06-01T23:30:00.000Z').stage().response.dueAt).toBe('2026-06-15T23:30:00.000Z');
  });

  it('2011: the reminder at 09:00 London on the working day before, the breach at the deadline; an extension by London days', () => {
    const c = complaint(dundee2, '2026-12-07T15:00:00.000Z'); // ack due end of Saturday 12 December
    const reminder = nextScheduledEvent(c.state, dundee2, Date.parse('2026-12-07T15:00:00.000Z'))!;
    // The deadline's day is a Saturday: Friday is its last working day, so the working day before is Thursday.
    expect(iso(reminder.atMs)).toBe('2026-12-10T09:00:00.000Z');
    expect(reminder.event).toMatchObject({ type: 'reminder-issued', deadline: 'acknowledgement' });
    c.apply([reminder.event], iso(reminder.atMs));
    const breach = nextScheduledEvent(c.state, dundee2, reminder.atMs)!;
    expect(breach.event).toMatchObject({ type: 'deadline-breached', deadline: 'acknowledgement' });
    expect(iso(breach.atMs)).toBe('2026-12-12T23:59:59.999Z');
    const [granted] = c.act(extend({ days: 7 }), '2026-12-10T10:00:00.000Z');
    expect(granted).toMatchObject({ dueAt: '2026-12-28T23:59:59.999Z' }); // 21 December + 7 London days
    expect(explainDeadline(c.stage().response.extensions[0]!.working!)).toMatch(/^7 calendar days after/);
  });

  it('SPSO: the day of receipt is day 1, reminders at 09:00, Stage 2 without a Stage 1 outcome', () => {
    const c = complaint(spso2, '2026-12-07T10:00:00.000Z');
    expect(c.stage().response.dueAt).toBe('2026-12-11T23:59:59.999Z'); // version 1: the 14th
    expect(c.stage().response.working?.rule).toBe('working-days/receipt-day');
    const reminder = nextScheduledEvent(c.state, spso2, Date.parse('2026-12-07T10:00:00.000Z'))!;
    expect(iso(reminder.atMs)).toBe('2026-12-10T09:00:00.000Z');
    const escalated = c.run({ action: 'request-escalation', actor: officer } as never, '2026-12-08T10:00:00.000Z');
    expect(escalated).toMatchObject({ ok: true, events: [{ type: 'escalated', withoutOutcome: true }] });
  });
});

describe('Stage 1 to Stage 2 (the 2017 and 2020 procedures)', () => {
  it('goes to Stage 2 without a Stage 1 outcome when the frontline cannot resolve it', () => {
    for (const procedure of [mchp2020, socialWork2017]) {
      const c = complaint(procedure, '2026-12-07T10:00:00.000Z');
      const [escalated] = c.act({ action: 'request-escalation', actor: officer } as never, '2026-12-08T10:00:00.000Z');
      expect(escalated).toMatchObject({ type: 'escalated', from: 'stage-1', to: 'stage-2', withoutOutcome: true });
      expect(c.state.currentStage).toBe('stage-2');
      expect(c.stage().acknowledgement?.dueAt).toBe('2026-12-10T23:59:59.999Z'); // 3 working days, day 1 = 8 Dec
      expect(c.stage().response.dueAt).toBe('2027-01-08T23:59:59.999Z'); // 20 working days over Christmas
    }
  });

  it('the 2011 and first SPSO versions still need an outcome first', () => {
    for (const procedure of [dundee, spso]) {
      const c = complaint(procedure, '2026-12-07T10:00:00.000Z');
      const refused = c.run({ action: 'request-escalation', actor: officer } as never, '2026-12-08T10:00:00.000Z');
      expect(refused).toMatchObject({ ok: false, code: 'no-outcome-yet' });
    }
  });

  it('the 2020 request window: six months from the event or two months from the response, whichever is later', () => {
    const response = '2026-12-09T10:00:00.000Z';
    const outcome = { action: 'record-outcome', actor: officer, outcome: 'not-upheld' } as never;
    const noEvent = complaint(mchp2020, '2026-12-07T10:00:00.000Z');
    expect(noEvent.act(outcome, response)[0]).toMatchObject({ escalationWindowEndsAt: '2027-02-09T23:59:59.999Z' });
    const recentEvent = complaint(mchp2020, '2026-12-07T10:00:00.000Z', { eventOn: '2026-11-20' });
    expect(recentEvent.act(outcome, response)[0]).toMatchObject({ escalationWindowEndsAt: '2027-05-20T22:59:59.999Z' });
    const oldEvent = complaint(mchp2020, '2026-12-07T10:00:00.000Z', { eventOn: '2026-03-01' });
    expect(oldEvent.act(outcome, response)[0]).toMatchObject({ escalationWindowEndsAt: '2027-02-09T23:59:59.999Z' });
    const late = oldEvent.run({ action: 'request-escalation', actor: officer } as never, '2027-02-10T00:00:01.000Z');
    expect(late).toMatchObject({ ok: false, code: 'escalation-window-closed' });
  });
});

describe('extensions are bounded on every stage', () => {
  it('never more than a year past the original deadline, by days or to a date (2011 procedure, no maximum)', () => {
    const c = complaint(dundee, '2026-12-07T10:00:00.000Z'); // Level 1 response due 2026-12-21T10:00Z
    expect(c.stage().response.originalDueAt).toBe('2026-12-21T10:00:00.000Z');
    c.act(extend({ days: 200 }), '2026-12-08T10:00:00.000Z');
    expect(c.run(extend({ days: 200 }), '2026-12-08T11:00:00.000Z')).toMatchObject({ code: 'extension-too-long' });
    const lastDay = c.run(extend({ newDeadline: '2027-12-21T23:59:59.999Z' }), '2026-12-08T11:00:00.000Z');
    expect(lastDay.ok).toBe(true);
    const dayAfter = c.run(extend({ newDeadline: '2027-12-22T00:00:00.000Z' }), '2026-12-08T11:00:00.000Z');
    expect(dayAfter).toMatchObject({ ok: false, code: 'extension-too-long' });
    expect((dayAfter as { reason: string }).reason).toMatch(/more than a year past the original/);
  });

  it('a lawfully extended deadline is not overdue before its extended date, and met on time after the original', () => {
    const c = complaint(dundee, '2026-12-07T10:00:00.000Z');
    c.act({ action: 'acknowledge', actor: officer } as never, '2026-12-08T10:00:00.000Z');
    c.act(extend({ days: 10 }), '2026-12-20T10:00:00.000Z'); // due 2026-12-31T10:00Z
    const fired: string[] = [];
    for (let now = Date.parse('2026-12-20T10:00:00.000Z'); ;) {
      const next = nextScheduledEvent(c.state, dundee, now);
      if (!next || next.atMs > Date.parse('2026-12-31T09:00:00.000Z')) break;
      now = Math.max(now, next.atMs);
      c.apply([next.event], iso(now));
      fired.push(next.event.type);
    }
    expect(fired).toEqual(['reminder-issued']);
    expect(isOverdue(c.state)).toBe(false);
    c.act({ action: 'record-outcome', actor: officer, outcome: 'upheld' } as never, '2026-12-31T09:00:00.000Z');
    expect(c.stage().response.onTime).toBe(true);
    expect(allResponsesOnTime(c.state)).toBe(true);
  });
});

describe('deadlinesUnderCalendar (what a calendar change re-times)', () => {
  it('counts pending deadlines again under a new calendar, extensions applied in turn; met ones are left', () => {
    const c = complaint(mchp2020, '2026-12-07T10:00:00.000Z');
    c.act(extend({ days: 2 }), '2026-12-08T10:00:00.000Z'); // 11 → 15 December
    const closure = [...HOLIDAYS, '2026-12-09'];
    const stage = mchp2020.stages[0]!;
    const counted = deadlinesUnderCalendar(c.stage(), stage, mchp2020, closure, { '2026-12-09': 'Council closure' });
    expect(counted.acknowledgement).toBeUndefined();
    expect(counted.response?.dueAt).toBe('2026-12-16T23:59:59.999Z');
    c.act({ action: 'record-outcome', actor: officer, outcome: 'upheld' } as never, '2026-12-10T10:00:00.000Z');
    expect(deadlinesUnderCalendar(c.stage(), stage, mchp2020, closure).response).toBeUndefined();
  });
});

describe('a calendar change re-explains what it moves (patch calendar-explains-deadlines)', () => {
  it('the moved deadline, extension included, carries its new working; passed and met ones keep theirs', () => {
    const c = complaint(mchp2020, '2026-12-07T10:00:00.000Z'); // due Friday 11 December
    c.act(extend({ days: 2 }), '2026-12-08T10:00:00.000Z'); // to Tuesday 15 December
    const [updated] = c.act(
      { action: 'update-calendar', actor: manager, add: ['2026-12-14'] } as never,
      '2026-12-08T11:00:00.000Z',
    );
    expect(updated).toMatchObject({
      type: 'calendar-updated',
      added: ['2026-12-14'],
      responseDueAt: '2026-12-16T23:59:59.999Z',
      responseWorking: { rule: 'working-days/day-after-receipt/extension', lastDay: '2026-12-16' },
    });
    const extension = c.stage().response.extensions[0]!;
    expect(extension.working?.skipped).toContainEqual({ date: '2026-12-14', why: 'holiday' });
    expect(explainDeadline(extension.working!)).toMatch(/to the end of Wednesday 16 December 2026/);
    // A day before the stage's own count: the stage's working is counted again too when nothing extended it.
    const plain = complaint(mchp2020, '2026-12-07T10:00:00.000Z');
    plain.act({ action: 'update-calendar', actor: manager, add: ['2026-12-08'] } as never, '2026-12-07T11:00:00.000Z');
    expect(plain.stage().response).toMatchObject({
      dueAt: '2026-12-14T23:59:59.999Z',
      working: { lastDay: '2026-12-14', skipped: [{ date: '2026-12-08', why: 'holiday' }, {}, {}] },
    });
  });

  it('before the patch: the dates move as they did, unexplained', () => {
    const c = complaint(mchp2020, '2026-12-07T10:00:00.000Z');
    const command = { action: 'update-calendar', actor: manager, add: ['2026-12-08'] } as never;
    const decision = decide(c.state, command, Date.parse('2026-12-07T11:00:00.000Z'), mchp2020, {
      calendarExplainsDeadlines: false,
    });
    expect(decision).toMatchObject({ ok: true, events: [{ responseDueAt: '2026-12-14T23:59:59.999Z' }] });
    expect(decision.ok && decision.events[0]).not.toHaveProperty('responseWorking');
  });
});

describe('every version explains its deadlines (explainedState, for the API and the audit timeline)', () => {
  it('the first published versions, which record none, are explained by counting again', () => {
    const c = complaint(dundee, '2026-06-01T23:30:00.000Z');
    c.act(extend({ days: 7 }), '2026-06-02T10:00:00.000Z');
    expect(c.stage().response.working).toBeUndefined();
    const stage = explainedState(c.state, dundee).stages[0]!;
    expect(stage.acknowledgement?.working).toMatchObject({ rule: 'calendar-days/exact-24-hours', days: 5 });
    expect(explainDeadline(stage.response.working!)).toBe('14 days of 24 hours from 2026-06-01T23:30:00.000Z');
    expect(stage.response.extensions[0]?.working).toMatchObject({ rule: 'calendar-days/exact-24-hours/extension' });
    const spsoStage = explainedState(complaint(spso, '2026-12-07T10:00:00.000Z').state, spso).stages[0]!;
    expect(spsoStage.response.working).toMatchObject({
      rule: 'working-days/day-after-receipt',
      firstDay: '2026-12-08',
    });
    expect(c.stage().response.working).toBeUndefined(); // a copy: the state itself is untouched
  });

  it('a deadline counting again cannot reproduce (an agreed date, a kept one) stays unexplained', () => {
    const c = complaint(dundee, '2026-06-01T10:00:00.000Z');
    c.act(extend({ newDeadline: '2026-07-01T12:00:00.000Z' }), '2026-06-02T10:00:00.000Z');
    const stage = explainedState(c.state, dundee).stages[0]!;
    expect(stage.response.working).toBeDefined(); // the stage's own count, which the agreed date replaced
    expect(stage.response.extensions[0]?.working).toBeUndefined();
    const moved = { ...c.state, holidays: [] };
    moved.stages = [
      { ...c.stage(), acknowledgement: { ...c.stage().acknowledgement!, dueAt: '2026-06-09T10:00:00.000Z' } },
    ];
    expect(explainedState(moved, dundee).stages[0]?.acknowledgement?.working).toBeUndefined();
  });
});

describe('how we worked this out (letters and the audit timeline)', () => {
  it('one sentence: rule, day 1, the last day, the weekends and the named holidays not counted', () => {
    const c = complaint(mchp2020, '2026-12-24T10:00:00.000Z');
    expect(explainDeadline(c.stage().response.working!)).toBe(
      '5 working days, counting Thursday 24 December 2026 as day 1, to the end of Tuesday 5 January 2027 (UK time); ' +
        'not counted: 4 weekend days, Christmas Day (25 December 2026), Boxing Day (substitute day) (28 December 2026), ' +
        'a holiday (1 January 2027), a holiday (4 January 2027)',
    );
  });

  it('the acknowledgement letter and the reminders carry it; the first published versions have none', () => {
    const c = complaint(mchp2020, '2026-12-07T10:00:00.000Z');
    c.act({ action: 'request-escalation', actor: officer } as never, '2026-12-08T10:00:00.000Z');
    const [acknowledged] = c.act({ action: 'acknowledge', actor: officer } as never, '2026-12-08T11:00:00.000Z');
    c.state.details.complainant.email = 'pat@example.org';
    const entry = c.state.timeline.at(-1)!;
    expect(acknowledged?.type).toBe('acknowledged');
    expect(noticeFor(entry, c.state, mchp2020)?.dueAtExplained).toMatch(
      /^20 working days, counting Tuesday 8 December 2026 as day 1, to the end of Friday 8 January 2027/,
    );
    const reminder = nextScheduledEvent(c.state, mchp2020, Date.parse('2026-12-08T11:00:00.000Z'))!;
    c.apply([reminder.event], iso(reminder.atMs));
    expect(noticeFor(c.state.timeline.at(-1)!, c.state, mchp2020)?.dueAtExplained).toMatch(/^20 working days/);

    const old = complaint(dundee, '2026-12-07T10:00:00.000Z');
    old.state.details.complainant.email = 'pat@example.org';
    old.act({ action: 'acknowledge', actor: officer } as never, '2026-12-08T11:00:00.000Z');
    expect(noticeFor(old.state.timeline.at(-1)!, old.state, dundee)?.dueAtExplained).toBeUndefined();
  });
});
