import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccessLogStore } from '../../register/access-log';
import type { AccessRecorder } from '../access-recorder';
import { requireRole } from '../auth';
import { ApiError, errorResponses } from '../errors';
import { RefParamsSchema } from '../schemas';

// GET /complaints/{ref}/access-log (issue 14): who read the complaint's personal data, when, through which route.

export interface AccessLogRoutesOptions {
  store: Pick<AccessLogStore, 'forComplaint'>;
  /** Written out before each read of the log, so the log shows every read answered before it. */
  recorder: Pick<AccessRecorder, 'flush'>;
}

const AUDITORS = ['auditor'] as const;

export const AccessLogQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50).describe('Page size, 1 to 100'),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/, 'a nextCursor this route gave')
      .optional()
      .describe('Pass nextCursor back for the next (older) page'),
  })
  .strict();

const AccessLogEntrySchema = z.object({
  at: z.string().describe('When the read was answered (ISO instant)'),
  viewer: z.object({ id: z.string().describe('The person (token or signed-in)'), roles: z.array(z.string()) }),
  route: z.string().describe('Method and route, e.g. "GET /complaints/:ref" or the web page "GET /cases/:ref"'),
});

const AccessLogSchema = z.object({
  ref: z.string(),
  items: z.array(AccessLogEntrySchema).describe('Newest first'),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
});

export const accessLogRoutes: FastifyPluginAsyncZod<AccessLogRoutesOptions> = async (app, { store, recorder }) => {
  app.get(
    '/complaints/:ref/access-log',
    {
      onRequest: requireRole(...AUDITORS),
      schema: {
        tags: ['audit'],
        summary: "Who read the complaint's personal data",
        description:
          'Every read that disclosed it (the complaint, lists showing names, letters, subject access requests, the web ' +
          "application's complaint page and worklist), by a role that may read personal data: who, when, through which " +
          'route; newest first. A reference never read (or unknown) has an empty log. 503 when the log cannot be ' +
          `written out now. Role: ${AUDITORS.join(', ')}.`,
        security: [{ bearer: [] }],
        params: RefParamsSchema,
        querystring: AccessLogQuerySchema,
        response: { 200: AccessLogSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { ref } = request.params;
      const { limit, cursor } = request.query;
      await recorder.flush().catch(() => {
        throw new ApiError(
          503,
          'access-log-unavailable',
          'The access log cannot be written out now; try again shortly',
        );
      });
      const rows = await store.forComplaint(ref, { limit: limit + 1, ...(cursor ? { beforeId: Number(cursor) } : {}) });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        ref,
        items: page.map(({ at, viewer, route }) => ({
          at,
          viewer: { id: viewer.id, roles: [...viewer.roles] },
          route,
        })),
        nextCursor: rows.length > limit && last ? String(last.id) : null,
      };
    },
  );
};
