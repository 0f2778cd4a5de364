import type { FastifyInstance } from 'fastify';
import { accessRoute } from '../api/access-recorder';
import { actorFor, mayReadPersonalData, requireRole } from '../api/auth';
import { ApiError } from '../api/errors';
import type { WebContext } from './plugin';
import { pageContext } from './views';

// Letters to post: the queue of printable letters for complainants without e-mail (api/letter-service.ts, the
// service the API's /letters routes call), each letter's PDF, and "Mark as posted" (POST, CSRF, then back to the
// queue). The API's roles (api/routes/letters.ts): staff see the queue, all but auditors mark letters posted. What the
// pages disclose is in the access log as the API's letters routes record it.

export const LETTER_READERS = ['intake', 'case-officer', 'manager', 'auditor'] as const;
export const LETTER_POSTERS = ['intake', 'case-officer', 'manager'] as const;

const LetterIdSchema = /^L-[0-9a-f]{24}$/;

function letterId(params: unknown): string {
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !LetterIdSchema.test(id))
    throw new ApiError(404, 'not-found', 'There is no letter with that id');
  return id;
}

export function letterRoutes(app: FastifyInstance, context: WebContext): void {
  const letters = () => {
    if (!context.letters) throw new ApiError(503, 'no-letters', 'Letters are not set up on this server');
    return context.letters;
  };
  const readers = { config: { browser: true }, onRequest: requireRole(...LETTER_READERS) };

  app.get('/letters-to-post', readers, async (request, reply) => {
    const queue = await letters().lettersToPost();
    // Names and addresses, to any role that reads the queue: in each complaint's access log (as the API's letters).
    const refs = [...new Set(queue.map((letter) => letter.ref))];
    await context.access?.record(request.caller!, accessRoute(request), refs, { toAnyRole: true });
    const mayPost = request.caller!.roles.some((role) => (LETTER_POSTERS as readonly string[]).includes(role));
    const posted = (request.query as { posted?: unknown }).posted;
    return reply.view('letters.njk', {
      ...pageContext(request, reply, context, 'Letters to post'),
      letters: queue,
      mayPost,
      mayOpenComplaints: mayReadPersonalData(request.caller!),
      posted: typeof posted === 'string' && LetterIdSchema.test(posted) ? posted : undefined,
    });
  });

  app.get('/letters-to-post/:id/pdf', readers, async (request, reply) => {
    const id = letterId(request.params);
    const pdf = await letters().letterPdf(id);
    const { ref } = await letters().letter(id);
    await context.access?.record(request.caller!, accessRoute(request), [ref], { toAnyRole: true });
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${id}.pdf"`)
      .send(Buffer.from(pdf));
  });

  app.post(
    '/letters-to-post/:id/posted',
    { config: { browser: true }, onRequest: requireRole(...LETTER_POSTERS), preHandler: app.csrfProtection },
    async (request, reply) => {
      const id = letterId(request.params);
      try {
        await letters().markPosted(id, actorFor(request.caller!, request.actingRole!), new Date(context.now()));
      } catch (error) {
        // Marked already (a form sent twice, or by someone else): the queue shows it gone either way.
        if (!(error instanceof ApiError && error.statusCode === 409)) throw error;
      }
      return reply.redirect(`/letters-to-post?posted=${id}`, 303);
    },
  );
}
