import { z } from 'zod';
import { londonDate } from '../domain/calendar';
import { LocalDateSchema } from '../domain/vocabulary';
import { checkForm, type FieldError, fieldErrors, type FieldNames } from './forms';

// The period a page shows (compliments, reports): two dates, Europe/London whole days, `to` inclusive, as the
// API's report and compliment queries take them. Without one, the financial year so far (1 April to today), the
// year a council reports on.

export interface ChosenPeriod {
  from: string;
  to: string;
}

/** A date field of a GET form: empty is none. */
export const optionalDate = z.preprocess((value) => (value === '' ? undefined : value), LocalDateSchema.optional());
const PeriodQuerySchema = z.object({ from: optionalDate, to: optionalDate });

const names: FieldNames = { from: { name: 'the date from' }, to: { name: 'the date to' } };

/** The financial year (1 April to 31 March) that holds `nowMs`, up to today. */
export function financialYearSoFar(nowMs: number): ChosenPeriod {
  const today = londonDate(nowMs);
  const year = Number(today.slice(0, 4));
  const startYear = Number(today.slice(5, 7)) >= 4 ? year : year - 1;
  return { from: `${startYear}-04-01`, to: today };
}

/** The period asked for (each date missing: the financial year's), or the fields' errors. */
export function periodFromQuery(
  query: unknown,
  nowMs: number,
): { period: ChosenPeriod; errors: FieldError[]; asked: Record<string, unknown> } {
  const asked = (query ?? {}) as Record<string, unknown>;
  const fallback = financialYearSoFar(nowMs);
  const parsed = checkForm(PeriodQuerySchema, { from: asked.from, to: asked.to }, names);
  if (!parsed.success) return { period: fallback, errors: fieldErrors(parsed.error, names), asked };
  const period = { from: parsed.data.from ?? fallback.from, to: parsed.data.to ?? fallback.to };
  if (period.from > period.to)
    return {
      period: fallback,
      errors: [{ field: 'to', text: 'The date to must be the same day as the date from or after it', href: '#to' }],
      asked,
    };
  return { period, errors: [], asked };
}
