import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IntakeSchema } from '../../domain/intake';
import { actorFor, READERS, requireRole } from '../auth';
import { ComplaintListSchema, ListQuerySchema } from '../complaint-list';
import { type ComplaintService, EARLIEST_RECEIVED_AT_MS, FUTURE_TOLERANCE_MS } from '../complaint-service';
import { errorResponses } from '../errors';
import type { ApiMetrics } from '../metrics';
import {
  AcceptedIntakeSchema,
  ComplaintStateSchema,
  HistoryJsonSchema,
  IdempotentHeadersSchema,
  RefParamsSchema,
} from '../schemas';

export interface ComplaintRoutesOptions {
  complaints: ComplaintService;
  metrics: ApiMetrics;
}

const security = [{ bearer: [] }];

/** The plugin's instance: fastify with the zod type provider, so each route's handler is typed by its schemas. */
type ZodApp = Parameters<FastifyPluginAsyncZod<ComplaintRoutesOptions>>[0];

/** Intake, list, state and history. */
export const complaintRoutes: FastifyPluginAsyncZod<ComplaintRoutesOptions> = async (app, options) => {
  intakeRoute(app, options);
  listRoute(app, options.complaints);
  stateRoute(app, options.complaints);
  historyRoute(app, options.complaints);
};

function intakeRoute(app: ZodApp, { complaints, metrics }: ComplaintRoutesOptions): void {
  app.post(
    '/complaints',
    {
      onRequest: requireRole('intake'),
      schema: {
        tags: ['complaints'],
        summary: 'Record a new complaint',
        description:
          'Starts the complaint at the first stage of its procedure (the second for a serious complaint). The reference is the one given, ' +
          'or a new one like SW-2026-004817. Repeating a request (same ref, or same Idempotency-Key from the same person) returns the ' +
          'complaint it made (200) instead of a second one; a different body under the same ref is a 409 reference-in-use, under the same key ' +
          '(with or without a ref) a 409 idempotency-key-reused. receivedAt may be at most ' +
          `${FUTURE_TOLERANCE_MS / 60_000} minutes ahead of the server's clock and not before ` +
          `${new Date(EARLIEST_RECEIVED_AT_MS).toISOString().slice(0, 10)} (else 400). Role: intake.`,
        security,
        headers: IdempotentHeadersSchema,
        body: IntakeSchema,
        response: {
          201: ComplaintStateSchema.describe('Recorded; Location names it'),
          200: ComplaintStateSchema.describe('The same request was made before: the complaint it made'),
          202: AcceptedIntakeSchema,
          ...errorResponses(400, 401, 403, 409, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const caller = request.caller!;
      const key = request.headers['idempotency-key'];
      const result = await complaints.intake(request.body, {
        actor: actorFor(caller, request.actingRole!),
        ...(key ? { idempotencyKey: key } : {}),
      });
      reply.header('location', `/complaints/${encodeURIComponent(result.ref)}`);
      if (result.created) {
        metrics.complaintsStarted.inc({ service_area: request.body.serviceArea, procedure: result.procedure });
      } else {
        reply.header('idempotent-replayed', 'true');
      }
      if (!result.state) {
        return reply.code(202).send({
          ref: result.ref,
          message: `Complaint ${result.ref} is recorded; its state is not readable yet (is the worker running?)`,
        });
      }
      return reply.code(result.created ? 201 : 200).send(result.state);
    },
  );
}

function listRoute(app: ZodApp, complaints: ComplaintService): void {
  app.get(
    '/complaints',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['complaints'],
        summary: 'List complaints',
        description:
          'Filters combine with AND; comma-separated values within one filter with OR. Read from Temporal visibility (search attributes), ' +
          'so a change shows here within moments rather than at once. Pages: pass nextCursor back as cursor. Roles: case-officer, manager, auditor.',
        security,
        querystring: ListQuerySchema,
        response: { 200: ComplaintListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => complaints.list(request.query),
  );
}

function stateRoute(app: ZodApp, complaints: ComplaintService): void {
  app.get(
    '/complaints/:ref',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['complaints'],
        summary: 'A complaint, in full',
        description:
          'Its stages, deadlines, outcome, case officer and timeline. Roles: case-officer, manager, auditor.',
        security,
        params: RefParamsSchema,
        response: { 200: ComplaintStateSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => complaints.state(request.params.ref),
  );
}

function historyRoute(app: ZodApp, complaints: ComplaintService): void {
  app.get(
    '/complaints/:ref/history',
    {
      onRequest: requireRole('auditor', 'manager'),
      schema: {
        tags: ['audit'],
        summary: "The complaint's raw Temporal event history",
        description:
          'JSON in the format of `temporal workflow show --output json`, which the Temporal replayer reads: the evidence of everything ' +
          'that happened, in order. For a complaint that continued as new, the current run. Roles: auditor, manager.',
        security,
        params: RefParamsSchema,
        response: { 200: HistoryJsonSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => complaints.history(request.params.ref),
  );
}
