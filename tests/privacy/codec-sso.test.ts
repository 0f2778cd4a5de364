// The codec server behind the council's single sign-on (issue 14; api/sso-tokens.ts): the Temporal Web UI, signed in
// with the council's identity provider and TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true, sends the person's token with each
// decode. An identity provider of the test's own (an HTTP server with its discovery document and its signing keys, as
// Entra ID, Keycloak or Okta publish them) signs the tokens. An auditor's token decodes a complaint's history, opened,
// and the decode is in the complaint's access log under their name; a token for another audience or issuer, expired,
// signed with another key or not signed is a 401; a person without a codec role a 403; the SSO token is good for the
// codec server only; an identity provider that cannot be asked is a 503 in the one error shape.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsoTokens, ssoTokensFor } from '../../api/sso-tokens';
import { loadConfig } from '../../platform/config';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { caller, eventually, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { storedInput } from '../support/codec-payloads';
import { testPayloadKeys } from '../support/payload-keys';
import { startTimeSkippingServer } from '../support/temporal';

const AUDIENCE = 'api://complaints-codec';
const ROLE_MAP = { 'complaints-auditors': 'auditor', 'complaints-officers': 'case-officer' } as const;
const NAME = 'Zxqsso Marker';

let env: TestWorkflowEnvironment;
let register: Register;
let stack: ApiStack;
let call: ReturnType<typeof caller>;
let idp: Server;
let issuer: string;
let signingKey: CryptoKey;
let otherKey: CryptoKey;

/** The identity provider: its discovery document and its public keys. */
async function startIdentityProvider(): Promise<void> {
  const keys = await generateKeyPair('RS256', { extractable: true });
  signingKey = keys.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  idp = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration')
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    else if (request.url === '/keys') response.end(JSON.stringify({ keys: [jwk] }));
    else response.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
}

function token(
  claims: JWTPayload,
  options: { key?: CryptoKey; audience?: string; issuer?: string; expires?: string } = {},
): Promise<string> {
  return new SignJWT({
    preferred_username: 'dana.auditor',
    name: 'Dana Auditor',
    roles: ['complaints-auditors'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject('00000000-dana')
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(options.key ?? signingKey);
}

beforeAll(async () => {
  await startIdentityProvider();
  env = await startTimeSkippingServer();
  register = await registerOver(await openPgliteInMemory(), { keys: testPayloadKeys() });
  const sso = new SsoTokens({ issuer, audience: AUDIENCE, rolesClaim: 'roles', roleMap: ROLE_MAP });
  stack = await startApiStack(env, { payloadKeys: testPayloadKeys(), register, sso });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await register?.close();
  await env?.teardown();
  await new Promise((resolve) => idp?.close(resolve));
});

const decode = (bearer: string, body: unknown) =>
  call({ token: bearer }, 'POST', '/codec/decode', {
    body,
    headers: { origin: 'http://localhost:8233', 'x-namespace': 'default' },
  });

describe('the codec server behind the single sign-on', () => {
  let ref: string;
  let body: { payloads: unknown[] };

  beforeAll(async () => {
    const created = await call('intake', 'POST', '/complaints', { body: intakeBody({ complainant: { name: NAME } }) });
    expect(created.status, created.text).toBe(201);
    ref = created.json().ref as string;
    body = { payloads: [await storedInput(env.client, ref)] };
  });

  it("an auditor's token decodes the history, opened, and the read is in the access log under their name", async () => {
    const decoded = await decode(await token({}), body);
    expect(decoded.status, decoded.text).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    const [payload] = decoded.json().payloads as Array<{ data: string }>;
    expect(Buffer.from(payload!.data, 'base64').toString('utf8')).toContain(NAME);
    await eventually(async () => {
      const log = await call('auditor', 'GET', `/complaints/${ref}/access-log`);
      expect(log.json().items).toEqual([
        expect.objectContaining({ viewer: { id: 'dana.auditor', roles: ['auditor'] }, route: 'POST /codec/decode' }),
      ]);
    });
  });

  it('refuses (401) a token for another audience or issuer, expired, signed with another key, or not signed', async () => {
    const refused = [
      await token({}, { audience: 'api://something-else' }),
      await token({}, { issuer: 'https://login.other.example' }),
      await token({}, { expires: '-10m' }),
      await token({}, { key: otherKey }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"iss":"${issuer}","aud":"${AUDIENCE}","sub":"x","exp":9999999999,"roles":["complaints-auditors"]}`).toString('base64url')}.`,
      'not-a-token-at-all',
    ];
    for (const bearer of refused) {
      const answer = await decode(bearer, body);
      expect(answer.status, bearer).toBe(401);
      expect(answer.json().error.code).toBe('unauthenticated');
      expect(answer.text).not.toContain(NAME);
    }
  });

  it('refuses (403) a person without a codec role; the token opens nothing but the codec server', async () => {
    for (const roles of [['complaints-officers'], [], ['someone-else']]) {
      const answer = await decode(await token({ roles }), body);
      expect(answer.status, roles.join()).toBe(403);
      expect(answer.text).not.toContain(NAME);
    }
    const elsewhere = await call({ token: await token({}) }, 'GET', `/complaints/${ref}`);
    expect(elsewhere.status).toBe(401);
  });

  it('answers 503 in the one shape while the identity provider cannot be asked', async () => {
    const down = new SsoTokens({
      issuer: 'http://127.0.0.1:9',
      audience: AUDIENCE,
      rolesClaim: 'roles',
      roleMap: ROLE_MAP,
    });
    await expect(down.verify(await token({}))).rejects.toMatchObject({ statusCode: 503, code: 'sso-unavailable' });
  });
});

describe('its configuration', () => {
  it('OIDC_CODEC_AUDIENCE takes the issuer, the roles claim and map of OpenID Connect, and needs them', () => {
    expect(ssoTokensFor(loadConfig({}))).toBeUndefined();
    expect(() => ssoTokensFor(loadConfig({ OIDC_CODEC_AUDIENCE: AUDIENCE }))).toThrow(
      /OIDC_CODEC_AUDIENCE needs OpenID Connect configured/,
    );
    const configured = ssoTokensFor(
      loadConfig({
        OIDC_CODEC_AUDIENCE: AUDIENCE,
        OIDC_ISSUER_URL: 'https://login.council.example/tenant/v2.0',
        OIDC_CLIENT_ID: 'complaints',
        OIDC_CLIENT_SECRET: 'secret',
        OIDC_REDIRECT_URL: 'https://complaints.council.example/sign-in/oidc/callback',
        OIDC_ROLES_CLAIM: 'groups',
        OIDC_ROLE_MAP: 'complaints-auditors=auditor',
      }),
    );
    expect(configured?.settings).toEqual({
      issuer: 'https://login.council.example/tenant/v2.0',
      audience: AUDIENCE,
      rolesClaim: 'groups',
      roleMap: { 'complaints-auditors': 'auditor' },
    });
  });
});
