// The web application's security settings without a browser: the session cookie's attributes (Secure in production),
// the Content Security Policy, what the configuration gives in production and from sources, the OpenID Connect
// settings and the roles a claim maps to, and where a sign-in may send the person next.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComplaintReads } from '../../api/complaint-reads';
import type { ComplaintService } from '../../api/complaint-service';
import { ConfigError, loadConfig } from '../../platform/config';
import { oidcSettingsOf, webOptionsFromConfig } from '../../web/config';
import { rolesFromClaim } from '../../web/oidc';
import { webApplication, type WebOptions } from '../../web/plugin';
import { safeNext } from '../../web/session';
import { signInCookie, testDevUsers } from '../support/web';

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});
function configWith(env: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'web-config-'));
  dataDirs.push(dir);
  return loadConfig({ DATA_DIR: dir, ...env });
}

/** The web application alone (its sign-in pages need nothing else), with cookies Secure or not. */
async function webOnly(
  secure: boolean,
  council: WebOptions['council'] = { name: 'Test Council' },
): Promise<FastifyInstance> {
  const app = Fastify();
  app.decorateRequest('caller', null);
  app.decorateRequest('actingRole', null);
  await app.register(webApplication, {
    council,
    session: { key: Buffer.alloc(32, 3), idleMinutes: 30, secure },
    devUsers: testDevUsers(),
    complaints: {} as ComplaintService,
    reads: {} as ComplaintReads,
    reports: {},
  });
  return app;
}

describe('the session cookie and the page headers', () => {
  it('in production: Secure, HttpOnly, SameSite=Lax; from sources over http: not Secure', async () => {
    const production = await webOnly(true);
    const cookie = await signInCookie(production);
    expect(cookie).toMatch(/^complaints_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    await production.close();
    const development = await webOnly(false);
    expect(await signInCookie(development)).not.toMatch(/; Secure/);
    await development.close();
  });

  it('a Content Security Policy that runs no inline script, and no framing', async () => {
    const app = await webOnly(true);
    const page = await app.inject({ method: 'GET', url: '/sign-in' });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    await app.close();
  });
});

describe('the web options from the configuration', () => {
  it('in production (compiled): Secure cookies, a session secret required, no development sign-in', () => {
    expect(() => webOptionsFromConfig(configWith({}), { fromSources: false, devTokens: false })).toThrow(ConfigError);
    const options = webOptionsFromConfig(configWith({ WEB_SESSION_SECRET: 'x'.repeat(40) }), {
      fromSources: false,
      devTokens: false,
    });
    expect(options.session.secure).toBe(true);
    expect(options.devUsers).toBeUndefined();
    expect(options.session.key).toHaveLength(32);
  });

  it('from sources: a development key kept in DATA_DIR (owner-only), cookies not Secure unless asked', () => {
    const config = configWith({});
    const options = webOptionsFromConfig(config, { fromSources: true, devTokens: true });
    expect(options.session.secure).toBe(false);
    expect(statSync(path.join(config.DATA_DIR, 'web-session.dev.key')).mode & 0o777).toBe(0o600);
    // The same key on the next start: sessions survive a restart.
    expect(webOptionsFromConfig(config, { fromSources: true, devTokens: true }).session.key).toEqual(
      options.session.key,
    );
    expect(options.devUsers?.map((person) => person.roles)).toEqual([
      ['intake'],
      ['case-officer'],
      ['manager'],
      ['auditor'],
    ]);
    const behindHttps = configWith({ WEB_SECURE_COOKIES: 'true' });
    expect(webOptionsFromConfig(behindHttps, { fromSources: true, devTokens: true }).session.secure).toBe(true);
  });

  it('OpenID Connect: all four settings or none, and a role map', () => {
    const oidc = {
      OIDC_ISSUER_URL: 'https://login.example/tenant/v2.0',
      OIDC_CLIENT_ID: 'complaints',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_REDIRECT_URL: 'https://complaints.example/sign-in/oidc/callback',
    };
    expect(oidcSettingsOf(configWith({}))).toBeUndefined();
    expect(() => oidcSettingsOf(configWith({ OIDC_ISSUER_URL: oidc.OIDC_ISSUER_URL }))).toThrow(
      /missing OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL/,
    );
    expect(() => oidcSettingsOf(configWith(oidc))).toThrow(/OIDC_ROLE_MAP/);
    const settings = oidcSettingsOf(
      configWith({
        ...oidc,
        OIDC_ROLES_CLAIM: 'groups',
        OIDC_ROLE_MAP: 'sw-officers=case-officer, sw-managers=manager',
      }),
    );
    expect(settings).toMatchObject({
      issuer: oidc.OIDC_ISSUER_URL,
      rolesClaim: 'groups',
      roleMap: { 'sw-officers': 'case-officer', 'sw-managers': 'manager' },
      allowInsecureHttp: false,
    });
  });

  it("the roles a claim's values map to: a list, or one string of several; others ignored", () => {
    const map = { 'sw-officers': 'case-officer', 'sw-managers': 'manager' } as const;
    expect(rolesFromClaim(['staff', 'sw-managers', 'sw-officers', 'sw-managers'], map)).toEqual([
      'manager',
      'case-officer',
    ]);
    expect(rolesFromClaim('staff sw-officers', map)).toEqual(['case-officer']);
    expect(rolesFromClaim(undefined, map)).toEqual([]);
    expect(rolesFromClaim([42, { role: 'sw-officers' }], map)).toEqual([]);
  });
});

describe("the council's name and logo", () => {
  it('come from COUNCIL_NAME and COUNCIL_LOGO_URL, on every page; an https logo is allowed by the CSP', async () => {
    const { council } = webOptionsFromConfig(
      configWith({ COUNCIL_NAME: 'Angus Council', COUNCIL_LOGO_URL: 'https://www.angus.example/logo.png' }),
      { fromSources: true, devTokens: true },
    );
    expect(council).toEqual({ name: 'Angus Council', logoUrl: 'https://www.angus.example/logo.png' });
    const app = await webOnly(true, council);
    const page = await app.inject({ method: 'GET', url: '/sign-in' });
    expect(page.body).toContain('<title>Sign in - Complaints - Angus Council</title>');
    expect(page.body).toContain('<img class="app-council-logo" src="https://www.angus.example/logo.png"');
    expect(String(page.headers['content-security-policy'])).toMatch(/img-src 'self' data: https:/);
    await app.close();
  });
});

describe('where a sign-in sends the person next', () => {
  it('a path on this site only; else their home page', () => {
    expect(safeNext('/cases/SW-2026-000001?tab=open', ['case-officer'])).toBe('/cases/SW-2026-000001?tab=open');
    for (const elsewhere of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', ''])
      expect(safeNext(elsewhere, ['case-officer'])).toBe('/');
    expect(safeNext('/sign-in', ['manager'])).toBe('/');
    expect(safeNext(undefined, ['intake'])).toBe('/record');
  });
});
