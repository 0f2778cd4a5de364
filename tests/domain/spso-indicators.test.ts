import { describe, expect, it } from 'vitest';
import { workingDayNumber } from '../../domain/calendar';
import { scottishPublicHolidays } from '../../domain/scottish-holidays';
import { quartersOf, spsoClosures, spsoIndicators } from '../../domain/spso-indicators';
import { complaintTimeline, type TimelineOptions, type TimelineStep } from '../support/complaint-timelines';

// The Ombudsman's indicators (domain/spso-indicators.ts) over complaints worked out by hand on the real Scottish
// calendar of 2031: day 0 is Tuesday 1 April 2031, 10:00 London; Good Friday (11 April, day 10), the Early May
// bank holiday (5 May, day 34) are not working days. Every figure below is counted in the comment beside it.

const START = Date.parse('2031-04-01T09:00:00Z');
const PERIOD = { from: '2031-03-31T23:00:00.000Z', to: '2032-03-31T23:00:00.000Z' };
const HOLIDAYS = scottishPublicHolidays(2030, 2033);
const SPSO_2020 = { procedure: 'spso-mchp-2020', holidays: HOLIDAYS } as const;

const complaint = (ref: string, day: number, steps: TimelineStep[], options: Omit<TimelineOptions, 'start'> = {}) =>
  complaintTimeline(ref, day, steps, { start: START, holidays: HOLIDAYS, ...options });
const ack: TimelineStep[1] = { action: 'acknowledge' };
const outcome = (value: string, rootCauses?: string[]): TimelineStep[1] => ({
  action: 'record-outcome',
  outcome: value,
  ...(rootCauses ? { rootCauses } : {}),
});
const escalate: TimelineStep[1] = { action: 'request-escalation' };

const timelines = [
  // Stage 1, answered on the day of receipt (a working day): day 1 under the 2020 rule; within 5.
  complaint('A-SAME-DAY', 0, [[0, outcome('upheld', ['communication'])]], SPSO_2020),
  // Received Fri 4 Apr (day 1); Mon 7 = 2 ... Thu 10 = 5, Good Friday skipped, answered Mon 14 = 6: late.
  complaint('B-LATE', 3, [[13, outcome('partially-upheld')]], SPSO_2020),
  // Received Tue 1 Apr, extended by 5 working days on Thu 3, answered Wed 9 = day 7: extended, and outside the
  // 5-day timescale whatever the extension says.
  complaint(
    'C-EXTENDED',
    0,
    [
      [2, { action: 'grant-extension', days: 5, reason: 'complex case', agreedWithComplainant: false }],
      [8, outcome('not-upheld')],
    ],
    SPSO_2020,
  ),
  // Received Mon 7 Apr, resolved Wed 9 = day 3: a closure like the others.
  complaint('D-RESOLVED', 6, [[8, outcome('resolved')]], SPSO_2020),
  // Received on Good Friday (11 Apr, a holiday): day 1 is Mon 14; answered Fri 18 = day 5, within.
  complaint('E-HOLIDAY', 10, [[17, outcome('not-upheld')]], SPSO_2020),
  // Complex from the start (Stage 2): received Tue 1 Apr, answered Tue 29 Apr = day 20 (Good Friday skipped): within.
  complaint(
    'F-STAGE-2',
    0,
    [
      [1, ack],
      [28, outcome('not-upheld')],
    ],
    { ...SPSO_2020, serious: true },
  ),
  // Stage 1 answered Tue 22 Apr (day 2 from Mon 21); escalated Thu 24 Apr: Stage 2 counts from then, the Early May
  // holiday skipped, answered Fri 23 May = day 21: late (it would be 23 from the receipt).
  complaint(
    'G-ESCALATED',
    20,
    [
      [21, outcome('not-upheld')],
      [23, escalate],
      [24, ack],
      [52, outcome('upheld', ['delay'])],
    ],
    SPSO_2020,
  ),
  // Passed to Stage 2 without a Stage 1 outcome on Wed 16 Apr (after the Stage 1 deadline, Mon 14): no Stage 1
  // closure, so nothing late at Stage 1; Stage 2 from Wed 16, answered Mon 21 = day 4.
  complaint(
    'H-PASSED-ON',
    6,
    [
      [15, escalate],
      [16, ack],
      [20, outcome('partially-upheld', ['policy-or-procedure'])],
    ],
    SPSO_2020,
  ),
  // Received and withdrawn: received, no closure.
  complaint('I-WITHDRAWN', 0, [[2, { action: 'withdraw' }]], SPSO_2020),
  // Received Fri 20 Jun (Q1), answered Wed 2 Jul (Q2) = day 9: late, counted in Q2.
  complaint('J-NEXT-QUARTER', 80, [[92, outcome('upheld', ['delay', 'staff-attitude'])]], SPSO_2020),
  // Received Tue 30 Mar 2032, answered after the period's end: received, no closure.
  complaint('L-AFTER-END', 364, [[368, outcome('upheld')]], { ...SPSO_2020, until: 370 }),
  // Received under the 2011 procedure (calendar days: no indicators) on Thu 1 May, moved on Fri 2 May to the
  // 2016 model procedure (spso-mchp@1, its Stage 1 counted afresh from the move, day 1 the working day after it):
  // Mon 5 May is a holiday, Tue 6 = 1, answered Wed 7 = 2. Counted under spso-mchp@1, not the 2020 version.
  complaint('K-MIGRATED', 30, [
    [31, { action: 'migrate-procedure', to: 'spso-mchp@1', reason: 'moved to the model procedure' }],
    [36, outcome('upheld')],
  ]),
  // The 2011 procedure alone: no indicators.
  complaint('M-DUNDEE', 0, [[1, ack]]),
];

describe("the Ombudsman's indicators", () => {
  const indicators = spsoIndicators({ period: PERIOD, timelines, population: 50_000 });

  it('reports each working-day procedure version apart, each complaint under its own', () => {
    expect(indicators.procedures.map((entry) => `${entry.procedure.id}@${entry.procedure.version}`)).toEqual([
      'spso-mchp-2020@1',
      'spso-mchp@1',
    ]);
    const migrated = indicators.procedures[1]!.year;
    expect(migrated.received).toBe(1);
    expect(migrated.closures).toEqual({ 'stage-1': 1, 'stage-2': 0, escalated: 0, total: 1 });
    expect(migrated.averageWorkingDays['stage-1']).toBe(2);
    expect(migrated.withinTimescale['stage-1']).toEqual({ met: 1, of: 1, percent: 100 });
  });

  it('counts every bucket over the stages concluded in the period, by hand', () => {
    const entry = indicators.procedures[0]!;
    expect(entry.timescales).toEqual({ 'stage-1': 5, 'stage-2': 20, escalated: 20 });
    expect(entry.receivedPerThousand).toBe(0.2); // 11 of 50,000
    expect(entry.year).toStrictEqual({
      received: 11,
      closures: { 'stage-1': 7, 'stage-2': 1, escalated: 2, total: 10 },
      closureShare: { 'stage-1': 70, 'stage-2': 10, escalated: 20 },
      outcomes: {
        'stage-1': { upheld: 2, 'partially-upheld': 1, 'not-upheld': 3, resolved: 1 },
        'stage-2': { upheld: 0, 'partially-upheld': 0, 'not-upheld': 1, resolved: 0 },
        escalated: { upheld: 1, 'partially-upheld': 1, 'not-upheld': 0, resolved: 0 },
      },
      // Stage 1: 1 + 6 + 7 + 3 + 5 + 2 + 9 = 33 over 7; escalated: (21 + 4) / 2.
      averageWorkingDays: { 'stage-1': 4.7, 'stage-2': 20, escalated: 12.5 },
      withinTimescale: {
        'stage-1': { met: 4, of: 7, percent: 57.1 },
        'stage-2': { met: 1, of: 1, percent: 100 },
        escalated: { met: 1, of: 2, percent: 50 },
      },
      extended: {
        'stage-1': { count: 1, percent: 14.3 },
        'stage-2': { count: 0, percent: 0 },
        escalated: { count: 0, percent: 0 },
      },
      learning: { withRootCause: 4, closures: 10, actionsAgreed: 0, actionsCompleted: 0 },
    });
  });

  it('counts the working days of each closure by the procedure’s rule', () => {
    const days = Object.fromEntries(
      spsoClosures(timelines, PERIOD).map((closure) => [`${closure.ref}:${closure.bucket}`, closure.workingDays]),
    );
    expect(days).toEqual({
      'A-SAME-DAY:stage-1': 1,
      'B-LATE:stage-1': 6,
      'C-EXTENDED:stage-1': 7,
      'D-RESOLVED:stage-1': 3,
      'E-HOLIDAY:stage-1': 5,
      'F-STAGE-2:stage-2': 20,
      'G-ESCALATED:stage-1': 2,
      'G-ESCALATED:escalated': 21,
      'H-PASSED-ON:escalated': 4,
      'J-NEXT-QUARTER:stage-1': 9,
      'K-MIGRATED:stage-1': 2,
    });
  });

  it('splits the period into quarters that add up to the year', () => {
    const quarters = indicators.procedures[0]!.quarters;
    expect(quarters.map((quarter) => [quarter.label, quarter.from, quarter.to])).toEqual([
      ['Q1', '2031-03-31T23:00:00.000Z', '2031-06-30T23:00:00.000Z'],
      ['Q2', '2031-06-30T23:00:00.000Z', '2031-09-30T23:00:00.000Z'],
      ['Q3', '2031-09-30T23:00:00.000Z', '2032-01-01T00:00:00.000Z'],
      ['Q4', '2032-01-01T00:00:00.000Z', '2032-03-31T23:00:00.000Z'],
    ]);
    expect(quarters.map((quarter) => quarter.figures.received)).toEqual([10, 0, 0, 1]);
    expect(quarters.map((quarter) => quarter.figures.closures.total)).toEqual([9, 1, 0, 0]);
    expect(quarters[1]!.figures.withinTimescale['stage-1']).toEqual({ met: 0, of: 1, percent: 0 });
    expect(quarters[2]!.figures.averageWorkingDays['stage-1']).toBeNull();
    expect(quartersOf({ from: PERIOD.from, to: '2031-05-15T23:00:00.000Z' })).toHaveLength(1);
  });

  it('counts the improvement actions agreed for its complaints in the period, and those completed by its end', () => {
    const action = (id: string, ref: string, agreedAt: string, completedAt?: string) => ({
      id,
      ref,
      serviceArea: 'general' as const,
      what: 'Train the team',
      owner: 'officer.jones',
      dueDate: '2031-09-30',
      agreedAt,
      ...(completedAt ? { completion: { evidence: 'Done', by: 'officer.jones', at: completedAt } } : {}),
    });
    const actions = [
      action('IA-1', 'A-SAME-DAY', '2031-04-02T10:00:00Z', '2031-05-01T10:00:00Z'), // Q1, completed in Q1
      action('IA-2', 'B-LATE', '2031-04-20T10:00:00Z', '2032-06-01T10:00:00Z'), // Q1, completed after the year
      action('IA-3', 'A-SAME-DAY', '2031-07-02T10:00:00Z'), // Q2, open
      action('IA-4', 'K-MIGRATED', '2031-05-02T10:00:00Z', '2031-05-03T10:00:00Z'), // the other procedure's
      action('IA-5', 'A-SAME-DAY', '2032-04-02T10:00:00Z'), // after the period
    ];
    const counted = spsoIndicators({ period: PERIOD, timelines, actions });
    const [model2020, model2016] = counted.procedures;
    expect(model2020!.year.learning).toEqual({ withRootCause: 4, closures: 10, actionsAgreed: 3, actionsCompleted: 1 });
    expect(model2020!.quarters.map((quarter) => quarter.figures.learning.actionsAgreed)).toEqual([2, 1, 0, 0]);
    expect(model2016!.year.learning).toMatchObject({ actionsAgreed: 1, actionsCompleted: 1 });
  });

  it('gives no per-1,000 figure without a population, and nothing for calendar-day procedures', () => {
    const without = spsoIndicators({ period: PERIOD, timelines });
    expect(without.procedures[0]!.receivedPerThousand).toBeNull();
    expect(spsoIndicators({ period: PERIOD, timelines: [timelines.at(-1)!] }).procedures).toEqual([]);
  });
});

describe('working day numbers', () => {
  const at = (date: string) => Date.parse(`${date}T10:00:00+01:00`);
  const receiptDay = { working: 'receipt-day', calendar: 'end-of-london-day' } as const;
  const dayAfter = { working: 'day-after-receipt', calendar: 'exact-24-hours' } as const;

  it('numbers the day of a response as the deadline counts it', () => {
    expect(workingDayNumber(at('2031-04-01'), at('2031-04-01'), receiptDay, HOLIDAYS)).toBe(1);
    expect(workingDayNumber(at('2031-04-01'), at('2031-04-01'), dayAfter, HOLIDAYS)).toBe(0);
    expect(workingDayNumber(at('2031-04-04'), at('2031-04-14'), receiptDay, HOLIDAYS)).toBe(6);
    expect(workingDayNumber(at('2031-04-04'), at('2031-04-14'), dayAfter, HOLIDAYS)).toBe(5);
    // Received on a holiday: day 1 is the next working day.
    expect(workingDayNumber(at('2031-04-11'), at('2031-04-14'), receiptDay, HOLIDAYS)).toBe(1);
    // A response on a weekend or holiday counts as given on the next working day (never within a deadline it
    // missed): Sat 5 Apr is Mon 7's number; Sat 12 Apr, before Good Friday's Monday, Mon 14's.
    expect(workingDayNumber(at('2031-04-01'), at('2031-04-05'), receiptDay, HOLIDAYS)).toBe(5);
    expect(workingDayNumber(at('2031-04-01'), at('2031-04-12'), receiptDay, HOLIDAYS)).toBe(9);
  });
});
