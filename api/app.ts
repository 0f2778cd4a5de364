import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { allowedRolesOf, authenticate, type TokenStore } from './auth';
import type { ComplaintService } from './complaint-service';
import { handleError, handleFrameworkError, handleNotFound } from './errors';
import { type ApiMetrics, createMetrics, metricsRoutes, observeRequests } from './metrics';
import { complaintActionRoutes } from './routes/actions';
import { complaintRoutes } from './routes/complaints';
import { healthRoutes } from './routes/health';

// The HTTP API, built the fastify/demo way: the instance and its cross-cutting pieces here (type provider,
// error and not-found handlers, authentication, metrics, OpenAPI), then the routes as plugins from routes/.
// api/main.ts listens; tests call buildApp and use inject.

/** Default request body limit: far above any valid complaint or action (the largest text field is 20,000 characters). */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

export type AppInstance = FastifyInstance & { withTypeProvider<T extends ZodTypeProvider>(): FastifyInstance };

/**
 * Route plugins that need the complaints register (register/), e.g. api/routes/compliments.ts and
 * api/routes/reports.ts: list them here. They are registered only when `deps.register` is given, with
 * `{ register }` as their options; each route guards itself with `requireRole(...)` from ./auth.
 */
export type RegisterRoutePlugin<Register = unknown> = FastifyPluginAsync<{ register: Register }>;
const registerRoutePlugins: RegisterRoutePlugin<never>[] = [];

export interface AppDependencies<Register = unknown> {
  complaints: ComplaintService;
  tokens: TokenStore;
  /** A fresh Registry per app when absent, so that apps in one process never share counters. */
  metrics?: ApiMetrics;
  /** Fastify's logger option: false (tests), or pino options. Authorization headers are never logged. */
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  /** The complaints register, for the route plugins that read it (see registerRoutePlugins). */
  register?: Register;
}

export async function buildApp<Register = unknown>(deps: AppDependencies<Register>): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? createMetrics();
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    frameworkErrors: handleFrameworkError,
    // The default 'error' for __proto__ / constructor.prototype in JSON: refused (400) rather than stripped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.decorateRequest('caller', null);
  app.decorateRequest('actingRole', null);

  // No route is open by accident: each one is public (config.public) or guarded by requireRole.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) {
      route.config = { ...(route.config as object), public: true };
      return;
    }
    if ((route.config as { public?: boolean } | undefined)?.public) return;
    if (!allowedRolesOf(route.onRequest) && !allowedRolesOf(route.preHandler)) {
      throw new Error(`Route ${String(route.method)} ${route.url} has no requireRole(...) and is not public`);
    }
  });
  app.addHook('onRequest', authenticate(deps.tokens));
  observeRequests(app, metrics);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Social work complaints API',
        version: '1.0.0',
        description:
          'Record complaints, act on them under the procedure, list and audit them. Every route but /health needs ' +
          '`Authorization: Bearer <token>`; roles: intake, case-officer, manager, auditor. Errors are always ' +
          '`{ "error": { "code", "message", "details"? } }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'complaints', description: 'Intake, list, state' },
        { name: 'actions', description: 'What officers and managers do to a complaint' },
        { name: 'audit', description: 'Evidence for auditors' },
        { name: 'operations', description: 'Health and metrics' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  // The documentation is public: a browser cannot send a bearer token for the page itself, and it holds no data.
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { complaints: deps.complaints });
  await app.register(metricsRoutes, { metrics });
  await app.register(complaintRoutes, { complaints: deps.complaints, metrics });
  await app.register(complaintActionRoutes, { complaints: deps.complaints, metrics });
  if (deps.register !== undefined) {
    for (const plugin of registerRoutePlugins) await app.register(plugin as RegisterRoutePlugin<Register>, { register: deps.register });
  }
  return app;
}
