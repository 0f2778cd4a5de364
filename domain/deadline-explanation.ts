import { isoDayOfWeek, type DeadlineWorking } from './calendar';

// "How we worked this out": one sentence from a deadline's working (domain/calendar.ts countDeadline), for the
// letters (notifications/), the audit timeline and anyone reading the API's `working`. Pure and zod-free.

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** The months' names, January first (the one list: deadline words use it too). */
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** 'Wednesday 24 December 2025' for an ISO date. */
export function longDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `${WEEKDAYS[isoDayOfWeek(isoDate)]} ${d} ${MONTHS[m - 1]} ${y}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * E.g. "5 working days, counting Wednesday 24 December 2025 as day 1, to the end of Monday 5 January 2026 (UK time);
 * not counted: 4 weekend days and Christmas Day (25 December 2025), Boxing Day (26 December 2025), ..."
 */
export function explainDeadline(working: DeadlineWorking): string {
  const extension = working.rule.endsWith('/extension');
  const end = `to the end of ${longDate(working.lastDay)} (UK time)`;
  if (working.kind === 'calendar') {
    if (working.rule.includes('exact-24-hours'))
      return `${plural(working.days, 'day')} of 24 hours from ${working.from}`;
    const from = extension ? 'the previous deadline' : 'the day counted from';
    return `${plural(working.days, 'calendar day')} after ${longDate(working.firstDay)} (${from}), ${end}`;
  }
  const start = extension
    ? `more after the previous deadline, starting ${longDate(working.firstDay)}`
    : `counting ${longDate(working.firstDay)} as day 1`;
  const weekends = working.skipped.filter((day) => day.why === 'weekend').length;
  const holidays = working.skipped
    .filter((day) => day.why === 'holiday')
    .map((day) => `${day.name ?? 'a holiday'} (${longDate(day.date).replace(/^\w+ /, '')})`);
  const skipped = [...(weekends > 0 ? [plural(weekends, 'weekend day')] : []), ...holidays];
  return `${plural(working.days, 'working day')}, ${start}, ${end}${skipped.length > 0 ? `; not counted: ${skipped.join(', ')}` : ''}`;
}
