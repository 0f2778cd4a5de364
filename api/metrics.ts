import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, prometheusContentType, Registry } from 'prom-client';
import { z } from 'zod';
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
  };
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
