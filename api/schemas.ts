import { z } from 'zod';
import { ComplaintRefSchema } from '../domain/intake';

// HTTP-only schemas shared by the routes. Request bodies come from domain/ (IntakeSchema, actionBodySchemas);
// these are the path, header and response shapes around them.

export const RefParamsSchema = z.object({ ref: ComplaintRefSchema }).strict();

/** GET /complaints/{ref}: read-your-writes (api/complaint-reads.ts). */
export const ReadQuerySchema = z
  .object({
    atLeastRevision: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        'Answer this revision of the complaint or a newer one (the Complaint-Revision an action answered with)',
      ),
  })
  .strict();

/** Printable ASCII, as the IETF Idempotency-Key draft suggests (a UUID is typical). */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces, at most 200 characters (e.g. a UUID)');

/** Other headers pass through untouched (loose): only the ones named here are checked. */
export const IdempotentHeadersSchema = z.looseObject({
  'idempotency-key': IdempotencyKeySchema.optional().describe(
    'Repeat a request with the same key and body to get the first answer instead of doing it twice; another body under the key is a 409 idempotency-key-reused',
  ),
});

/**
 * The complaint's state (200 answers of intake, GET and every action): the domain's own schema, so the document
 * and the serialiser follow the workflow's types; it names every field the state carries, in the order the domain
 * writes them (a response schema drops what it does not name).
 */
export { ComplaintStateSchema } from '../domain/complaint-state';

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
