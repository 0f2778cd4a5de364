import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../platform/config';
import { ConfigError } from '../platform/config';
import { oidcSettingsOf } from '../web/config';
import { rolesFromClaim } from '../web/oidc';
import type { Caller, Role } from './auth';
import { ApiError } from './errors';

// The council's single sign-on at the codec server (issue 14): the Temporal Web UI, run with its OIDC login against
// the council's identity provider and TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true, sends the signed-in person's token with
// every decode. The codec routes (config `ssoBearer`) accept it when it is a JWT the issuer (OIDC_ISSUER_URL, its
// keys from the discovery document's jwks_uri) signed for OIDC_CODEC_AUDIENCE, unexpired; the person's roles come from
// the same claim and map as the web application's sign-in (OIDC_ROLES_CLAIM, OIDC_ROLE_MAP), so an auditor signed in
// to the UI reads decrypted histories and each decode is in the access log under their name. Any other token is
// refused as the API's own unknown tokens are (401); a person without a codec role gets 403.

export interface SsoTokenSettings {
  issuer: string;
  audience: string;
  rolesClaim: string;
  roleMap: Readonly<Record<string, Role>>;
  /** Clock skew allowed on exp/nbf/iat, seconds. */
  clockToleranceSeconds?: number;
}

/** The discovery document's fields used here. */
interface Discovery {
  issuer?: unknown;
  jwks_uri?: unknown;
}

const TIMEOUT_MS = 5_000;

export class SsoTokens {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(readonly settings: SsoTokenSettings) {}

  /** The person a token names, or undefined when it is not one of the issuer's valid tokens for the audience. */
  async verify(token: string): Promise<Caller | undefined> {
    // Not a JWT (an API token, say): not ours to judge.
    if (token.split('.').length !== 3) return undefined;
    const keys = await this.signingKeys();
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid)
        throw ssoUnavailable(`its keys could not be read (${(error as Error).message})`);
      return undefined;
    }
    const roles = rolesFromClaim(claims[this.settings.rolesClaim], this.settings.roleMap);
    const id = [claims.preferred_username, claims.email, claims.sub].find((v): v is string => typeof v === 'string')!;
    const name = typeof claims.name === 'string' ? claims.name : undefined;
    return { id, ...(name ? { name } : {}), roles };
  }

  /** The issuer's signing keys (its discovery document read once; a failure is tried again at the next token). */
  private signingKeys(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      this.keys = discoverKeys(this.settings.issuer);
      this.keys.catch(() => (this.keys = undefined));
    }
    return this.keys;
  }
}

async function discoverKeys(issuer: string): Promise<JWTVerifyGetKey> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let document: Discovery;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as Discovery;
  } catch (error) {
    throw ssoUnavailable(`its discovery document could not be read (${(error as Error).message})`);
  }
  if (document.issuer !== issuer || typeof document.jwks_uri !== 'string')
    throw ssoUnavailable('its discovery document names another issuer or no jwks_uri');
  return createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: TIMEOUT_MS });
}

const ssoUnavailable = (why: string) =>
  new ApiError(503, 'sso-unavailable', `The single sign-on's identity provider cannot be asked now: ${why}`);

/** The codec server's SSO tokens from the configuration (OIDC_CODEC_AUDIENCE with OIDC_*), or undefined. */
export function ssoTokensFor(config: AppConfig): SsoTokens | undefined {
  if (!config.OIDC_CODEC_AUDIENCE) return undefined;
  const oidc = oidcSettingsOf(config);
  if (!oidc)
    throw new ConfigError(
      'Invalid configuration: OIDC_CODEC_AUDIENCE needs OpenID Connect configured (OIDC_ISSUER_URL and the rest)',
    );
  return new SsoTokens({
    issuer: oidc.issuer,
    audience: config.OIDC_CODEC_AUDIENCE,
    rolesClaim: oidc.rolesClaim,
    roleMap: oidc.roleMap,
  });
}
