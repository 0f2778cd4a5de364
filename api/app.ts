import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifySchema, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { STATED_RULE } from '../domain/vocabulary';
import { AccessRecorder } from './access-recorder';
import { allowedRolesOf, authenticate, type TokenStore } from './auth';
import { ComplaintReads } from './complaint-reads';
import type { ComplaintService } from './complaint-service';
import { errorResponses, handleClientError, handleError, handleFrameworkError, handleNotFound } from './errors';
import { type ApiMetrics, createMetrics, metricsRoutes, observeReconciliation, observeRequests } from './metrics';
import type { Register } from '../register';
import { reconcile } from '../register/reconcile';
import { RegisterRepairs } from './register-repairs';
import { accessLogRoutes } from './routes/access-log';
import { subjectAccessRoutes } from './routes/subject-access';
import { SubjectAccess } from './subject-access';
import { complaintActionRoutes } from './routes/actions';
import { calendarRoutes } from './routes/calendar';
import { codecRoutes, type CodecRoutesOptions } from './routes/codec';
import { erasureRoutes } from './routes/erasure';
import { complaintRoutes } from './routes/complaints';
import { complimentRoutes } from './routes/compliments';
import { letterRoutes } from './routes/letters';
import { LetterService } from './letter-service';
import { ImprovementActionService } from './improvement-actions';
import { improvementActionRoutes } from './routes/improvement-actions';
import type { LetterPrinter } from '../notifications/letter-printer';
import { healthRoutes } from './routes/health';
import { reportRoutes } from './routes/reports';
import type { PaperSettings } from '../report/committee-paper';
import { webApplication, type WebOptions, type WebPluginOptions } from '../web/plugin';
import { rootCauseRoutes } from './routes/root-causes';
import { DEFAULT_ROOT_CAUSES, type RootCauseTaxonomy } from '../domain/root-causes';

// The HTTP API, built the fastify/demo way: the instance and its cross-cutting pieces here (type provider,
// error and not-found handlers, authentication, metrics, OpenAPI), then the routes as plugins from routes/.
// api/main.ts listens; tests call buildApp and use inject.

/** Default request body limit: far above any valid complaint or action (the largest text field is 20,000 characters). */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * How long a client may take: a request (headers and body) must arrive in full within `requestMs` (else 408, and the
 * connection is closed: a body shorter than its Content-Length cannot hold it open), its headers within `headersMs`;
 * a connection on which nothing moves for `idleMs` is closed. Node checks them every `checkIntervalMs`.
 */
export interface RequestTimeouts {
  requestMs: number;
  headersMs: number;
  idleMs: number;
  checkIntervalMs: number;
}

export const DEFAULT_REQUEST_TIMEOUTS: RequestTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  idleMs: 120_000,
  checkIntervalMs: 1_000,
};

export interface AppDependencies {
  complaints: ComplaintService;
  tokens: TokenStore;
  /** A fresh Registry per app when absent, so that apps in one process never share counters. */
  metrics?: ApiMetrics;
  /** Fastify's logger option: false (tests), or pino options. Authorization headers are never logged. */
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  /** DEFAULT_REQUEST_TIMEOUTS unless given (API_REQUEST_TIMEOUT_MS sets requestMs). */
  timeouts?: Partial<RequestTimeouts>;
  /**
   * The complaints register: the read model of GET /complaints and GET /complaints/{ref} (api/complaint-reads.ts);
   * with it the app also serves compliments and reports. Without it complaints are read from their workflows and
   * the list answers 503.
   */
  register?: Register;
  /** With the register: prints letters for the letter preview and the queue (notifications/letter-printer.ts). */
  letterPrinter?: LetterPrinter;
  /** How complaints are read (default: over `complaints` and `register`); the web application shares it. */
  reads?: ComplaintReads;
  /** For the reports: the configured default procedure, and the population served (per-1,000 figures). */
  reports?: { defaultProcedure?: string; population?: number | null; paper?: PaperSettings };
  /** The organisation's root-cause taxonomy (ROOT_CAUSES_PATH); the shipped one when absent. */
  rootCauses?: RootCauseTaxonomy;
  /** The codec server (POST /codec/decode, /codec/encode) with the product's payload codec and the UI's origin. */
  codec?: CodecRoutesOptions;
  /** When a compliment is recorded; the wall clock unless a test fixes it. */
  now?: () => Date;
  /** The web application (web/): served on the same origin when given. */
  web?: WebOptions;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? createMetrics();
  const timeouts = { ...DEFAULT_REQUEST_TIMEOUTS, ...deps.timeouts };
  const app = Fastify({
    logger: withoutPersonalData(deps.logger),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    frameworkErrors: handleFrameworkError,
    // Errors Node's HTTP parser answers itself (431, 408, not HTTP) in the one error shape too.
    clientErrorHandler: handleClientError,
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    http: {
      // Node refuses headersTimeout above requestTimeout.
      headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
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
    // A CORS preflight (the codec server's, @fastify/cors) carries no token by design and answers no data.
    if (route.url.startsWith('/docs') || route.method === 'OPTIONS') {
      route.config = { ...(route.config as object), public: true };
      return;
    }
    const config = route.config as { public?: boolean; browser?: boolean } | undefined;
    const isPublic = Boolean(config?.public);
    if (!isPublic && !allowedRolesOf(route.onRequest) && !allowedRolesOf(route.preHandler)) {
      throw new Error(`Route ${String(route.method)} ${route.url} has no requireRole(...) and is not public`);
    }
    // The web application's pages are HTML, not part of the API's document.
    if (config?.browser) {
      route.schema = { ...route.schema, hide: true };
      return;
    }
    documentImpliedErrors(route, isPublic);
  });
  app.addHook('onRequest', authenticate(deps.tokens, deps.codec?.sso));
  observeRequests(app, metrics);
  if (deps.register) observeReconciliation(metrics, deps.register);

  await registerDocumentation(app);

  await app.register(healthRoutes, { complaints: deps.complaints });
  await app.register(metricsRoutes, { metrics });
  const access = deps.register ? accessRecorderOf(app, deps.register) : undefined;
  const reads = deps.reads ?? new ComplaintReads(deps.complaints, deps.register, access, repairsOf(app, deps, metrics));
  await app.register(complaintRoutes, { complaints: deps.complaints, reads, metrics });
  const rootCauses = deps.rootCauses ?? DEFAULT_ROOT_CAUSES;
  await app.register(complaintActionRoutes, { complaints: deps.complaints, reads, metrics, rootCauses });
  await app.register(rootCauseRoutes, { rootCauses });
  await app.register(calendarRoutes, { complaints: deps.complaints });
  if (deps.codec)
    await app.register(codecRoutes, {
      personal: deps.complaints,
      ...(access ? { access } : {}),
      ...deps.codec,
      prefix: '/codec',
    });
  const improvementActions = deps.register ? improvementActionsOver(deps, deps.register, reads) : undefined;
  if (improvementActions)
    await app.register(improvementActionRoutes, { actions: improvementActions, ...(access ? { access } : {}) });
  const letters =
    deps.register && access
      ? await registerRecordRoutes(app, deps, deps.register, { reads, access, rootCauses })
      : undefined;
  if (deps.web)
    await app.register(
      webApplication,
      webPluginOptions(deps, deps.web, { reads, rootCauses, letters, improvementActions, access }),
    );
  return app;
}

/** The web application's options: its own (WebOptions) and the API's services it shares. */
function webPluginOptions(
  deps: AppDependencies,
  web: WebOptions,
  shared: {
    reads: ComplaintReads;
    rootCauses: RootCauseTaxonomy;
    letters: LetterService | undefined;
    improvementActions: ImprovementActionService | undefined;
    access: AccessRecorder | undefined;
  },
): WebPluginOptions {
  const { reads, rootCauses, letters, improvementActions, access } = shared;
  return {
    ...web,
    complaints: deps.complaints,
    reads,
    ...(deps.register ? { register: deps.register } : {}),
    reports: { ...deps.reports, rootCauses },
    ...(letters ? { letters } : {}),
    ...(improvementActions ? { improvementActions } : {}),
    ...(access ? { access } : {}),
  };
}

/** The routes over the register (access log, subject access, compliments, reports, erasure, letters); the letters' service, when printing. */
async function registerRecordRoutes(
  app: FastifyInstance,
  deps: AppDependencies,
  register: Register,
  { reads, access, rootCauses }: { reads: ComplaintReads; access: AccessRecorder; rootCauses: RootCauseTaxonomy },
): Promise<LetterService | undefined> {
  await app.register(accessLogRoutes, { store: register.accessLog, recorder: access });
  // Its own reads, without the access log: the route records what it discloses, not every candidate it looked at.
  const subjectAccess = new SubjectAccess(new ComplaintReads(deps.complaints, register), register);
  await app.register(subjectAccessRoutes, { subjectAccess, access });
  await app.register(complimentRoutes, { register, ...(deps.now ? { now: deps.now } : {}) });
  await app.register(reportRoutes, { register, ...deps.reports, rootCauses });
  await app.register(erasureRoutes, { complaints: deps.complaints, reads, register });
  if (!deps.letterPrinter) return undefined;
  const letters = new LetterService({
    letters: register.letters,
    printer: deps.letterPrinter,
    complaintState: (ref) => deps.complaints.state(ref),
  });
  await app.register(letterRoutes, { letters, access, ...(deps.now ? { now: deps.now } : {}) });
  return letters;
}

/** Improvement actions over the register, their reminders' workflows started with the complaints' client. */
function improvementActionsOver(deps: AppDependencies, register: Register, reads: ComplaintReads) {
  const { now, complaints } = deps;
  return new ImprovementActionService({
    actions: register.improvementActions,
    temporal: () => ({ client: complaints.client, taskQueue: complaints.options.taskQueue }),
    complaintState: async (ref) => (await reads.get(ref)).state,
    ...(complaints.options?.councilCalendar ? { councilCalendar: complaints.options.councilCalendar } : {}),
    ...(now ? { now: () => now().getTime() } : {}),
  });
}

/** Read repair over the register (api/register-repairs.ts); repairs under way finish before the app closes. */
function repairsOf(app: FastifyInstance, deps: AppDependencies, metrics: ApiMetrics): RegisterRepairs | undefined {
  const register = deps.register;
  if (!register) return undefined;
  const { client } = deps.complaints;
  const repairs = new RegisterRepairs(
    (ref) => reconcile(client, register, { refs: [ref] }, { repair: true }),
    app.log,
    metrics.registerReadRepairs,
  );
  app.addHook('onClose', () => repairs.settle());
  return repairs;
}

/** The access log's writer over the register; the app's close writes out what it holds (api/access-recorder.ts). */
function accessRecorderOf(app: FastifyInstance, register: Register): AccessRecorder {
  const recorder = new AccessRecorder({
    store: register.accessLog,
    onError: (error, pending) =>
      app.log.error({ pending, reason: (error as Error).message }, 'access log not written yet; its records are kept'),
  });
  app.addHook('onClose', () => recorder.close());
  return recorder;
}

/**
 * Log lines carry references, never personal data: a request is logged as its method, path and the NAMES of its
 * query parameters (a search term or an e-mail address is personal data), never its headers or body; the
 * authorization header is redacted should anything log the raw request.
 */
function withoutPersonalData(logger: AppDependencies['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = typeof logger === 'object' ? logger : {};
  return {
    ...options,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[hidden]' },
    serializers: {
      ...('serializers' in options ? options.serializers : {}),
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: pathWithQueryNames(request.url),
        remoteAddress: request.ip,
      }),
    },
  };
}

/** `/subject-access?email=pat%40example.org` → `/subject-access?email=…` */
export function pathWithQueryNames(url: string): string {
  const i = url.indexOf('?');
  if (i < 0) return url;
  const names = [...new URLSearchParams(url.slice(i + 1)).keys()];
  return `${url.slice(0, i)}?${names.map((name) => `${encodeURIComponent(name)}=…`).join('&')}`;
}

/**
 * The error answers a route gives by its configuration alone, added to its documented responses (what the route
 * declares itself, 409 and 503, stays): 408 and 431 from Node on any request; 401 and 403 unless public; 400 when
 * it validates anything; 404 for an unknown resource in its path; 413 and 415 when it takes a body; 503 unless
 * public (every guarded route reads or writes Temporal or the register, either of which may not be answering).
 */
function documentImpliedErrors(route: { url: string; schema?: FastifySchema }, isPublic: boolean): void {
  const schema = route.schema;
  if (!schema) return;
  const statuses = [408, 431];
  if (!isPublic) statuses.push(401, 403, 503);
  if (schema.params || schema.querystring || schema.body || schema.headers) statuses.push(400);
  if (route.url.includes(':')) statuses.push(404);
  if (schema.body) statuses.push(413, 415);
  schema.response = { ...errorResponses(...statuses), ...(schema.response as object | undefined) };
}

/**
 * Each rule a schema states in words (STATED_RULE, domain/vocabulary.ts: a refinement JSON Schema cannot express,
 * such as "no unpaired surrogate") added to its field's description, so that a reader of the document sees it; the
 * keyword itself stays (an OpenAPI extension) for tests/api/openapi-constraints.test.ts.
 */
export function withStatedRules<T>(value: T): T {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const rule = record[STATED_RULE];
    if (typeof rule === 'string') {
      const description = typeof record.description === 'string' ? record.description : '';
      if (!description.includes(rule))
        record.description = description ? `${description.replace(/\.$/, '')}. ${rule}` : rule;
    }
    for (const child of Object.values(record)) visit(child);
  };
  visit(value);
  return value;
}

/** OpenAPI generated from the routes' zod schemas, and Swagger UI at /docs. */
async function registerDocumentation(app: FastifyInstance): Promise<void> {
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
        { name: 'calendar', description: "Changes to the council's calendar, told to every open complaint" },
        { name: 'compliments', description: 'Written compliments about services' },
        { name: 'reports', description: 'The annual performance report and the Ombudsman indicators' },
        { name: 'letters', description: 'Letters to complainants: sent, kept, and queued to post' },
        {
          name: 'improvement-actions',
          description: 'What the council agreed to improve after complaints, and its completion',
        },
        { name: 'operations', description: 'Health and metrics' },
      ],
    },
    transform: (input) => withStatedRules(jsonSchemaTransform(input)),
    // Schemas with an id (the complaint's state, its timeline entry, an instant) become components, named once.
    transformObject: (input) => withStatedRules(jsonSchemaTransformObject(input)),
  });
  // The documentation is public: a browser cannot send a bearer token for the page itself, and it holds no data.
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}
