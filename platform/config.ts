import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ClientConfigProfile, loadClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';

// All configuration comes from environment variables, validated here by ONE schema when a process starts.
// Every message below completes the sentence "<VARIABLE> …", so a bad value prints one line naming the variable:
//   Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")
// To add a variable: add one entry to `configSchema` in the same style (and to deploy/.env.example).

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

// zod's own validators: a DNS host name (RFC 1123 labels), an IPv4 address, an IPv6 address.
const hostname = z.hostname();
const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
const is = (schema: z.ZodType, value: string) => schema.safeParse(value).success;

function isHost(value: string): boolean {
  const bracketed = /^\[(.*)\]$/.exec(value);
  return bracketed ? is(ipv6, bracketed[1]!) : is(ipv4, value) || is(hostname, value);
}

/** `host:port`, host a name, IPv4 address or [IPv6] address. */
export function isHostPort(value: string): boolean {
  const i = value.lastIndexOf(':');
  if (i <= 0) return false;
  return isHost(value.slice(0, i)) && isPort(value.slice(i + 1));
}

const port = (fallback: number) =>
  z.string().default(String(fallback)).refine(isPort, 'must be an integer between 1 and 65535').transform(Number);

const positiveInt = () =>
  z
    .string()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number.isSafeInteger(Number(v)), 'must be a positive integer')
    .transform(Number);

/** An integer in [min, max], with a default. */
const intInRange = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max,
      `must be an integer between ${min} and ${max}`,
    )
    .transform(Number);

const nonEmpty = (fallback: string, what = 'must not be empty') =>
  z
    .string()
    .default(fallback)
    .refine((v) => v.length > 0, what);

const urlWithScheme = (schemes: string[], example: string) =>
  z.url({
    protocol: new RegExp(`^(?:${schemes.join('|')})$`),
    error: `must be a ${schemes.map((s) => `${s}://`).join(' or ')} URL, e.g. ${example}`,
  });

const isoDay = () =>
  z
    .string()
    .refine(
      (v) =>
        /^\d{4}-\d{2}-\d{2}$/.test(v) &&
        !Number.isNaN(Date.parse(v)) &&
        new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      'must be a date, YYYY-MM-DD',
    );

const filePath = () => z.string().refine((v) => v.length > 0, 'must be a file path');

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

export const configSchema = z.object({
  // --- Temporal ---
  /**
   * host:port of the Temporal frontend, from the variable or the Temporal profile (envconfig). Absent: `npm start`
   * runs its own dev server; processes connect to 127.0.0.1:TEMPORAL_DEV_SERVER_PORT.
   */
  TEMPORAL_ADDRESS: z
    .string()
    .refine(isHostPort, 'must be host:port with a port between 1 and 65535, e.g. "temporal:7233" or "127.0.0.1:7233"')
    .optional(),
  TEMPORAL_NAMESPACE: nonEmpty('default'),
  TEMPORAL_TASK_QUEUE: nonEmpty('complaints'),
  // TLS, API key and gRPC headers: @temporalio/envconfig's variables and TOML profiles (below), not this schema.
  /** Port of the dev server that `npm start` runs when TEMPORAL_ADDRESS is absent. */
  TEMPORAL_DEV_SERVER_PORT: port(7233),
  /** Port of the Temporal Web UI of that dev server. */
  TEMPORAL_UI_PORT: port(8233),

  // --- HTTP API ---
  /** Interface the API listens on. 127.0.0.1 by default (a developer's machine); containers set 0.0.0.0. */
  HOST: z
    .string()
    .default('127.0.0.1')
    .refine(
      (v) => is(ipv4, v) || is(ipv6, v) || is(hostname, v),
      'must be an IP address or host name, e.g. 0.0.0.0 or 127.0.0.1',
    ),
  PORT: port(3000),
  /** Bearer tokens: a file (API_TOKENS_PATH) and/or inline (API_TOKENS); their format is the API's. */
  API_TOKENS_PATH: filePath().optional(),
  API_TOKENS: z.string().optional(),
  /** Largest request body the API accepts, in bytes (larger: 413). */
  API_BODY_LIMIT_BYTES: intInRange(256 * 1024, 1024, 10 * 1024 * 1024),
  /** How long the API waits for Temporal on each call before answering 503. */
  API_TEMPORAL_TIMEOUT_MS: intInRange(10_000, 100, 300_000),
  /** A request (headers and body) must arrive in full within this long, else 408 and the connection is closed. */
  API_REQUEST_TIMEOUT_MS: intInRange(30_000, 1_000, 600_000),
  /** Generated complaint references are <prefix>-<year>-<6 digits>, e.g. SW-2026-004817. */
  COMPLAINT_REF_PREFIX: z
    .string()
    .default('SW')
    .refine((v) => /^[A-Z]{1,10}$/.test(v), 'must be 1 to 10 capital letters, e.g. SW'),

  // --- Web application (web/) ---
  /** The council's name in every page's header. */
  COUNCIL_NAME: nonEmpty('Dundee City Council'),
  /** The council's logo (an image URL: a path on this server or https://), shown before its name. */
  COUNCIL_LOGO_URL: z
    .string()
    .refine((v) => /^(\/[^/\\]|https:\/\/)/.test(v), 'must be a path on this server (/...) or an https:// URL')
    .optional(),
  /** Encrypts and signs the session cookies (at least 32 characters). Absent from sources: a development key in DATA_DIR. */
  WEB_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Signed out after this many minutes without a request. */
  WEB_SESSION_IDLE_MINUTES: intInRange(30, 1, 24 * 60),
  /** Session cookies marked Secure (HTTPS only). Default: true in production (compiled), false from sources. */
  WEB_SECURE_COOKIES: z.enum(['true', 'false']).optional(),
  /** OpenID Connect sign-in: the identity provider's issuer URL (all four OIDC_ISSUER_URL..OIDC_REDIRECT_URL together). */
  OIDC_ISSUER_URL: urlWithScheme(['https', 'http'], 'https://login.microsoftonline.com/<tenant>/v2.0').optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** This server's callback: <its public URL>/sign-in/oidc/callback. */
  OIDC_REDIRECT_URL: urlWithScheme(
    ['https', 'http'],
    'https://complaints.council.example/sign-in/oidc/callback',
  ).optional(),
  /** The ID token claim that lists the person's groups or roles. */
  OIDC_ROLES_CLAIM: nonEmpty('roles'),
  /** Claim value → role, comma-separated: e.g. "complaints-intake=intake,complaints-officers=case-officer". */
  OIDC_ROLE_MAP: z
    .string()
    .refine(
      (v) => v.split(',').every((pair) => /^[^=,]+=(intake|case-officer|manager|auditor)$/.test(pair.trim())),
      'must be comma-separated value=role pairs, each role one of intake, case-officer, manager, auditor',
    )
    .optional(),

  // --- Storage ---
  /** Local state: the dev server's temporal.db, the embedded PGlite database. Resolved to an absolute path. */
  DATA_DIR: z
    .string()
    .default('./.data')
    .transform((v) => path.resolve(v)),
  /** PostgreSQL for the complaints register. Absent: embedded PGlite under DATA_DIR. */
  DATABASE_URL: urlWithScheme(['postgres', 'postgresql'], 'postgres://user:password@host:5432/complaints').optional(),

  // --- Personal data protection ---
  /**
   * The payload key ring (YAML or JSON, see config/encryption-keys.example.yaml): AES-256 keys by id; the last one
   * listed encrypts, every one listed decrypts (rotation: append a new key, keep the old ones). ENCRYPTION_KEYS holds
   * the same document inline. Neither set: from sources, development keys made at first start under DATA_DIR.
   */
  ENCRYPTION_KEYS_PATH: filePath().optional(),
  ENCRYPTION_KEYS: z.string().optional(),
  /** `off` only for measuring what the codec costs (bench/): payloads then go to Temporal in plain JSON. */
  PAYLOAD_ENCRYPTION: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  /**
   * The Temporal Web UI's origin, the only one the codec server (POST /codec/encode|decode) answers CORS requests
   * from. Absent: the dev server's UI, http://localhost:TEMPORAL_UI_PORT.
   */
  TEMPORAL_UI_ORIGIN: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http:// or https:// origin, e.g. https://temporal.council.example',
    })
    .transform((v) => new URL(v).origin)
    .optional(),
  /**
   * The audience of the tokens the Temporal Web UI, signed in with the council's single sign-on, passes to the codec
   * server (TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true): with OpenID Connect configured (OIDC_*), POST /codec/decode and
   * /codec/encode also accept the issuer's signed JWTs for this audience, the person's roles from OIDC_ROLES_CLAIM
   * mapped by OIDC_ROLE_MAP. Absent: the codec server takes the API's own tokens only.
   */
  OIDC_CODEC_AUDIENCE: z.string().min(1).max(500).optional(),

  // --- Notifications ---
  /** Absent: each message is written as an .eml file to DATA_DIR/outbox/ and logged (notifications/). */
  SMTP_URL: urlWithScheme(['smtp', 'smtps'], 'smtp://mailpit:1025').optional(),
  /** From: of every notice; its domain also names the Message-IDs (<sha256(notice id)@complaints.<domain>>). */
  MAIL_FROM: z
    .string()
    .default('complaints@localhost')
    .refine(
      (v) => /^[^@\s<>]+@[^@\s<>]+$/.test(v) || /^[^<>]*<[^@\s<>]+@[^@\s<>]+>$/.test(v),
      'must be an e-mail address, e.g. complaints@council.example or "Complaints <complaints@council.example>"',
    ),

  // --- Domain ---
  /** Who gets staff notices (YAML or JSON; see config/staff-directory.example.yaml). Absent: placeholder team mailboxes. */
  STAFF_DIRECTORY_PATH: filePath().optional(),
  /** The council's logo (a .png or .jpg file) at the head of printed letters and papers (COUNCIL_NAME beside it). */
  COUNCIL_LOGO_PATH: filePath()
    .refine((v) => /\.(png|jpe?g)$/i.test(v), 'must be a .png or .jpg file')
    .optional(),
  /** The procedure reports describe; and of new complaints that name none when there is no procedure schedule. */
  DEFAULT_PROCEDURE: nonEmpty('dundee-swd-2011'),
  /**
   * Which procedure applies to complaints received in which period (YAML or JSON; see
   * config/procedure-schedule.example.yaml). Absent: the shipped default (domain/procedure-schedule.ts).
   */
  PROCEDURE_SCHEDULE_PATH: filePath().optional(),
  /** The council's local holidays, closures and worked days (YAML or JSON; see config/council-calendar.example.yaml). */
  COUNCIL_CALENDAR_PATH: filePath().optional(),
  /** The organisation's root-cause taxonomy (YAML or JSON; see config/root-causes.example.yaml). Absent: the shipped one. */
  ROOT_CAUSES_PATH: filePath().optional(),
  /** How long closed complaints' personal data is kept, by procedure or service area (domain/retention.ts); absent: 6 years after closure. */
  RETENTION_SCHEDULE_PATH: filePath().optional(),
  /** Population served, for the Ombudsman indicator "complaints per 1,000 population". */
  POPULATION: positiveInt().optional(),

  // --- The committee paper (report/committee-paper.ts; the front matter of the 2012 paper, shared/seed/) ---
  /** The committee the annual report goes to ("REPORT TO"). */
  PAPER_COMMITTEE: nonEmpty('Social Work and Health Committee'),
  /** The meeting's date (YYYY-MM-DD), after the committee's name. Absent: none shown. */
  PAPER_MEETING_DATE: isoDay().optional(),
  /** The paper's number, e.g. "163-2012". Absent: none shown. */
  PAPER_REPORT_NUMBER: z.string().min(1).optional(),
  /** Who reports ("REPORT BY"), and signs under the author's name. */
  PAPER_REPORT_BY: nonEmpty('Director of Social Work'),
  /** The author's name, at the foot. Absent: only PAPER_REPORT_BY signs. */
  PAPER_AUTHOR: z.string().min(1).optional(),
  /** The paper's date (YYYY-MM-DD). Absent: the day it is made (London). */
  PAPER_DATE: isoDay().optional(),
  PAPER_FINANCIAL_IMPLICATIONS: nonEmpty('None.'),
  PAPER_POLICY_IMPLICATIONS: nonEmpty(
    'This report has been screened for any policy implications in respect of Sustainability, Strategic Environmental Assessment, Anti-Poverty, Equality Impact Assessment and Risk Management. There are no major issues.',
  ),
  PAPER_CONSULTATIONS: nonEmpty('None.'),
  PAPER_BACKGROUND_PAPERS: nonEmpty('None.'),
  /**
   * How many complaints the worker keeps in memory between their tasks (the SDK's workflow cache). Each cached
   * complaint costs up to 1.2-1.6 MiB; one not cached is rebuilt from its history when it next wakes (~20 ms).
   * Default 500, not the SDK's heap-sized ~2,300: with 3,000 open and 1,000 reminders due, the worker's peak fell
   * from 1,690 to 1,215 MiB with no reminder lost or later at p99 (bench/README.md, 2026-12-02), and evictions lose
   * nothing (tests/workflows/cache-evictions.test.ts). At least the SDK's concurrent workflow tasks (40).
   */
  WORKER_MAX_CACHED_WORKFLOWS: intInRange(500, 40, 1_000_000),

  LOG_LEVEL: z
    .string()
    .default('info')
    .transform((v) => v.toLowerCase())
    .refine(
      (v): v is (typeof LOG_LEVELS)[number] => (LOG_LEVELS as readonly string[]).includes(v),
      `must be one of ${LOG_LEVELS.join(', ')}`,
    ),
});

/** The Temporal profile's connection settings besides address and namespace (those are the schema's). */
export type TemporalProfile = Omit<ClientConfigProfile, 'address' | 'namespace'>;

export type AppConfig = z.output<typeof configSchema> & { readonly temporalProfile: TemporalProfile };
export type LogLevel = AppConfig['LOG_LEVEL'];

/** A configuration problem, its message one line naming the variable(s). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const schemaVariableNames: readonly string[] = Object.keys(configSchema.shape);

/**
 * The variables @temporalio/envconfig reads besides TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, with the names and
 * meanings every Temporal SDK and the `temporal` CLI give them; also TEMPORAL_GRPC_META_<HEADER> (a gRPC header).
 */
export const temporalEnvconfigVariables = [
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_PROFILE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
] as const;

/** The variables the configuration knows, for tools (e.g. the deployment test). */
export const configVariableNames: readonly string[] = [...schemaVariableNames, ...temporalEnvconfigVariables];

const configError = (problem: string) => new ConfigError(`Invalid configuration: ${problem}`);

/** What envconfig does not check itself, each a one-line problem. */
function checkTemporalVariables(vars: Record<string, string>): void {
  // The TypeScript SDK's envconfig reads this variable but drops it (its TLSConfig has no such switch): refuse it
  // rather than connect with host verification on while the operator believes it off.
  if (vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION !== undefined)
    throw configError(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by the TypeScript SDK; set TEMPORAL_TLS_SERVER_NAME to the name in the server certificate instead',
    );
  // envconfig takes anything but "1"/"true" as false, so a typo ("yes") would turn TLS off silently.
  if (vars.TEMPORAL_TLS !== undefined && !['1', '0', 'true', 'false'].includes(vars.TEMPORAL_TLS))
    throw configError(`TEMPORAL_TLS must be true, false, 1 or 0 (got ${JSON.stringify(vars.TEMPORAL_TLS)})`);
  if (vars.TEMPORAL_TLS_SERVER_NAME !== undefined && !isHost(vars.TEMPORAL_TLS_SERVER_NAME))
    throw configError(
      `TEMPORAL_TLS_SERVER_NAME must be a host name (got ${JSON.stringify(vars.TEMPORAL_TLS_SERVER_NAME)})`,
    );
  // envconfig treats a missing config file as no file: an explicitly named one must exist.
  if (vars.TEMPORAL_CONFIG_FILE !== undefined) {
    try {
      readFileSync(vars.TEMPORAL_CONFIG_FILE);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw configError(
        `TEMPORAL_CONFIG_FILE cannot be read (${reason}: ${JSON.stringify(vars.TEMPORAL_CONFIG_FILE)})`,
      );
    }
  }
}

/**
 * The Temporal connection profile, as @temporalio/envconfig loads it: the TOML file (TEMPORAL_CONFIG_FILE, else
 * ~/.config/temporalio/temporal.toml if present), profile TEMPORAL_PROFILE (else "default"), then the TEMPORAL_*
 * variables over it. Empty variables count as unset here too (envconfig would take an empty TEMPORAL_API_KEY as a key).
 */
export function loadTemporalProfile(env: NodeJS.ProcessEnv): ClientConfigProfile {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim();
    if (trimmed) vars[name] = trimmed;
  }
  checkTemporalVariables(vars);
  let profile: ClientConfigProfile;
  try {
    // Strict: a mistyped key in the file (say `client_cert`) is an error, not a TLS setting silently dropped.
    profile = loadClientConfigProfile({ overrideEnvVars: vars, configFileStrict: true });
  } catch (err) {
    const message = oneLine((err as Error).message);
    const missing = /^Profile '(.*)' not found/.exec(message);
    const file = vars.TEMPORAL_CONFIG_FILE ?? '~/.config/temporalio/temporal.toml';
    throw configError(
      missing
        ? `TEMPORAL_PROFILE ${JSON.stringify(missing[1])} is not a profile in ${file}`
        : `TEMPORAL_CONFIG_FILE (${file}) ${message}`,
    );
  }
  const tls = profile.tls;
  if (tls && Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    const missing = tls.clientCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH';
    throw configError(
      `${missing} must be set too (or its _DATA form, or the profile's): mTLS needs a certificate and its key`,
    );
  }
  return profile;
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Validates the environment. Empty values count as unset (docker-compose's `${VAR:-}` gives empty strings).
 * Throws a ConfigError with a single line such as
 * `Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known: Record<string, string> = {};
  for (const name of schemaVariableNames) {
    const value = env[name]?.trim();
    if (value) known[name] = value;
  }
  const { address, namespace, ...temporalProfile } = loadTemporalProfile(env);
  // The profile's address and namespace (the variables, else the file's) are validated as the variables are.
  if (address) known.TEMPORAL_ADDRESS = address;
  if (namespace) known.TEMPORAL_NAMESPACE = namespace;
  const result = configSchema.safeParse(known);
  if (result.success) return { ...result.data, temporalProfile };
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? 'configuration');
    if (seen.has(name)) continue;
    seen.add(name);
    const raw = known[name];
    const secret = /KEY|TOKEN|PASSWORD|SECRET/.test(name) || name === 'DATABASE_URL' || name === 'SMTP_URL';
    const got = raw === undefined ? '' : secret ? ' (value hidden)' : ` (got ${JSON.stringify(raw)})`;
    problems.push(`${name} ${issue.message}${got}`);
  }
  throw configError(problems.join('; '));
}

/** For a process's entry point: the configuration, or one line on stderr and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** Where processes reach Temporal: TEMPORAL_ADDRESS, else the dev server that `npm start` runs. */
export function temporalAddress(config: AppConfig): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT}`;
}

/** The Temporal Web UI's origin, the only one the codec server answers in a browser: TEMPORAL_UI_ORIGIN, else the dev UI's. */
export function temporalUiOrigin(config: Pick<AppConfig, 'TEMPORAL_UI_ORIGIN' | 'TEMPORAL_UI_PORT'>): string {
  return config.TEMPORAL_UI_ORIGIN ?? `http://localhost:${config.TEMPORAL_UI_PORT}`;
}

/** Where the API is reached from this machine: http://HOST:PORT, a wildcard HOST (0.0.0.0, ::) as 127.0.0.1. */
export function apiUrl(config: Pick<AppConfig, 'HOST' | 'PORT'>): string {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return `http://${host}:${config.PORT}`;
}
