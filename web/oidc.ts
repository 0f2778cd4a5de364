import type { FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { Caller, Role } from '../api/auth';

// Sign-in with OpenID Connect (production): the authorization code flow with PKCE, state and nonce against the
// council's identity provider (Entra ID, Okta, Keycloak...). The person's roles come from one claim (a list of
// groups or roles, or one string) mapped by configuration (OIDC_ROLE_MAP: claim value → role); a person with none
// of the mapped values is not signed in.

export interface OidcSettings {
  /** The issuer URL; its /.well-known/openid-configuration is read at the first sign-in. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This server's callback, e.g. https://complaints.council.example/sign-in/oidc/callback. */
  redirectUrl: string;
  /** The claim holding the groups or roles (e.g. "groups", "roles"). */
  rolesClaim: string;
  /** Claim value → the API's role. */
  roleMap: Readonly<Record<string, Role>>;
  /** For a local test provider over http:// only. */
  allowInsecureHttp?: boolean;
}

const configurations = new WeakMap<OidcSettings, Promise<client.Configuration>>();

function configurationOf(settings: OidcSettings): Promise<client.Configuration> {
  let found = configurations.get(settings);
  if (!found) {
    found = client.discovery(
      new URL(settings.issuer),
      settings.clientId,
      settings.clientSecret,
      undefined,
      settings.allowInsecureHttp ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    // A failed discovery is tried again at the next sign-in.
    found.catch(() => configurations.delete(settings));
    configurations.set(settings, found);
  }
  return found;
}

/** The provider's authorization URL; the checks are kept in the session for the callback. */
export async function beginOidcSignIn(settings: OidcSettings, request: FastifyRequest, next: unknown): Promise<string> {
  const config = await configurationOf(settings);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  request.session.set('oidc', { state, nonce, codeVerifier, next: typeof next === 'string' ? next : '' });
  return client
    .buildAuthorizationUrl(config, {
      redirect_uri: settings.redirectUrl,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    .toString();
}

/** The roles a claim value (a list, or one string, or space-separated) maps to. */
export function rolesFromClaim(value: unknown, roleMap: Readonly<Record<string, Role>>): Role[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const roles = values
    .filter((item): item is string => typeof item === 'string')
    .map((item) => roleMap[item])
    .filter((role): role is Role => role !== undefined);
  return [...new Set(roles)];
}

export async function finishOidcSignIn(
  settings: OidcSettings,
  request: FastifyRequest,
): Promise<{ caller: Caller; next: string } | { problem: string }> {
  const checks = request.session.get('oidc');
  request.session.set('oidc', undefined);
  if (!checks) return { problem: 'The sign-in was not started here, or it took too long. Sign in again.' };
  const config = await configurationOf(settings);
  const callbackUrl = new URL(settings.redirectUrl);
  callbackUrl.search = new URL(request.url, 'http://callback.invalid').search;
  let claims: client.IDToken | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
  } catch (error) {
    request.log.warn({ err: error }, 'OpenID Connect sign-in refused');
    return { problem: 'The identity provider did not confirm who you are. Sign in again.' };
  }
  if (!claims) return { problem: 'The identity provider did not say who you are.' };
  const roles = rolesFromClaim(claims[settings.rolesClaim], settings.roleMap);
  if (roles.length === 0)
    return { problem: 'Your account has no role in this service. Ask your manager to add you to its group.' };
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  const id = typeof claims.preferred_username === 'string' ? claims.preferred_username : claims.sub;
  return { caller: { id, ...(name ? { name } : {}), roles }, next: checks.next };
}
