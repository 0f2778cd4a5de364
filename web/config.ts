import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEV_PEOPLE, type Role } from '../api/auth';
import { type AppConfig, ConfigError } from '../platform/config';
import type { OidcSettings } from './oidc';
import type { WebOptions } from './plugin';

// The web application's options from the configuration (platform/config.ts: COUNCIL_*, WEB_*, OIDC_*).

const OIDC_VARIABLES = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL'] as const;

export function oidcSettingsOf(config: AppConfig): OidcSettings | undefined {
  const given = OIDC_VARIABLES.filter((name) => config[name]);
  if (given.length === 0) return undefined;
  if (given.length < OIDC_VARIABLES.length)
    throw new ConfigError(
      `Invalid configuration: OpenID Connect needs all of ${OIDC_VARIABLES.join(', ')}; missing ${OIDC_VARIABLES.filter((name) => !config[name]).join(', ')}`,
    );
  if (!config.OIDC_ROLE_MAP)
    throw new ConfigError('Invalid configuration: OIDC_ROLE_MAP must say which claim values give which role');
  const roleMap = Object.fromEntries(
    config.OIDC_ROLE_MAP.split(',').map((pair) => {
      const [value, role] = pair.trim().split('=') as [string, Role];
      return [value, role];
    }),
  );
  return {
    issuer: config.OIDC_ISSUER_URL!,
    clientId: config.OIDC_CLIENT_ID!,
    clientSecret: config.OIDC_CLIENT_SECRET!,
    redirectUrl: config.OIDC_REDIRECT_URL!,
    rolesClaim: config.OIDC_ROLES_CLAIM,
    roleMap,
    allowInsecureHttp: config.OIDC_ISSUER_URL!.startsWith('http:'),
  };
}

/** The session key: from WEB_SESSION_SECRET, or (from sources only) a development key kept in DATA_DIR. */
function sessionKey(config: AppConfig, fromSources: boolean): Buffer {
  if (config.WEB_SESSION_SECRET) return createHash('sha256').update(config.WEB_SESSION_SECRET).digest();
  if (!fromSources)
    throw new ConfigError('Invalid configuration: WEB_SESSION_SECRET must be set (at least 32 characters)');
  const file = path.join(config.DATA_DIR, 'web-session.dev.key');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return createHash('sha256').update(readFileSync(file, 'utf8').trim()).digest();
}

export function webOptionsFromConfig(
  config: AppConfig,
  options: { fromSources: boolean; devTokens: boolean },
): WebOptions {
  const oidc = oidcSettingsOf(config);
  return {
    council: { name: config.COUNCIL_NAME, ...(config.COUNCIL_LOGO_URL ? { logoUrl: config.COUNCIL_LOGO_URL } : {}) },
    session: {
      key: sessionKey(config, options.fromSources),
      idleMinutes: config.WEB_SESSION_IDLE_MINUTES,
      secure: config.WEB_SECURE_COOKIES ? config.WEB_SECURE_COOKIES === 'true' : !options.fromSources,
    },
    // The development people's buttons only where the development tokens are in use.
    ...(options.devTokens ? { devUsers: DEV_PEOPLE.map((person) => ({ ...person, roles: [...person.roles] })) } : {}),
    ...(oidc ? { oidc } : {}),
  };
}
