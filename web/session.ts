import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Caller, type Role, RoleSchema } from '../api/auth';
import { TextSchema } from '../domain/vocabulary';
import { beginOidcSignIn, finishOidcSignIn } from './oidc';
import type { WebContext } from './plugin';
import { pageContext } from './views';

// Who is signed in: the session cookie holds the person and their roles (from the development sign-in or the
// identity provider's claims) and when they were last seen. The roles are the API's (api/auth.ts): the same
// requireRole guards each page.

const SessionCallerSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  roles: z.array(RoleSchema).min(1),
});

declare module '@fastify/secure-session' {
  interface SessionData {
    caller: z.infer<typeof SessionCallerSchema>;
    seenAt: number;
    oidc: { state: string; nonce: string; codeVerifier: string; next: string };
  }
}

/** Refresh the idle clock at most this often (each refresh rewrites the cookie). */
const TOUCH_AFTER_MS = 30_000;

/** The onRequest hook: request.caller from the session, unless it has been idle too long. */
export function signedInCaller(context: WebContext) {
  return async function sessionCaller(request: FastifyRequest) {
    const session = request.session;
    const parsed = SessionCallerSchema.safeParse(session.get('caller'));
    if (!parsed.success) return;
    const now = context.now();
    const seenAt = session.get('seenAt') ?? 0;
    if (now - seenAt > context.session.idleMinutes * 60_000) {
      session.delete();
      return;
    }
    if (now - seenAt > TOUCH_AFTER_MS) session.set('seenAt', now);
    const { id, name, roles } = parsed.data;
    request.caller = { id, ...(name ? { name } : {}), roles };
  };
}

export function signIn(request: FastifyRequest, caller: Caller, now: number): void {
  // A new session for the signed-in person (nothing of the anonymous one is kept).
  request.session.regenerate(['_csrf']);
  request.session.set('caller', { id: caller.id, ...(caller.name ? { name: caller.name } : {}), roles: caller.roles });
  request.session.set('seenAt', now);
}

/** Where to go after signing in: a path on this site only. */
export function safeNext(next: unknown, roles: readonly Role[]): string {
  if (typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/sign-')) return next;
  return homeOf(roles);
}

export function homeOf(roles: readonly Role[]): string {
  return roles.some((role) => role !== 'intake') ? '/' : '/record';
}

const roleLabels: Record<Role, string> = {
  intake: 'intake',
  'case-officer': 'case officer',
  manager: 'manager',
  auditor: 'auditor',
};

const DevSignInSchema = z.object({ person: TextSchema.max(200), next: TextSchema.max(2000).optional() }).passthrough();

export function sessionRoutes(app: FastifyInstance, context: WebContext): void {
  app.get('/sign-in', { config: { public: true } }, async (request, reply) => {
    const next = (request.query as { next?: unknown }).next;
    const devUsers = (context.devUsers ?? []).map((person) => ({
      id: person.id,
      label: `Sign in as ${person.roles.map((role) => roleLabels[role]).join(' and ')}`,
    }));
    return reply.view('sign-in.njk', {
      ...pageContext(request, reply, context, 'Sign in'),
      devUsers,
      oidc: Boolean(context.oidc),
      next: typeof next === 'string' ? next : '',
    });
  });

  app.post(
    '/sign-in/development',
    { config: { public: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const body = DevSignInSchema.safeParse(request.body);
      const person = body.success ? context.devUsers?.find((user) => user.id === body.data.person) : undefined;
      if (!body.success || !person) return reply.redirect('/sign-in', 303);
      signIn(request, person, context.now());
      return reply.redirect(safeNext(body.data.next, person.roles), 303);
    },
  );

  app.post('/sign-out', { config: { public: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    request.session.delete();
    return reply.redirect('/sign-in', 303);
  });

  if (context.oidc) {
    const oidc = context.oidc;
    app.get('/sign-in/oidc', { config: { public: true } }, async (request, reply) =>
      reply.redirect(await beginOidcSignIn(oidc, request, (request.query as { next?: unknown }).next), 303),
    );
    app.get('/sign-in/oidc/callback', { config: { public: true } }, async (request, reply) => {
      const result = await finishOidcSignIn(oidc, request);
      if ('problem' in result) return signInProblem(request, reply, context, result.problem);
      signIn(request, result.caller, context.now());
      return reply.redirect(safeNext(result.next, result.caller.roles), 303);
    });
  }
}

function signInProblem(request: FastifyRequest, reply: FastifyReply, context: WebContext, problem: string) {
  return reply.code(403).view('error.njk', {
    ...pageContext(request, reply, context, 'You could not be signed in'),
    message: problem,
  });
}
