import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import YAML from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../domain/actions';
import type { Actor } from '../domain/vocabulary';
import { type AppConfig, ConfigError } from '../platform/config';
import { ApiError } from './errors';

// Who may call the API. Every route but /health (and the documentation) needs `Authorization: Bearer <token>`.
// A token maps to a person and their roles; the server keeps only SHA-256 hashes of tokens (a file at
// API_TOKENS_PATH and/or the same document inline in API_TOKENS). Token values are never logged.
//
// Roles (a person may have several):
//   intake        records new complaints (POST /complaints)
//   case-officer  reads complaints and acts on them: acknowledge, outcome, escalation, withdrawal, Ombudsman
//                 referral, notes; may assign a complaint to THEMSELVES when it has no case officer yet
//   manager       everything a case officer may, plus extensions, (re)assigning to anyone, the holiday calendar
//   auditor       reads everything (complaints, lists, raw histories); changes nothing
// The person is the actor recorded in the complaint's timeline, with the role that allowed the action.

export const roles = ['intake', 'case-officer', 'manager', 'auditor'] as const;
export const RoleSchema = z.enum(roles);
export type Role = z.infer<typeof RoleSchema>;

/** Everyone with a valid token may read these non-personal endpoints (metrics). */
export const ANY_ROLE: readonly Role[] = roles;
/** Who may read complaints, lists and histories. */
export const READERS: readonly Role[] = ['case-officer', 'manager', 'auditor'];

/**
 * Who may see a complainant's name and the summary in a list, and search by them (GET /complaints and the web
 * application's worklist: api/complaint-reads.ts). The readers, who see them in each complaint anyway.
 */
export function mayReadPersonalData(viewer: { roles: readonly Role[] }): boolean {
  return viewer.roles.some((role) => READERS.includes(role));
}

export interface Caller {
  id: string;
  name?: string;
  roles: Role[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook for every route that is not public. */
    caller: Caller | null;
    /** The first of the route's allowed roles the caller has (set by requireRole). */
    actingRole: Role | null;
  }
  interface FastifyContextConfig {
    /** No token needed (health, documentation). Every other route must use requireRole. */
    public?: boolean;
    /** A page of the web application (web/): the caller comes from the signed-in session, not a bearer token. */
    browser?: boolean;
    /** The codec server's: a token of the council's single sign-on is taken too (api/sso-tokens.ts). */
    ssoBearer?: boolean;
  }
}

/** The actor recorded in a complaint's timeline for this caller acting in this role. */
export function actorFor(caller: Caller, role: Role): Actor {
  return { id: caller.id, ...(caller.name ? { name: caller.name } : {}), role };
}

// ------------------------------------------------------------------------------------------- tokens

const TOKEN_PREFIX = 'swc_';

/** A new random token (256 bits), e.g. `swc_3q2...`. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const PersonSchema = z
  .object({
    id: z.string().trim().min(1).max(200),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const TokenEntrySchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64 lower-case hex digits of the SHA-256 of the token'),
    person: PersonSchema,
    roles: z.array(RoleSchema).min(1),
    note: z.string().max(500).optional(),
  })
  .strict();
export type TokenEntry = z.infer<typeof TokenEntrySchema>;

/** The token document (YAML or JSON): `{ tokens: [...] }`, or just the list. */
const TokenDocumentSchema = z.union([
  z.object({ tokens: z.array(TokenEntrySchema) }).strict(),
  z.array(TokenEntrySchema),
]);

export class TokenStore {
  private readonly byHash = new Map<string, Caller>();

  constructor(entries: readonly TokenEntry[]) {
    for (const entry of entries) {
      if (this.byHash.has(entry.sha256)) throw new Error('the same token hash is listed twice');
      this.byHash.set(entry.sha256, {
        id: entry.person.id,
        ...(entry.person.name ? { name: entry.person.name } : {}),
        roles: [...new Set(entry.roles)],
      });
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The caller a presented token belongs to, if any. */
  lookup(token: string): Caller | undefined {
    return this.byHash.get(hashToken(token));
  }
}

/** Parses a token document; problems are one line naming `source` (never a token or hash value). */
export function parseTokenDocument(text: string, source: string): TokenEntry[] {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration: ${source} is not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`,
    );
  }
  if (raw === null || raw === undefined) return [];
  const parsed = TokenDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    // The union's issues are unhelpful; report against the documented form.
    const asObject = z
      .object({ tokens: z.array(TokenEntrySchema) })
      .strict()
      .safeParse(raw);
    const problem = asObject.success ? describeIssues(parsed.error) : describeIssues(asObject.error);
    throw new ConfigError(`Invalid configuration: ${source} ${problem}`);
  }
  return Array.isArray(parsed.data) ? parsed.data : parsed.data.tokens;
}

/** The configured tokens (file and inline together), or undefined when neither variable is set. */
export function loadTokenStore(config: Pick<AppConfig, 'API_TOKENS_PATH' | 'API_TOKENS'>): TokenStore | undefined {
  if (!config.API_TOKENS_PATH && !config.API_TOKENS) return undefined;
  const entries: TokenEntry[] = [];
  if (config.API_TOKENS_PATH) {
    let text: string;
    try {
      text = readFileSync(config.API_TOKENS_PATH, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(
        `Invalid configuration: API_TOKENS_PATH cannot be read (${reason}: "${config.API_TOKENS_PATH}")`,
      );
    }
    entries.push(...parseTokenDocument(text, 'API_TOKENS_PATH'));
  }
  if (config.API_TOKENS) entries.push(...parseTokenDocument(config.API_TOKENS, 'API_TOKENS'));
  try {
    return new TokenStore(entries);
  } catch (err) {
    throw new ConfigError(`Invalid configuration: API_TOKENS_PATH/API_TOKENS: ${(err as Error).message}`);
  }
}

/** The YAML lines for one token entry (what `npm run token` prints and the dev token file holds). */
export function tokenEntryYaml(entry: TokenEntry): string {
  return YAML.stringify([entry], { lineWidth: 0 });
}

export interface DevTokens {
  store: TokenStore;
  /** Where the token values are (readable by the owner only). */
  valuesPath: string;
  created: boolean;
}

/** The development people (one per role): the development tokens' and the web application's sign-in buttons. */
export const DEV_PEOPLE: ReadonlyArray<{ id: string; name: string; roles: Role[] }> = [
  { id: 'dev.intake', name: 'Development intake clerk', roles: ['intake'] },
  { id: 'dev.officer', name: 'Development case officer', roles: ['case-officer'] },
  { id: 'dev.manager', name: 'Development manager', roles: ['manager'] },
  { id: 'dev.auditor', name: 'Development auditor', roles: ['auditor'] },
];

/**
 * For a developer's machine when no tokens are configured: one token per role, made at first start. Hashes go to
 * DATA_DIR/api-tokens.dev.yaml (the store), the values to DATA_DIR/api-tokens.dev.txt (mode 600), which is
 * printed by path, never by content. Its header shows a request to `apiUrl` (platform/config.ts `apiUrl`).
 */
export function ensureDevTokens(dataDir: string, apiUrl: string): DevTokens {
  const storePath = path.join(dataDir, 'api-tokens.dev.yaml');
  const valuesPath = path.join(dataDir, 'api-tokens.dev.txt');
  if (existsSync(storePath) && existsSync(valuesPath)) {
    return {
      store: new TokenStore(parseTokenDocument(readFileSync(storePath, 'utf8'), storePath)),
      valuesPath,
      created: false,
    };
  }
  mkdirSync(dataDir, { recursive: true });
  const issued = DEV_PEOPLE.map((person) => ({ person, token: newToken() }));
  const entries: TokenEntry[] = issued.map(({ person, token }) => ({
    sha256: hashToken(token),
    person: { id: person.id, name: person.name },
    roles: person.roles,
    note: 'development token made by the API at first start',
  }));
  writeFileSync(
    valuesPath,
    [
      '# Development API tokens (made at first start because API_TOKENS_PATH and API_TOKENS are unset).',
      `# Use one as: curl -H "Authorization: Bearer <token>" ${apiUrl}/complaints`,
      '# Delete this file and api-tokens.dev.yaml to make new ones.',
      ...issued.map(({ person, token }) => `${person.roles.join(',').padEnd(13)} ${person.id.padEnd(12)} ${token}`),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  chmodSync(valuesPath, 0o600);
  writeFileSync(
    storePath,
    `# SHA-256 hashes of the development tokens in ${path.basename(valuesPath)}.\n${YAML.stringify({ tokens: entries }, { lineWidth: 0 })}`,
  );
  return { store: new TokenStore(entries), valuesPath, created: true };
}

// ------------------------------------------------------------------------------------------- hooks

const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i;

function unauthenticated(message: string, invalidToken: boolean): ApiError {
  return new ApiError(401, 'unauthenticated', message, undefined, {
    'www-authenticate': invalidToken ? 'Bearer realm="complaints", error="invalid_token"' : 'Bearer realm="complaints"',
  });
}

/**
 * The onRequest hook that identifies the caller on every route not marked `config: { public: true }`: by one of the
 * API's tokens, or, on a route marked `config: { ssoBearer: true }` (the codec server's), by a token of the council's
 * single sign-on when `sso` is given (api/sso-tokens.ts).
 */
export function authenticate(
  tokens: TokenStore,
  sso?: { verify(token: string): Promise<Caller | undefined> },
): onRequestHookHandler {
  return async function authenticateRequest(request: FastifyRequest) {
    // Unknown routes answer 404 whoever asks; public routes need no token.
    if (request.routeOptions.url === undefined || request.routeOptions.config.public) return;
    // The web application's pages: web/session.ts sets the caller from the session.
    if (request.routeOptions.config.browser) return;
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('Send Authorization: Bearer <token>', false);
    const token = BEARER.exec(header)?.[1];
    let caller = token ? tokens.lookup(token) : undefined;
    if (!caller && token && sso && request.routeOptions.config.ssoBearer) caller = await sso.verify(token);
    if (!caller) throw unauthenticated('The bearer token is not valid', true);
    request.caller = caller;
  };
}

const ALLOWED_ROLES = Symbol('allowedRoles');
type RoleCheck = preHandlerHookHandler & onRequestHookHandler & { [ALLOWED_ROLES]: readonly Role[] };

/**
 * The role check for a route: 401 without a caller, 403 unless the caller has one of `allowed`. Use it as the
 * route's `onRequest` (checked before the body is read) or `preHandler`. Every route that is not public must
 * have one: buildApp refuses to start otherwise.
 */
export function requireRole(...allowed: Role[]): RoleCheck {
  if (allowed.length === 0) throw new Error('requireRole needs at least one role');
  const check = async function checkRole(request: FastifyRequest, _reply: FastifyReply) {
    const caller = request.caller;
    if (!caller) throw unauthenticated('Send Authorization: Bearer <token>', false);
    const role = allowed.find((candidate) => caller.roles.includes(candidate));
    if (!role)
      throw new ApiError(
        403,
        'forbidden',
        `This needs one of the roles ${allowed.join(', ')}; you have ${caller.roles.join(', ')}`,
      );
    request.actingRole = role;
  };
  return Object.assign(check, { [ALLOWED_ROLES]: Object.freeze([...allowed]) }) as RoleCheck;
}

/** The roles a route's hooks allow, or undefined when it has no requireRole (for the start-up check and the docs). */
export function allowedRolesOf(hooks: unknown): readonly Role[] | undefined {
  const list = Array.isArray(hooks) ? hooks : hooks ? [hooks] : [];
  for (const hook of list) {
    const roles = (hook as Partial<RoleCheck>)[ALLOWED_ROLES];
    if (roles) return roles;
  }
  return undefined;
}
