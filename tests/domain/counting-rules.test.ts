import { describe, expect, it } from 'vitest';
import {
  addDays,
  countDeadline,
  endOfLondonDayMonthsAfter,
  extendDeadline,
  londonTimeOn,
  workingDayBefore,
  type CountingRule,
  type DayKind,
} from '../../domain/calendar';
import { PUBLISHED_2011_COUNTING } from '../../domain/procedure';
import { scottishPublicHolidays } from '../../domain/scottish-holidays';

// The counting rules as procedure data (domain/calendar.ts countDeadline), on the real Scottish calendar.
const SCOTLAND = scottishPublicHolidays(2024, 2027);
const SPSO: CountingRule = { working: 'receipt-day', calendar: 'end-of-london-day' };
const count = (from: string, days: number, kind: DayKind = 'working', rule = SPSO) =>
  countDeadline(Date.parse(from), { days, kind }, rule, SCOTLAND, { '2026-12-25': 'Christmas Day' });
const due = (from: string, days: number, kind: DayKind = 'working', rule = SPSO) =>
  new Date(count(from, days, kind, rule).dueAtMs).toISOString();
const skipped = (from: string, days: number) => count(from, days).working.skipped.map((s) => `${s.date} ${s.why}`);

describe('working days, the day of receipt is day 1 (the SPSO procedures)', () => {
  it('received on a working day: that day is day 1, the deadline the end of day 5 (GMT)', () => {
    expect(due('2026-12-07T10:00:00Z', 5)).toBe('2026-12-11T23:59:59.999Z');
    expect(count('2026-12-07T10:00:00Z', 5).working).toMatchObject({
      rule: 'working-days/receipt-day',
      firstDay: '2026-12-07',
      lastDay: '2026-12-11',
      skipped: [],
    });
  });

  it('received on a Saturday: Monday is day 1, the weekend is skipped', () => {
    expect(due('2026-12-05T10:00:00Z', 5)).toBe('2026-12-11T23:59:59.999Z');
    expect(count('2026-12-05T10:00:00Z', 5).working.firstDay).toBe('2026-12-07');
    expect(skipped('2026-12-05T10:00:00Z', 5)).toEqual(['2026-12-05 weekend', '2026-12-06 weekend']);
  });

  it('received late at night: 23:30 UTC on 1 June is 00:30 on 2 June in London, so 2 June is day 1 (BST)', () => {
    expect(due('2026-06-01T23:30:00Z', 5)).toBe('2026-06-08T22:59:59.999Z');
    expect(count('2026-06-01T23:30:00Z', 5).working.firstDay).toBe('2026-06-02');
    expect(due('2026-06-01T22:59:00Z', 5)).toBe('2026-06-05T22:59:59.999Z'); // 23:59 BST on 1 June
  });

  it('Christmas and New Year 2026-27: Boxing Day and 2 January fall on Saturdays, their substitutes are skipped', () => {
    expect(due('2026-12-24T10:00:00Z', 5)).toBe('2027-01-05T23:59:59.999Z');
    expect(count('2026-12-24T10:00:00Z', 5).working.skipped).toEqual([
      { date: '2026-12-25', why: 'holiday', name: 'Christmas Day' },
      { date: '2026-12-26', why: 'weekend' },
      { date: '2026-12-27', why: 'weekend' },
      { date: '2026-12-28', why: 'holiday' },
      { date: '2027-01-01', why: 'holiday' },
      { date: '2027-01-02', why: 'weekend' },
      { date: '2027-01-03', why: 'weekend' },
      { date: '2027-01-04', why: 'holiday' },
    ]);
  });

  it('Easter 2027: Good Friday is skipped, Easter Monday is a working day in Scotland (BST from 28 March)', () => {
    expect(due('2027-03-25T10:00:00Z', 5)).toBe('2027-04-01T22:59:59.999Z');
    expect(skipped('2027-03-25T10:00:00Z', 5)).toEqual([
      '2027-03-26 holiday',
      '2027-03-27 weekend',
      '2027-03-28 weekend',
    ]);
  });

  it('the first Monday of August is the Scottish summer bank holiday', () => {
    expect(due('2026-07-31T10:00:00Z', 3)).toBe('2026-08-05T22:59:59.999Z');
    expect(skipped('2026-07-31T10:00:00Z', 3)).toContain('2026-08-03 holiday');
  });

  it("St Andrew's Day on a Sunday (2025) and a Saturday (2024): the Monday after is skipped", () => {
    expect(due('2025-11-28T10:00:00Z', 2)).toBe('2025-12-02T23:59:59.999Z');
    expect(skipped('2025-11-28T10:00:00Z', 2)).toContain('2025-12-01 holiday');
    expect(due('2024-11-29T10:00:00Z', 2)).toBe('2024-12-03T23:59:59.999Z');
    expect(skipped('2024-11-29T10:00:00Z', 2)).toContain('2024-12-02 holiday');
  });

  it('both clock changes: the deadline is 23:59:59 London whichever side of the change it falls', () => {
    expect(due('2026-03-27T10:00:00Z', 5)).toBe('2026-04-02T22:59:59.999Z'); // GMT → BST on 29 March
    expect(due('2026-10-23T10:00:00Z', 3)).toBe('2026-10-27T23:59:59.999Z'); // BST → GMT on 25 October
  });

  it('a holiday of the council calendar is skipped like a bank holiday', () => {
    const withClosure = countDeadline(Date.parse('2026-12-07T10:00:00Z'), { days: 5, kind: 'working' }, SPSO, [
      ...SCOTLAND,
      '2026-12-09',
    ]);
    expect(new Date(withClosure.dueAtMs).toISOString()).toBe('2026-12-14T23:59:59.999Z');
    expect(withClosure.working.skipped.map((s) => s.date)).toContain('2026-12-09');
  });

  it('is the earlier deadline of the two readings: never later than day 1 = the day after receipt', () => {
    for (let day = 0; day < 60; day++) {
      const from = Date.parse('2026-11-20T09:30:00Z') + day * 86_400_000;
      for (const n of [3, 5, 10, 20]) {
        const receiptDay = countDeadline(from, { days: n, kind: 'working' }, SPSO, SCOTLAND).dueAtMs;
        expect(receiptDay).toBeLessThanOrEqual(addDays(from, { days: n, kind: 'working' }, SCOTLAND));
      }
    }
  });
});

describe('calendar days, the day of receipt is day 0', () => {
  it('the end of the Nth London day after, not N × 24 hours from the minute it arrived', () => {
    expect(due('2026-03-27T10:00:00Z', 5, 'calendar')).toBe('2026-04-01T22:59:59.999Z'); // across the spring change
    expect(due('2026-10-23T10:00:00Z', 3, 'calendar')).toBe('2026-10-26T23:59:59.999Z'); // across the autumn change
    expect(due('2026-06-01T23:30:00Z', 14, 'calendar')).toBe('2026-06-16T22:59:59.999Z'); // 2 June in London
    expect(due('2026-12-20T12:00:00Z', 5, 'calendar')).toBe('2026-12-25T23:59:59.999Z'); // holidays count
    expect(count('2026-12-20T12:00:00Z', 5, 'calendar').working).toMatchObject({
      rule: 'calendar-days/end-of-london-day',
      firstDay: '2026-12-20',
      lastDay: '2026-12-25',
      skipped: [],
    });
  });
});

describe('the rule of the first published versions (no `counting` in the procedure)', () => {
  it('is exactly addDays: N × 24 h for calendar days, day 1 the working day after receipt', () => {
    for (let day = 0; day < 40; day++) {
      const from = Date.parse('2026-12-01T16:45:00Z') + day * 86_400_000;
      for (const days of [0, 1, 3, 5, 14, 20, 28]) {
        for (const kind of ['working', 'calendar'] as const) {
          const counted = countDeadline(from, { days, kind }, PUBLISHED_2011_COUNTING, SCOTLAND);
          expect(counted.dueAtMs).toBe(addDays(from, { days, kind }, SCOTLAND));
        }
      }
    }
    expect(due('2026-12-07T10:00:00Z', 5, 'working', PUBLISHED_2011_COUNTING)).toBe('2026-12-14T23:59:59.999Z');
    expect(count('2026-12-07T10:00:00Z', 5, 'working', PUBLISHED_2011_COUNTING).working.firstDay).toBe('2026-12-08');
  });
});

describe('extensions, reminders and months', () => {
  it('an extension by working days counts from the day after the deadline it moves', () => {
    const friday = Date.parse('2026-12-11T23:59:59.999Z');
    const extended = extendDeadline(friday, { days: 5, kind: 'working' }, SPSO, SCOTLAND);
    expect(new Date(extended.dueAtMs).toISOString()).toBe('2026-12-18T23:59:59.999Z');
    expect(extended.working).toMatchObject({
      rule: 'working-days/day-after-receipt/extension',
      firstDay: '2026-12-14',
    });
    const calendar = extendDeadline(friday, { days: 3, kind: 'calendar' }, SPSO, SCOTLAND);
    expect(new Date(calendar.dueAtMs).toISOString()).toBe('2026-12-14T23:59:59.999Z');
  });

  it('the working day before a deadline, over a weekend and a holiday', () => {
    expect(workingDayBefore('2026-12-14', 1, SCOTLAND)).toBe('2026-12-11'); // Monday → Friday
    expect(workingDayBefore('2026-12-29', 1, SCOTLAND)).toBe('2026-12-24'); // over Christmas and its substitute
    expect(workingDayBefore('2026-12-29', 0, SCOTLAND)).toBe('2026-12-29');
    expect(workingDayBefore('2026-12-27', 0, SCOTLAND)).toBe('2026-12-24'); // a Sunday: the working day before
  });

  it('09:00 London is 09:00Z in winter and 08:00Z in summer', () => {
    expect(new Date(londonTimeOn('2026-12-11', '09:00')).toISOString()).toBe('2026-12-11T09:00:00.000Z');
    expect(new Date(londonTimeOn('2026-06-05', '09:00')).toISOString()).toBe('2026-06-05T08:00:00.000Z');
    expect(new Date(londonTimeOn('2026-03-30', '09:00')).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('months end on the same day of the month, or the last day of a shorter one', () => {
    expect(new Date(endOfLondonDayMonthsAfter('2026-01-15', 2)).toISOString()).toBe('2026-03-15T23:59:59.999Z');
    expect(new Date(endOfLondonDayMonthsAfter('2026-08-31', 6)).toISOString()).toBe('2027-02-28T23:59:59.999Z');
    expect(new Date(endOfLondonDayMonthsAfter('2027-12-31', 2)).toISOString()).toBe('2028-02-29T23:59:59.999Z');
    expect(new Date(endOfLondonDayMonthsAfter('2026-04-30', 2)).toISOString()).toBe('2026-06-30T22:59:59.999Z');
  });
});
