// The web application through a real Chromium, as each role: intake records a complaint (the look-up finds a
// repeat), a case officer finds it by search, acknowledges it and records an outcome, a manager agrees an extension
// and reassigns, the complaint is escalated and closed; a refused action shows its reason; an intake user sees no
// action buttons; a form without its CSRF token is refused. axe-core checks each page in these states.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, people } from '../support/api';
import { POLL, expectAccessible, screenshot, signedIn, startWebStack, type WebStack } from '../support/web';

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** Reloads until `check` passes (intake's look-up reads Temporal visibility, which trails a write by moments). */
async function untilShown(page: Page, check: () => Promise<unknown>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.waitForTimeout(300);
      await page.reload();
    }
  }
}

async function recordComplaint(page: Page, name: string, email: string, summary: string): Promise<string> {
  await page.goto('/record');
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('E-mail (optional)').fill(email);
  await page.getByLabel('Service area').selectOption('community-care');
  await page.getByLabel('Category').selectOption('delay');
  await page.getByLabel('Letter').check();
  await page.getByLabel('What the complaint is about').fill(summary);
  await page.getByRole('button', { name: 'Record a complaint' }).click();
  await expect.poll(() => page.title(), POLL).toContain('Complaint recorded');
  const ref = (await page.locator('.govuk-panel__body strong').textContent())?.trim();
  expect(ref).toMatch(/^SW-\d{4}-\d{6}$/);
  return ref!;
}

describe('case work in the browser', () => {
  let ref = '';

  it('intake records a complaint, with errors shown first, and the look-up finds it as a repeat', async () => {
    const { context, page } = await signedIn(stack, 'intake');
    expect(new URL(page.url()).pathname).toBe('/record');
    await expectAccessible(page, 'intake form');
    await page.getByRole('button', { name: 'Record a complaint' }).click();
    await expect.poll(() => page.title(), POLL).toMatch(/^Error: Record a complaint/);
    await expect.poll(() => page.locator('.govuk-error-summary').textContent(), POLL).toMatch(/There is a problem/);
    await expectAccessible(page, 'intake form with errors');
    ref = await recordComplaint(
      page,
      'Morag Ferguson',
      'morag@example.org',
      'Home care visits missed three times in May',
    );
    await expectAccessible(page, 'complaint recorded');
    await untilShown(page, async () => {
      await page.goto('/record?lookup=morag%40example.org');
      await expect.poll(() => page.locator('#lookup-results').textContent(), POLL).toContain(ref);
    });
    await expectAccessible(page, 'look-up results');
    await context.close();
    // The look-up told intake that Morag Ferguson complained: in the complaint's access log.
    await expect
      .poll(async () => {
        const log = await caller(stack.api.app)('auditor', 'GET', `/complaints/${ref}/access-log?limit=100`);
        const items = log.json().items as Array<{ viewer: { id: string }; route: string }>;
        return items.map((item) => `${item.viewer.id} ${item.route}`);
      }, POLL)
      .toContain(`${people.intake.id} GET /record`);
  });

  it('an intake user sees no actions on a complaint and cannot open the worklist', async () => {
    const { context, page } = await signedIn(stack, 'intake');
    const response = await page.goto(`/cases/${ref}`);
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await context.close();
  });

  it('a case officer finds it by search, takes it, acknowledges it and records the outcome', async () => {
    const { context, page } = await signedIn(stack, 'case-officer');
    await expectAccessible(page, 'worklist, my cases (empty)');
    // The worklist is the register (the read model), written before intake answered: no waiting for visibility.
    await page.goto('/?tab=open&q=Ferguson');
    expect(await page.getByRole('link', { name: ref }).count()).toBe(1);
    await page.goto('/?tab=unassigned');
    expect(await page.getByRole('link', { name: ref }).count()).toBe(1);
    await expectAccessible(page, 'worklist search');
    await page.getByRole('link', { name: ref }).click();
    await expect.poll(() => page.title(), POLL).toContain(ref);
    await expectAccessible(page, 'complaint page');
    await page.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Assign');
    // Read-your-writes: the page after the action names the officer at once; My cases lists it, Unassigned not.
    expect(new URL(page.url()).searchParams.get('revision')).toMatch(/^\d+$/);
    const caseUrl = page.url();
    await page.goto('/?tab=mine');
    expect(await page.getByRole('link', { name: ref }).count()).toBe(1);
    await page.goto('/?tab=unassigned');
    expect(await page.getByRole('link', { name: ref }).count()).toBe(0);
    await page.goto(caseUrl);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Acknowledge');
    // Recording an outcome without choosing one: the field's error.
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').textContent(), POLL).toMatch(/There is a problem/);
    await expectAccessible(page, 'complaint page with a field error');
    await page.locator('#action-record-outcome').getByLabel('Partially upheld').check();
    await page.locator('#action-record-outcome').getByLabel('Findings (optional)').fill('Two visits were missed.');
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expect
      .poll(() => page.locator('.govuk-notification-banner').textContent(), POLL)
      .toContain('Record the outcome');
    await context.close();
    // The officer's reads through the pages (the worklist listing it, the complaint page, the page re-shown with the
    // field's error) are in the complaint's access log, each under its route.
    const log = await caller(stack.api.app)('auditor', 'GET', `/complaints/${ref}/access-log?limit=100`);
    const items = log.json().items as Array<{ viewer: { id: string }; route: string }>;
    const officers = items.filter((item) => item.viewer.id === people['case-officer'].id).map((item) => item.route);
    expect(new Set(officers)).toEqual(new Set(['GET /', 'GET /cases/:ref', 'POST /cases/:ref/outcome']));
  });

  it('a manager agrees an extension on a new complaint, a refused one shows its reason, and reassigns it', async () => {
    const intake = await signedIn(stack, 'intake');
    const second = await recordComplaint(
      intake.page,
      'Iain Reid',
      'iain@example.org',
      'Letters about my care plan were never answered',
    );
    await intake.context.close();
    const { context, page } = await signedIn(stack, 'manager');
    await page.goto(`/cases/${second}`);
    const extension = page.locator('#action-grant-extension');
    // The 2011 procedure extends only by agreement with the complainant: refused, with the procedure's reason.
    await extension.getByLabel('Days to add').fill('5');
    await extension.getByLabel('Reason').fill('The complainant asked for more time to send papers');
    await extension.getByLabel('No').check();
    await page.getByRole('button', { name: 'Agree an extension' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent(), POLL)
      .toMatch(/Agree an extension: .*agree/i);
    await expectAccessible(page, 'complaint page with a refusal');
    await extension.getByLabel('Yes').check();
    await page.getByRole('button', { name: 'Agree an extension' }).click();
    await expect
      .poll(() => page.locator('.govuk-notification-banner').textContent(), POLL)
      .toContain('Agree an extension');
    // The team page counts the complaint under its officer; its Reassign link leads to the Assign form.
    await page.goto('/team');
    await expectAccessible(page, 'team page');
    await page.getByRole('link', { name: `Reassign ${second}` }).click();
    await page.locator('#action-assign').getByLabel("Case officer's id").fill('officer.khan');
    await page.locator('#action-assign').getByLabel('Their name (optional)').fill('Ali Khan');
    await page.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => page.locator('.govuk-summary-list').first().textContent(), POLL).toContain('Ali Khan');
    await context.close();
  });

  it('the first complaint is escalated, and closed when the complainant withdraws', async () => {
    const { context, page } = await signedIn(stack, 'case-officer');
    await page.goto(`/cases/${ref}`);
    await page.getByRole('button', { name: 'Escalate' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Escalate');
    for (const note of ['Called the complainant', 'Sent the papers to the review panel', 'Review date set']) {
      await page.locator('#action-add-note').getByLabel('Note').fill(note);
      await page.getByRole('button', { name: 'Add a note' }).click();
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Add a note');
    }
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('#action-record-outcome').getByLabel('Not upheld').check();
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expect
      .poll(() => page.locator('.govuk-notification-banner').textContent(), POLL)
      .toContain('Record the outcome');
    await screenshot(page, 'complaint');
    await expectAccessible(page, 'complaint page with a long timeline');
    // Only what the procedure allows now is offered: the Ombudsman comes after the last stage, not Level 2.
    expect(await page.getByRole('button', { name: 'Refer to the Ombudsman' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await page
      .locator('#action-withdraw')
      .getByLabel(/Why the complainant withdrew/)
      .fill('Satisfied with the apology');
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Withdraw');
    await expect.poll(() => page.locator('main .govuk-tag').first().textContent(), POLL).toMatch(/Withdrawn/);
    await expect.poll(() => page.locator('#no-actions').count(), POLL).toBe(1);
    await page.goto('/?tab=open');
    await screenshot(page, 'worklist');
    await context.close();
  });

  it('a form posted without its CSRF token is refused and records nothing', async () => {
    const { context, page } = await signedIn(stack, 'case-officer');
    const response = await page.request.post(`/cases/${ref}/notes`, { form: { text: 'no token' } });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('This form has expired');
    await context.close();
  });
});
