import { z } from 'zod';

// The words of the complaints domain, shared by the workflow, the API, the register and the report.

export const serviceAreas = ['community-care', 'childrens-services', 'criminal-justice', 'general'] as const;
export const ServiceAreaSchema = z.enum(serviceAreas);
export type ServiceArea = z.infer<typeof ServiceAreaSchema>;

export const categories = [
  'staff-attitude',
  'service-standards',
  'communication',
  'delay',
  'decision',
  'other',
] as const;
export const CategorySchema = z.enum(categories);
export type Category = z.infer<typeof CategorySchema>;

export const channels = ['letter', 'email', 'phone', 'in-person', 'web-form'] as const;
export const ChannelSchema = z.enum(channels);
export type Channel = z.infer<typeof ChannelSchema>;

/** Every outcome any procedure knows; a procedure lists the ones it allows at each stage. */
export const outcomes = ['upheld', 'partially-upheld', 'not-upheld', 'resolved'] as const;
export const OutcomeSchema = z.enum(outcomes);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const complaintStatuses = ['open', 'awaiting-escalation', 'closed', 'withdrawn'] as const;
export const ComplaintStatusSchema = z.enum(complaintStatuses);
export type ComplaintStatus = z.infer<typeof ComplaintStatusSchema>;

// Years outside this range are well-formed ISO text but no date a complaint can have, and JavaScript's Date reads
// years below 100 as 19xx: refused here, once, rather than failing deep inside date arithmetic.
const YEARS_MESSAGE = 'must be in the years 1900 to 9998';
function withinCalendarRange(value: string): boolean {
  const year = Number(value.slice(0, 4));
  return year >= 1900 && year <= 9998;
}

/** ISO-8601 instant with an offset, e.g. 2026-03-01T09:30:00Z. */
export const InstantSchema = z.iso.datetime({ offset: true }).refine(withinCalendarRange, YEARS_MESSAGE);

/** ISO local date, e.g. 2026-12-25. */
export const LocalDateSchema = z.iso.date().refine(withinCalendarRange, YEARS_MESSAGE);

/** Who did something. The API fills it from the caller's token; timers act as `system`. */
export const ActorSchema = z
  .object({
    id: z.string().min(1).max(200),
    name: z.string().min(1).max(200).optional(),
    role: z.string().min(1).max(100).optional(),
  })
  .strict();
export type Actor = z.infer<typeof ActorSchema>;
