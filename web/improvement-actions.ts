import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { accessRoute } from '../api/access-recorder';
import { actorFor, mayReadPersonalData, requireRole, type Caller } from '../api/auth';
import { ApiError } from '../api/errors';
import {
  ImprovementActionCompletionSchema,
  NewImprovementActionSchema,
  type ImprovementActionView,
} from '../api/improvement-actions';
import type { ComplaintState } from '../domain/complaint';
import { mayAgreeImprovementAction } from '../domain/improvement-actions';
import { ComplaintRefSchema } from '../domain/intake';
import { checkForm, filled, formFieldErrors, type FieldError, type FieldNames } from './forms';
import type { WebContext } from './plugin';

// Improvement actions on the complaint's page (issue 16): the list with a status tag, "Agree an improvement action"
// (officers and managers, once the outcome is recorded) and "Mark as completed" (the owner or a manager), each a form
// that posts and then redirects, or shows the page again with the GOV.UK error summary. The rules are the API's
// (api/improvement-actions.ts): these routes only turn forms into its calls.

const AGREERS = ['manager', 'case-officer'] as const;

const statusTags = {
  open: { text: 'Open', classes: 'govuk-tag--blue' },
  completed: { text: 'Completed', classes: 'govuk-tag--green' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
} as const;

const eventWords = {
  agreed: 'improvement action agreed',
  'reminded-before-due': 'improvement action owner reminded',
  'reminded-due': 'improvement action due today: owner reminded',
  completed: 'improvement action completed',
} as const;

/** What the complaint's page shows of its improvement actions, and which forms it offers this person. */
export async function improvementActionsPart(context: WebContext, state: ComplaintState, caller: Caller) {
  // An action's text is personal-data grade (sealed under the complaint's key): only for those who may read it.
  if (!context.improvementActions || !mayReadPersonalData(caller)) return undefined;
  const actions = await context.improvementActions.ofComplaint(state.ref);
  const manager = caller.roles.includes('manager');
  return {
    mayAgree:
      caller.roles.some((role) => (AGREERS as readonly string[]).includes(role)) && mayAgreeImprovementAction(state),
    list: actions.map((action) => ({
      ...action,
      tag: statusTags[action.status],
      mayComplete: action.status !== 'completed' && (manager || action.owner === caller.id),
    })),
  };
}

/** The actions' events as entries of the page's timeline (the complaint's own timeline is the workflow's). */
export function improvementActionTimeline(actions: readonly ImprovementActionView[]) {
  return actions.flatMap((action) =>
    action.events.map((event) => ({
      label: { text: eventWords[event.kind] },
      text: action.what,
      datetime: { timestamp: event.at },
      byline: { text: event.by },
    })),
  );
}

export type CaseRenderer = (
  request: FastifyRequest,
  reply: FastifyReply,
  state: ComplaintState,
  problem: { errors: FieldError[]; form?: Record<string, unknown>; action?: string },
) => Promise<unknown>;

const agreeNames: FieldNames = {
  what: { name: 'what will be done' },
  owner: { name: "the owner's staff id" },
  dueDate: { name: 'the date it is due by' },
};
const completionNames: FieldNames = { evidence: { name: 'the evidence it was done' } };

const ParamsSchema = z.object({ ref: ComplaintRefSchema });
const CompletionParamsSchema = z.object({ ref: ComplaintRefSchema, id: z.string().regex(/^IA-[0-9a-f]{24}$/) });

/** The two forms' routes. */
export function improvementActionPageRoutes(app: FastifyInstance, context: WebContext, render: CaseRenderer): void {
  const service = context.improvementActions;
  if (!service) return;
  const refused = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ref: string,
    status: number,
    problem: Parameters<CaseRenderer>[3],
  ) => {
    const { state } = await context.reads.get(ref, { by: { viewer: request.caller!, route: accessRoute(request) } });
    reply.code(status);
    return render(request, reply, state, problem);
  };
  const notFound = () => new ApiError(404, 'not-found', 'There is no complaint with that reference');

  app.post(
    '/cases/:ref/improvement-actions',
    { config: { browser: true }, onRequest: requireRole(...AGREERS), preHandler: app.csrfProtection },
    async (request, reply) => {
      const params = ParamsSchema.safeParse(request.params);
      if (!params.success) throw notFound();
      const { ref } = params.data;
      const form = (request.body ?? {}) as Record<string, unknown>;
      const body = { what: filled(form.what), owner: filled(form.owner), dueDate: filled(form.dueDate) };
      const problem = (errors: FieldError[]) => ({ action: 'improvement-agree', errors, form });
      const parsed = checkForm(
        NewImprovementActionSchema,
        Object.fromEntries(Object.entries(body).filter(([, v]) => v)),
        agreeNames,
      );
      if (!parsed.success)
        return refused(
          request,
          reply,
          ref,
          400,
          problem(formFieldErrors('improvement-agree', parsed.error, agreeNames)),
        );
      try {
        const actor = actorFor(request.caller!, request.actingRole!);
        await service.agree(ref, parsed.data, actor, filled(form.idempotencyKey));
      } catch (error) {
        if (!(error instanceof ApiError) || error.statusCode === 404 || error.statusCode >= 500) throw error;
        const text = `Agree an improvement action: ${error.message}`;
        return refused(
          request,
          reply,
          ref,
          error.statusCode,
          problem([{ field: 'form', text, href: '#improvement-agree' }]),
        );
      }
      return reply.redirect(`/cases/${encodeURIComponent(ref)}?done=improvement-agreed#improvement-actions`, 303);
    },
  );

  app.post(
    '/cases/:ref/improvement-actions/:id/completion',
    { config: { browser: true }, onRequest: requireRole('manager', 'case-officer'), preHandler: app.csrfProtection },
    async (request, reply) => {
      const params = CompletionParamsSchema.safeParse(request.params);
      if (!params.success) throw notFound();
      const { ref, id } = params.data;
      const form = (request.body ?? {}) as Record<string, unknown>;
      const action = `improvement-complete-${id}`;
      const parsed = checkForm(
        ImprovementActionCompletionSchema,
        filled(form.evidence) ? { evidence: form.evidence } : {},
        completionNames,
      );
      if (!parsed.success) {
        const errors = formFieldErrors(action, parsed.error, completionNames);
        return refused(request, reply, ref, 400, { action, errors, form });
      }
      try {
        await service.complete(id, parsed.data.evidence, actorFor(request.caller!, request.actingRole!));
      } catch (error) {
        if (!(error instanceof ApiError) || error.statusCode === 404 || error.statusCode >= 500) throw error;
        const errors = [{ field: 'form', text: `Mark as completed: ${error.message}`, href: `#${action}` }];
        return refused(request, reply, ref, error.statusCode, { action, errors, form });
      }
      return reply.redirect(`/cases/${encodeURIComponent(ref)}?done=improvement-completed#improvement-actions`, 303);
    },
  );
}
