// What the browser test files share: the app (API + web application) over a real Temporal dev server and the
// real worker, listening on a free loopback port; one Chromium (Debian's, by executablePath: Playwright's own
// browser download is not available) per file; sign-in as a test person; the axe check.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { unusedLoopbackPort } from '../../platform/ports';
import { letterPrinterFromConfig } from '../../notifications/letter-printer';
import { repoRoot } from '../../platform/repo-root';
import { letterIdFor } from '../../domain/digests';
import { openPgliteInMemory, type Register, registerOver } from '../../register';
import type { WebOptions } from '../../web/plugin';
import { type ApiStack, caller, people, type Person, startApiStack } from './api';
import { startDevServer } from './temporal';

/** How long a page may take to show what a test waits for (a form's action goes through Temporal). */
export const POLL = { timeout: 15_000, interval: 100 };

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where screenshots are written (gitignored; the README's two are copied to docs/). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../.artifacts/screenshots');

export interface WebStack {
  env: TestWorkflowEnvironment;
  api: ApiStack;
  baseUrl: string;
  browser: Browser;
  /** The read model the pages list from (tests may keep letters in it). */
  register: Register;
  close(): Promise<void>;
}

/** The development sign-in buttons for the test people (the web app's devUsers). */
export function testDevUsers(): NonNullable<WebOptions['devUsers']> {
  return (['intake', 'case-officer', 'manager', 'auditor'] as const).map((who) => {
    const person = people[who];
    return { id: person.id, name: person.name, roles: [...person.roles] };
  });
}

/** `web` may depend on the app's own URL (an OpenID provider needs its callback before the app is built). */
export async function startWebStack(
  web: Partial<WebOptions> | ((baseUrl: string) => Promise<Partial<WebOptions>>) = {},
): Promise<WebStack> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  const port = await unusedLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const options = typeof web === 'function' ? await web(baseUrl) : web;
  const env = await startDevServer();
  // The read model the pages list from (the worker writes it before it answers).
  const register = await registerOver(await openPgliteInMemory());
  const api = await startApiStack(env, {
    register,
    letterPrinter: letterPrinterFromConfig({
      STAFF_DIRECTORY_PATH: path.join(repoRoot(), 'config', 'staff-directory.example.yaml'),
      COUNCIL_NAME: 'Test Council',
    }),
    web: {
      council: { name: 'Test Council' },
      session: { key: randomBytes(32), idleMinutes: 30, secure: false },
      devUsers: testDevUsers(),
      ...options,
    },
  });
  await api.app.listen({ host: '127.0.0.1', port });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  return {
    env,
    api,
    baseUrl,
    browser,
    register,
    close: async () => {
      await browser.close();
      await api.close();
      await register.close();
      await env.teardown();
    },
  };
}

/** A fresh browser context signed in as `who` through the development sign-in page (`options`: e.g. no JavaScript). */
export async function signedIn(
  stack: WebStack,
  who: Person,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ ...options, baseURL: stack.baseUrl });
  const page = await context.newPage();
  await page.goto('/sign-in');
  const label = {
    intake: 'Sign in as intake',
    'case-officer': 'Sign in as case officer',
    manager: 'Sign in as manager',
    auditor: 'Sign in as auditor',
  }[people[who].roles[0]!];
  await page.getByRole('button', { name: label }).click();
  await page.waitForLoadState('load');
  return { context, page };
}

/** axe-core at WCAG 2.2 A and AA: no violations on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'])
    .analyze();
  const violations = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`,
  );
  expect(violations, `${what}: accessibility violations`).toEqual([]);
}

/** The page as a PNG artefact (the whole page, or the window's part of it). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** A letter to post for complaint `ref`, kept in the stack's register as the worker keeps one (a PDF to print). */
export function keepLetterToPost(stack: WebStack, ref: string, recipientName: string) {
  return stack.register.letters.keep({
    id: letterIdFor(`notice-${ref}-acknowledged`),
    noticeId: `notice-${ref}-acknowledged`,
    ref,
    kind: 'complaint-acknowledged',
    channel: 'post',
    recipientName,
    addressLines: [recipientName, '12 High Street', 'Dundee', 'DD1 1AA'],
    subject: 'Your complaint has been received',
    body: `Dear ${recipientName}, we have received your complaint.`,
    pdf: new TextEncoder().encode('%PDF-1.4\n% a test letter\n%%EOF\n'),
    createdAt: new Date().toISOString(),
    postBy: new Date(Date.now() + 86_400_000).toISOString(),
  });
}

/** The complaint's access log as an auditor reads it through the API: "<viewer id> <route>" per read, oldest first. */
export async function accessReads(stack: WebStack, ref: string): Promise<string[]> {
  const log = await caller(stack.api.app)('auditor', 'GET', `/complaints/${ref}/access-log?limit=100`);
  const items = log.json().items as Array<{ viewer: { id: string }; route: string }>;
  return items.map((item) => `${item.viewer.id} ${item.route}`);
}

/**
 * Signs in through the development sign-in form without a browser (`app.inject`), as `person` (default: the first
 * development person); the answer's session cookie.
 */
export async function signInCookie(app: FastifyInstance, person: Person = 'intake'): Promise<string> {
  const page = await app.inject({ method: 'GET', url: '/sign-in' });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const anonymous = String(page.headers['set-cookie']).split(';')[0]!;
  const signedIn = await app.inject({
    method: 'POST',
    url: '/sign-in/development',
    headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: token!, person: people[person].id }).toString(),
  });
  expect(signedIn.statusCode).toBe(303);
  return String(signedIn.headers['set-cookie']);
}
