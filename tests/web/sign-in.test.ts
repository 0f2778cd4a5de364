// Signing in and out of the web application: through OpenID Connect against a local provider started here
// (oidc-provider), the roles coming from the configured claim; the idle timeout; and one intake done with the
// keyboard only.
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unusedLoopbackPort } from '../../platform/ports';
import { POLL, expectAccessible, signedIn, startWebStack, type WebStack } from '../support/web';

let stack: WebStack;
let provider: Server;
let clock = Date.now();
const accounts: Record<string, { name: string; groups: string[] }> = {
  'olive.officer': { name: 'Olive Officer', groups: ['sw-complaints-officers', 'staff'] },
  'nobody.much': { name: 'Nobody Much', groups: ['staff'] },
};

beforeAll(async () => {
  const issuer = `http://127.0.0.1:${await unusedLoopbackPort()}`;
  stack = await startWebStack(async (baseUrl) => {
    // The provider warns on stderr that it is a development set-up (in-memory, its own keys): it is, here.
    const warn = console.warn;
    console.warn = () => {};
    const { default: Provider } = await import('oidc-provider');
    const oidc = new Provider(issuer, {
      clients: [
        {
          client_id: 'complaints',
          client_secret: 'complaints-test-secret',
          redirect_uris: [`${baseUrl}/sign-in/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'] },
      conformIdTokenClaims: false,
      findAccount: async (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: async () => ({
          sub: id,
          preferred_username: id,
          name: accounts[id]?.name,
          groups: accounts[id]?.groups ?? [],
        }),
      }),
    });
    console.warn = warn;
    provider = createServer(oidc.callback());
    await new Promise<void>((resolve) => provider.listen(Number(new URL(issuer).port), '127.0.0.1', resolve));
    return {
      oidc: {
        issuer,
        clientId: 'complaints',
        clientSecret: 'complaints-test-secret',
        redirectUrl: `${baseUrl}/sign-in/oidc/callback`,
        rolesClaim: 'groups',
        roleMap: { 'sw-complaints-officers': 'case-officer', 'sw-complaints-managers': 'manager' },
        allowInsecureHttp: true,
      },
      session: { key: Buffer.alloc(32, 7), idleMinutes: 30, secure: false },
      now: () => clock,
    };
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => provider?.close(resolve));
});

async function signInThroughProvider(page: Page, login: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByRole('button', { name: 'Sign in with your council account' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForLoadState('load');
}

describe('sign-in', () => {
  it('through OpenID Connect: the roles come from the configured claim', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    await signInThroughProvider(page, 'olive.officer');
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.locator('.app-signed-in').textContent(), POLL).toContain('Olive Officer');
    // A case officer's worklist; no manager's page.
    await expect.poll(() => page.title(), POLL).toMatch(/My cases - Worklist/);
    expect(await page.getByRole('link', { name: 'Team' }).count()).toBe(0);
    await expectAccessible(page, 'sign-in page and worklist');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect((await page.goto('/'))?.url()).toContain('/sign-in');
    await context.close();
  });

  it('through OpenID Connect: a person without a mapped group is not signed in', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    await signInThroughProvider(page, 'nobody.much');
    await expect.poll(() => page.title(), POLL).toMatch(/You could not be signed in/);
    expect(await page.locator('main').textContent()).toContain('no role in this service');
    await context.close();
  });

  it('a session idle for longer than the timeout is signed out', async () => {
    const { context, page } = await signedIn(stack, 'case-officer');
    expect(new URL(page.url()).pathname).toBe('/');
    clock += 31 * 60_000;
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('intake records a complaint with the keyboard only', async () => {
    const { context, page } = await signedIn(stack, 'intake');
    await page.goto('/record');
    // From the top of the page: the skip link first, then into the form by Tab alone.
    await page.keyboard.press('Tab');
    expect((await page.locator(':focus').textContent())?.trim()).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    const tabTo = async (id: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if ((await page.locator(':focus').getAttribute('id')) === id) return;
      }
      throw new Error(`Tab never reached #${id}`);
    };
    await tabTo('complainant-name');
    await page.keyboard.type('Keyboard Only');
    await tabTo('serviceArea');
    await page.keyboard.press('ArrowDown');
    await tabTo('category');
    await page.keyboard.press('ArrowDown');
    await tabTo('channel');
    await page.keyboard.press('Space');
    await tabTo('summary');
    await page.keyboard.type('Recorded without a mouse');
    // On to the submit button, and Enter.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if ((await page.locator(':focus').textContent())?.trim() === 'Record a complaint') break;
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.title(), POLL).toContain('Complaint recorded');
    await context.close();
  });
});
