import { describe, expect, it } from 'vitest';
import { deadlineInWords, shortDate } from '../../domain/deadline-words';

// The worklist's words for a deadline: counted in the stage's kind of days from now, overdue in calendar days.
const at = (iso: string) => Date.parse(iso);

describe('deadlineInWords', () => {
  const now = at('2026-01-08T10:00:00Z'); // a Thursday
  it('counts working days ahead, skipping the weekend and holidays', () => {
    const due = at('2026-01-13T23:59:59Z'); // the Tuesday after
    expect(deadlineInWords(due, now, { kind: 'working', holidays: [] })).toBe('due in 3 working days');
    expect(deadlineInWords(due, now, { kind: 'working', holidays: ['2026-01-12'] })).toBe('due in 2 working days');
    expect(deadlineInWords(due, now, { kind: 'calendar', holidays: [] })).toBe('due in 5 days');
  });
  it('says today, and one day in the singular', () => {
    expect(deadlineInWords(at('2026-01-08T23:59:59Z'), now, { kind: 'working', holidays: [] })).toBe('due today');
    expect(deadlineInWords(at('2026-01-09T23:59:59Z'), now, { kind: 'working', holidays: [] })).toBe(
      'due in 1 working day',
    );
  });
  it('counts overdue in calendar days, at least one', () => {
    expect(deadlineInWords(at('2026-01-05T23:59:59Z'), now, { kind: 'working', holidays: [] })).toBe(
      'overdue by 2 days',
    );
    expect(deadlineInWords(at('2026-01-08T09:00:00Z'), now, { kind: 'working', holidays: [] })).toBe(
      'overdue by 1 day',
    );
  });
  it('names the date an extension moved the deadline to, with the year only when it is another', () => {
    expect(deadlineInWords(at('2026-01-14T23:59:59Z'), now, { kind: 'working', holidays: [], extended: true })).toBe(
      'extended to 14 January',
    );
    expect(shortDate(at('2027-02-01T12:00:00Z'), now)).toBe('1 February 2027');
  });
});
