/**
 * Scottish bank and public holidays, as data for the working-day calendar (`HolidayCalendar` in ./calendar).
 *
 * Built with `date-holidays` (country GB, state SCT). NOT imported by workflow code: the API/worker builds
 * the calendar with this module and passes it to workflows as plain data. It never reads the clock or env:
 * callers always say which years they want.
 *
 * What date-holidays returns for GB/SCT and how it is filtered:
 * - types 'public' (and 'bank', none today) are kept; 'observance' entries (Mother's Day, Easter Sunday,
 *   Father's Day) are dropped;
 * - a holiday that falls on a Saturday/Sunday is listed by the library on its weekend date AND as a
 *   "(substitute day)" on the following weekday. Only days that would otherwise be working days matter,
 *   so weekend dates are dropped and the substitute weekday kept — the same list gov.uk publishes
 *   (e.g. 2026: Boxing Day Sat 26 Dec → 28 Dec; 2025: St Andrew's Day Sun 30 Nov → Mon 1 Dec);
 * - Scotland-specific rules come from the library: 2 January, St Andrew's Day, Summer bank holiday on the
 *   first Monday of August, no Easter Monday; one-off national days (2022-06-03, 2022-09-19, 2023-05-08)
 *   and the moved 2022 Spring bank holiday (2 June) are included.
 */
import Holidays from 'date-holidays';
import {
  councilHolidays,
  NamedCalendarCache,
  type CouncilCalendar,
  type NamedHolidayCalendar,
} from './council-calendar';

const KEPT_TYPES: ReadonlySet<string> = new Set(['public', 'bank']);

/** Years outside this range are almost certainly a bug (e.g. ms passed as a year). */
const MIN_YEAR = 1970;
const MAX_YEAR = 2200;

let scotland: Holidays | undefined;

function scottishHolidayRules(): Holidays {
  scotland ??= new Holidays('GB', 'SCT', { types: ['public', 'bank'] });
  return scotland;
}

function assertYear(year: number, name: string): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`${name} must be an integer year in ${MIN_YEAR}..${MAX_YEAR}, got ${String(year)}`);
  }
}

function isWeekend(isoDate: string): boolean {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return dow === 0 || dow === 6;
}

/** Scottish bank/public holidays falling on weekdays, fromYear..toYear inclusive, with their names, by date. */
export function scottishPublicHolidayEntries(fromYear: number, toYear: number): { date: string; name: string }[] {
  assertYear(fromYear, 'fromYear');
  assertYear(toYear, 'toYear');
  if (fromYear > toYear) throw new RangeError(`fromYear (${fromYear}) must not be after toYear (${toYear})`);

  const rules = scottishHolidayRules();
  const dates = new Map<string, string>();
  for (let year = fromYear; year <= toYear; year++) {
    for (const h of rules.getHolidays(year)) {
      if (!KEPT_TYPES.has(h.type)) continue;
      // h.date is the local date in the country's zone: "YYYY-MM-DD hh:mm:ss[ ±hh:mm]".
      const iso = h.date.slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`unexpected date-holidays date: ${h.date}`);
      if (isWeekend(iso)) continue;
      if (!dates.has(iso)) dates.set(iso, h.name);
    }
  }
  // A substitute day could in principle spill into a neighbouring year; keep exactly the requested range.
  const first = `${fromYear}-01-01`;
  const last = `${toYear}-12-31`;
  return [...dates]
    .filter(([date]) => date >= first && date <= last)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, name]) => ({ date, name }));
}

/** Sorted, de-duplicated ISO dates of Scottish bank/public holidays falling on weekdays, fromYear..toYear inclusive. */
export function scottishPublicHolidays(fromYear: number, toYear: number): string[] {
  return scottishPublicHolidayEntries(fromYear, toYear).map((entry) => entry.date);
}

/** The default calendar passed to workflows: Scottish holidays for aroundYear-1 .. aroundYear+2. */
export function defaultHolidayCalendar(aroundYear: number): string[] {
  assertYear(aroundYear, 'aroundYear');
  return scottishPublicHolidays(aroundYear - 1, aroundYear + 2);
}

const namedCalendars = new NamedCalendarCache();

/**
 * The council's calendar passed to a new complaint: Scottish holidays for aroundYear-1 .. aroundYear+2 (as
 * `defaultHolidayCalendar`), plus the council's local holidays and closures, minus the days it works, with names.
 * Worked out once per year and council calendar (`NamedCalendarCache`: the API asks it for every new complaint).
 */
export function councilHolidayCalendar(aroundYear: number, calendar: CouncilCalendar): NamedHolidayCalendar {
  assertYear(aroundYear, 'aroundYear');
  return namedCalendars.get(aroundYear, calendar, () => workOutCouncilHolidayCalendar(aroundYear, calendar));
}

/** `councilHolidayCalendar` worked out afresh (the cache's work; tests compare the two). */
export function workOutCouncilHolidayCalendar(aroundYear: number, calendar: CouncilCalendar): NamedHolidayCalendar {
  assertYear(aroundYear, 'aroundYear');
  const entries = scottishPublicHolidayEntries(aroundYear - 1, aroundYear + 2);
  return councilHolidays(entries, calendar, `${aroundYear - 1}-01-01`, `${aroundYear + 2}-12-31`);
}
