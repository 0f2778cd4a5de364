// The web application through a real Chromium, as each role: intake records a complaint (the look-up finds a
// repeat), a case officer finds it by search, acknowledges it and records an outcome, a manager agrees an extension
// and reassigns, the complaint is escalated and closed; a refused action shows its reason; an intake user sees no
// action buttons; a form without its CSRF token is refused. axe-core checks each page in these states.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, intakeBody, people } from '../support/api';
import {
  POLL,
  accessReads,
  expectAccessible,
  screenshot,
  signedIn,
  startWebStack,
  type WebStack,
} from '../support/web';

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

async function recordComplaint(
  page: Page,
  name: string,
  email: string,
  summary: string,
  representative?: { name: string; relationship: string; email: string },
): Promise<string> {
  await page.goto('/record');
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('E-mail (optional)', { exact: true }).fill(email);
  await page.getByLabel('Service area').selectOption('community-care');
  await page.getByLabel('Category').selectOption('delay');
  await page.getByLabel('Letter').check();
  await page.getByLabel('What the complaint is about').fill(summary);
  if (representative) {
    await page.getByText('Someone is complaining for the complainant').click();
    await page.getByLabel("Representative's name").fill(representative.name);
    await page.getByLabel('Relationship to the complainant').fill(representative.relationship);
    await page.getByLabel("Representative's e-mail (optional)").fill(representative.email);
    await page.getByLabel('The complainant consents to them acting for them').check();
  }
  await page.getByRole('button', { name: 'Record a complaint' }).click();
  await expect.poll(() => page.title(), POLL).toContain('Complaint recorded');
  const ref = (await page.locator('.govuk-panel__body strong').textContent())?.trim();
  expect(ref).toMatch(/^SW-\d{4}-\d{6}$/);
  return ref!;
}

/** The complaint as the API gives it (the timeline the workflow recorded). */
async function complaintOf(ref: string) {
  const response = await caller(stack.api.app)('auditor', 'GET', `/complaints/${ref}`);
  expect(response.status).toBe(200);
  return response.json() as { status: string; timeline: Array<{ type: string; text?: string }> };
}

/** A form of the page as it stands (its CSRF token and Idempotency-Key included), to send again as a browser would. */
async function formFields(page: Page, formSelector: string): Promise<Record<string, string>> {
  return page.locator(`${formSelector} input, ${formSelector} textarea, ${formSelector} select`).evaluateAll((inputs) =>
    Object.fromEntries(
      inputs
        .map((input) => input as unknown as { name: string; value: string; type: string; checked: boolean })
        .filter((input) => input.name && (!['radio', 'checkbox'].includes(input.type) || input.checked))
        .map((input) => [input.name, input.value]),
    ),
  );
}

describe('case work in the browser', () => {
  let ref = '';
  let second = '';

  it('intake records a complaint, with errors shown first, and the look-up finds it as a repeat', async () => {
    const { context, page } = await signedIn(stack, 'intake');
    expect(new URL(page.url()).pathname).toBe('/record');
    await expectAccessible(page, 'intake form');
    await page.getByRole('button', { name: 'Record a complaint' }).click();
    await expect.poll(() => page.title(), POLL).toMatch(/^Error: Record a complaint/);
    await expect.poll(() => page.locator('.govuk-error-summary').textContent(), POLL).toMatch(/There is a problem/);
    // Each problem in GOV.UK's words, in the summary and beside its field.
    expect(await page.locator('.govuk-error-summary').textContent()).toContain("Enter the complainant's full name");
    expect(await page.locator('#complainant-name-error').textContent()).toContain("Enter the complainant's full name");
    expect(await page.locator('#serviceArea-error').textContent()).toContain('Select the service area');
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

    // The same form sent twice (a double click, or Back and send again) records one complaint: the second answer
    // is the first one's page.
    await page.goto('/record');
    await page.getByLabel('Full name').fill('Ewan Twice');
    await page.getByLabel('Service area').selectOption('criminal-justice');
    await page.getByLabel('Category').selectOption('staff-attitude');
    await page.getByLabel('Telephone', { exact: true }).check();
    await page.getByLabel('What the complaint is about').fill('Sent twice by a double click');
    const form = await formFields(page, 'form[action="/record"][method="post"]');
    await page.getByRole('button', { name: 'Record a complaint' }).click();
    await expect.poll(() => page.title(), POLL).toContain('Complaint recorded');
    const again = await page.request.post('/record', { form });
    expect(again.status()).toBe(200);
    expect(again.url()).toBe(page.url());
    const twice = await caller(stack.api.app)('case-officer', 'GET', '/complaints?q=Twice&status=open');
    expect(twice.json().items).toHaveLength(1);
    await context.close();
    // The look-up told intake that Morag Ferguson complained: in the complaint's access log.
    await expect.poll(() => accessReads(stack, ref), POLL).toContain(`${people.intake.id} GET /record`);
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
    // Taken by the person signed in, under their name.
    expect(await page.locator('.govuk-summary-list').first().textContent()).toContain('Sam Jones');
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
    await expect.poll(() => page.locator('.govuk-error-summary').textContent(), POLL).toMatch(/Select the outcome/);
    expect(await page.locator('#record-outcome-outcome-error').textContent()).toContain('Select the outcome');
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
    const officer = `${people['case-officer'].id} `;
    const officers = (await accessReads(stack, ref)).filter((read) => read.startsWith(officer));
    expect(new Set(officers.map((read) => read.slice(officer.length)))).toEqual(
      new Set(['GET /', 'GET /cases/:ref', 'POST /cases/:ref/outcome']),
    );
  });

  it('a manager agrees an extension on a new complaint, a refused one shows its reason, and reassigns it', async () => {
    const intake = await signedIn(stack, 'intake');
    second = await recordComplaint(
      intake.page,
      'Iain Reid',
      'iain@example.org',
      'Letters about my care plan were never answered',
      { name: 'Fiona Reid', relationship: 'Wife', email: 'fiona@example.org' },
    );
    await intake.context.close();
    const { context, page } = await signedIn(stack, 'manager');
    await page.goto(`/cases/${second}`);
    // The representative recorded at intake, with their e-mail.
    const representative = page.locator('h2:text-is("Representative") + .govuk-summary-list');
    expect(await representative.textContent()).toMatch(/Fiona Reid[\s\S]*Wife[\s\S]*fiona@example\.org[\s\S]*Yes/);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Acknowledge');
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
    // The stage's deadlines: the acknowledgement met on time; the response moved, its original kept beside it.
    const level1 = page.locator('h3:text-is("Level 1") + table');
    const row = async (name: string) =>
      level1
        .locator(`tr:has(th:text-is("${name}")) td`)
        .evaluateAll((cells) => cells.map((c) => c.textContent!.trim()));
    expect((await row('Acknowledgement'))[2]).toMatch(/on time$/);
    const [original, now, met] = await row('Response');
    expect(now).toMatch(/\(extended\)$/);
    expect(now!.replace(' (extended)', '')).not.toBe(original);
    expect(met).toBe('Not yet');
    // The worklist says so in words.
    await page.goto(`/?tab=open&q=${second}`);
    expect(await page.locator('#worklist-table tbody tr td').nth(5).textContent()).toMatch(/^\s*extended to \d+ \w+/);

    // The team page counts the complaint as unassigned; its Reassign link leads to the Assign form.
    const teamRow = async (name: string) =>
      page
        .getByRole('table', { name: 'By case officer' })
        .locator('tr', { has: page.getByRole('rowheader', { name, exact: true }) })
        .locator('td')
        .evaluateAll((cells) => cells.map((c) => Number(c.textContent)));
    await page.goto('/team');
    expect((await teamRow('Unassigned'))[0]).toBeGreaterThanOrEqual(1);
    await expectAccessible(page, 'team page');
    await page.getByRole('link', { name: `Reassign ${second}` }).click();
    await page.locator('#action-assign').getByLabel("Case officer's id").fill('officer.khan');
    await page.locator('#action-assign').getByLabel('Their name (optional)').fill('Ali Khan');
    await page.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => page.locator('.govuk-summary-list').first().textContent(), POLL).toContain('Ali Khan');
    await page.goto('/team');
    expect(await teamRow('Ali Khan')).toEqual([1, 0, 0]);
    await context.close();
  });

  it('the first complaint is escalated through every stage and closed by its referral; the second is withdrawn', async () => {
    const { context, page } = await signedIn(stack, 'case-officer');
    await page.goto(`/cases/${ref}`);
    await page.getByRole('button', { name: 'Escalate' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Escalate');
    for (const note of ['Called the complainant', 'Sent the papers to the review panel', 'Review date set']) {
      await page.locator('#action-add-note').getByLabel('Note').fill(note);
      const form = await formFields(page, '#action-add-note');
      await page.getByRole('button', { name: 'Add a note' }).click();
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain('Add a note');
      // The same form sent again (Back, then send) records nothing more.
      if (note === 'Called the complainant') {
        expect((await page.request.post(`/cases/${ref}/notes`, { form })).status()).toBe(200);
        // Sent again with other words: refused in a person's words, nothing recorded; the page's new form records it.
        const changed = await page.request.post(`/cases/${ref}/notes`, { form: { ...form, text: 'Called again' } });
        expect(changed.status()).toBe(409);
        expect(await changed.text()).toContain('this form was sent already, with other details');
      }
    }
    const notes = (await complaintOf(ref)).timeline.filter((entry) => entry.type === 'note-added');
    expect(notes.map((entry) => entry.text)).toEqual([
      'Called the complainant',
      'Sent the papers to the review panel',
      'Review date set',
    ]);
    await page.reload();
    expect(await page.locator('h2:text-is("Notes") ~ .govuk-inset-text').count()).toBe(3);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('#action-record-outcome').getByLabel('Not upheld').check();
    await page.getByRole('button', { name: 'Record the outcome' }).click();
    await expect
      .poll(() => page.locator('.govuk-notification-banner').textContent(), POLL)
      .toContain('Record the outcome');
    // Letters and notices: the complainant's acknowledgement and outcome letter of each stage so far, by e-mail.
    const notices = await page.locator('#notices tbody tr').allTextContents();
    const letters = notices.map((row) => row.replace(/\s+/g, ' ').trim());
    expect(letters.filter((row) => /Complaint acknowledged Morag Ferguson E-mail$/.test(row))).toHaveLength(2);
    expect(letters.filter((row) => /Outcome letter Morag Ferguson E-mail$/.test(row))).toHaveLength(2);
    expect(letters.some((row) => / Staff E-mail$/.test(row))).toBe(true);
    await screenshot(page, 'complaint');
    await expectAccessible(page, 'complaint page with a long timeline');
    // Only what the procedure allows now is offered: the Ombudsman comes after the last stage, not Level 2.
    expect(await page.getByRole('button', { name: 'Refer to the Ombudsman' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    // On through the Director's review and the Committee, to the Ombudsman.
    for (const stage of ['Review by the Director', 'Complaints Review Committee']) {
      await page.getByRole('button', { name: 'Escalate' }).click();
      await expect.poll(() => page.locator('main .govuk-tag').nth(1).textContent(), POLL).toContain(stage);
      if ((await page.getByRole('button', { name: 'Acknowledge' }).count()) > 0) {
        await page.getByRole('button', { name: 'Acknowledge' }).click();
        await expect.poll(() => page.url(), POLL).toContain('done=acknowledge');
      }
      await page.locator('#action-record-outcome').getByLabel('Not upheld').check();
      await page.getByRole('button', { name: 'Record the outcome' }).click();
      await expect.poll(() => page.url(), POLL).toContain('done=record-outcome');
    }
    expect(await page.getByRole('button', { name: 'Escalate' }).count()).toBe(0);
    await page
      .locator('#action-refer-to-ombudsman')
      .getByLabel(/Ombudsman's reference/)
      .fill('SPSO-201912345');
    await page.getByRole('button', { name: 'Refer to the Ombudsman' }).click();
    await expect.poll(() => page.locator('main .govuk-tag').first().textContent(), POLL).toMatch(/Closed/);
    await expect.poll(() => page.locator('#no-actions').count(), POLL).toBe(1);
    expect((await complaintOf(ref)).status).toBe('closed');
    await context.close();

    const manager = await signedIn(stack, 'manager');
    await manager.page.goto(`/cases/${second}`);
    await manager.page
      .locator('#action-withdraw')
      .getByLabel(/Why the complainant withdrew/)
      .fill('Satisfied with the apology');
    await manager.page.getByRole('button', { name: 'Withdraw' }).click();
    await expect
      .poll(() => manager.page.locator('.govuk-notification-banner').textContent(), POLL)
      .toContain('Withdraw');
    await expect.poll(() => manager.page.locator('main .govuk-tag').first().textContent(), POLL).toMatch(/Withdrawn/);
    await expect.poll(() => manager.page.locator('#no-actions').count(), POLL).toBe(1);
    await manager.context.close();
  });

  it('a form posted without its CSRF token is refused and records nothing', async () => {
    const created = await caller(stack.api.app)('intake', 'POST', '/complaints', { body: intakeBody() });
    const open = created.json().ref as string;
    const { context, page } = await signedIn(stack, 'case-officer');
    const response = await page.request.post(`/cases/${open}/notes`, { form: { text: 'no token' } });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('This form has expired');
    // A token from another session is refused too.
    await page.goto(`/cases/${open}`);
    const other = await signedIn(stack, 'case-officer');
    await other.page.goto(`/cases/${open}`);
    const theirs = await formFields(other.page, '#action-add-note');
    expect(theirs._csrf).toMatch(/\S/);
    const crossed = await page.request.post(`/cases/${open}/notes`, { form: { ...theirs, text: 'their token' } });
    expect(crossed.status()).toBe(403);
    await other.context.close();
    const recorded = (await complaintOf(open)).timeline.filter((entry) => entry.type === 'note-added');
    expect(recorded).toEqual([]);
    await context.close();
  });
});
