import path from 'node:path';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifySecureSession from '@fastify/secure-session';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import type { AccessRecorder } from '../api/access-recorder';
import type { Caller } from '../api/auth';
import type { ComplaintService } from '../api/complaint-service';
import type { ComplaintReads } from '../api/complaint-reads';
import { ApiError, toApiError } from '../api/errors';
import type { LetterService } from '../api/letter-service';
import type { RootCauseTaxonomy } from '../domain/root-causes';
import type { Register } from '../register';
import { annualReportPages } from './annual-report';
import { complimentRoutes } from './compliments';
import { letterRoutes } from './letters';
import { caseRoutes } from './cases';
import type { ImprovementActionService } from '../api/improvement-actions';
import { intakeRoutes } from './intake';
import type { OidcSettings } from './oidc';
import { reportPages } from './reports';
import { sessionRoutes, signedInCaller } from './session';
import { configureViews, type PageContext, pageContext } from './views';
import { worklistRoutes } from './worklist';

// The web application: server-rendered pages (GOV.UK Frontend and MoJ Frontend through Nunjucks) on the API's
// origin. Sessions are signed, encrypted, HttpOnly, SameSite cookies (@fastify/secure-session) with an idle timeout;
// every form carries a CSRF token (@fastify/csrf-protection); helmet sets a Content Security Policy without inline
// script. Registered inside its own plugin, so none of it touches the JSON API. Every page route is marked
// `config: { browser: true }` (the caller comes from the session) and guarded by requireRole, or public (sign-in).

export interface WebOptions {
  /** The council's name and logo (COUNCIL_NAME, COUNCIL_LOGO_URL). */
  council: { name: string; logoUrl?: string };
  session: {
    /** 32 bytes (WEB_SESSION_SECRET, else a development key kept in DATA_DIR). */
    key: Buffer;
    /** Signed out after this long without a request. */
    idleMinutes: number;
    /** Cookies marked Secure (production: served over HTTPS). */
    secure: boolean;
  };
  /** Development sign-in: one button per person (the development tokens' people). Absent in production. */
  devUsers?: readonly Caller[];
  /** OpenID Connect sign-in (production). */
  oidc?: OidcSettings;
  /** The wall clock unless a test fixes it. */
  now?: () => number;
}

export interface WebPluginOptions extends WebOptions {
  complaints: ComplaintService;
  /** The read model (api/complaint-reads.ts): the worklist, the team page and the complaint page read through it. */
  reads: ComplaintReads;
  register?: Register;
  reports: { defaultProcedure?: string; population?: number | null; rootCauses?: RootCauseTaxonomy };
  /** The letters to post (api/letter-service.ts), when the API prints letters. */
  letters?: LetterService;
  /** Improvement actions (api/improvement-actions.ts), with the register. */
  improvementActions?: ImprovementActionService;
  /** The access log (api/access-recorder.ts): the letters pages record what they disclose, as the API's routes do. */
  access?: Pick<AccessRecorder, 'record'>;
}

export interface WebContext extends WebPluginOptions {
  now: () => number;
}

const here = __dirname;
const packageDist = (name: string, sub: string) =>
  path.join(path.dirname(require.resolve(`${name}/package.json`)), sub);
export const GOVUK_DIST = packageDist('govuk-frontend', 'dist');
export const MOJ_DIST = packageDist('@ministryofjustice/frontend', '');

/** The web application's plugin (api/app.ts registers it when given web options). */
export async function webApplication(app: FastifyInstance, options: WebPluginOptions): Promise<void> {
  const context: WebContext = { ...options, now: options.now ?? (() => Date.now()) };
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...(options.council.logoUrl?.startsWith('https:') ? ['https:'] : [])],
        fontSrc: ["'self'"],
        formAction: ["'self'", ...(options.oidc ? [new URL(options.oidc.issuer).origin] : [])],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // The fonts and images are served from this origin.
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyFormbody);
  await app.register(fastifySecureSession, {
    key: options.session.key,
    cookieName: 'complaints_session',
    // An absolute limit; the idle timeout is checked on every request (web/session.ts).
    expiry: 12 * 60 * 60,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: options.session.secure },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/secure-session' });
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: [path.join(here, 'templates'), GOVUK_DIST, MOJ_DIST],
    options: { autoescape: true, throwOnUndefined: false, onConfigure: configureViews },
  });
  // Files only, by explicit public routes below (the route guard in api/app.ts sees each one).
  await app.register(fastifyStatic, { root: path.join(here, 'static'), serve: false });
  assetRoutes(app);

  app.addHook('onRequest', signedInCaller(context));
  app.setErrorHandler(webErrorHandler(context));

  sessionRoutes(app, context);
  worklistRoutes(app, context);
  caseRoutes(app, context);
  intakeRoutes(app, context);
  reportPages(app, context);
  complimentRoutes(app, context);
  annualReportPages(app, context);
  letterRoutes(app, context);
}

const assetRoots: Record<string, string> = {
  govuk: path.join(GOVUK_DIST, 'govuk'),
  moj: path.join(MOJ_DIST, 'moj'),
  app: path.join(here, 'static'),
  // GOV.UK Frontend's stylesheet asks for /assets/fonts/... and /assets/images/...
  fonts: path.join(GOVUK_DIST, 'govuk', 'assets', 'fonts'),
  images: path.join(GOVUK_DIST, 'govuk', 'assets', 'images'),
};

function assetRoutes(app: FastifyInstance): void {
  for (const [prefix, root] of Object.entries(assetRoots)) {
    app.get(`/assets/${prefix}/*`, { config: { public: true } }, (request, reply) => {
      const file = (request.params as { '*': string })['*'];
      if (!/^[A-Za-z0-9._/-]+$/.test(file) || file.includes('..')) return reply.callNotFound();
      return reply.header('cache-control', 'public, max-age=3600').sendFile(file, root);
    });
  }
}

/** Errors on a page: signed out → the sign-in page; forbidden, not found, refused CSRF → a page that says so. */
function webErrorHandler(context: WebContext) {
  return async (
    error: Error & { statusCode?: number; code?: string },
    request: FastifyRequest,
    reply: FastifyReply,
  ) => {
    // What the API would answer (api/errors.ts toApiError): a register or Temporal that cannot be reached is a 503.
    const answer = toApiError(error);
    const status = error.statusCode ?? answer.statusCode;
    if (status === 401) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/sign-in${next}`, 303);
    }
    let title = 'Sorry, there is a problem with the service';
    let message = 'Try again later.';
    if (typeof error.code === 'string' && error.code.startsWith('FST_CSRF')) {
      title = 'This form has expired';
      message =
        'The form was sent without its security token, or after you signed out. Go back, reload the page and try again.';
    } else if (status === 403) {
      title = 'You cannot see this page';
      message = error.message;
    } else if (status === 404) {
      title = 'Page not found';
      message = error instanceof ApiError ? error.message : 'Check the address and try again.';
    } else if (status === 503) {
      title = 'The service is not available just now';
      message = answer.message;
    } else if (status < 500) {
      title = 'There is a problem with the request';
      message = error.message;
    } else {
      request.log.error({ err: error }, 'web page failed');
      if (process.env.WEB_DEBUG) console.error(error);
    }
    const page: PageContext = pageContext(request, reply, context, title);
    return reply.code(status).view('error.njk', { ...page, message });
  };
}
