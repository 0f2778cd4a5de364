import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LocalDateSchema, STATED_RULE } from '../../domain/vocabulary';
import { actorFor, requireRole } from '../auth';
import type { ComplaintService } from '../complaint-service';
import { errorResponses } from '../errors';

// A change to the council's calendar for every open complaint (issue 15): POST starts the batch
// (workflows/calendar-change.ts, `npm run calendar` from a shell), GET follows it. The same days added and removed
// are the same change, so a repeated POST finds the running batch, and one run again after it records nothing twice.

export const CalendarChangeBodySchema = z
  .object({
    add: z.array(LocalDateSchema).max(1_000).optional().describe('Days (YYYY-MM-DD, London) the council is closed'),
    remove: z.array(LocalDateSchema).max(1_000).optional().describe('Days (YYYY-MM-DD) it works after all'),
  })
  .strict()
  .refine((body) => (body.add?.length ?? 0) + (body.remove?.length ?? 0) > 0, {
    message: 'give at least one day to add or remove',
    path: ['add'],
  })
  .meta({ [STATED_RULE]: 'At least one day in add or remove.' });

export const CalendarChangeParamsSchema = z
  .object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'a calendar change id') })
  .strict();

const StartedSchema = z
  .object({
    id: z.string().describe('The change (a hash of its days): GET /calendar/changes/{id}'),
    add: z.array(LocalDateSchema),
    remove: z.array(LocalDateSchema),
  })
  .describe('Started, or already running (the same days are the same change)');

const ProgressSchema = z
  .object({
    id: z.string(),
    status: z.string().describe('The batch workflow: RUNNING, COMPLETED, FAILED, ...'),
    done: z.boolean(),
    pages: z.number().int().describe('Pages of open complaints looked at so far'),
    complaints: z.number().int().describe('Open complaints looked at'),
    retimed: z.number().int().describe('Complaints whose pending deadlines moved'),
    calendarOnly: z.number().int().describe('Calendar updated, no deadline moved'),
    untouched: z.number().int().describe('Already as asked (told before, or the days were no change for it)'),
    failed: z.number().int().describe('Complaints that refused the change'),
    failedRefs: z.array(z.string()).describe('The first of them, by reference'),
  })
  .describe('How far the change has gone: complaints looked at and changed');

export const calendarRoutes: FastifyPluginAsyncZod<{ complaints: ComplaintService }> = async (app, { complaints }) => {
  app.post(
    '/calendar/changes',
    {
      onRequest: requireRole('manager'),
      schema: {
        tags: ['calendar'],
        summary: "Change the council's calendar for every open complaint",
        description:
          'Days added (closures, local holidays) and removed (days worked after all) are told to every open complaint ' +
          'by one batch run through Temporal, each through its own update-calendar Update: pending deadlines are ' +
          'counted again, a deadline met or already passed never moves. Resumable; the same days are the same change. ' +
          'Roles: manager.',
        security: [{ bearer: [] }],
        body: CalendarChangeBodySchema,
        response: { 202: StartedSchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const actor = actorFor(request.caller!, request.actingRole!);
      const { add = [], remove = [] } = request.body;
      const started = await complaints.startCalendarChange({ add, remove, actor });
      return reply.code(202).header('location', `/calendar/changes/${started.id}`).send(started);
    },
  );

  app.get(
    '/calendar/changes/:id',
    {
      onRequest: requireRole('manager', 'auditor'),
      schema: {
        tags: ['calendar'],
        summary: 'How far a calendar change has gone',
        description: 'Its counts so far, and the totals once done. Roles: manager, auditor.',
        security: [{ bearer: [] }],
        params: CalendarChangeParamsSchema,
        response: { 200: ProgressSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { status, progress } = await complaints.calendarChange(id);
      const counts = progress ?? { pages: 0, complaints: 0, retimed: 0, calendarOnly: 0, untouched: 0, failed: 0 };
      return {
        id,
        status,
        done: progress?.done ?? false,
        pages: counts.pages,
        complaints: counts.complaints,
        retimed: counts.retimed,
        calendarOnly: counts.calendarOnly,
        untouched: counts.untouched,
        failed: counts.failed,
        failedRefs: progress?.failedRefs ?? [],
      };
    },
  );
};
