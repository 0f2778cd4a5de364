import { z } from 'zod';
import {
  CategorySchema,
  ChannelSchema,
  InstantSchema,
  LocalDateSchema,
  ServiceAreaSchema,
  TextSchema,
} from './vocabulary';

/** A complaint's reference is its workflow id: readable, URL-safe, unique for ever (e.g. SW-2026-000123). */
export const ComplaintRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/, 'a reference is 3 to 64 letters, digits and dashes, e.g. SW-2026-000123');
export type ComplaintRef = z.infer<typeof ComplaintRefSchema>;

// Each shape once: strict in what intake accepts (an unknown field is a 400), and as kept in the complaint's state
// (ComplaintDetailsSchema, whose output the API serialises). Intake's free text is the one text schema
// (domain/vocabulary.ts); the kept shape is built on a plain string, so a complaint recorded before that rule still
// answers GET instead of failing its own response schema.
type TextField = typeof TextSchema;
/** As kept: an address, or "[erased]" once the complaint's personal data was erased (domain/personal-fields.ts). */
const keptEmail = () => z.string().describe('An e-mail address; "[erased]" after an erasure');
const complainantShape = (text: TextField, email: () => z.ZodType<string> = () => z.email().max(320)) => ({
  name: text.trim().min(1).max(200),
  email: email().optional(),
  phone: text.trim().min(3).max(40).optional(),
  address: text.trim().min(1).max(500).optional(),
});
export const ComplainantSchema = z.object(complainantShape(TextSchema)).strict();
export type Complainant = z.infer<typeof ComplainantSchema>;

/** Someone acting for the complainant; their details may only be used with the complainant's consent. */
const representativeShape = (text: TextField, email: () => z.ZodType<string> = () => z.email().max(320)) => ({
  name: text.trim().min(1).max(200),
  relationship: text.trim().min(1).max(100).optional(),
  email: email().optional(),
  phone: text.trim().min(3).max(40).optional(),
  consentGiven: z.boolean(),
});
export const RepresentativeSchema = z.object(representativeShape(TextSchema)).strict();
export type Representative = z.infer<typeof RepresentativeSchema>;

export const ProcedureChoiceSchema = z
  .object({
    id: TextSchema.min(1).max(100),
    version: z.number().int().positive().optional(),
  })
  .strict();

/** What intake staff record when a complaint arrives. */
export const IntakeSchema = z
  .object({
    ref: ComplaintRefSchema.optional().describe('Given by the organisation, or generated when absent'),
    complainant: ComplainantSchema,
    representative: RepresentativeSchema.optional(),
    serviceArea: ServiceAreaSchema,
    category: CategorySchema,
    channel: ChannelSchema,
    summary: TextSchema.trim().min(1).max(10_000),
    eventOn: LocalDateSchema.optional().describe(
      'The date of the event complained about, when known (YYYY-MM-DD; the 2020 procedure counts its Stage 2 window from it)',
    ),
    receivedAt: InstantSchema.optional().describe('When the complaint was received; defaults to now'),
    serious: z.boolean().default(false).describe('Serious complaints start at the second stage'),
    procedure: ProcedureChoiceSchema.optional().describe('Defaults to the configured procedure, latest version'),
  })
  .strict();
export type IntakeRequest = z.input<typeof IntakeSchema>;

/** The intake as the workflow keeps it: everything resolved. Keys in the order intake builds them (the API's response keeps it). */
export const ComplaintDetailsSchema = z
  .object({
    complainant: z.object(complainantShape(z.string(), keptEmail)),
    representative: z.object(representativeShape(z.string(), keptEmail)).optional(),
    serviceArea: ServiceAreaSchema,
    category: CategorySchema,
    channel: ChannelSchema,
    summary: z.string(),
    eventOn: z.string().optional().describe('The date of the event complained about, when known'),
    serious: z.boolean().describe('Serious complaints start at the second stage'),
  })
  .describe(
    'What intake recorded: complainant, representative, service area, category, channel, summary, serious. After an ' +
      'erasure (POST /complaints/{ref}/erasure, or retention) every personal field reads "[erased]"',
  );
export type ComplaintDetails = z.infer<typeof ComplaintDetailsSchema>;

/** Everything a complaint workflow starts from. */
export interface ComplaintOpening {
  ref: string;
  procedure: { id: string; version: number };
  details: ComplaintDetails;
  receivedAt: string;
  /** Public holidays (YYYY-MM-DD, Europe/London) that working-day deadlines skip. */
  holidays: string[];
  /** Names of those holidays and closures by date, for the deadlines' explanations (absent: dates only). */
  holidayNames?: Record<string, string>;
  /** Who recorded the complaint. */
  actor: { id: string; name?: string; role?: string };
}
