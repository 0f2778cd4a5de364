import { describe, expect, it } from 'vitest';
import { annualReport, percentage, spsoIndicators, type ComplimentRecord } from '../../domain/annual-report';
import type { ComplaintCommand } from '../../domain/actions';
import {
  applyEvent,
  decide,
  initialState,
  nextScheduledEvent,
  receiveComplaint,
  type ComplaintState,
  type TimelineEntry,
} from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import type { Category, ServiceArea } from '../../domain/vocabulary';

// The counting rules of the report format (shared/scenarios/README.md), one at a time, on complaints run through
// the real rules (decide / applyEvent / the clock's scheduled events) without Temporal.

const DAY = 86_400_000;
const START = Date.parse('2011-01-01T00:00:00Z');
const PERIOD = { from: new Date(START).toISOString(), to: new Date(START + 365 * DAY).toISOString() };
const officer = { id: 'officer', role: 'manager' };

type Step = [day: number, command: Omit<ComplaintCommand, 'actor'> & Record<string, unknown>];

/** A complaint received on `day`, then the commands on their days, with every timer firing in between. */
function complaint(
  ref: string,
  day: number,
  steps: Step[],
  options: {
    procedure?: string;
    serious?: boolean;
    serviceArea?: ServiceArea;
    category?: Category;
    until?: number;
  } = {},
): TimelineEntry[] {
  const procedure = getProcedure({ id: options.procedure ?? 'dundee-swd-2011', version: 1 });
  const at = START + day * DAY;
  const first = receiveComplaint({
    ref,
    procedure,
    receivedAtMs: at,
    holidays: [],
    details: {
      complainant: { name: 'Pat' },
      serviceArea: options.serviceArea ?? 'community-care',
      category: options.category ?? 'delay',
      channel: 'letter',
      summary: 's',
      serious: options.serious ?? false,
    },
  });
  const state: ComplaintState = initialState({ ...first, seq: 1, at: new Date(at).toISOString(), actor: officer });
  const record = (event: TimelineEntry | Omit<TimelineEntry, 'seq' | 'at' | 'actor'>, atMs: number) =>
    applyEvent(state, {
      ...event,
      seq: state.timeline.length + 1,
      at: new Date(atMs).toISOString(),
      actor: officer,
    } as TimelineEntry);
  const runClockUntil = (untilMs: number) => {
    for (
      let next = nextScheduledEvent(state, procedure, untilMs);
      next && next.atMs <= untilMs;
      next = nextScheduledEvent(state, procedure, untilMs)
    ) {
      record(next.event as TimelineEntry, next.atMs);
    }
  };
  for (const [stepDay, command] of steps) {
    const now = START + stepDay * DAY;
    runClockUntil(now - 1);
    const decision = decide(state, { ...command, actor: officer } as ComplaintCommand, now, procedure);
    if (!decision.ok) throw new Error(`${ref} day ${stepDay}: ${decision.reason}`);
    for (const event of decision.events) record(event as TimelineEntry, now);
  }
  runClockUntil(START + (options.until ?? 400) * DAY);
  return state.timeline;
}

const ack: Step[1] = { action: 'acknowledge' };
const outcome = (value: string): Step[1] => ({ action: 'record-outcome', outcome: value });
const compliment = (serviceArea: ServiceArea, day: number): ComplimentRecord => ({
  id: `${serviceArea}-${day}`,
  serviceArea,
  team: 't',
  receivedAt: new Date(START + day * DAY).toISOString(),
  summary: 's',
});

describe('annual report', () => {
  it('counts complaints received in the period only, each once, as they stood at its end', () => {
    const report = annualReport({
      period: PERIOD,
      timelines: [
        complaint('IN', 10, [
          [12, ack],
          [20, outcome('upheld')],
        ]),
        complaint('BEFORE', -5, [
          [1, ack],
          [2, outcome('upheld')],
        ]),
        complaint('AFTER', 365, [[366, ack]]),
        // Outcome recorded after the period ends: ongoing in this report.
        complaint('LATE', 360, [
          [361, ack],
          [370, outcome('not-upheld')],
        ]),
      ],
      compliments: [],
      procedures: [{ id: 'dundee-swd-2011', version: 1 }],
    });
    expect(report.total).toBe(2);
    expect(report.outcomes).toEqual({ upheld: 1, 'partially-upheld': 0, 'not-upheld': 0, ongoing: 1, withdrawn: 0 });
    expect(report.byLevel).toEqual({ 'level-1': 2, 'level-2': 0, 'director-review': 0, committee: 0 });
  });

  it('counts each complaint at the highest stage it reached, and escalations to the committee as hearings', () => {
    const report = annualReport({
      period: PERIOD,
      timelines: [
        complaint(
          'BYPASS',
          1,
          [
            [2, ack],
            [5, outcome('not-upheld')],
            [6, { action: 'request-escalation', to: 'committee', bypass: true }],
            [7, ack],
          ],
          { serious: true },
        ),
        complaint('ESCALATED', 1, [
          [2, ack],
          [5, outcome('not-upheld')],
          [6, { action: 'request-escalation' }],
          [7, ack],
          [10, outcome('upheld')],
        ]),
      ],
      compliments: [],
    });
    expect(report.byLevel).toEqual({ 'level-1': 0, 'level-2': 1, 'director-review': 0, committee: 1 });
    expect(report.committeeHearings).toBe(1);
    // The escalated complaint stands at its level-2 outcome; the committee has none yet.
    expect(report.outcomes).toMatchObject({ upheld: 1, ongoing: 1 });
  });

  it('shares of concluded complaints, one decimal half up; null with nothing concluded', () => {
    expect(percentage(18, 52)).toBe(34.6);
    expect(percentage(1, 16)).toBe(6.3); // 6.25 → half up
    expect(percentage(1, 3)).toBe(33.3);
    expect(percentage(2, 3)).toBe(66.7);
    expect(percentage(0, 0)).toBeNull();
    const empty = annualReport({ period: PERIOD, timelines: [complaint('OPEN', 360, [])], compliments: [] });
    expect(empty.upheldPercent).toBeNull();
    expect(empty.completedOnTime).toEqual({ met: 0, of: 0, percent: null });
  });

  it('acknowledgements: late or overdue at any stage is missed; withdrawn complaints and ones not yet due are not counted', () => {
    const report = annualReport({
      period: PERIOD,
      timelines: [
        complaint('ON-TIME', 1, [[6, ack]]), // on the deadline day: on time
        complaint('LATE', 1, [[7, ack]]),
        complaint('OVERDUE', 100, []),
        complaint('NOT-DUE', 362, []), // due after the period ends
        complaint('WITHDRAWN', 1, [[9, { action: 'withdraw' }]]),
        complaint('LATE-AT-LEVEL-2', 1, [
          [2, ack],
          [5, outcome('not-upheld')],
          [6, { action: 'request-escalation' }],
          [12, ack],
        ]),
      ],
      compliments: [],
    });
    expect(report.acknowledgedOnTime).toEqual({ met: 1, of: 4, percent: 25 });
    expect(report.outcomes.withdrawn).toBe(1);
  });

  it('completion: every stage answered on time, extensions counted; only concluded complaints', () => {
    const report = annualReport({
      period: PERIOD,
      timelines: [
        complaint('DEADLINE-DAY', 1, [
          [2, ack],
          [15, outcome('upheld')],
        ]),
        complaint('EXTENDED', 1, [
          [2, ack],
          [10, { action: 'grant-extension', days: 14, reason: 'complex case', agreedWithComplainant: true }],
          [25, outcome('not-upheld')],
        ]),
        complaint('LATE', 1, [
          [2, ack],
          [16, outcome('not-upheld')],
        ]),
        complaint('LATE-AT-LEVEL-1-THEN-ESCALATED', 1, [
          [2, ack],
          [16, outcome('not-upheld')],
          [17, { action: 'request-escalation' }],
          [18, ack],
          [20, outcome('partially-upheld')],
        ]),
        complaint('ONGOING', 300, [[301, ack]]),
      ],
      compliments: [],
    });
    expect(report.completedOnTime).toEqual({ met: 2, of: 4, percent: 50 });
    expect(report.extensions).toBe(1);
    expect(report.upheldPercent).toBe(25);
    expect(report.notUpheldPercent).toBe(50);
  });

  it('leaves out service areas, categories and compliment areas with nothing in them', () => {
    const report = annualReport({
      period: PERIOD,
      timelines: [complaint('A', 1, [], { serviceArea: 'general', category: 'decision' })],
      compliments: [
        compliment('community-care', 3),
        compliment('community-care', 4),
        compliment('criminal-justice', 400),
      ],
    });
    expect(report.byServiceArea).toEqual({ general: 1 });
    expect(report.byCategory).toEqual({ decision: 1 });
    expect(report.compliments).toBe(2);
    expect(report.complimentsByServiceArea).toEqual({ 'community-care': 2 });
  });

  it('counts referrals to the Ombudsman', () => {
    const report = annualReport({
      period: PERIOD,
      timelines: [
        complaint(
          'SPSO',
          1,
          [
            [2, ack],
            [5, outcome('not-upheld')],
            [6, { action: 'request-escalation', to: 'committee', bypass: true }],
            [7, ack],
            [30, outcome('not-upheld')],
            [60, { action: 'refer-to-ombudsman' }],
          ],
          { serious: true },
        ),
      ],
      compliments: [],
    });
    expect(report.spsoReferrals).toBe(1);
    expect(report.outcomes['not-upheld']).toBe(1);
  });
});

describe('SPSO indicators', () => {
  it('closures per stage, working days, timescales, extensions and complaints per 1,000 population', () => {
    const spso = { procedure: 'spso-mchp' } as const;
    // 2011-01-03 is a Monday (day 2); no holidays in these complaints' calendars.
    const indicators = spsoIndicators({
      period: PERIOD,
      population: 150_000,
      timelines: [
        complaint('S1-FAST', 2, [[4, outcome('resolved')]], spso), // 2 working days
        complaint(
          'S1-SLOW',
          2,
          [
            [3, { action: 'grant-extension', days: 5, reason: 'complex case', agreedWithComplainant: false }],
            [13, outcome('upheld')],
          ],
          spso,
        ), // 9 working days
        complaint(
          'S2-DIRECT',
          2,
          [
            [3, ack],
            [30, outcome('not-upheld')],
          ],
          { ...spso, serious: true },
        ), // 20 working days
        complaint(
          'ESCALATED',
          2,
          [
            [5, outcome('not-upheld')],
            [6, { action: 'request-escalation' }],
            [7, ack],
            [9, outcome('upheld')],
          ],
          spso,
        ), // Fri → Mon: 1 working day
        complaint('DUNDEE', 2, [[3, ack]]),
      ],
    });
    expect(indicators.complaintsReceived).toBe(4);
    expect(indicators.complaintsPerThousandPopulation).toBe(0);
    expect(indicators.totalClosed).toBe(5);
    expect(indicators.stage1).toMatchObject({
      closed: 3,
      closedPercent: 60,
      averageWorkingDays: 4.7,
      timescaleWorkingDays: 5,
    });
    expect(indicators.stage1.outcomes).toEqual({ upheld: 1, 'partially-upheld': 0, 'not-upheld': 1, resolved: 1 });
    expect(indicators.stage1.closedWithinTimescale).toEqual({ met: 2, of: 3, percent: 66.7 });
    expect(indicators.stage1.extensionsAuthorised).toEqual({ met: 1, of: 3, percent: 33.3 });
    expect(indicators.stage2).toMatchObject({
      closed: 1,
      averageWorkingDays: 20,
      closedWithinTimescale: { met: 1, of: 1, percent: 100 },
    });
    expect(indicators.afterEscalation).toMatchObject({ closed: 1, averageWorkingDays: 1 });
  });
});
