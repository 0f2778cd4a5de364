import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessRoute, type AccessRecorder } from '../access-recorder';
import { actorFor, READERS, requireRole } from '../auth';
import { errorResponses } from '../errors';
import {
  ImprovementActionCompletionSchema,
  ImprovementActionListSchema,
  ImprovementActionSchema,
  improvementActionStatuses,
  NewImprovementActionSchema,
  type ImprovementActionService,
} from '../improvement-actions';
import { IdempotentHeadersSchema, RefParamsSchema } from '../schemas';

// Improvement actions (issue 16): agreed at a complaint's outcome (what, owner, due date), listed per complaint and
// all together by status, completed with evidence by the owner or a manager. The owner is reminded by Temporal
// (workflows/improvement-action.ts) a working-day lead time before the due day and on it.

export interface ImprovementActionRoutesOptions {
  actions: ImprovementActionService;
  /** Reads of actions disclose their texts (personal-data grade): recorded per complaint. */
  access?: AccessRecorder;
}

const AGREERS = ['manager', 'case-officer'] as const;
// Manager first: a person with both roles completes as a manager (who may complete anyone's action).
const COMPLETERS = ['manager', 'case-officer'] as const;

export const ImprovementActionParamsSchema = z
  .object({ id: z.string().regex(/^IA-[0-9a-f]{24}$/, 'an improvement action id, e.g. IA-0123456789abcdef01234567') })
  .strict();
export const ImprovementActionListQuerySchema = z
  .object({ status: z.enum(improvementActionStatuses).optional().describe('open, completed or overdue (now)') })
  .strict();

export const improvementActionRoutes: FastifyPluginAsyncZod<ImprovementActionRoutesOptions> = async (app, options) => {
  await app.register(complaintActionRoutes, options);
  await app.register(allActionRoutes, options);
};

/** A complaint's actions: agreeing one, listing them. */
const complaintActionRoutes: FastifyPluginAsyncZod<ImprovementActionRoutesOptions> = async (
  app,
  { actions, access },
) => {
  app.post(
    '/complaints/:ref/improvement-actions',
    {
      onRequest: requireRole(...AGREERS),
      schema: {
        tags: ['improvement-actions'],
        summary: 'Agree an improvement action at the complaint’s outcome',
        description:
          '409 no-outcome-recorded before any stage has an outcome. Repeated with the same Idempotency-Key ' +
          'and body it answers the same action (200); another body under the key is a 409 idempotency-key-reused. ' +
          `Roles: ${AGREERS.join(', ')}.`,
        security: [{ bearer: [] }],
        params: RefParamsSchema,
        headers: IdempotentHeadersSchema,
        body: NewImprovementActionSchema,
        response: {
          200: ImprovementActionSchema.describe('The same request made before: that action'),
          201: ImprovementActionSchema.describe('The action agreed'),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const actor = actorFor(request.caller!, request.actingRole!);
      const agreed = await actions.agree(request.params.ref, request.body, actor, request.headers['idempotency-key']);
      return reply.code(agreed.created ? 201 : 200).send(agreed.action);
    },
  );

  app.get(
    '/complaints/:ref/improvement-actions',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['improvement-actions'],
        summary: "A complaint's improvement actions, oldest first, each with its status and timeline",
        description: `Roles: ${READERS.join(', ')}.`,
        security: [{ bearer: [] }],
        params: RefParamsSchema,
        response: { 200: ImprovementActionListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const listed = await actions.ofComplaint(request.params.ref);
      if (listed.length > 0) await access?.record(request.caller!, accessRoute(request), [request.params.ref]);
      return { improvementActions: listed };
    },
  );
};

/** Every action, and completing one. */
const allActionRoutes: FastifyPluginAsyncZod<ImprovementActionRoutesOptions> = async (app, { actions, access }) => {
  app.get(
    '/improvement-actions',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['improvement-actions'],
        summary: 'Every improvement action, oldest first (status: those open, completed or overdue now)',
        description: `Roles: ${READERS.join(', ')}.`,
        security: [{ bearer: [] }],
        querystring: ImprovementActionListQuerySchema,
        response: { 200: ImprovementActionListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const listed = await actions.list(request.query.status);
      await access?.record(request.caller!, accessRoute(request), [...new Set(listed.map((action) => action.ref))]);
      return { improvementActions: listed };
    },
  );

  app.post(
    '/improvement-actions/:id/completion',
    {
      onRequest: requireRole(...COMPLETERS),
      schema: {
        tags: ['improvement-actions'],
        summary: 'Mark an improvement action completed, with the evidence',
        description:
          "The action's owner, or a manager (403 otherwise). 409 already-completed: the first completion stands. " +
          `The owner's reminders still to come are cancelled. Roles: ${COMPLETERS.join(', ')}.`,
        security: [{ bearer: [] }],
        params: ImprovementActionParamsSchema,
        body: ImprovementActionCompletionSchema,
        response: { 200: ImprovementActionSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) =>
      actions.complete(request.params.id, request.body.evidence, actorFor(request.caller!, request.actingRole!)),
  );
};

export default improvementActionRoutes;
