import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ComplaintService } from '../complaint-service';
import { errorResponses } from '../errors';

export interface HealthRoutesOptions {
  complaints: ComplaintService;
}

/** GET /health: no token; 200 when Temporal answers for our namespace, else 503 (load balancers, compose). */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, { complaints }) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Is the API able to work?',
        description:
          'No token needed. 200 when Temporal is reachable and the namespace exists, with how many workers poll the ' +
          'task queue (with none, complaints are still recorded but actions wait for a worker); 503 otherwise.',
        response: {
          200: z.object({
            status: z.literal('ok'),
            temporal: z.object({
              namespace: z.string(),
              taskQueue: z.string(),
              workersPolling: z.number().int().nonnegative(),
            }),
          }),
          ...errorResponses(503),
        },
      },
    },
    async () => ({ status: 'ok' as const, temporal: await complaints.health() }),
  );
};
