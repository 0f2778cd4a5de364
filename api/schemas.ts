import { z } from 'zod';
import { ComplaintRefSchema } from '../domain/intake';
import type { ComplaintState } from '../domain/complaint';
import { ComplaintStatusSchema } from '../domain/vocabulary';

// HTTP-only schemas shared by the routes. Request bodies come from domain/ (IntakeSchema, actionBodySchemas);
// these are the path, header and response shapes around them.

export const RefParamsSchema = z.object({ ref: ComplaintRefSchema }).strict();

/** Printable ASCII, as the IETF Idempotency-Key draft suggests (a UUID is typical). */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces, at most 200 characters (e.g. a UUID)');

/** Other headers pass through untouched (loose): only the ones named here are checked. */
export const IdempotentHeadersSchema = z.looseObject({
  'idempotency-key': IdempotencyKeySchema.optional().describe(
    'Repeat a request with the same key to get the first answer instead of doing it twice',
  ),
});

const ActorShape = z.looseObject({ id: z.string(), name: z.string().optional(), role: z.string().optional() });

/**
 * The complaint's state as the workflow keeps it (domain/complaint.ts ComplaintState). Documented loosely here:
 * the workflow's TypeScript types are the contract, and the response passes every field through.
 */
const complaintStateShape = z
  .looseObject({
    ref: z.string(),
    procedure: z.looseObject({ id: z.string(), version: z.number(), name: z.string() }),
    status: ComplaintStatusSchema,
    currentStage: z.string(),
    details: z
      .looseObject({})
      .describe('What intake recorded: complainant, representative, service area, category, channel, summary, serious'),
    receivedAt: z.string(),
    caseOfficer: z.looseObject({ id: z.string() }).nullable(),
    stages: z
      .array(z.looseObject({ stage: z.string(), name: z.string(), startedAt: z.string() }))
      .describe('Each stage reached: its deadlines, outcome, extensions'),
    holidays: z.array(z.string()),
    timeline: z
      .array(z.looseObject({ seq: z.number(), type: z.string(), at: z.string(), actor: ActorShape }))
      .describe('Every recorded event, numbered, timed and attributed'),
  })
  .describe('A complaint: its stages, deadlines and everything recorded on it');

/** Typed as the domain's ComplaintState for handlers; at run time the loose shape above (documents, passes all through). */
export const ComplaintStateSchema = complaintStateShape as unknown as z.ZodType<ComplaintState>;

/** `temporal workflow show --output json`: protobuf JSON of temporal.api.history.v1.History. */
export const HistoryJsonSchema = z
  .looseObject({
    events: z.array(z.looseObject({ eventId: z.string(), eventTime: z.string(), eventType: z.string() })),
  })
  .describe('The event history, as the Temporal CLI prints it and the replayer reads it');
export type HistoryJson = z.infer<typeof HistoryJsonSchema>;

export const AcceptedIntakeSchema = z
  .object({ ref: z.string(), message: z.string() })
  .describe('Recorded, but its state could not be read yet (no worker answered): GET it later');
