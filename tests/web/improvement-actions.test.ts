// Improvement actions on the complaint's page through a real Chromium (issue 16): once the outcome is recorded a
// case officer agrees one (the empty form first: the GOV.UK error summary), it is listed with an "Open" tag and in
// the timeline, and its owner marks it completed with evidence (again the empty form first). axe-core checks each
// state; an auditor sees the list but no forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { londonDate } from '../../domain/calendar';
import { caller, intakeBody } from '../support/api';
import { POLL, expectAccessible, signedIn, startWebStack, type WebStack } from '../support/web';

let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

async function complaintWithOutcome(): Promise<string> {
  const call = caller(stack.api.app);
  const created = await call('intake', 'POST', '/complaints', { body: intakeBody() });
  expect(created.status, created.text).toBe(201);
  const ref = created.json().ref as string;
  for (const [route, body] of [
    ['acknowledge', {}],
    ['outcome', { outcome: 'upheld' }],
  ] as const) {
    const answer = await call('case-officer', 'POST', `/complaints/${ref}/${route}`, { body });
    expect(answer.status, answer.text).toBe(200);
  }
  return ref;
}

describe('improvement actions in the browser', () => {
  it('a case officer agrees one and, as its owner, marks it completed; errors in the summary first', async () => {
    const ref = await complaintWithOutcome();
    const { context, page } = await signedIn(stack, 'case-officer');
    await page.goto(`/cases/${ref}`);
    const section = page.locator('#improvement-agree');
    await expect.poll(() => page.locator('#improvement-actions').textContent(), POLL).toContain('Improvement actions');
    await expectAccessible(page, 'complaint page with the agree form');

    await section.getByRole('button', { name: 'Agree an improvement action' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').textContent(), POLL).toMatch(/There is a problem/);
    expect(await page.locator('.govuk-error-summary a[href="#improvement-agree-what"]').count()).toBe(1);
    await expectAccessible(page, 'agree form with errors');

    await page.getByLabel('What will be done (no personal details)').fill('Check the home care rota every week');
    await page.getByLabel("Owner's staff id").fill('officer.jones');
    await page.getByLabel('Due by').fill(londonDate(Date.now() + 30 * 24 * 3_600_000));
    await page.getByRole('button', { name: 'Agree an improvement action' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('done'), POLL).toBe('improvement-agreed');
    const card = page.locator('.govuk-summary-card', { hasText: 'Check the home care rota every week' });
    await expect.poll(() => card.locator('.govuk-tag').textContent(), POLL).toContain('Open');
    expect(await page.locator('.moj-timeline').textContent()).toContain('improvement action agreed');
    await expectAccessible(page, 'an open improvement action');

    await card.getByRole('button', { name: 'Mark as completed' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').textContent(), POLL).toMatch(/There is a problem/);
    await expectAccessible(page, 'completion form with errors');
    await page
      .locator('.govuk-summary-card', { hasText: 'Check the home care rota every week' })
      .getByLabel('Evidence it was done')
      .fill('Rota checked weekly since May');
    await page.getByRole('button', { name: 'Mark as completed' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('done'), POLL).toBe('improvement-completed');
    await expect.poll(() => card.locator('.govuk-tag').textContent(), POLL).toContain('Completed');
    expect(await card.textContent()).toContain('Rota checked weekly since May');
    expect(await page.getByRole('button', { name: 'Mark as completed' }).count()).toBe(0);
    expect(await page.locator('.moj-timeline').textContent()).toContain('improvement action completed');
    await expectAccessible(page, 'a completed improvement action');
    await context.close();
  }, 120_000);

  it('an auditor sees the actions but no forms', async () => {
    const ref = await complaintWithOutcome();
    const call = caller(stack.api.app);
    const agreed = await call('manager', 'POST', `/complaints/${ref}/improvement-actions`, {
      body: { what: 'Train the team', owner: 'officer.jones', dueDate: londonDate(Date.now() + 86_400_000) },
    });
    expect(agreed.status, agreed.text).toBe(201);
    const { context, page } = await signedIn(stack, 'auditor');
    await page.goto(`/cases/${ref}`);
    await expect.poll(() => page.locator('#improvement-actions').textContent(), POLL).toContain('Improvement actions');
    expect(await page.locator('.govuk-summary-card', { hasText: 'Train the team' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Agree an improvement action' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Mark as completed' }).count()).toBe(0);
    await context.close();
  }, 60_000);
});
