// The compliments, reports and letters pages through a real Chromium, as the roles: intake records a compliment
// (errors shown first) and finds it by period and service area; an auditor's report page shows the annual report, the
// Ombudsman's indicators and downloads that work; a case officer opens a letter's PDF and marks it posted; an
// auditor sees the queue without the button. axe-core checks each page in these states (empty lists, errors shown).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { londonDate } from '../../domain/calendar';
import { caller, intakeBody, people } from '../support/api';
import {
  POLL,
  accessReads,
  expectAccessible,
  keepLetterToPost,
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

const today = londonDate(Date.now());

describe('compliments in the browser', () => {
  it('intake records a compliment, with errors shown first, and finds it by period and service area', async () => {
    const { context, page } = await signedIn(stack, 'intake');
    await page.goto('/compliments/browse?from=2001-01-01&to=2001-12-31');
    await expect.poll(() => page.locator('#compliments').textContent(), POLL).toMatch(/No compliments received/);
    await expectAccessible(page, 'compliments, none in the period');
    await page.getByRole('link', { name: 'Record a compliment' }).click();
    await expect.poll(() => page.title(), POLL).toMatch(/^Record a compliment/);
    await page.getByRole('button', { name: 'Record the compliment' }).click();
    await expect.poll(() => page.title(), POLL).toMatch(/^Error: Record a compliment/);
    // In GOV.UK's words, each in the summary and beside its field.
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent(), POLL)
      .toMatch(/Select the service area/);
    expect(await page.locator('#summary-error').textContent()).toMatch(/Enter what the compliment says/);
    await expectAccessible(page, 'compliment form with errors');

    await page.getByLabel('Service area').selectOption('childrens-services');
    await page.getByLabel('Team or service praised').fill('Fostering team');
    const [year, month, day] = today.split('-');
    await page.getByLabel('Day').fill(String(Number(day)));
    await page.getByLabel('Month').fill(String(Number(month)));
    await page.getByLabel('Year').fill(year!);
    await page.getByLabel('What the compliment says').fill('Thanked the fostering team for their patience');
    await page.getByRole('button', { name: 'Record the compliment' }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toMatch(/recorded/);
    await expect.poll(() => page.locator('#compliments').textContent(), POLL).toMatch(/Fostering team/);
    await expectAccessible(page, 'compliments with the one recorded');
    await screenshot(page, 'compliments');

    // Another service area: not there; the same one, in the financial year so far (the default period): there.
    await page.getByLabel('Service area').selectOption('criminal-justice');
    await page.getByRole('button', { name: 'Show compliments' }).click();
    await expect.poll(() => page.locator('#compliments').textContent(), POLL).toMatch(/No compliments/);
    await page.goto('/compliments/browse?serviceArea=childrens-services');
    await expect.poll(() => page.locator('#compliments').textContent(), POLL).toMatch(/Fostering team/);

    await page.goto('/compliments/browse?from=2026-13-40');
    await expect.poll(() => page.title(), POLL).toMatch(/^Error: Compliments/);
    await expectAccessible(page, 'compliments with a bad date');
    await context.close();
  });
});

describe('reports in the browser', () => {
  it("an auditor's report page shows the report and the Ombudsman's indicators, and its downloads work", async () => {
    const { context, page } = await signedIn(stack, 'auditor');
    await page.getByRole('link', { name: 'Reports' }).click();
    await expect.poll(() => page.title(), POLL).toMatch(/^Reports/);
    const report = page.locator('#annual-report');
    await expect.poll(() => report.locator('h2').first().textContent(), POLL).toMatch(/annual report/i);
    expect(await report.locator('svg').count()).toBeGreaterThan(0);
    expect(await page.getByRole('heading', { name: "The Ombudsman's complaints performance indicators" }).count()).toBe(
      1,
    );
    // The compliment recorded above is counted in the report for the period.
    expect(await report.textContent()).toMatch(/Children/);
    await expectAccessible(page, 'reports page');
    await screenshot(page, 'reports');

    const links = page.locator('#downloads a');
    expect(await links.count()).toBe(3);
    const hrefs = await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')!));
    const [markdown, html, csv] = await Promise.all(hrefs.map((href) => context.request.get(href)));
    expect(markdown!.status()).toBe(200);
    expect(markdown!.headers()['content-type']).toMatch(/^text\/markdown/);
    expect(await markdown!.text()).toMatch(/^# /);
    expect(html!.headers()['content-type']).toMatch(/^text\/html/);
    expect(await html!.text()).toMatch(/<svg/);
    expect(csv!.headers()['content-type']).toMatch(/^text\/csv/);
    expect(csv!.headers()['content-disposition']).toMatch(/attachment; filename="complaints-/);
    expect((await csv!.text()).split('\n')[0]).toMatch(/ref/i);

    await page.goto('/reports?from=2026-04-01&to=2025-01-01');
    await expect.poll(() => page.title(), POLL).toMatch(/^Error: Reports/);
    expect(await page.locator('#downloads').count()).toBe(0);
    await expectAccessible(page, 'reports page with an error');

    // Intake may not read reports (the API's READERS).
    const intake = await signedIn(stack, 'intake');
    const refused = await intake.context.request.get('/reports');
    expect(refused.status()).toBe(403);
    await intake.context.close();
    await context.close();
  });
});

describe('letters to post in the browser', () => {
  it('a case officer opens a letter to post and marks it posted; an auditor sees the queue without the button', async () => {
    const created = await caller(stack.api.app)('intake', 'POST', '/complaints', {
      body: intakeBody({ complainant: { name: 'Morag Brown', address: '12 High Street, Dundee' } }),
    });
    const ref = created.json().ref as string;
    const letter = await keepLetterToPost(stack, ref, 'Morag Brown');

    // Intake sees the queue, but not the complaints (it may not read them): the reference is not a link.
    const intake = await signedIn(stack, 'intake');
    await intake.page.goto('/letters-to-post');
    await expect.poll(() => intake.page.locator('#letters').textContent(), POLL).toContain(ref);
    expect(await intake.page.getByRole('link', { name: ref }).count()).toBe(0);
    await intake.context.close();

    const auditor = await signedIn(stack, 'auditor');
    await auditor.page.goto('/letters-to-post');
    await expect.poll(() => auditor.page.locator('#letters').textContent(), POLL).toContain(ref);
    expect(await auditor.page.getByRole('button', { name: /Mark as posted/ }).count()).toBe(0);
    await auditor.context.close();

    const { context, page } = await signedIn(stack, 'case-officer');
    await page.getByRole('link', { name: 'Letters to post' }).click();
    await expect.poll(() => page.locator('#letters').textContent(), POLL).toContain(ref);
    await expectAccessible(page, 'letters to post');
    await screenshot(page, 'letters-to-post');
    const pdfHref = await page.getByRole('link', { name: /Your complaint has been received/ }).getAttribute('href');
    const pdf = await context.request.get(pdfHref!);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    // The complaint's page lists the letter, how it goes, and its PDF.
    await page.getByRole('link', { name: ref }).click();
    const row = page.locator('#notices tr', { hasText: 'Your complaint has been received' });
    expect(await row.textContent()).toMatch(/Morag Brown\s*Post: to post by \d{4}-\d{2}-\d{2}/);
    expect(await row.getByRole('link').getAttribute('href')).toBe(pdfHref);
    await page.goBack();

    await page.getByRole('button', { name: `Mark as posted (${ref})` }).click();
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent(), POLL).toContain(letter.id);
    await expect.poll(() => page.locator('#letters').textContent(), POLL).toMatch(/No letters to post/);
    await expectAccessible(page, 'letters to post, none left');
    expect((await stack.register.letters.get(letter.id))?.posted?.by).toBe('officer.jones');
    await page.goto(`/cases/${ref}`);
    expect(await page.locator('#notices tr', { hasText: 'Your complaint has been received' }).textContent()).toMatch(
      /Posted \d{4}-\d{2}-\d{2} by officer\.jones/,
    );

    // The form without its CSRF token is refused, and nothing is marked.
    const refused = await context.request.post(`/letters-to-post/${letter.id}/posted`, { form: {} });
    expect(refused.status()).toBe(403);
    await context.close();

    // The queue and the PDF name the complainant and their address: each read is in the complaint's access log, intake's
    // too (it is shown names and addresses in the queue, though it may not open complaints).
    await expect
      .poll(() => accessReads(stack, ref), POLL)
      .toEqual(
        expect.arrayContaining([
          `${people.intake.id} GET /letters-to-post`,
          `${people.auditor.id} GET /letters-to-post`,
          `${people['case-officer'].id} GET /letters-to-post`,
          `${people['case-officer'].id} GET /letters-to-post/:id/pdf`,
        ]),
      );
  });
});
