import { setBounded } from './bounded-map';
import { z } from 'zod';
import { isoDayOfWeek } from './calendar';
import { LocalDateSchema, TextSchema } from './vocabulary';

// The council's own calendar: the Scottish bank and public holidays (domain/scottish-holidays.ts) plus the council's
// local holidays and closures, minus the days it works; a file in configuration (COUNCIL_CALENDAR_PATH, see
// config/council-calendar.example.yaml). Pure: the API reads the file and passes the result to each new complaint.

const DayEntrySchema = z.object({ date: LocalDateSchema, name: TextSchema.trim().min(1).max(200) }).strict();

export const CouncilCalendarSchema = z
  .object({
    /** Days the council observes besides the Scottish bank holidays (e.g. Easter Monday, a local spring holiday). */
    localHolidays: z.array(DayEntrySchema).default([]),
    /** Days the council's offices are closed (e.g. between Christmas and New Year). */
    closures: z.array(DayEntrySchema).default([]),
    /** Days the council works although they are bank holidays (a working day for the deadlines). */
    workedDays: z
      .array(z.object({ date: LocalDateSchema, name: TextSchema.trim().min(1).max(200).optional() }).strict())
      .default([]),
  })
  .strict();
export type CouncilCalendar = z.infer<typeof CouncilCalendarSchema>;

export const EMPTY_COUNCIL_CALENDAR: CouncilCalendar = { localHolidays: [], closures: [], workedDays: [] };

/** A holiday calendar with its names, as a complaint starts with (ComplaintOpening holidays / holidayNames). */
export interface NamedHolidayCalendar {
  holidays: string[];
  names: Record<string, string>;
}

/**
 * The non-working days between `from` and `to` (ISO dates, inclusive): the bank holidays given, plus the council's
 * local holidays and closures, minus the days it works. Weekends are not listed (the counting skips them anyway).
 */
export function councilHolidays(
  bankHolidays: readonly { date: string; name: string }[],
  calendar: CouncilCalendar,
  from: string,
  to: string,
): NamedHolidayCalendar {
  const names = new Map<string, string>();
  for (const day of [...bankHolidays, ...calendar.localHolidays, ...calendar.closures]) {
    if (day.date < from || day.date > to) continue;
    names.set(day.date, names.has(day.date) ? `${names.get(day.date)}; ${day.name}` : day.name);
  }
  for (const worked of calendar.workedDays) names.delete(worked.date);
  const holidays = [...names.keys()].filter((date) => isoDayOfWeek(date) % 6 !== 0).sort();
  return { holidays, names: Object.fromEntries(holidays.map((date) => [date, names.get(date) as string])) };
}

/**
 * Remembers the named calendar of a year under one council calendar, so that it is worked out once rather than for
 * every new complaint: working out the Scottish holidays (date-holidays, over moment) was 9 % of the API's busy time
 * in the benchmark (bench/README.md, 2026-12-02). Keyed by the year and the council calendar's content, not the
 * object: a calendar changed in any way, in place or replaced (a new configuration), is a new key, so an answer never
 * outlives the calendar it was worked out from. The bank holidays themselves are the library's rules, which do not
 * change while the process runs. Each answer is a copy, so a caller that changes it changes nothing remembered.
 * Bounded: a process sees a few years and one calendar or two.
 */
export class NamedCalendarCache {
  private readonly answers = new Map<string, NamedHolidayCalendar>();

  constructor(private readonly maxEntries = 32) {}

  get(year: number, calendar: CouncilCalendar, work: () => NamedHolidayCalendar): NamedHolidayCalendar {
    const key = `${year} ${JSON.stringify(calendar)}`;
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = work();
      setBounded(this.answers, key, answer, this.maxEntries);
    }
    return { holidays: [...answer.holidays], names: { ...answer.names } };
  }
}
