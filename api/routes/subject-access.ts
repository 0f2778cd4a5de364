import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessRoute, type AccessRecorder } from '../access-recorder';
import { requireRole } from '../auth';
import { errorResponses } from '../errors';
import { subjectAccessHtml } from '../subject-access-html';
import { SubjectAccessBundleSchema, SubjectAccessQuerySchema, subjectOf, type SubjectAccess } from '../subject-access';

// GET /subject-access (issue 14): a subject access request, answered as JSON or as a printable HTML page.

export interface SubjectAccessRoutesOptions {
  subjectAccess: SubjectAccess;
  access: Pick<AccessRecorder, 'record'>;
}

const MANAGERS = ['manager'] as const;

/** HTML when asked for by format=html, or by an Accept header that prefers it to JSON (a browser's). */
function wantsHtml(format: 'json' | 'html' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'html';
  return /text\/html/.test(accept ?? '') && !/application\/json/.test(accept ?? '');
}

export const subjectAccessRoutes: FastifyPluginAsyncZod<SubjectAccessRoutesOptions> = async (
  app,
  { subjectAccess, access },
) => {
  app.get(
    '/subject-access',
    {
      onRequest: requireRole(...MANAGERS),
      schema: {
        tags: ['audit'],
        summary: 'A subject access request: everything held about a person',
        description:
          'Give email (the whole address) or name (its words). Every complaint in which the person is complainant or ' +
          'representative, in full with its timeline and letters; the compliments whose text names them; and the ' +
          'references of complaints the search found in which they are neither (to review). JSON, or a printable ' +
          'HTML page with format=html or Accept: text/html. Each complaint disclosed is recorded in its access log. ' +
          `400 for neither or both of email and name. Role: ${MANAGERS.join(', ')}.`,
        security: [{ bearer: [] }],
        querystring: SubjectAccessQuerySchema,
        response: {
          200: {
            description: 'The bundle (JSON) or the printable page (HTML)',
            content: {
              'application/json': { schema: SubjectAccessBundleSchema },
              'text/html': { schema: z.string() },
            },
          },
          ...errorResponses(400, 401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const subject = subjectOf(request.query);
      const route = accessRoute(request);
      const bundle = await subjectAccess.find(subject, request.caller!, route);
      const disclosed = bundle.complaints.map((held) => held.ref);
      await access.record(request.caller!, route, disclosed.length > 0 ? disclosed : [null]);
      if (!wantsHtml(request.query.format, request.headers.accept)) return bundle;
      return reply
        .type('text/html; charset=utf-8')
        .serializer((payload: unknown) => payload as string)
        .send(subjectAccessHtml(bundle) as never);
    },
  );
};
