// What every page of the web application must have, checked on each page as the role that uses it, and in the
// error states of its forms: a unique title ("Error: " first while errors show), a skip link to the main content,
// one h1 and no heading level skipped, a visible focus on every stop of the Tab order, the signed-in person and
// "Sign out", no sideways scrolling of the page at 1280 pixels, error summary links that lead to their fields, and
// no axe-core violation at WCAG 2.2 A/AA.
/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, intakeBody, people, type Person } from '../support/api';
import { expectAccessible, keepLetterToPost, POLL, signedIn, startWebStack, type WebStack } from '../support/web';

let stack: WebStack;
let ref = '';
/** Each page's title (without the service's suffix) → the page it is on: no two pages may share one. */
const titles = new Map<string, string>();

beforeAll(async () => {
  stack = await startWebStack();
  const created = await caller(stack.api.app)('intake', 'POST', '/complaints', {
    body: intakeBody({
      representative: { name: 'Rhona Ross', relationship: 'Daughter', email: 'rhona@example.org', consentGiven: true },
    }),
  });
  expect(created.status).toBe(201);
  ref = created.json().ref as string;
  // A row as wide as the worklist's get: a long stage name, a long name, an officer's name (the page must not widen).
  const wide = await caller(stack.api.app)('intake', 'POST', '/complaints', {
    body: intakeBody({
      procedure: { id: 'spso-mchp-2020' },
      complainant: { name: 'Alexandrina Montgomery-Fotheringham', email: 'alexandrina.montgomery@example.org' },
      serviceArea: 'childrens-services',
      summary: 'The respite care arrangements for my son were cancelled without notice twice this month',
    }),
  });
  expect(wide.status).toBe(201);
  const assigned = await caller(stack.api.app)('manager', 'POST', `/complaints/${wide.json().ref as string}/assign`, {
    body: { officer: { id: people['case-officer'].id, name: people['case-officer'].name } },
  });
  expect(assigned.status).toBe(200);
  await keepLetterToPost(stack, ref, 'Pat Complainant');
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const SUFFIX = ' - Complaints - Test Council';

interface FocusStop {
  stop: number;
  what: string;
  visible: boolean;
  focused: Record<string, string>;
}

/** The styles a focus indicator changes: on the element, and on a radio's or checkbox's drawn box (its label). */
function focusStyles(el: Element): Record<string, string> {
  const styles: Record<string, string> = {};
  const input = el as HTMLInputElement;
  const drawn = (input.type === 'radio' || input.type === 'checkbox') && input.labels?.[0];
  const parts: Array<[string, CSSStyleDeclaration]> = [['own', getComputedStyle(el)]];
  if (drawn) parts.push(['drawn', getComputedStyle(drawn, '::before')]);
  for (const [part, style] of parts) {
    const outlined = style.outlineStyle !== 'none' && style.outlineWidth !== '0px';
    styles[`${part} outline`] = outlined ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : 'none';
    styles[`${part} box-shadow`] = style.boxShadow;
    styles[`${part} background`] = style.backgroundColor;
    styles[`${part} border`] = `${style.borderTopWidth} ${style.borderTopColor}`;
  }
  return styles;
}

/** Tabs through the page from its top: every stop, what it shows focused. */
async function focusStops(page: Page, max = 45): Promise<FocusStop[]> {
  // Tab from the very top of the page, wherever the focus is now (an error summary takes it as the page loads).
  await page.evaluate(() => {
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.id = 'test-tab-start';
    document.body.prepend(start);
    start.focus();
  });
  const stops: FocusStop[] = [];
  for (let stop = 0; stop < max; stop++) {
    await page.keyboard.press('Tab');
    const found = await page.evaluate((stop) => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el || el === document.body || el.hasAttribute('data-tab-stop')) return null;
      el.setAttribute('data-tab-stop', String(stop));
      const box = (el.type === 'radio' || el.type === 'checkbox') && el.labels?.[0] ? el.labels[0] : el;
      const rect = box.getBoundingClientRect();
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return {
        what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${text || el.getAttribute('name') || ''}"`,
        visible: rect.width > 0 && rect.height > 0,
      };
    }, stop);
    if (!found) break;
    stops.push({ stop, ...found, focused: await page.locator(`[data-tab-stop="${stop}"]`).evaluate(focusStyles) });
  }
  await page.evaluate(() => document.getElementById('test-tab-start')?.remove());
  return stops;
}

/** Every check of a page as it is now; `who` is the person signed in (null: nobody). */
async function checkPage(page: Page, who: Person | null, where: string): Promise<string> {
  await page.waitForLoadState('load');
  await page.setViewportSize({ width: 1280, height: 900 });
  const title = await page.title();
  expect(title, `${where}: title`).toMatch(new RegExp(`^.+${SUFFIX}$`));
  const errorsShown = await page.locator('.govuk-error-summary').count();
  expect(title.startsWith('Error: '), `${where}: "Error: " in the title exactly when errors show`).toBe(
    errorsShown > 0,
  );
  if (errorsShown > 0) {
    // GOV.UK Frontend's script moves the focus to the error summary, so a screen reader reads it first.
    const focused = await page.evaluate(() => document.activeElement?.closest('.govuk-error-summary') !== null);
    expect(focused, `${where}: the error summary has the focus`).toBe(true);
  }

  // The skip link is the first stop, and leads to the main content.
  const stops = await focusStops(page);
  expect(stops[0]?.what, `${where}: first Tab stop`).toMatch(/Skip to main content/);
  expect(await page.locator('a.govuk-skip-link').getAttribute('href')).toBe('#main-content');
  expect(await page.locator('main#main-content').count(), `${where}: the skip link's target`).toBe(1);

  // Focus is visible on every stop: something a sighted keyboard user sees changes when the element takes focus.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (const stop of stops) {
    const unfocused = await page.locator(`[data-tab-stop="${stop.stop}"]`).evaluate(focusStyles);
    const changed = Object.keys(stop.focused).filter(
      (key) => stop.focused[key] !== unfocused[key] && stop.focused[key] !== 'none',
    );
    expect(changed.length, `${where}: no visible focus on ${stop.what}`).toBeGreaterThan(0);
    expect(stop.visible, `${where}: ${stop.what} is focused but not shown`).toBe(true);
  }

  // Headings: one h1, first in the main content (after an error summary or banner), no level skipped going down.
  const headings = await page
    .locator('main h1, main h2, main h3, main h4, main h5, main h6')
    .evaluateAll((els) =>
      els
        .filter((el) => !el.closest('.govuk-error-summary, .govuk-notification-banner'))
        .map((el) => ({ level: Number(el.tagName[1]), text: (el.textContent ?? '').trim().slice(0, 50) })),
    );
  expect(headings.filter((h) => h.level === 1).length, `${where}: one h1`).toBe(1);
  expect(headings[0]?.level, `${where}: the first heading is the h1`).toBe(1);
  headings.forEach((heading, i) => {
    if (i > 0)
      expect(heading.level, `${where}: "${heading.text}" skips a level`).toBeLessThanOrEqual(
        headings[i - 1]!.level + 1,
      );
  });

  // The person signed in, and the way out.
  const signedInAs = page.locator('.app-signed-in');
  if (who) {
    const person = people[who];
    expect(await signedInAs.textContent(), `${where}: signed-in person`).toContain(
      'name' in person ? person.name : person.id,
    );
    expect(await signedInAs.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
  } else expect(await signedInAs.count()).toBe(0);

  // The page never scrolls sideways (a wide table scrolls inside its own box).
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${where}: the page is wider than the window by ${overflow}px`).toBeLessThanOrEqual(0);

  // Each error in the summary links to an element of the page.
  const targets = await page.locator('.govuk-error-summary a').evaluateAll((links) =>
    links.map((link) => {
      const href = link.getAttribute('href') ?? '';
      return { href, found: href.startsWith('#') && document.getElementById(href.slice(1)) !== null };
    }),
  );
  for (const target of targets) expect(target.found, `${where}: the error summary's ${target.href}`).toBe(true);

  // And axe-core finds nothing at WCAG 2.2 A and AA.
  await expectAccessible(page, where);
  return title.slice(0, -SUFFIX.length);
}

/** Opens `path` as the page, checks it, and keeps its title for the uniqueness check (error states excepted). */
async function visit(page: Page, who: Person | null, path: string, status = 200): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), `${path}: status`).toBe(status);
  const title = await checkPage(page, who, path);
  const page_ = path.split('?')[0] === '/' ? path : path.split('?')[0]!;
  const before = titles.get(title);
  expect(before === undefined || before === page_, `"${title}" is the title of ${before} and of ${page_}`).toBe(true);
  titles.set(title, page_);
}

async function as(who: Person, check: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  const { context, page } = await signedIn(stack, who);
  try {
    await check(page, context);
  } finally {
    await context.close();
  }
}

describe('every page', () => {
  it('signed out: the sign-in page', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    await visit(page, null, '/sign-in');
    await context.close();
  });

  it("intake's pages, its forms' errors, and a complaint it may not open (no action offered)", async () => {
    await as('intake', async (page) => {
      await visit(page, 'intake', '/record');
      await visit(page, 'intake', `/record/recorded/${ref}`);
      await visit(page, 'intake', '/compliments/browse');
      await visit(page, 'intake', '/compliments/record');
      await visit(page, 'intake', '/letters-to-post');
      await visit(page, 'intake', `/cases/${ref}`, 403);
      expect(await page.locator('main button, main form').count()).toBe(0);

      await page.goto('/record');
      await page.getByRole('button', { name: 'Record a complaint' }).click();
      await expect.poll(() => page.locator('.govuk-error-summary').count(), POLL).toBe(1);
      await checkPage(page, 'intake', 'the intake form with errors');
      await page.goto('/compliments/record');
      await page.getByRole('button', { name: 'Record the compliment' }).click();
      await expect.poll(() => page.locator('.govuk-error-summary').count(), POLL).toBe(1);
      await checkPage(page, 'intake', 'the compliment form with errors');
    });
  }, 120_000);

  it("a case officer's pages: the five tabs, a complaint, the reports, a complaint that does not exist", async () => {
    await as('case-officer', async (page) => {
      for (const tab of ['mine', 'unassigned', 'due', 'overdue', 'open'])
        await visit(page, 'case-officer', `/?tab=${tab}`);
      await visit(page, 'case-officer', `/cases/${ref}`);
      await visit(page, 'case-officer', '/reports');
      await visit(page, 'case-officer', '/cases/SW-2026-999999', 404);

      await page.goto('/?tab=open&receivedFrom=2026-13-45');
      await checkPage(page, 'case-officer', 'the worklist with a bad date');
      expect(await page.locator('.govuk-error-summary').textContent()).toContain(
        'The date received from must be a real date',
      );
      await page.goto('/reports?from=2026-04-01&to=2025-01-01');
      await checkPage(page, 'case-officer', 'the reports page with a bad period');
    });
  }, 120_000);

  it("a manager's team page, and the complaint page's field errors", async () => {
    await as('manager', async (page) => {
      await visit(page, 'manager', '/team');
      await page.goto(`/cases/${ref}`);
      await page.locator('#action-grant-extension').getByLabel('Days to add').fill('a week');
      await page.getByRole('button', { name: 'Agree an extension' }).click();
      await expect.poll(() => page.locator('.govuk-error-summary').count(), POLL).toBe(1);
      await checkPage(page, 'manager', "the complaint page with an extension's field errors");
      expect(await page.locator('#grant-extension-days-error').textContent()).toContain(
        'The number of days to add must be a whole number',
      );

      await page.getByRole('button', { name: 'Assign' }).click();
      await expect.poll(() => page.locator('.govuk-error-summary').textContent(), POLL).toMatch(/officer/i);
      await checkPage(page, 'manager', "the complaint page with the Assign form's error");
      expect(await page.locator('#assign-officer-id-error').textContent()).toContain("Enter the case officer's id");
    });
  }, 120_000);

  it('without JavaScript, the forms work: intake records a complaint, a case officer takes it and adds a note', async () => {
    const intake = await signedIn(stack, 'intake', { javaScriptEnabled: false });
    await intake.page.goto('/record');
    await intake.page.getByLabel('Full name').fill('Nora Noscript');
    await intake.page.getByLabel('Service area').selectOption('general');
    await intake.page.getByLabel('Category').selectOption('other');
    await intake.page.getByLabel('In person').check();
    await intake.page.getByLabel('What the complaint is about').fill('Recorded with scripts switched off');
    await intake.page.getByRole('button', { name: 'Record a complaint' }).click();
    await expect.poll(() => intake.page.title(), POLL).toContain('Complaint recorded');
    const recorded = (await intake.page.locator('.govuk-panel__body strong').textContent())!.trim();
    await intake.context.close();

    const { context, page } = await signedIn(stack, 'case-officer', { javaScriptEnabled: false });
    await page.goto(`/cases/${recorded}`);
    await page.getByRole('button', { name: 'Add a note' }).click();
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.locator('#add-note-text-error').textContent()).toContain('Enter the note');
    await page.getByRole('button', { name: 'Assign' }).click();
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Assign: recorded.');
    await page.locator('#action-add-note').getByLabel('Note').fill('Written without a script');
    await page.getByRole('button', { name: 'Add a note' }).click();
    expect(await page.locator('h2:text-is("Notes") ~ .govuk-inset-text').textContent()).toContain(
      'Written without a script',
    );
    expect(await page.locator('.govuk-summary-list').first().textContent()).toContain('Sam Jones');
    await context.close();
  });

  it('no two pages share a title', () => {
    // Checked page by page above; here, that every page was seen.
    expect(titles.size).toBeGreaterThanOrEqual(16);
  });
});
