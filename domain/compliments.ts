import { z } from 'zod';
import { endOfLondonDay, shiftIsoDate } from './calendar';
import { InstantSchema, LocalDateSchema, RecordedActorSchema, ServiceAreaSchema, TextSchema } from './vocabulary';

// Compliments: written praise of a service, recorded centrally (section 4.11 of the 2011 report) and counted in the
// annual report. The HTTP body of POST /compliments, the record kept, and the query of GET /compliments.

/** A date (Europe/London, the whole day) or an instant. */
export const DateOrInstantSchema = z.union([InstantSchema, LocalDateSchema]);

export const NewComplimentSchema = z
  .object({
    serviceArea: ServiceAreaSchema,
    team: TextSchema.trim().min(1).max(200).describe('The team or service praised, e.g. "hospital social work"'),
    receivedAt: DateOrInstantSchema.describe('When it was received: a date (YYYY-MM-DD, Europe/London) or an instant'),
    summary: TextSchema.trim().min(1).max(5_000),
  })
  .strict();
export type NewCompliment = z.infer<typeof NewComplimentSchema>;

export const ComplimentSchema = z
  .object({
    id: z.string(),
    serviceArea: ServiceAreaSchema,
    team: z.string(),
    /** The instant it was received (a date given alone is the start of that day in Europe/London). */
    receivedAt: InstantSchema,
    summary: z.string(),
    recordedBy: RecordedActorSchema.strict(),
    recordedAt: InstantSchema,
  })
  .strict();
export type Compliment = z.infer<typeof ComplimentSchema>;

export const ComplimentListQuerySchema = z
  .object({
    from: DateOrInstantSchema.optional().describe('Received on or after (a date: from the start of that day)'),
    to: DateOrInstantSchema.optional().describe(
      'Received before (an instant) or on or before (a date: that whole day); not before from',
    ),
  })
  .strict();

export const ComplimentListSchema = z.object({ compliments: z.array(ComplimentSchema) }).strict();

/** 00:00 Europe/London on the date, as epoch ms. */
export function startOfLondonDay(isoDate: string): number {
  return endOfLondonDay(shiftIsoDate(isoDate, -1)) + 1;
}

const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** The instant a `receivedAt` stands for (ISO). */
export function receivedInstant(value: string): string {
  return new Date(isDate(value) ? startOfLondonDay(value) : Date.parse(value)).toISOString();
}

/** The start of a period bound given as a date (start of that day) or an instant. */
export function periodStart(value: string): string {
  return receivedInstant(value);
}

/** The (exclusive) end of a period bound given as a date (the end of that whole day) or an instant. */
export function periodEnd(value: string): string {
  return new Date(isDate(value) ? startOfLondonDay(shiftIsoDate(value, 1)) : Date.parse(value)).toISOString();
}
