import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { letterStatuses } from '../../register/letters';
import { accessRoute, type AccessRecorder } from '../access-recorder';
import { actorFor, requireRole } from '../auth';
import { errorResponses } from '../errors';
import { LetterListSchema, LetterSchema, previewActions, type LetterService } from '../letter-service';
import { RefParamsSchema } from '../schemas';

// Letters to complainants (issue 16): the queue of letters to post, each letter and its printable PDF, marking a
// letter posted, the letters kept in a complaint's record, and a preview of the letter an action would send.

export interface LetterRoutesOptions {
  letters: LetterService;
  /** The clock that stamps when a letter was marked posted and previews are dated (tests may fix it). */
  now?: () => Date;
  /**
   * The access log: a letter read is recorded as a read of its complaint, by any role (a letter names the complainant
   * and their address, and the outcome letter quotes the findings: intake, who posts letters, sees them too).
   */
  access?: Pick<AccessRecorder, 'record'>;
}

const STAFF = ['intake', 'case-officer', 'manager', 'auditor'] as const;
const POSTERS = ['intake', 'case-officer', 'manager'] as const;

const LetterParamsSchema = z.object({
  id: z.string().regex(/^L-[0-9a-f]{24}$/, 'a letter id, e.g. L-0123456789abcdef01234567'),
});
const LetterListQuerySchema = z
  .object({ status: z.enum(letterStatuses).optional().describe('to-post: the letters waiting to be posted') })
  .strict();
const PreviewQuerySchema = z.object({ format: z.enum(['json', 'pdf']).default('json') }).strict();
const PreviewBodySchema = z
  .object({
    action: z.enum(previewActions).describe('The action whose letter to preview'),
    body: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The action's body, as its own route takes it (checked by that route's rules)"),
  })
  .strict();
const PreviewSchema = z.object({
  kind: z.string(),
  channel: z.enum(['email', 'post']),
  subject: z.string(),
  body: z.string(),
});

const pdfResponse = {
  description: 'The letter as a printable A4 PDF',
  content: { 'application/pdf': { schema: z.string() } },
};

interface PdfReply {
  type(contentType: string): PdfReply;
  header(name: string, value: string): PdfReply;
  serializer(serialize: (payload: unknown) => unknown): PdfReply;
  send(payload: never): void;
}

/** A PDF answer (letters, the committee paper): shown in the browser, saved under `name`.pdf. */
export function sendPdf(reply: PdfReply, pdf: Uint8Array, name: string): void {
  reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="${name}.pdf"`)
    .serializer((payload: unknown) => payload as Buffer)
    .send(Buffer.from(pdf) as never);
}

/** A read of letters: of their complaints' personal data, by any role (api/access-recorder.ts `toAnyRole`). */
async function recordRead(
  access: LetterRoutesOptions['access'],
  request: FastifyRequest,
  letters: readonly { ref: string }[],
): Promise<void> {
  const refs = [...new Set(letters.map((letter) => letter.ref))];
  await access?.record(request.caller!, accessRoute(request), refs, { toAnyRole: true });
}

export const letterRoutes: FastifyPluginAsyncZod<LetterRoutesOptions> = async (app, options) => {
  await app.register(letterQueueRoutes, options);
  await app.register(complaintLetterRoutes, options);
};

/** The queue and each letter. */
const letterQueueRoutes: FastifyPluginAsyncZod<LetterRoutesOptions> = async (
  app,
  { letters, now = () => new Date(), access },
) => {
  app.get(
    '/letters',
    {
      onRequest: requireRole(...STAFF),
      schema: {
        tags: ['letters'],
        summary: 'Letters to complainants, oldest first (status=to-post: the letters to print and post)',
        description: `Roles: ${STAFF.join(', ')}.`,
        security: [{ bearer: [] }],
        querystring: LetterListQuerySchema,
        response: { 200: LetterListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const listed = await letters.list(request.query.status);
      await recordRead(access, request, listed);
      return { letters: listed };
    },
  );

  app.get(
    '/letters/:id',
    {
      onRequest: requireRole(...STAFF),
      schema: {
        tags: ['letters'],
        summary: 'A letter',
        description: `Roles: ${STAFF.join(', ')}.`,
        security: [{ bearer: [] }],
        params: LetterParamsSchema,
        response: { 200: LetterSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const letter = await letters.letter(request.params.id);
      await recordRead(access, request, [letter]);
      return letter;
    },
  );

  app.get(
    '/letters/:id/pdf',
    {
      onRequest: requireRole(...STAFF),
      schema: {
        tags: ['letters'],
        summary: 'A letter to post as a printable A4 PDF (address placed for a DL/C5 left-window envelope)',
        description: `Roles: ${STAFF.join(', ')}.`,
        security: [{ bearer: [] }],
        params: LetterParamsSchema,
        response: { 200: pdfResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await recordRead(access, request, [await letters.letter(request.params.id)]);
      sendPdf(reply, await letters.letterPdf(request.params.id), request.params.id);
      return reply;
    },
  );

  app.post(
    '/letters/:id/posted',
    {
      onRequest: requireRole(...POSTERS),
      schema: {
        tags: ['letters'],
        summary: 'Mark a letter to post as posted (by the caller, now)',
        description: `409 when it is not waiting to be posted. Roles: ${POSTERS.join(', ')}.`,
        security: [{ bearer: [] }],
        params: LetterParamsSchema,
        response: { 200: LetterSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => letters.markPosted(request.params.id, actorFor(request.caller!, request.actingRole!), now()),
  );
};

/** A complaint's letters, and the preview of the one an action would send. */
const complaintLetterRoutes: FastifyPluginAsyncZod<LetterRoutesOptions> = async (
  app,
  { letters, now = () => new Date(), access },
) => {
  app.get(
    '/complaints/:ref/letters',
    {
      onRequest: requireRole(...STAFF),
      schema: {
        tags: ['letters'],
        summary: "The letters kept in a complaint's record, oldest first",
        description: `Roles: ${STAFF.join(', ')}.`,
        security: [{ bearer: [] }],
        params: RefParamsSchema,
        response: { 200: LetterListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const kept = await letters.lettersOf(request.params.ref);
      await recordRead(access, request, kept);
      return { letters: kept };
    },
  );

  app.post(
    '/complaints/:ref/letters/preview',
    {
      onRequest: requireRole(...POSTERS),
      schema: {
        tags: ['letters'],
        summary: 'Preview the letter an action would send the complainant (nothing is recorded or sent)',
        description:
          'format=json: its text; pdf: as printed. 409 when the action is not allowed now, or sends no letter. ' +
          `Roles: ${POSTERS.join(', ')}.`,
        security: [{ bearer: [] }],
        params: RefParamsSchema,
        querystring: PreviewQuerySchema,
        body: PreviewBodySchema,
        response: {
          200: {
            description: 'The letter (format=json: its text; pdf: as printed)',
            content: { 'application/json': { schema: PreviewSchema }, 'application/pdf': { schema: z.string() } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const actor = actorFor(request.caller!, request.actingRole!);
      const preview = await letters.preview(
        request.params.ref,
        request.body.action,
        request.body.body,
        actor,
        now().getTime(),
      );
      await recordRead(access, request, [request.params]);
      if (request.query.format === 'pdf') {
        sendPdf(reply, preview.pdf, `${request.params.ref}-preview`);
        return reply;
      }
      return { kind: preview.notice.kind, channel: preview.channel, subject: preview.subject, body: preview.body };
    },
  );
};

export default letterRoutes;
