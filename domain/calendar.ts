/**
 * Day arithmetic for complaint deadlines.
 *
 * PURE: no Node built-ins, no I/O, never reads the wall clock, no env. This module is bundled into
 * Temporal workflow code, so it only uses plain ECMAScript plus `Intl` (whose output is deterministic for a
 * given instant). Time-zone offsets for Europe/London are derived from `Intl.DateTimeFormat`; no library.
 *
 * Vocabulary:
 * - an "ISO date" is a local calendar date 'YYYY-MM-DD' in Europe/London;
 * - a "working day" is a date that is neither a Saturday, a Sunday, nor listed in the holiday calendar.
 */

import { setBounded } from './bounded-map';

export type DayKind = 'calendar' | 'working';

export interface DayCount {
  days: number;
  kind: DayKind;
}

/** Holidays are ISO local dates ('YYYY-MM-DD') in Europe/London on which no work is done (besides Sat/Sun). */
export type HolidayCalendar = readonly string[];

export const COUNCIL_TIME_ZONE = 'Europe/London';

export const MS_PER_DAY = 86_400_000;

/** Safety valve: a holiday calendar with no working day in this many consecutive days is treated as broken. */
const MAX_CONSECUTIVE_NON_WORKING_DAYS = 366;

const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

// One formatter per module instance, made on first use: workflow code loads this module for every complaint, and
// calendar-day procedures never need it. Formatting is deterministic.
let londonPartsFormat: Intl.DateTimeFormat | undefined;
function londonPartsFormatter(): Intl.DateTimeFormat {
  londonPartsFormat ??= new Intl.DateTimeFormat('en-US', {
    timeZone: COUNCIL_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return londonPartsFormat;
}

interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
}

function assertFiniteInstant(epochMs: number, name: string): void {
  if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) {
    throw new RangeError(`${name} must be a finite epoch-millisecond number, got ${String(epochMs)}`);
  }
}

/** Intl's reading of an instant's local fields (the only source of the offset; slow: tens of µs). */
function intlLondonParts(epochMs: number): LocalParts {
  const out: LocalParts = { year: NaN, month: NaN, day: NaN, hour: NaN, minute: NaN, second: NaN };
  for (const part of londonPartsFormatter().formatToParts(epochMs)) {
    switch (part.type) {
      case 'year':
      case 'month':
      case 'day':
      case 'minute':
      case 'second':
        out[part.type] = Number(part.value);
        break;
      case 'hour':
        // Some engines render midnight as '24' even with h23; normalise defensively.
        out.hour = Number(part.value) % 24;
        break;
      default:
        break;
    }
  }
  return out;
}

const MS_PER_HOUR = 3_600_000;
const OFFSETS_KEPT = 20_000;
/**
 * London's offset from UTC (ms) through each UTC day, and each UTC hour of a day with a change in it, in which it does
 * not change (by the span's number since the epoch; null: a change inside it). Every count of days reads the local
 * fields of several instants (a read of a complaint re-counts its first-version deadlines), and Intl was most of
 * that; an offset changes at most twice a year, on the hour (01:00 UTC since 1981), so it is read from Intl at both
 * ends of a day (of an hour, on the days of a change) and the fields follow by arithmetic. Deterministic: the same
 * as asking Intl every time (tests/domain/calendar.test.ts compares them across every change since 1840).
 */
const offsetsByDay = new Map<number, number | null>();
const offsetsByHour = new Map<number, number | null>();

function offsetThrough(spans: Map<number, number | null>, span: number, spanMs: number): number | null {
  const known = spans.get(span);
  if (known !== undefined) return known;
  const offsetAt = (epochMs: number) => {
    const p = intlLondonParts(epochMs);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - epochMs;
  };
  const start = span * spanMs;
  const atStart = offsetAt(start);
  const offset = atStart === offsetAt(start + spanMs - 1000) ? atStart : null;
  setBounded(spans, span, offset, OFFSETS_KEPT);
  return offset;
}

function londonParts(epochMs: number): LocalParts {
  const offset =
    offsetThrough(offsetsByDay, Math.floor(epochMs / MS_PER_DAY), MS_PER_DAY) ??
    offsetThrough(offsetsByHour, Math.floor(epochMs / MS_PER_HOUR), MS_PER_HOUR);
  if (offset === null) return intlLondonParts(epochMs);
  const local = new Date(Math.floor(epochMs / 1000) * 1000 + offset);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function isoFromUtcFields(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Parses a strict 'YYYY-MM-DD' into the UTC-midnight epoch ms of that date (used only as a day index). */
function parseIsoDate(isoDate: string): number {
  const m = typeof isoDate === 'string' ? ISO_DATE_PATTERN.exec(isoDate) : null;
  if (m === null) {
    throw new RangeError(`expected an ISO date 'YYYY-MM-DD', got ${JSON.stringify(isoDate)}`);
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`not a real calendar date: ${JSON.stringify(isoDate)}`);
  }
  return utc;
}

function isoFromUtcMidnight(utcMs: number): string {
  const d = new Date(utcMs);
  return isoFromUtcFields(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The ISO date `n` calendar days after (or before, if negative) `isoDate`. */
export function shiftIsoDate(isoDate: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`day shift must be an integer, got ${String(n)}`);
  return isoFromUtcMidnight(parseIsoDate(isoDate) + n * MS_PER_DAY);
}

/** 0 = Sunday … 6 = Saturday, for an ISO date. */
export function isoDayOfWeek(isoDate: string): number {
  return new Date(parseIsoDate(isoDate)).getUTCDay();
}

/** 'YYYY-MM-DD' of the instant in Europe/London. */
export function londonDate(epochMs: number): string {
  assertFiniteInstant(epochMs, 'epochMs');
  const p = londonParts(epochMs);
  return isoFromUtcFields(p.year, p.month, p.day);
}

/** Offset of Europe/London from UTC at the instant, in minutes (0 in GMT, 60 in BST). */
export function londonOffsetMinutes(epochMs: number): number {
  assertFiniteInstant(epochMs, 'epochMs');
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const p = londonParts(wholeSecond);
  const localAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((localAsUtc - wholeSecond) / 60_000);
}

/** Epoch ms of a London wall-clock time (given as if it were UTC). Two passes settle DST changes. */
function londonWallClockToEpoch(localAsUtcMs: number): number {
  const guess = localAsUtcMs - londonOffsetMinutes(localAsUtcMs) * 60_000;
  return localAsUtcMs - londonOffsetMinutes(guess) * 60_000;
}

/** Epoch ms of 23:59:59.999 Europe/London on that date (22:59:59.999Z in BST, 23:59:59.999Z in GMT). */
export function endOfLondonDay(isoDate: string): number {
  return londonWallClockToEpoch(parseIsoDate(isoDate) + MS_PER_DAY - 1);
}

/** Validates the calendar (a malformed entry is a bug upstream: fail loudly rather than silently ignore it). */
function holidaySet(holidays: HolidayCalendar): ReadonlySet<string> {
  if (!Array.isArray(holidays)) throw new TypeError('holidays must be an array of ISO dates');
  for (const h of holidays) parseIsoDate(h);
  return new Set(holidays);
}

function isWorkingDayIn(isoDate: string, holidays: ReadonlySet<string>): boolean {
  const dow = isoDayOfWeek(isoDate); // also validates the date
  return dow !== 0 && dow !== 6 && !holidays.has(isoDate);
}

export function isWorkingDay(isoDate: string, holidays: HolidayCalendar): boolean {
  return isWorkingDayIn(isoDate, holidaySet(holidays));
}

/** The first working day strictly after `isoDate`. */
function nextWorkingDay(isoDate: string, holidays: ReadonlySet<string>): string {
  let d = isoDate;
  for (let i = 0; i < MAX_CONSECUTIVE_NON_WORKING_DAYS; i++) {
    d = shiftIsoDate(d, 1);
    if (isWorkingDayIn(d, holidays)) return d;
  }
  throw new RangeError(
    `holiday calendar leaves no working day within ${MAX_CONSECUTIVE_NON_WORKING_DAYS} days after ${isoDate}`,
  );
}

function assertDayCount(count: DayCount): void {
  if (count === null || typeof count !== 'object') throw new TypeError('count must be { days, kind }');
  if (!Number.isInteger(count.days) || count.days < 0) {
    throw new RangeError(`count.days must be a non-negative integer, got ${String(count.days)}`);
  }
  if (count.kind !== 'calendar' && count.kind !== 'working') {
    throw new RangeError(`count.kind must be 'calendar' or 'working', got ${JSON.stringify(count.kind)}`);
  }
}

/**
 * The deadline `count` days after `fromMs` (epoch ms; an action at or before the deadline is on time).
 *
 * - calendar: exactly `fromMs + days * 24 h` (not DST-adjusted: calendar-day deadlines are exact multiples of 24 h).
 * - working: 23:59:59.999 Europe/London at the end of the Nth working day after the London date of `fromMs`.
 *   Day 1 is the first working day strictly after the receipt date, so a complaint received on a weekend or
 *   holiday effectively starts counting from the next working day (received Sat → day 1 is Mon).
 *   days = 0 means the end of the first working day ON OR AFTER the receipt date (same day if received on a
 *   working day; e.g. received Sat → end of Mon, the same as days = 1 from a Saturday).
 */
export function addDays(fromMs: number, count: DayCount, holidays: HolidayCalendar): number {
  assertFiniteInstant(fromMs, 'fromMs');
  assertDayCount(count);
  if (count.kind === 'calendar') return fromMs + count.days * MS_PER_DAY;

  const hs = holidaySet(holidays);
  const receipt = londonDate(fromMs);
  let d: string;
  if (count.days === 0) {
    d = isWorkingDayIn(receipt, hs) ? receipt : nextWorkingDay(receipt, hs);
  } else {
    d = receipt;
    for (let n = 0; n < count.days; n++) d = nextWorkingDay(d, hs);
  }
  return endOfLondonDay(d);
}

/** Number of working days d with startIso < d <= endIso (requires startIso <= endIso). */
function countWorkingDaysAfter(startIso: string, endIso: string, holidays: ReadonlySet<string>): number {
  const start = parseIsoDate(startIso);
  const end = parseIsoDate(endIso);
  const totalDays = Math.round((end - start) / MS_PER_DAY);
  // Whole weeks contribute 5 weekdays each; walk only the remainder, then subtract weekday holidays in range.
  const weeks = Math.floor(totalDays / 7);
  let count = weeks * 5;
  let dow = new Date(start).getUTCDay();
  for (let i = 0; i < totalDays - weeks * 7; i++) {
    dow = (dow + 1) % 7;
    if (dow !== 0 && dow !== 6) count++;
  }
  for (const h of holidays) {
    const t = parseIsoDate(h);
    if (t > start && t <= end) {
      const hd = new Date(t).getUTCDay();
      if (hd !== 0 && hd !== 6) count--;
    }
  }
  return count;
}

/**
 * Whole days from `fromMs` to `toMs`.
 * - working: working days from the London date of `fromMs` to the London date of `toMs`, not counting the
 *   receipt date and counting the end date if it is a working day (same day → 0; received Fri, answered Mon → 1).
 *   For N ≥ 1, `daysBetween(t, addDays(t, {days: N, kind: 'working'}, h), 'working', h) === N`.
 * - calendar: whole 24 h periods elapsed (floor).
 * If `toMs < fromMs` the result is the negation of `daysBetween(toMs, fromMs, …)`.
 */
export function daysBetween(fromMs: number, toMs: number, kind: DayKind, holidays: HolidayCalendar): number {
  assertFiniteInstant(fromMs, 'fromMs');
  assertFiniteInstant(toMs, 'toMs');
  if (kind !== 'calendar' && kind !== 'working') {
    throw new RangeError(`kind must be 'calendar' or 'working', got ${JSON.stringify(kind)}`);
  }
  if (toMs < fromMs) return -daysBetween(toMs, fromMs, kind, holidays);
  if (kind === 'calendar') return Math.floor((toMs - fromMs) / MS_PER_DAY);
  return countWorkingDaysAfter(londonDate(fromMs), londonDate(toMs), holidaySet(holidays));
}

// ---------------------------------------------------------------------------------------------- counting rules

/**
 * How "within N days" is counted (the procedure's `counting`, domain/procedure-schema.ts CountingRuleSchema).
 * - working `receipt-day`: the day of receipt is day 1 when it is a working day, otherwise the next working day is;
 *   `day-after-receipt`: day 1 is the first working day after the day of receipt (what `addDays` does).
 * - calendar `end-of-london-day`: the day of receipt is day 0, the deadline the end of the Nth London day after it;
 *   `exact-24-hours`: N times 24 hours from the instant (what `addDays` does).
 */
export interface CountingRule {
  working: 'receipt-day' | 'day-after-receipt';
  calendar: 'end-of-london-day' | 'exact-24-hours';
}

/** A day a working-day count passed over, and why. */
export interface SkippedDay {
  date: string;
  why: 'weekend' | 'holiday';
  /** The holiday's or closure's name, where the calendar gives one. */
  name?: string;
}

/** How a deadline was worked out: what a council shows when asked "why that date?". */
export interface DeadlineWorking {
  /** `working-days/receipt-day`, `working-days/day-after-receipt`, `calendar-days/end-of-london-day`, ... */
  rule: string;
  days: number;
  kind: DayKind;
  /** The instant counted from (receipt, the stage's start, or the deadline an extension moved). */
  from: string;
  /** Day 1 of a working-day count; day 0 (the London date counted from) of a calendar-day count. */
  firstDay: string;
  /** The London date the deadline falls on. */
  lastDay: string;
  /** Weekends and holidays between the day counted from and the last day (working days only). */
  skipped: SkippedDay[];
}

export interface CountedDeadline {
  dueAtMs: number;
  working: DeadlineWorking;
}

/** Names of holidays and closures by ISO date, for the explanations (optional: a date alone is still skipped). */
export type HolidayNames = Readonly<Record<string, string>>;

function ruleName(kind: DayKind, rule: CountingRule): string {
  return kind === 'working' ? `working-days/${rule.working}` : `calendar-days/${rule.calendar}`;
}

function skippedBetween(fromIso: string, toIso: string, holidays: ReadonlySet<string>, names: HolidayNames) {
  const skipped: SkippedDay[] = [];
  for (let d = fromIso; d <= toIso; d = shiftIsoDate(d, 1)) {
    if (isWorkingDayIn(d, holidays)) continue;
    const dow = isoDayOfWeek(d);
    const why = dow === 0 || dow === 6 ? 'weekend' : 'holiday';
    const name = names[d];
    skipped.push({ date: d, why, ...(why === 'holiday' && name ? { name } : {}) });
  }
  return skipped;
}

/**
 * The deadline `count` days after `fromMs` under `rule`, with how it was worked out. With the rule of the first
 * published versions (`day-after-receipt` / `exact-24-hours`) the instant is exactly `addDays`'s.
 */
export function countDeadline(
  fromMs: number,
  count: DayCount,
  rule: CountingRule,
  holidays: HolidayCalendar,
  names: HolidayNames = {},
): CountedDeadline {
  assertFiniteInstant(fromMs, 'fromMs');
  assertDayCount(count);
  const hs = holidaySet(holidays);
  const from = londonDate(fromMs);
  const base = {
    rule: ruleName(count.kind, rule),
    days: count.days,
    kind: count.kind,
    from: new Date(fromMs).toISOString(),
  };
  if (count.kind === 'calendar') {
    const dueAtMs =
      rule.calendar === 'exact-24-hours'
        ? addDays(fromMs, count, holidays)
        : endOfLondonDay(shiftIsoDate(from, count.days));
    return { dueAtMs, working: { ...base, firstDay: from, lastDay: londonDate(dueAtMs), skipped: [] } };
  }
  const dayOne = rule.working === 'receipt-day' && isWorkingDayIn(from, hs) ? from : nextWorkingDay(from, hs);
  let last: string;
  if (rule.working === 'day-after-receipt') last = londonDate(addDays(fromMs, count, holidays));
  else {
    last = dayOne;
    for (let n = 1; n < count.days; n++) last = nextWorkingDay(last, hs);
  }
  const dueAtMs = endOfLondonDay(last);
  return {
    dueAtMs,
    working: { ...base, firstDay: dayOne, lastDay: last, skipped: skippedBetween(from, last, hs, names) },
  };
}

/**
 * The number, under `rule`, of the working day on which `toMs` falls, counted from `fromMs` (the Ombudsman's
 * "working days taken"): the N for which `countDeadline(fromMs, { days: N, kind: 'working' }, rule, ...)` ends on
 * that day, so a response is within an N-working-day timescale exactly when its number is at most N.
 * `receipt-day`: the day of receipt is day 1 when it is a working day (answered the same day: 1);
 * `day-after-receipt`: day 1 is the first working day after it (answered the same day: 0).
 * A response given on a weekend or holiday counts as given on the next working day, so that a response after
 * the deadline's day is never counted within it. Before day 1 (or before `fromMs`'s date): 0.
 */
export function workingDayNumber(fromMs: number, toMs: number, rule: CountingRule, holidays: HolidayCalendar): number {
  assertFiniteInstant(fromMs, 'fromMs');
  assertFiniteInstant(toMs, 'toMs');
  const hs = holidaySet(holidays);
  const from = londonDate(fromMs);
  let to = londonDate(toMs);
  if (!isWorkingDayIn(to, hs)) to = nextWorkingDay(to, hs);
  if (rule.working === 'day-after-receipt') return to <= from ? 0 : countWorkingDaysAfter(from, to, hs);
  const dayOne = isWorkingDayIn(from, hs) ? from : nextWorkingDay(from, hs);
  return to < dayOne ? 0 : 1 + countWorkingDaysAfter(dayOne, to, hs);
}

/**
 * A deadline moved `days` later (an extension by days): working days are the Nth working day after the deadline's
 * own day, whatever the rule for day 1 (the deadline's day is already counted); calendar days follow the rule.
 */
export function extendDeadline(
  dueAtMs: number,
  count: DayCount,
  rule: CountingRule,
  holidays: HolidayCalendar,
  names: HolidayNames = {},
): CountedDeadline {
  const afterDeadline: CountingRule = { working: 'day-after-receipt', calendar: rule.calendar };
  const counted = countDeadline(dueAtMs, count, afterDeadline, holidays, names);
  const firstDay = count.kind === 'working' ? counted.working.firstDay : londonDate(dueAtMs);
  return { ...counted, working: { ...counted.working, rule: `${counted.working.rule}/extension`, firstDay } };
}

/** The working day `n` working days before `isoDate` (n = 0: `isoDate` itself, or the working day before it). */
export function workingDayBefore(isoDate: string, n: number, holidays: HolidayCalendar): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${String(n)}`);
  const hs = holidaySet(holidays);
  let d = isoDate;
  let left = isWorkingDayIn(d, hs) ? n : n + 1;
  for (let i = 0; left > 0; i++) {
    if (i > MAX_CONSECUTIVE_NON_WORKING_DAYS * 2) throw new RangeError(`no working day before ${isoDate}`);
    d = shiftIsoDate(d, -1);
    if (isWorkingDayIn(d, hs)) left--;
  }
  return d;
}

/** Epoch ms of a London wall-clock time 'HH:MM' on an ISO date (BST or GMT as that day has it). */
export function londonTimeOn(isoDate: string, hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`expected 'HH:MM', got ${JSON.stringify(hhmm)}`);
  return londonWallClockToEpoch(parseIsoDate(isoDate) + (Number(m[1]) * 60 + Number(m[2])) * 60_000);
}

/**
 * The end of the London day `months` calendar months after an ISO date (the same day of the month, or the last day
 * of a shorter month: 31 August + 6 months is the end of 28/29 February).
 */
export function endOfLondonDayMonthsAfter(isoDate: string, months: number): number {
  if (!Number.isInteger(months) || months < 0) throw new RangeError(`months must be a non-negative integer`);
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  parseIsoDate(isoDate);
  const monthIndex = m - 1 + months;
  const year = y + Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const lastOfMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return endOfLondonDay(isoFromUtcFields(year, month, Math.min(d, lastOfMonth)));
}
