import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, prometheusContentType, Registry } from 'prom-client';
import { z } from 'zod';
import type { ReconciliationRun, Register } from '../register';
import { DIFFERENCE_KINDS } from '../register/reconcile';
import { ANY_ROLE, requireRole } from './auth';

// Prometheus metrics for GET /metrics. Each app has its own Registry, so several apps in one process (tests)
// never collide. Labels are bounded: routes by their pattern (never the URL), actions and rejection codes by
// their fixed vocabularies.

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  complaintsStarted: Counter<'service_area' | 'procedure'>;
  actionsRejected: Counter<'action' | 'code'>;
  actionsRecorded: Counter<'action'>;
  registerReadRepairs: Counter;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    complaintsStarted: new Counter({
      name: 'complaints_started_total',
      help: 'Complaints recorded through the API (idempotent repeats not counted)',
      labelNames: ['service_area', 'procedure'],
      registers: [registry],
    }),
    actionsRejected: new Counter({
      name: 'complaint_actions_rejected_total',
      help: "Actions the procedure refused (HTTP 409), by action and the procedure's reason code",
      labelNames: ['action', 'code'],
      registers: [registry],
    }),
    actionsRecorded: new Counter({
      name: 'complaint_actions_recorded_total',
      help: 'Actions accepted and recorded on complaints, by action',
      labelNames: ['action'],
      registers: [registry],
    }),
    registerReadRepairs: new Counter({
      name: 'complaints_register_read_repairs_total',
      help: 'Complaints rewritten in the register from Temporal because a read found an entry Temporal does not have',
      registers: [registry],
    }),
  };
}

/**
 * The last reconciliation of the register with Temporal (the daily Schedule's or `npm run reconcile`'s), read from
 * the register at each scrape: the worker that runs the Schedule serves no metrics, and the register is what every
 * process shares. No samples before the first reconciliation (the README's alert rules say what to watch).
 */
export function observeReconciliation(metrics: ApiMetrics, register: Pick<Register, 'lastReconciliation'>): void {
  // One read per scrape for all the gauges below (each gauge's collect asks; they are collected one after another).
  let read: { at: number; run: Promise<ReconciliationRun | undefined> } | undefined;
  const lastRun = () => {
    if (!read || Date.now() - read.at > 1_000) {
      // A register that cannot be read now leaves the figures out of this scrape rather than failing /metrics.
      read = { at: Date.now(), run: register.lastReconciliation().catch(() => undefined) };
    }
    return read.run;
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    set: (gauge: Gauge<L>, run: ReconciliationRun) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        const run = await lastRun();
        if (run) set(this, run);
      },
    });
  gauge(
    'complaints_register_reconcile_differences',
    'Differences the last reconciliation found between the register and Temporal, by kind (repaired or not)',
    ['kind'],
    (g, run) => {
      for (const kind of DIFFERENCE_KINDS) g.set({ kind }, run.byKind[kind] ?? 0);
    },
  );
  gauge('complaints_register_reconcile_unreadable', 'Complaints the last reconciliation could not read', [], (g, run) =>
    g.set(run.unreadable),
  );
  gauge('complaints_register_reconcile_repaired', 'Complaints the last reconciliation repaired', [], (g, run) =>
    g.set(run.repaired),
  );
  gauge('complaints_register_reconcile_checked', 'Complaints the last reconciliation compared', [], (g, run) =>
    g.set(run.checked),
  );
  gauge(
    'complaints_register_reconcile_last_run_timestamp_seconds',
    'When the last reconciliation finished (Unix time), and by what (schedule or command)',
    ['by'],
    (g, run) => g.set({ by: run.by }, Date.parse(run.finishedAt) / 1000),
  );
}

/** Times every request. Call on the root instance, so that it sees every route (and the 404s). */
export function observeRequests(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

/** GET /metrics in the Prometheus text format; any valid token (the figures hold no personal data). */
export async function metricsRoutes(app: FastifyInstance, { metrics }: { metrics: ApiMetrics }): Promise<void> {
  app.get(
    '/metrics',
    {
      onRequest: requireRole(...ANY_ROLE),
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Request counts and latencies by route, complaints started, actions recorded and rejected. Any role.',
        tags: ['operations'],
        security: [{ bearer: [] }],
        // Per status: the figures as Prometheus text, the errors (401, 403 ...) in the one JSON shape.
        response: {
          200: {
            description: 'The Prometheus text exposition format',
            content: { [prometheusContentType]: { schema: z.string() } },
          },
        },
      },
    },
    async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );
}
