import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actionBodySchemas } from '../../domain/actions';
import type { Register } from '../../register';
import { actorFor, requireRole } from '../auth';
import type { ComplaintReads } from '../complaint-reads';
import type { ComplaintService } from '../complaint-service';
import { badRequest, errorResponses } from '../errors';
import { ComplaintStateSchema, IdempotentHeadersSchema, RefParamsSchema } from '../schemas';
import { revisionHeaders } from './complaints';

// Erasure and the destruction log (issue 14). POST /complaints/{ref}/erasure destroys the complaint's data key
// (api/complaint-service.ts erase): its personal fields read "[erased]" everywhere from then on, its figures still
// count in every report, its timeline keeps who did what and when. GET /destruction-log is the records manager's.

export interface ErasureRoutesOptions {
  complaints: ComplaintService;
  reads: ComplaintReads;
  register: Pick<Register, 'destructionLog'>;
}

const DestructionLogEntrySchema = z.object({
  ref: z.string(),
  erasedAt: z.string().describe('When its data key was destroyed'),
  erasedBy: z.object({ id: z.string(), name: z.string().optional(), role: z.string().optional() }),
  rule: z.string().describe('`request` (a manager, with the reason) or the retention rule applied'),
  reason: z.string(),
  closedAt: z.string().nullable().describe('When the complaint was closed, when known'),
  workflowDeletedAt: z
    .string()
    .nullable()
    .describe('When its closed workflow executions were deleted from Temporal (retention); null: still there'),
});

const DestructionLogSchema = z.object({
  items: z.array(DestructionLogEntrySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
});

export const DestructionLogQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, 'a cursor from this API')
      .optional(),
  })
  .strict();

const CursorSchema = z.object({ erasedAt: z.iso.datetime(), ref: z.string().max(100) }).strict();

function decodeCursor(cursor: string): { erasedAt: string; ref: string } {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('invalid-cursor', 'The cursor is not one this API gave out', [
      { in: 'querystring', path: 'cursor', message: 'not a cursor from this API' },
    ]);
  }
}

export const erasureRoutes: FastifyPluginAsyncZod<ErasureRoutesOptions> = async (
  app,
  { complaints, reads, register },
) => {
  app.post(
    '/complaints/:ref/erasure',
    {
      onRequest: requireRole('manager'),
      schema: {
        tags: ['actions'],
        summary: "Erase the complaint's personal data",
        description:
          "Destroys the complaint's data key: every personal field (names, e-mails, phones, address, summary, notes, " +
          'findings, letters) then reads "[erased]", in the register, in what Temporal holds and in backups alike; ' +
          'the figures still count in every report, the timeline keeps who did what and when, and notices for it stop. ' +
          'Recorded in its timeline (`personal-data-erased`, the workflow Update "erase-personal-data") while it is ' +
          'open, and in the destruction log (GET /destruction-log) always. Repeated with the same Idempotency-Key and ' +
          'body it answers as the first time; a second erasure without one is a 409 already-erased. Roles: manager.',
        security: [{ bearer: [] }],
        params: RefParamsSchema,
        headers: IdempotentHeadersSchema,
        body: actionBodySchemas['erase-personal-data'],
        response: {
          200: ComplaintStateSchema.describe('The complaint after the erasure'),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const caller = request.caller!;
      const { ref } = request.params;
      const actor = actorFor(caller, request.actingRole!);
      const answer = await complaints.erase(ref, request.body, actor, request.headers['idempotency-key']);
      const read = answer ? await reads.afterAction(ref, answer) : await reads.get(ref);
      return reply.headers(revisionHeaders(read)).send(read.state);
    },
  );

  app.get(
    '/destruction-log',
    {
      onRequest: requireRole('manager'),
      schema: {
        tags: ['audit'],
        summary: 'The destruction log',
        description:
          'Every complaint whose personal data was erased, oldest first: on request (rule `request`) or by the ' +
          'retention schedule (the rule applied), when, its closure date, and when its workflow executions were ' +
          'deleted from Temporal. Roles: manager.',
        security: [{ bearer: [] }],
        querystring: DestructionLogQuerySchema,
        response: { 200: DestructionLogSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor) : undefined;
      const rows = await register.destructionLog({ limit: limit + 1, ...(after ? { after } : {}) });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor =
        rows.length > limit && last
          ? Buffer.from(JSON.stringify({ erasedAt: last.erasedAt, ref: last.ref })).toString('base64url')
          : null;
      return { items, nextCursor };
    },
  );
};
