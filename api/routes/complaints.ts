import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IntakeSchema } from '../../domain/intake';
import { accessRoute } from '../access-recorder';
import { actorFor, READERS, requireRole } from '../auth';
import {
  type ComplaintRead,
  ComplaintListQuerySchema,
  ComplaintListSchema,
  type ComplaintReads,
} from '../complaint-reads';
import { type ComplaintService, EARLIEST_RECEIVED_AT_MS, FUTURE_TOLERANCE_MS } from '../complaint-service';
import { ApiError, errorResponses } from '../errors';
import type { ApiMetrics } from '../metrics';
import {
  AcceptedIntakeSchema,
  ComplaintStateSchema,
  HistoryJsonSchema,
  IdempotentHeadersSchema,
  ReadQuerySchema,
  RefParamsSchema,
} from '../schemas';

export interface ComplaintRoutesOptions {
  complaints: ComplaintService;
  reads: ComplaintReads;
  metrics: ApiMetrics;
}

/** The revision a complaint's answer shows, and where it was read (api/complaint-reads.ts), as response headers. */
export function revisionHeaders(read: Pick<ComplaintRead, 'revision' | 'from'>): Record<string, string> {
  return { 'complaint-revision': String(read.revision), 'complaint-read-from': read.from };
}

const security = [{ bearer: [] }];

/** The plugin's instance: fastify with the zod type provider, so each route's handler is typed by its schemas. */
type ZodApp = Parameters<FastifyPluginAsyncZod<ComplaintRoutesOptions>>[0];

/** Intake, list, state and history. */
export const complaintRoutes: FastifyPluginAsyncZod<ComplaintRoutesOptions> = async (app, options) => {
  intakeRoute(app, options);
  listRoute(app, options.reads);
  stateRoute(app, options.reads);
  historyRoute(app, options.complaints);
};

/** A complaint's read, or null when it cannot be read now (503: a repeated intake then answers 202). */
async function readIfAvailable(reads: ComplaintReads, ref: string): Promise<ComplaintRead | null> {
  try {
    return await reads.get(ref);
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 503) return null;
    throw error;
  }
}

function intakeRoute(app: ZodApp, { complaints, reads, metrics }: ComplaintRoutesOptions): void {
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
      const read = result.state
        ? { state: result.state, revision: result.state.timeline.length, from: 'workflow' as const }
        : await readIfAvailable(reads, result.ref);
      if (!read) {
        return reply.code(202).send({
          ref: result.ref,
          message: `Complaint ${result.ref} is recorded; its state is not readable yet (is the worker running?)`,
        });
      }
      return reply
        .code(result.created ? 201 : 200)
        .headers(revisionHeaders(read))
        .send(read.state);
    },
  );
}

function listRoute(app: ZodApp, reads: ComplaintReads): void {
  app.get(
    '/complaints',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['complaints'],
        summary: 'List complaints',
        description:
          'Filters combine with AND; comma-separated values within one filter with OR; q searches the reference, the ' +
          "complainant's name and e-mail and the summary. Read from the complaints register, which the workflow writes " +
          'before it answers an action (a write that fell back to the background shows within seconds). Each item names ' +
          "its revision. The complainant's name and the summary are given to roles that may read personal data. Pages: " +
          'pass nextCursor back as cursor. Roles: case-officer, manager, auditor.',
        security,
        querystring: ComplaintListQuerySchema,
        response: { 200: ComplaintListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => reads.list(request.query, request.caller!, accessRoute(request)),
  );
}

function stateRoute(app: ZodApp, reads: ComplaintReads): void {
  app.get(
    '/complaints/:ref',
    {
      onRequest: requireRole(...READERS),
      schema: {
        tags: ['complaints'],
        summary: 'A complaint, in full',
        description:
          'Its stages, deadlines, outcome, case officer and timeline, from the complaints register. Its revision (the ' +
          "timeline's last seq) is in the Complaint-Revision header, and Complaint-Read-From says where it was read. " +
          'With atLeastRevision (the revision an action answered with) the answer is that revision or newer: when the ' +
          "register is behind, it is read from the complaint's workflow instead. Roles: case-officer, manager, auditor.",
        security,
        params: RefParamsSchema,
        querystring: ReadQuerySchema,
        response: { 200: ComplaintStateSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { atLeastRevision } = request.query;
      const by = { viewer: request.caller!, route: accessRoute(request) };
      const read = await reads.get(request.params.ref, {
        ...(atLeastRevision === undefined ? {} : { atLeastRevision }),
        by,
      });
      return reply.headers(revisionHeaders(read)).send(read.state);
    },
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
