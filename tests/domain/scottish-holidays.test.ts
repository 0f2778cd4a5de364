import { describe, it, expect } from 'vitest';
import { defaultHolidayCalendar, scottishPublicHolidays } from '../../domain/scottish-holidays.js';
import { addDays, isoDayOfWeek, isWorkingDay } from '../../domain/calendar.js';

describe('scottishPublicHolidays', () => {
  it("2025, literally (St Andrew's Day on a Sunday → Monday 1 December)", () => {
    expect(scottishPublicHolidays(2025, 2025)).toEqual([
      '2025-01-01', // New Year's Day (Wed)
      '2025-01-02', // 2 January (Thu)
      '2025-04-18', // Good Friday
      '2025-05-05', // Early May bank holiday
      '2025-05-26', // Spring bank holiday (last Monday in May)
      '2025-08-04', // Summer bank holiday (first Monday in August, Scotland)
      '2025-12-01', // St Andrew's Day substitute (30 Nov is a Sunday)
      '2025-12-25', // Christmas Day (Thu)
      '2025-12-26', // Boxing Day (Fri)
    ]);
  });

  it('2026, literally (Boxing Day on a Saturday → Monday 28 December)', () => {
    expect(scottishPublicHolidays(2026, 2026)).toEqual([
      '2026-01-01', // Thu
      '2026-01-02', // Fri
      '2026-04-03', // Good Friday
      '2026-05-04', // Early May
      '2026-05-25', // Spring
      '2026-08-03', // Summer (first Monday in August)
      '2026-11-30', // St Andrew's Day (Mon)
      '2026-12-25', // Christmas Day (Fri)
      '2026-12-28', // Boxing Day substitute
    ]);
  });

  it('2022: one-off national holidays, the moved Spring holiday and New Year substitutes', () => {
    expect(scottishPublicHolidays(2022, 2022)).toEqual([
      '2022-01-03', // New Year's Day substitute (1 Jan Sat)
      '2022-01-04', // 2 January substitute (2 Jan Sun)
      '2022-04-15', // Good Friday
      '2022-05-02', // Early May
      '2022-06-02', // Spring bank holiday, moved for the Jubilee
      '2022-06-03', // Platinum Jubilee
      '2022-08-01', // Summer
      '2022-09-19', // State Funeral of Queen Elizabeth II
      '2022-11-30', // St Andrew's Day
      '2022-12-26', // Boxing Day
      '2022-12-27', // Christmas Day substitute
    ]);
  });

  it('2023 includes the Coronation bank holiday', () => {
    expect(scottishPublicHolidays(2023, 2023)).toEqual([
      '2023-01-02',
      '2023-01-03',
      '2023-04-07',
      '2023-05-01',
      '2023-05-08',
      '2023-05-29',
      '2023-08-07',
      '2023-11-30',
      '2023-12-25',
      '2023-12-26',
    ]);
  });

  it('2027: both Christmas days and 2 January fall on a weekend', () => {
    expect(scottishPublicHolidays(2027, 2027)).toEqual([
      '2027-01-01',
      '2027-01-04',
      '2027-03-26',
      '2027-05-03',
      '2027-05-31',
      '2027-08-02',
      '2027-11-30',
      '2027-12-27',
      '2027-12-28',
    ]);
  });

  it('leaves out England-only holidays (Easter Monday, last Monday of August)', () => {
    const list = scottishPublicHolidays(2024, 2027);
    for (const englandOnly of [
      '2024-04-01',
      '2025-04-21',
      '2026-04-06',
      '2027-03-29', // Easter Monday
      '2024-08-26',
      '2025-08-25',
      '2026-08-31',
      '2027-08-30', // England's summer bank holiday
    ]) {
      expect(list).not.toContain(englandOnly);
    }
  });

  it('leaves out observances and weekend dates; sorted, unique, well-formed', () => {
    const list = scottishPublicHolidays(2019, 2032);
    expect(list).not.toContain('2026-04-05'); // Easter Sunday (observance)
    expect(list).not.toContain('2026-03-15'); // Mother's Day (observance)
    expect(list).not.toContain('2026-12-26'); // Boxing Day itself, a Saturday
    expect(list).not.toContain('2025-11-30'); // St Andrew's Day itself, a Sunday
    for (const d of list) {
      expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect([0, 6]).not.toContain(isoDayOfWeek(d));
    }
    expect([...list].sort()).toEqual(list);
    expect(new Set(list).size).toBe(list.length);
    // Every ordinary year has nine Scottish bank holidays on weekdays.
    for (let y = 2024; y <= 2032; y++) {
      expect(
        list.filter((d) => d.startsWith(`${y}-`)),
        String(y),
      ).toHaveLength(9);
    }
  });

  it('a range is the concatenation of its years, inclusive at both ends', () => {
    const range = scottishPublicHolidays(2025, 2027);
    expect(range).toEqual([
      ...scottishPublicHolidays(2025, 2025),
      ...scottishPublicHolidays(2026, 2026),
      ...scottishPublicHolidays(2027, 2027),
    ]);
    expect(range[0]).toBe('2025-01-01');
    expect(range.at(-1)).toBe('2027-12-28');
  });

  it('is deterministic and returns a fresh array each call', () => {
    const a = scottishPublicHolidays(2026, 2026);
    a.push('2026-06-01');
    expect(scottishPublicHolidays(2026, 2026)).toHaveLength(9);
  });

  it('rejects bad year arguments', () => {
    expect(() => scottishPublicHolidays(2027, 2026)).toThrow(RangeError);
    expect(() => scottishPublicHolidays(2026.5, 2027)).toThrow(RangeError);
    expect(() => scottishPublicHolidays(1_767_225_600_000, 2027)).toThrow(RangeError);
    expect(() => defaultHolidayCalendar(Number.NaN)).toThrow(RangeError);
  });
});

describe('defaultHolidayCalendar', () => {
  it('covers aroundYear-1 .. aroundYear+2', () => {
    const cal = defaultHolidayCalendar(2026);
    expect(cal).toEqual(scottishPublicHolidays(2025, 2028));
    expect(cal[0]).toBe('2025-01-01');
    expect(cal.at(-1)).toBe('2028-12-26');
    expect(cal).toHaveLength(36);
  });

  it('drives the working-day arithmetic (Christmas 2025, Easter 2026)', () => {
    const cal = defaultHolidayCalendar(2026);
    const deadline = addDays(Date.parse('2025-12-24T10:00:00Z'), { days: 5, kind: 'working' }, cal);
    expect(new Date(deadline).toISOString()).toBe('2026-01-06T23:59:59.999Z');
    expect(isWorkingDay('2026-04-03', cal)).toBe(false); // Good Friday
    expect(isWorkingDay('2026-04-06', cal)).toBe(true); // Easter Monday
  });
});
