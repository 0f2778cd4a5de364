import { daysBetween, type DayKind, type HolidayCalendar, londonDate } from './calendar';
import type { ComplaintState } from './complaint-state';
import type { NextDeadline } from './complaint';
import { MONTHS } from './deadline-explanation';

// A complaint's next deadline in the words a worklist shows: "due today", "due in 2 working days", "overdue by 3
// days", "extended to 14 January". Pure: the caller gives the time.

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** '14 January' (and the year when it is not the year of `nowMs`), London date of `atMs`. */
export function shortDate(atMs: number, nowMs: number): string {
  const [y, m, d] = londonDate(atMs).split('-').map(Number) as [number, number, number];
  const sameYear = londonDate(nowMs).slice(0, 4) === String(y);
  return `${d} ${MONTHS[m - 1]}${sameYear ? '' : ` ${y}`}`;
}

/**
 * The words for a deadline due at `dueAtMs`: past it, "overdue by N days" (calendar days since the London day it
 * fell on); extended (a response deadline moved by an extension), "extended to 14 January"; else "due today",
 * "due in N working days" (the stage's kind of days).
 */
export function deadlineInWords(
  dueAtMs: number,
  nowMs: number,
  options: { kind: DayKind; holidays: HolidayCalendar; extended?: boolean },
): string {
  if (dueAtMs < nowMs) {
    const late = Math.max(1, daysBetween(dueAtMs, nowMs, 'calendar', []));
    return `overdue by ${plural(late, 'day')}`;
  }
  if (options.extended) return `extended to ${shortDate(dueAtMs, nowMs)}`;
  const days = daysBetween(nowMs, dueAtMs, options.kind, options.holidays);
  if (days <= 0) return 'due today';
  return `due in ${plural(days, options.kind === 'working' ? 'working day' : 'day')}`;
}

/** The words for a complaint's next deadline (domain/complaint.ts nextDeadline), or 'no deadline pending'. */
export function nextDeadlineInWords(
  state: ComplaintState,
  next: NextDeadline | undefined,
  nowMs: number,
  kind: DayKind,
): string {
  if (!next) return 'no deadline pending';
  const dueAtMs = Date.parse(next.dueAt);
  if (next.kind === 'escalation-window' || next.kind === 'referral-window')
    return `${next.kind === 'escalation-window' ? 'may escalate' : 'may refer'} until ${shortDate(dueAtMs, nowMs)}`;
  const record = state.stages[state.stages.length - 1];
  const extended = next.kind === 'response' && (record?.response.extensions.length ?? 0) > 0;
  return deadlineInWords(dueAtMs, nowMs, { kind, holidays: state.holidays, extended });
}
