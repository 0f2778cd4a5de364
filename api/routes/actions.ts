import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type ActionBody, type ActionName, actionBodySchemas } from '../../domain/actions';
import { DEFAULT_ROOT_CAUSES, unknownRootCauses, type RootCauseTaxonomy } from '../../domain/root-causes';
import { accessRoute } from '../access-recorder';
import { actorFor, type Role, requireRole } from '../auth';
import type { ComplaintReads } from '../complaint-reads';
import type { ComplaintService } from '../complaint-service';
import { ApiError, badRequest, errorResponses } from '../errors';
import type { ApiMetrics } from '../metrics';
import { ComplaintStateSchema, IdempotentHeadersSchema, RefParamsSchema } from '../schemas';
import { revisionHeaders } from './complaints';

// One POST per action under /complaints/:ref/…, each the workflow Update of the same name. The procedure decides
// whether the action is allowed now (409 with its reason when not); the roles below decide who may ask.

interface ActionRoute {
  path: string;
  action: ActionName;
  roles: Role[];
  summary: string;
  description: string;
}

const OFFICERS: Role[] = ['case-officer', 'manager'];

export const actionRoutes: readonly ActionRoute[] = [
  {
    path: 'acknowledge',
    action: 'acknowledge',
    roles: OFFICERS,
    summary: 'Acknowledge the current stage',
    description: 'Meets the acknowledgement deadline of the current stage.',
  },
  {
    path: 'assign',
    action: 'assign',
    // Manager first: a person with both roles assigns as a manager.
    roles: ['manager', 'case-officer'],
    summary: 'Assign the case officer',
    description:
      'A manager may assign anyone, at any time. A case officer may only take an unassigned complaint themselves (officer.id = their own id).',
  },
  {
    path: 'outcome',
    action: 'record-outcome',
    roles: OFFICERS,
    summary: "Record the current stage's outcome",
    description: 'Opens the escalation window (or closes the complaint after the last stage).',
  },
  {
    path: 'escalation',
    action: 'request-escalation',
    roles: OFFICERS,
    summary: 'Escalate to the next stage',
    description:
      "At the complainant's request, within the escalation window; may bypass a stage where the procedure allows.",
  },
  {
    path: 'extensions',
    action: 'grant-extension',
    roles: ['manager'],
    summary: 'Extend the response deadline',
    description: 'Within the limits of the procedure, before the deadline passes.',
  },
  {
    path: 'withdraw',
    action: 'withdraw',
    roles: OFFICERS,
    summary: 'Record that the complainant withdrew',
    description: 'Closes the complaint as withdrawn.',
  },
  {
    path: 'spso-referral',
    action: 'refer-to-ombudsman',
    roles: OFFICERS,
    summary: 'Record a referral to the Ombudsman',
    description: "After the final stage's outcome, within the referral window; closes the complaint.",
  },
  {
    path: 'notes',
    action: 'add-note',
    roles: OFFICERS,
    summary: 'Add a note to the timeline',
    description: 'Anything worth recording that is not an action.',
  },
  {
    path: 'calendar',
    action: 'update-calendar',
    roles: ['manager'],
    summary: "Add days to or remove days from the complaint's holiday calendar",
    description:
      '`add` and/or `remove` change only the days named (409 calendar-unchanged when none would change); `holidays` ' +
      '(the older form) replaces the whole list. Pending working-day deadlines are counted again with it; a deadline ' +
      'met, or already passed, is never moved.',
  },
  {
    path: 'procedure',
    action: 'migrate-procedure',
    roles: ['manager'],
    summary: 'Move the complaint to another procedure version',
    description:
      '`to` is the version (`id@version`), `reason` why. The stage mapping kept as data (domain/procedure-migrations) ' +
      'says which stage the complaint is at afterwards and whether its pending deadlines are kept or counted afresh ' +
      'from today; the move is recorded in the timeline and the complainant is told the new dates. 409 ' +
      'no-migration-path when there is no mapping, same-procedure when it already follows it.',
  },
];

export interface ActionRoutesOptions {
  complaints: ComplaintService;
  reads: ComplaintReads;
  metrics: ApiMetrics;
  /** The organisation's root-cause taxonomy (ROOT_CAUSES_PATH): an outcome naming a code it lacks is a 400. */
  rootCauses?: RootCauseTaxonomy;
}

/** A record-outcome naming root causes the organisation's taxonomy does not have: 400, each code named. */
function checkRootCauses(body: { rootCauses?: readonly string[] }, taxonomy: RootCauseTaxonomy): void {
  const unknown = unknownRootCauses(body.rootCauses ?? [], taxonomy);
  if (unknown.length === 0) return;
  throw badRequest(
    'invalid-request',
    `unknown root cause ${unknown.join(', ')}: use the codes of GET /root-causes`,
    unknown.map((code) => ({
      in: 'body',
      path: `rootCauses.${(body.rootCauses ?? []).indexOf(code)}`,
      message: `"${code}" is not in the root-cause taxonomy`,
    })),
  );
}

/**
 * Who may assign whom is the workflow's rule (domain/complaint.ts assignmentRefusal, by the actor's role, so two
 * officers taking one complaint at once cannot both win); the API answers its refusal as the 403 it always was.
 */
function asForbidden(error: unknown): unknown {
  if (error instanceof ApiError && error.statusCode === 409 && error.code === 'assignment-not-permitted')
    return new ApiError(403, 'forbidden', error.message);
  return error;
}

export const complaintActionRoutes: FastifyPluginAsyncZod<ActionRoutesOptions> = async (
  app,
  { complaints, reads, metrics, rootCauses = DEFAULT_ROOT_CAUSES },
) => {
  for (const route of actionRoutes) {
    app.post(
      `/complaints/:ref/${route.path}`,
      {
        onRequest: requireRole(...route.roles),
        // Actions whose fields are all optional may be sent without a body.
        preValidation: async (request: FastifyRequest) => {
          if (request.body === undefined) request.body = {};
        },
        schema: {
          tags: ['actions'],
          summary: route.summary,
          description:
            `${route.description} The workflow Update "${route.action}". Repeated with the same Idempotency-Key and ` +
            'body it answers as the first time and records nothing more; another body under the key is a 409 ' +
            `idempotency-key-reused. Roles: ${route.roles.join(', ')}.`,
          security: [{ bearer: [] }],
          params: RefParamsSchema,
          headers: IdempotentHeadersSchema,
          body: actionBodySchemas[route.action],
          response: {
            200: ComplaintStateSchema.describe('The complaint after the action'),
            ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503),
          },
        },
      },
      async (request, reply) => {
        const caller = request.caller!;
        const role = request.actingRole!;
        const { ref } = request.params;
        const body = request.body as ActionBody<typeof route.action>;
        const key = request.headers['idempotency-key'];
        if (route.action === 'record-outcome') checkRootCauses(body as ActionBody<'record-outcome'>, rootCauses);
        try {
          const answer = await complaints.act(ref, route.action, body, actorFor(caller, role), key);
          metrics.actionsRecorded.inc({ action: route.action });
          const read = await reads.afterAction(ref, answer, { viewer: caller, route: accessRoute(request) });
          return reply.headers(revisionHeaders(read)).send(read.state);
        } catch (caught) {
          const error = asForbidden(caught);
          if (error instanceof ApiError && error.statusCode === 409)
            metrics.actionsRejected.inc({ action: route.action, code: error.code });
          throw error;
        }
      },
    );
  }
};
