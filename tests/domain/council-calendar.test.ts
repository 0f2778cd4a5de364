// The council calendar per year is worked out once (NamedCalendarCache, used by councilHolidayCalendar for every new
// complaint): the remembered answer is the computed one, a changed calendar gets a new answer, and a caller that
// changes its answer changes nothing remembered.
import Holidays from 'date-holidays';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CouncilCalendar,
  EMPTY_COUNCIL_CALENDAR,
  NamedCalendarCache,
  type NamedHolidayCalendar,
} from '../../domain/council-calendar';
import { councilHolidayCalendar, workOutCouncilHolidayCalendar } from '../../domain/scottish-holidays';

const DUNDEE: CouncilCalendar = {
  localHolidays: [{ date: '2026-04-06', name: 'Easter Monday' }],
  closures: [{ date: '2026-12-29', name: 'Offices closed' }],
  workedDays: [{ date: '2026-01-02' }],
};

afterEach(() => vi.restoreAllMocks());

describe('councilHolidayCalendar (remembered)', () => {
  it('answers what working it out afresh answers, for each year and calendar', () => {
    for (const calendar of [EMPTY_COUNCIL_CALENDAR, DUNDEE])
      for (const year of [2011, 2025, 2026, 2027]) {
        const first = councilHolidayCalendar(year, calendar);
        expect(first).toEqual(workOutCouncilHolidayCalendar(year, calendar));
        expect(councilHolidayCalendar(year, calendar)).toEqual(first);
      }
    expect(councilHolidayCalendar(2026, DUNDEE).holidays).toContain('2026-04-06');
    expect(councilHolidayCalendar(2026, DUNDEE).holidays).not.toContain('2026-01-02');
  });

  it('works the Scottish holidays out once per year and calendar, not per complaint', () => {
    councilHolidayCalendar(2030, DUNDEE);
    const rules = vi.spyOn(Holidays.prototype, 'getHolidays');
    for (let complaint = 0; complaint < 5; complaint++) councilHolidayCalendar(2030, DUNDEE);
    expect(rules).not.toHaveBeenCalled();
    councilHolidayCalendar(2031, DUNDEE);
    expect(rules).toHaveBeenCalled();
  });

  it('gives a changed calendar its own answer, whether replaced or changed in place', () => {
    const before = councilHolidayCalendar(2026, DUNDEE);
    expect(before.holidays).not.toContain('2026-10-12');
    const replaced: CouncilCalendar = {
      ...DUNDEE,
      closures: [...DUNDEE.closures, { date: '2026-10-12', name: 'Flood' }],
    };
    expect(councilHolidayCalendar(2026, replaced).holidays).toContain('2026-10-12');
    expect(councilHolidayCalendar(2026, replaced).names['2026-10-12']).toBe('Flood');

    const inPlace: CouncilCalendar = structuredClone(DUNDEE);
    expect(councilHolidayCalendar(2026, inPlace)).toEqual(before);
    inPlace.workedDays.push({ date: '2026-12-29' });
    expect(councilHolidayCalendar(2026, inPlace).holidays).not.toContain('2026-12-29');
    expect(councilHolidayCalendar(2026, inPlace)).toEqual(workOutCouncilHolidayCalendar(2026, inPlace));
  });

  it('hands out copies: a caller changing its answer changes nothing remembered', () => {
    const answer = councilHolidayCalendar(2026, DUNDEE);
    answer.holidays.push('2026-07-01');
    answer.names['2026-07-01'] = 'Not a holiday';
    expect(councilHolidayCalendar(2026, DUNDEE)).toEqual(workOutCouncilHolidayCalendar(2026, DUNDEE));
  });
});

describe('NamedCalendarCache', () => {
  it('keeps at most its bound, forgetting the oldest', () => {
    const cache = new NamedCalendarCache(2);
    const work = vi.fn((): NamedHolidayCalendar => ({ holidays: ['2026-01-01'], names: { '2026-01-01': 'x' } }));
    for (const year of [2025, 2026, 2025, 2027, 2026, 2025]) cache.get(year, EMPTY_COUNCIL_CALENDAR, work);
    // 2025, 2026 worked out; 2025 remembered; 2027 pushes 2025 out; 2026 remembered; 2025 again.
    expect(work).toHaveBeenCalledTimes(4);
  });
});
