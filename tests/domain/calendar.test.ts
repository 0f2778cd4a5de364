import { describe, it, expect } from 'vitest';
import {
  COUNCIL_TIME_ZONE,
  MS_PER_DAY,
  addDays,
  daysBetween,
  endOfLondonDay,
  isWorkingDay,
  isoDayOfWeek,
  londonDate,
  londonOffsetMinutes,
  shiftIsoDate,
  type DayCount,
  type HolidayCalendar,
} from '../../domain/calendar.js';

// Scottish bank/public holidays 2025–2026 (weekday dates, as gov.uk publishes them). Written out literally so
// these tests do not depend on the holiday library.
const SCOTLAND: HolidayCalendar = [
  '2025-01-01',
  '2025-01-02',
  '2025-04-18',
  '2025-05-05',
  '2025-05-26',
  '2025-08-04',
  '2025-12-01',
  '2025-12-25',
  '2025-12-26',
  '2026-01-01',
  '2026-01-02',
  '2026-04-03',
  '2026-05-04',
  '2026-05-25',
  '2026-08-03',
  '2026-11-30',
  '2026-12-25',
  '2026-12-28',
];
const NONE: HolidayCalendar = [];

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const working = (days: number): DayCount => ({ days, kind: 'working' });
const calendar = (days: number): DayCount => ({ days, kind: 'calendar' });
/** Deadline of `days` working days from `from`, as an ISO instant string. */
const wd = (from: string, days: number, holidays: HolidayCalendar = SCOTLAND): string =>
  iso(addDays(at(from), working(days), holidays));

describe('constants', () => {
  it('uses the Europe/London zone and a 24 h day', () => {
    expect(COUNCIL_TIME_ZONE).toBe('Europe/London');
    expect(MS_PER_DAY).toBe(86_400_000);
  });
});

describe('londonDate', () => {
  it('winter (GMT): London date equals the UTC date around midnight', () => {
    expect(londonDate(at('2026-01-15T23:59:59.999Z'))).toBe('2026-01-15');
    expect(londonDate(at('2026-01-16T00:00:00.000Z'))).toBe('2026-01-16');
    expect(londonDate(at('2025-12-31T23:59:59.999Z'))).toBe('2025-12-31');
    expect(londonDate(at('2026-01-01T00:00:00.000Z'))).toBe('2026-01-01');
  });

  it('summer (BST): the London day starts at 23:00Z the evening before', () => {
    expect(londonDate(at('2026-07-01T22:59:59.999Z'))).toBe('2026-07-01');
    expect(londonDate(at('2026-07-01T23:00:00.000Z'))).toBe('2026-07-02');
    expect(londonDate(at('2026-07-01T23:30:00.000Z'))).toBe('2026-07-02');
    expect(londonDate(at('2026-07-02T00:00:00.000Z'))).toBe('2026-07-02');
  });

  it('on the spring-forward and fall-back days', () => {
    expect(londonDate(at('2026-03-28T23:59:59.999Z'))).toBe('2026-03-28'); // still GMT
    expect(londonDate(at('2026-03-29T00:59:59.999Z'))).toBe('2026-03-29');
    expect(londonDate(at('2026-03-29T22:59:59.999Z'))).toBe('2026-03-29');
    expect(londonDate(at('2026-03-29T23:00:00.000Z'))).toBe('2026-03-30'); // 00:00 BST
    expect(londonDate(at('2026-10-24T22:59:59.999Z'))).toBe('2026-10-24');
    expect(londonDate(at('2026-10-24T23:00:00.000Z'))).toBe('2026-10-25'); // 00:00 BST
    expect(londonDate(at('2026-10-25T01:30:00.000Z'))).toBe('2026-10-25'); // 01:30 GMT (second 01:30)
    expect(londonDate(at('2026-10-25T23:59:59.999Z'))).toBe('2026-10-25');
    expect(londonDate(at('2026-10-26T00:00:00.000Z'))).toBe('2026-10-26');
  });

  it('rejects non-finite instants', () => {
    expect(() => londonDate(Number.NaN)).toThrow(RangeError);
    expect(() => londonDate(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('londonOffsetMinutes', () => {
  it('is 0 in GMT and 60 in BST, switching at 01:00Z', () => {
    expect(londonOffsetMinutes(at('2026-01-15T12:00:00Z'))).toBe(0);
    expect(londonOffsetMinutes(at('2026-07-15T12:00:00Z'))).toBe(60);
    expect(londonOffsetMinutes(at('2026-03-29T00:59:59.999Z'))).toBe(0);
    expect(londonOffsetMinutes(at('2026-03-29T01:00:00.000Z'))).toBe(60);
    expect(londonOffsetMinutes(at('2026-10-25T00:59:59.999Z'))).toBe(60);
    expect(londonOffsetMinutes(at('2026-10-25T01:00:00.000Z'))).toBe(0);
  });
});

describe('endOfLondonDay', () => {
  it('is 23:59:59.999Z in GMT and 22:59:59.999Z in BST', () => {
    expect(iso(endOfLondonDay('2026-01-15'))).toBe('2026-01-15T23:59:59.999Z');
    expect(iso(endOfLondonDay('2026-07-01'))).toBe('2026-07-01T22:59:59.999Z');
  });

  it('is DST-correct on and around the transition days (2025 and 2026)', () => {
    expect(iso(endOfLondonDay('2026-03-28'))).toBe('2026-03-28T23:59:59.999Z');
    expect(iso(endOfLondonDay('2026-03-29'))).toBe('2026-03-29T22:59:59.999Z'); // 23-hour day
    expect(iso(endOfLondonDay('2026-10-24'))).toBe('2026-10-24T22:59:59.999Z');
    expect(iso(endOfLondonDay('2026-10-25'))).toBe('2026-10-25T23:59:59.999Z'); // 25-hour day
    expect(iso(endOfLondonDay('2025-03-29'))).toBe('2025-03-29T23:59:59.999Z');
    expect(iso(endOfLondonDay('2025-03-30'))).toBe('2025-03-30T22:59:59.999Z');
    expect(iso(endOfLondonDay('2025-10-25'))).toBe('2025-10-25T22:59:59.999Z');
    expect(iso(endOfLondonDay('2025-10-26'))).toBe('2025-10-26T23:59:59.999Z');
  });

  it('is the last millisecond of that London date, for every day of 2025–2026', () => {
    let d = '2025-01-01';
    for (let i = 0; i < 730; i++) {
      const end = endOfLondonDay(d);
      expect(londonDate(end)).toBe(d);
      expect(londonDate(end + 1)).toBe(shiftIsoDate(d, 1));
      d = shiftIsoDate(d, 1);
    }
    expect(d).toBe('2027-01-01');
  });

  it('accepts 29 February only in leap years and rejects malformed dates', () => {
    expect(iso(endOfLondonDay('2028-02-29'))).toBe('2028-02-29T23:59:59.999Z');
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-5', '', '2026-01-05T00:00', '20260105']) {
      expect(() => endOfLondonDay(bad), bad).toThrow(RangeError);
    }
  });
});

describe('isoDayOfWeek / shiftIsoDate', () => {
  it('know the weekdays and cross month/year/leap boundaries', () => {
    expect(isoDayOfWeek('2026-01-03')).toBe(6); // Saturday
    expect(isoDayOfWeek('2026-01-04')).toBe(0); // Sunday
    expect(isoDayOfWeek('2026-01-05')).toBe(1); // Monday
    expect(shiftIsoDate('2025-12-31', 1)).toBe('2026-01-01');
    expect(shiftIsoDate('2028-02-28', 1)).toBe('2028-02-29');
    expect(shiftIsoDate('2026-03-01', -1)).toBe('2026-02-28');
    expect(() => shiftIsoDate('2026-03-01', 0.5)).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it('weekdays are working days, Saturdays and Sundays are not', () => {
    expect(isWorkingDay('2026-01-05', SCOTLAND)).toBe(true); // Mon
    expect(isWorkingDay('2026-01-09', SCOTLAND)).toBe(true); // Fri
    expect(isWorkingDay('2026-01-03', SCOTLAND)).toBe(false); // Sat
    expect(isWorkingDay('2026-01-04', SCOTLAND)).toBe(false); // Sun
    expect(isWorkingDay('2026-01-03', NONE)).toBe(false);
  });

  it('listed holidays are not working days; England-only holidays are', () => {
    expect(isWorkingDay('2026-01-01', SCOTLAND)).toBe(false);
    expect(isWorkingDay('2026-01-02', SCOTLAND)).toBe(false);
    expect(isWorkingDay('2026-04-03', SCOTLAND)).toBe(false); // Good Friday
    expect(isWorkingDay('2026-04-06', SCOTLAND)).toBe(true); // Easter Monday: not a Scottish holiday
    expect(isWorkingDay('2026-08-03', SCOTLAND)).toBe(false); // Scottish summer bank holiday
    expect(isWorkingDay('2026-08-31', SCOTLAND)).toBe(true); // England's summer bank holiday
    expect(isWorkingDay('2026-11-30', SCOTLAND)).toBe(false); // St Andrew's Day
    expect(isWorkingDay('2026-12-28', SCOTLAND)).toBe(false); // Boxing Day substitute
    expect(isWorkingDay('2026-12-25', NONE)).toBe(true); // a Friday, with no calendar
  });

  it('rejects malformed dates, including in the holiday calendar', () => {
    expect(() => isWorkingDay('2026-1-5', SCOTLAND)).toThrow(RangeError);
    expect(() => isWorkingDay('2026-01-05', ['2026-12-25', 'Christmas'])).toThrow(RangeError);
  });
});

describe('addDays — calendar days', () => {
  const from = '2026-03-02T09:15:00.000Z';

  it('is exactly N × 24 h for 5/14/28/56 days, even across the clock change', () => {
    expect(iso(addDays(at(from), calendar(5), SCOTLAND))).toBe('2026-03-07T09:15:00.000Z');
    expect(iso(addDays(at(from), calendar(14), SCOTLAND))).toBe('2026-03-16T09:15:00.000Z');
    expect(iso(addDays(at(from), calendar(28), SCOTLAND))).toBe('2026-03-30T09:15:00.000Z'); // 10:15 BST
    expect(iso(addDays(at(from), calendar(56), SCOTLAND))).toBe('2026-04-27T09:15:00.000Z');
    for (const n of [0, 1, 5, 14, 20, 28, 56, 365]) {
      expect(addDays(at(from), calendar(n), SCOTLAND)).toBe(at(from) + n * 86_400_000);
    }
  });

  it('ignores weekends and holidays', () => {
    expect(iso(addDays(at('2026-12-20T12:00:00Z'), calendar(5), SCOTLAND))).toBe('2026-12-25T12:00:00.000Z');
    expect(iso(addDays(at('2026-01-02T12:00:00Z'), calendar(1), SCOTLAND))).toBe('2026-01-03T12:00:00.000Z');
  });
});

describe('addDays — working days', () => {
  it('counts weekdays after the receipt day and ends at 23:59:59.999 London time', () => {
    const mon = '2026-01-05T10:00:00Z';
    expect(wd(mon, 1)).toBe('2026-01-06T23:59:59.999Z'); // Tue
    expect(wd(mon, 4)).toBe('2026-01-09T23:59:59.999Z'); // Fri
    expect(wd(mon, 5)).toBe('2026-01-12T23:59:59.999Z'); // Mon, weekend skipped
    expect(wd(mon, 20)).toBe('2026-02-02T23:59:59.999Z');
  });

  it('skips the weekend when received on a Friday', () => {
    expect(wd('2026-01-09T16:00:00Z', 1)).toBe('2026-01-12T23:59:59.999Z');
    expect(wd('2026-01-09T16:00:00Z', 2)).toBe('2026-01-13T23:59:59.999Z');
  });

  it('received on a Saturday or Sunday: day 1 is the Monday', () => {
    expect(wd('2026-01-10T11:00:00Z', 1)).toBe('2026-01-12T23:59:59.999Z');
    expect(wd('2026-01-10T11:00:00Z', 5)).toBe('2026-01-16T23:59:59.999Z');
    expect(wd('2026-01-11T23:59:59Z', 1)).toBe('2026-01-12T23:59:59.999Z');
    expect(wd('2026-01-11T23:59:59Z', 5)).toBe('2026-01-16T23:59:59.999Z');
  });

  it('days = 0 is the end of the first working day on or after the receipt date', () => {
    expect(wd('2026-01-06T08:00:00Z', 0)).toBe('2026-01-06T23:59:59.999Z'); // Tue → same day
    expect(wd('2026-01-06T23:59:59.999Z', 0)).toBe('2026-01-06T23:59:59.999Z');
    expect(wd('2026-01-10T11:00:00Z', 0)).toBe('2026-01-12T23:59:59.999Z'); // Sat → Mon
    expect(wd('2026-12-24T15:00:00Z', 0)).toBe('2026-12-24T23:59:59.999Z'); // Christmas Eve is a working day
    expect(wd('2026-12-25T09:00:00Z', 0)).toBe('2026-12-29T23:59:59.999Z'); // Christmas → Tue 29th
  });

  it('Christmas/New Year: Wed 24 Dec 2025 + 5 working days is Tue 6 Jan 2026', () => {
    // 25, 26 Dec holidays; 27–28 weekend; 29 (1), 30 (2), 31 (3); 1–2 Jan holidays; 3–4 weekend; 5 (4), 6 (5).
    const eve = '2025-12-24T10:00:00Z';
    expect(wd(eve, 1)).toBe('2025-12-29T23:59:59.999Z');
    expect(wd(eve, 3)).toBe('2025-12-31T23:59:59.999Z');
    expect(wd(eve, 4)).toBe('2026-01-05T23:59:59.999Z');
    expect(wd(eve, 5)).toBe('2026-01-06T23:59:59.999Z');
    expect(wd(eve, 5, NONE)).toBe('2025-12-31T23:59:59.999Z'); // the calendar is what moves it
  });

  it('20 working days across the festive period', () => {
    // Dec 16–19 (4), 22–24 (7), 29–31 (10), Jan 5–9 (15), 12–16 (20)
    expect(wd('2025-12-15T10:00:00Z', 20)).toBe('2026-01-16T23:59:59.999Z');
  });

  it('received on a holiday: counting starts after it (Christmas Day 2026, Boxing Day substitute on Mon 28th)', () => {
    expect(wd('2026-12-25T09:00:00Z', 1)).toBe('2026-12-29T23:59:59.999Z');
    expect(wd('2026-12-25T09:00:00Z', 2)).toBe('2026-12-30T23:59:59.999Z');
  });

  it('Easter: Good Friday is skipped, Easter Monday is a working day in Scotland', () => {
    // Thu 2 Apr 2026 10:00 BST. Fri 3 Apr Good Friday; Mon 6 Apr is day 1.
    const thu = '2026-04-02T09:00:00Z';
    expect(wd(thu, 1)).toBe('2026-04-06T22:59:59.999Z');
    expect(wd(thu, 2)).toBe('2026-04-07T22:59:59.999Z');
    // With an English-style calendar (Easter Monday off) the same count lands a day later.
    expect(wd(thu, 2, [...SCOTLAND, '2026-04-06'])).toBe('2026-04-08T22:59:59.999Z');
    // 2025: received Wed 16 Apr; Thu 17 (1), Good Friday 18 skipped, Mon 21 (2).
    expect(wd('2025-04-16T09:00:00Z', 2)).toBe('2025-04-21T22:59:59.999Z');
  });

  it('a deadline that would land on a holiday moves past it', () => {
    // Mon 23 Nov 2026: 24 (1), 25 (2), 26 (3), 27 (4); Mon 30 Nov is St Andrew's Day → Tue 1 Dec (5).
    expect(wd('2026-11-23T10:00:00Z', 5)).toBe('2026-12-01T23:59:59.999Z');
    expect(wd('2026-11-23T10:00:00Z', 5, NONE)).toBe('2026-11-30T23:59:59.999Z');
    // Fri 31 Jul 2026 + 1: Mon 3 Aug is the Scottish summer holiday → Tue 4 Aug (BST).
    expect(wd('2026-07-31T09:00:00Z', 1)).toBe('2026-08-04T22:59:59.999Z');
    // England's last-Monday-of-August holiday is a normal working day here.
    expect(wd('2026-08-28T09:00:00Z', 1)).toBe('2026-08-31T22:59:59.999Z');
  });

  it('uses the London date of receipt, not the UTC date', () => {
    // 23:30Z on Thu 4 June 2026 is 00:30 BST on Fri 5 June: receipt date is Friday → day 1 is Monday.
    expect(wd('2026-06-04T23:30:00Z', 1)).toBe('2026-06-08T22:59:59.999Z');
    // 22:30Z is still Thursday 23:30 BST → day 1 is Friday.
    expect(wd('2026-06-04T22:30:00Z', 1)).toBe('2026-06-05T22:59:59.999Z');
  });

  it('is DST-correct when the count crosses a clock change', () => {
    expect(wd('2026-03-27T10:00:00Z', 1)).toBe('2026-03-30T22:59:59.999Z'); // GMT → BST
    expect(wd('2026-10-23T09:00:00Z', 1)).toBe('2026-10-26T23:59:59.999Z'); // BST → GMT
    expect(wd('2025-03-28T10:00:00Z', 1)).toBe('2025-03-31T22:59:59.999Z');
    expect(wd('2025-10-24T09:00:00Z', 1)).toBe('2025-10-27T23:59:59.999Z');
  });

  it('always lands on the end of a working day, strictly increasing with N ≥ 1', () => {
    for (const from of [
      '2025-12-24T10:00:00Z',
      '2026-01-10T11:00:00Z',
      '2026-03-27T10:00:00Z',
      '2026-11-23T10:00:00Z',
    ]) {
      const receiptIsWorking = isWorkingDay(londonDate(at(from)), SCOTLAND);
      let prev = -Infinity;
      for (let n = 0; n <= 45; n++) {
        const deadline = addDays(at(from), working(n), SCOTLAND);
        const day = londonDate(deadline);
        expect(isWorkingDay(day, SCOTLAND)).toBe(true);
        expect(deadline).toBe(endOfLondonDay(day));
        // days 0 and 1 coincide only when the receipt date is not a working day (documented semantics).
        if (n === 1 && !receiptIsWorking) expect(deadline).toBe(prev);
        else expect(deadline).toBeGreaterThan(prev);
        prev = deadline;
      }
    }
  });

  it('rejects bad counts and instants', () => {
    const t = at('2026-01-05T10:00:00Z');
    expect(() => addDays(t, working(-1), SCOTLAND)).toThrow(RangeError);
    expect(() => addDays(t, working(1.5), SCOTLAND)).toThrow(RangeError);
    expect(() => addDays(t, calendar(Number.NaN), SCOTLAND)).toThrow(RangeError);
    expect(() => addDays(t, { days: 1, kind: 'weeks' as never }, SCOTLAND)).toThrow(RangeError);
    expect(() => addDays(Number.NaN, working(1), SCOTLAND)).toThrow(RangeError);
  });

  it('fails loudly instead of looping when the calendar has no working day for a year', () => {
    const everyDay: string[] = [];
    for (let d = '2026-01-01'; d < '2028-01-01'; d = shiftIsoDate(d, 1)) everyDay.push(d);
    expect(() => addDays(at('2026-01-05T10:00:00Z'), working(1), everyDay)).toThrow(RangeError);
  });
});

describe('daysBetween — working', () => {
  const between = (a: string, b: string, h: HolidayCalendar = SCOTLAND) => daysBetween(at(a), at(b), 'working', h);

  it('does not count the receipt day; counts the end day if it is a working day', () => {
    expect(between('2026-01-05T10:00:00Z', '2026-01-05T10:00:00Z')).toBe(0);
    expect(between('2026-01-05T10:00:00Z', '2026-01-05T17:00:00Z')).toBe(0);
    expect(between('2026-01-05T10:00:00Z', '2026-01-06T09:00:00Z')).toBe(1);
    expect(between('2026-01-05T10:00:00Z', '2026-01-12T09:00:00Z')).toBe(5);
  });

  it('weekends', () => {
    expect(between('2026-01-09T10:00:00Z', '2026-01-12T09:00:00Z')).toBe(1); // Fri → Mon
    expect(between('2026-01-09T10:00:00Z', '2026-01-10T09:00:00Z')).toBe(0); // Fri → Sat
    expect(between('2026-01-10T10:00:00Z', '2026-01-11T09:00:00Z')).toBe(0); // Sat → Sun
    expect(between('2026-01-10T10:00:00Z', '2026-01-12T09:00:00Z')).toBe(1); // Sat → Mon
  });

  it('holidays: festive period, Easter, a response on a holiday', () => {
    expect(between('2025-12-24T10:00:00Z', '2026-01-06T12:00:00Z')).toBe(5);
    expect(between('2025-12-24T10:00:00Z', '2026-01-06T12:00:00Z', NONE)).toBe(9);
    expect(between('2026-04-02T09:00:00Z', '2026-04-07T09:00:00Z')).toBe(2); // Good Friday out, Easter Monday in
    expect(between('2026-11-23T10:00:00Z', '2026-11-30T10:00:00Z')).toBe(4); // ends on St Andrew's Day
  });

  it('a whole year', () => {
    // 2 Jan 2025 .. 1 Jan 2026: 261 weekdays, less 9 holidays in that range.
    expect(between('2025-01-01T12:00:00Z', '2026-01-01T12:00:00Z')).toBe(252);
    let brute = 0;
    for (let d = '2025-01-02'; d <= '2026-01-01'; d = shiftIsoDate(d, 1)) if (isWorkingDay(d, SCOTLAND)) brute++;
    expect(brute).toBe(252);
  });

  it('uses London dates at both ends', () => {
    // Thu 23:30 BST → Fri 00:30 BST is one working day even though both are 4 June in UTC.
    expect(between('2026-06-04T22:30:00Z', '2026-06-04T23:30:00Z')).toBe(1);
    expect(between('2026-01-15T23:30:00Z', '2026-01-15T23:59:00Z')).toBe(0);
  });

  it('is antisymmetric when the end is before the start', () => {
    expect(between('2026-01-12T09:00:00Z', '2026-01-05T10:00:00Z')).toBe(-5);
  });

  it('inverts addDays for N ≥ 1', () => {
    const starts = [
      '2026-01-05T10:00:00Z', // Monday
      '2026-01-10T11:00:00Z', // Saturday
      '2025-12-24T10:00:00Z', // Christmas Eve
      '2026-12-25T09:00:00Z', // Christmas Day
      '2026-06-04T23:30:00Z', // BST evening that is the next London day
      '2026-03-27T10:00:00Z', // before spring-forward
    ];
    for (const from of starts) {
      for (let n = 1; n <= 40; n++) {
        const deadline = addDays(at(from), working(n), SCOTLAND);
        expect(daysBetween(at(from), deadline, 'working', SCOTLAND), `${from} + ${n}`).toBe(n);
      }
    }
  });
});

describe('daysBetween — calendar', () => {
  it('counts whole 24 h periods (floor)', () => {
    const t = at('2026-03-27T12:00:00Z');
    expect(daysBetween(t, t, 'calendar', SCOTLAND)).toBe(0);
    expect(daysBetween(t, t + 5 * MS_PER_DAY, 'calendar', SCOTLAND)).toBe(5);
    expect(daysBetween(t, t + 5 * MS_PER_DAY - 1, 'calendar', SCOTLAND)).toBe(4);
    // Across the clock change: 27 Mar 12:00Z → 3 Apr 11:59:59Z is 6 whole 24 h periods.
    expect(daysBetween(t, at('2026-04-03T11:59:59Z'), 'calendar', SCOTLAND)).toBe(6);
    expect(daysBetween(t + 5 * MS_PER_DAY, t, 'calendar', SCOTLAND)).toBe(-5);
    for (const n of [5, 14, 28, 56]) {
      expect(daysBetween(t, addDays(t, calendar(n), SCOTLAND), 'calendar', SCOTLAND)).toBe(n);
    }
  });

  it('rejects an unknown kind', () => {
    expect(() => daysBetween(0, 1, 'weeks' as never, SCOTLAND)).toThrow(RangeError);
  });
});

describe('London local time from the offset of each hour (londonParts), against Intl itself', () => {
  // The reference: a formatter of the test's own, not the module's, so that the comparison owes nothing to the code
  // under test.
  const intl = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const intlDate = (ms: number) => {
    const p = Object.fromEntries(intl.formatToParts(ms).map((part) => [part.type, part.value]));
    return `${p.year}-${p.month}-${p.day}`;
  };
  const intlOffsetMinutes = (ms: number) => {
    const whole = Math.floor(ms / 1000) * 1000;
    const p = Object.fromEntries(intl.formatToParts(whole).map((part) => [part.type, Number(part.value)]));
    return Math.round((Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!) - whole) / 60_000);
  };

  it('agrees either side of every hour of each day the offset changes, from 1840 to 2100', () => {
    const week = 7 * 86_400_000;
    let changes = 0;
    for (let from = Date.UTC(1840, 0, 1); from < Date.UTC(2100, 0, 1); from += week) {
      // A change within the week (they are weeks apart, even in the wars' double summer time): find its day.
      if (intlOffsetMinutes(from) === intlOffsetMinutes(from + week)) continue;
      for (let day = from; day < from + week; day += 86_400_000) {
        if (intlOffsetMinutes(day) === intlOffsetMinutes(day + 86_400_000)) continue;
        changes++;
        for (let hour = day; hour <= day + 86_400_000; hour += 3_600_000) {
          for (const at of [hour - 1_000, hour, hour + 999, hour + 1_800_000]) {
            expect(londonDate(at), new Date(at).toISOString()).toBe(intlDate(at));
            expect(londonOffsetMinutes(at), new Date(at).toISOString()).toBe(intlOffsetMinutes(at));
          }
        }
      }
    }
    // Two a year since 1916 (more in the wars), one in 1847 (local mean time to GMT).
    expect(changes).toBeGreaterThan(300);
  });

  it('agrees at random instants', () => {
    let seed = 17;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5_000; i++) {
      const at = Math.floor(Date.UTC(1900, 0, 1) + random() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1)));
      expect(londonDate(at)).toBe(intlDate(at));
      expect(londonOffsetMinutes(at)).toBe(intlOffsetMinutes(at));
    }
  });
});
