import { describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../domain/calendar';
import { ScenarioClock } from '../../devtools/scenario-replay/clock';
import { parseScenario, scenarioDays } from '../../devtools/scenario-replay/format';

// Why the replay's days start a little earlier in the day each day (devtools/scenario-replay/clock.ts): a day's events take real
// time on the time-skipping server, and an action on its deadline day must still be on time.

describe('scenario clock', () => {
  const clock = new ScenarioClock(Date.parse('2026-01-01T09:00:00Z'), 400);

  it('keeps every day inside its 24 hours, so [start, start + n days) holds exactly days 0 … n-1', () => {
    for (const day of [0, 1, 200, 364, 400]) {
      expect(clock.dayStartsAt(day)).toBeGreaterThanOrEqual(clock.afterDays(day));
      expect(clock.dayStartsAt(day) + clock.stepMs).toBeLessThan(clock.afterDays(day + 1));
    }
  });

  it('makes "n days after an event" on time on day s + n and late on day s + n + 1, however the margin is used', () => {
    for (const [s, n] of [
      [0, 5],
      [10, 14],
      [300, 28],
      [399, 1],
    ] as const) {
      const reference = clock.dayStartsAt(s) + clock.stepMs - 1; // as late in its day as the margin allows
      const deadline = reference + n * MS_PER_DAY;
      expect(clock.dayStartsAt(s + n) + clock.stepMs - 1).toBeLessThanOrEqual(deadline);
      if (s + n + 1 <= 400) expect(clock.dayStartsAt(s + n + 1)).toBeGreaterThan(deadline);
    }
    expect(clock.withinMargin(3, clock.dayStartsAt(3) + clock.stepMs - 1)).toBe(true);
    expect(clock.withinMargin(3, clock.dayStartsAt(3) + clock.stepMs)).toBe(false);
  });
});

describe('scenario days', () => {
  /** A scenario file's complaint, as little of one as the format allows. */
  const complaint = (ref: string, receivedDay: number, events: unknown[]) => ({
    ref,
    receivedDay,
    level: 'level-1',
    serviceArea: 'general',
    category: 'other',
    channel: 'letter',
    complainant: { name: 'P' },
    summary: 's',
    events,
  });

  it('orders each day: complaints in file order with their receipt and events in listed order, then compliments', () => {
    const scenario = parseScenario({
      policy: 'dundee-swd-2011',
      periodDays: 10,
      complaints: [
        complaint('A-001', 1, [
          { day: 1, type: 'acknowledge' },
          { day: 3, type: 'outcome', outcome: 'upheld' },
        ]),
        complaint('B-001', 1, [{ day: 3, type: 'acknowledge' }]),
      ],
      compliments: [{ day: 3, serviceArea: 'general', team: 't', summary: 's' }],
    });
    const days = scenarioDays(scenario).map(({ day, steps }) => [
      day,
      steps.map((step) =>
        step.kind === 'compliment'
          ? 'compliment'
          : `${step.complaint.ref}:${step.kind === 'receive' ? 'receive' : step.event.type}`,
      ),
    ]);
    expect(days).toEqual([
      [1, ['A-001:receive', 'A-001:acknowledge', 'B-001:receive']],
      [3, ['A-001:outcome', 'B-001:acknowledge', 'compliment']],
    ]);
  });

  it('refuses events out of order, duplicate refs and unknown procedures', () => {
    const base = { policy: 'dundee-swd-2011', periodDays: 10, compliments: [] };
    const early = complaint('A-001', 5, [{ day: 4, type: 'acknowledge' }]);
    expect(() => parseScenario({ ...base, complaints: [early] })).toThrow(/time order/);
    const twice = [complaint('A-001', 5, []), complaint('A-001', 5, [])];
    expect(() => parseScenario({ ...base, complaints: twice })).toThrow(/duplicate ref/);
    expect(() => parseScenario({ ...base, policy: 'nope', complaints: [] })).toThrow(/unknown procedure/);
  });
});
