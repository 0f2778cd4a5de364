import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ComplimentListQuerySchema,
  ComplimentListSchema,
  ComplimentSchema,
  NewComplimentSchema,
  periodEnd,
  periodStart,
} from '../../domain/compliments';
import type { Register } from '../../register';
import { actorFor, requireRole } from '../auth';
import { badRequest, errorResponses } from '../errors';

// Compliments (section 4.11 of the 2011 report): intake staff and officers record them, auditors (and they) read
// them. They live in the complaints register and are counted in the annual report.

export interface ComplimentRoutesOptions {
  register: Register;
  /** The clock that stamps when a compliment was recorded (tests may fix it). */
  now?: () => Date;
}

export const complimentRoutes: FastifyPluginAsyncZod<ComplimentRoutesOptions> = async (
  app,
  { register, now = () => new Date() },
) => {
  app.post(
    '/compliments',
    {
      onRequest: requireRole('intake', 'case-officer', 'manager'),
      schema: {
        tags: ['compliments'],
        summary: 'Record a written compliment',
        description: 'Roles: intake, case-officer, manager.',
        security: [{ bearer: [] }],
        body: NewComplimentSchema,
        response: { 201: ComplimentSchema, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const compliment = await register.recordCompliment(
        request.body,
        actorFor(request.caller!, request.actingRole!),
        now(),
      );
      return reply.code(201).send(compliment);
    },
  );

  app.get(
    '/compliments',
    {
      onRequest: requireRole('auditor', 'manager', 'case-officer', 'intake'),
      schema: {
        tags: ['compliments'],
        summary: 'List compliments, oldest first',
        description:
          'Optionally those received in a period: a date is a whole day in Europe/London. Roles: auditor, manager, case-officer, intake.',
        security: [{ bearer: [] }],
        querystring: ComplimentListQuerySchema,
        response: { 200: ComplimentListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const period = { ...(from ? { from: periodStart(from) } : {}), ...(to ? { to: periodEnd(to) } : {}) };
      if (period.from && period.to && period.from >= period.to)
        throw badRequest('invalid-request', '`to` must be after `from`', [
          { in: 'querystring', path: 'to', message: 'must be after from' },
        ]);
      return { compliments: await register.compliments(period) };
    },
  );
};

export default complimentRoutes;
