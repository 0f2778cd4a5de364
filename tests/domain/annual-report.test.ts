import { describe, expect, it } from 'vitest';
import { annualReport, percentage, type ComplimentRecord } from '../../domain/annual-report';
import type { ServiceArea } from '../../domain/vocabulary';
import { complaintTimeline, type TimelineOptions, type TimelineStep } from '../support/complaint-timelines';

// The counting rules of the report format (shared/scenarios/README.md), one at a time, on complaints run through
// the real rules (decide / applyEvent / the clock's scheduled events) without Temporal.

const DAY = 86_400_000;
const START = Date.parse('2011-01-01T00:00:00Z');
const PERIOD = { from: new Date(START).toISOString(), to: new Date(START + 365 * DAY).toISOString() };

type Step = TimelineStep;

const complaint = (ref: string, day: number, steps: Step[], options: Omit<TimelineOptions, 'start'> = {}) =>
  complaintTimeline(ref, day, steps, { start: START, ...options });

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
