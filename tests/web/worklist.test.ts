// The worklist in a browser WITHOUT JavaScript (progressive enhancement: every tab, filter, search, sort and page is a
// link or a GET form the server answers), over a register holding complaints made by the real rules with the clock
// run to a fixed "now" (the web app's clock): the five tabs, each filter of the panel, the free-text search, the three
// orders, the pages, and the next deadline in words.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSnapshot } from '../../activities/contract';
import { londonDate } from '../../domain/calendar';
import { replayTimeline } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { people } from '../support/api';
import { complaintTimeline, type TimelineOptions, type TimelineStep } from '../support/complaint-timelines';
import { POLL, screenshot, signedIn, startWebStack, type WebStack } from '../support/web';

const DAY = 86_400_000;
/** The web app's now: a Wednesday; day 40 of the complaints' timelines. */
const NOW = Date.parse('2026-06-17T10:00:00Z');
const START = NOW - 40 * DAY;
const dateOf = (day: number) => londonDate(START + day * DAY);

const jones = { id: people['case-officer'].id, name: people['case-officer'].name };
const khan = { id: 'officer.khan', name: 'Ali Khan' };
const taken = (day: number, officer: { id: string; name: string }): TimelineStep[] => [
  [day, { action: 'assign', officer }],
  [day, { action: 'acknowledge' }],
];

interface Seeded {
  ref: string;
  day: number;
  steps: TimelineStep[];
  options: Partial<TimelineOptions> & Pick<TimelineOptions, 'details'>;
}

const person = (name: string, summary: string) => ({
  complainant: { name, email: `${name.toLowerCase().replace(' ', '.')}@example.org` },
  summary,
});

const A = 'SW-2026-100001'; // Sam Jones's, acknowledged: its response due in 12 days
const B = 'SW-2026-100002'; // unassigned, received yesterday: its acknowledgement due this week
const C = 'SW-2026-100003'; // Ali Khan's: its response missed
const D = 'SW-2026-100004'; // Sam Jones's: its response extended
const E = 'SW-2026-100005'; // unassigned, the 2020 procedure (working days), Children's Services, communication
const F = 'SW-2026-100006'; // withdrawn
const complaints: Seeded[] = [
  {
    ref: A,
    day: 38,
    steps: taken(38, jones),
    options: { details: person('Morag Ferguson', 'Home care visits missed') },
  },
  {
    ref: B,
    day: 39,
    steps: [],
    options: { details: person('Iain Reid', 'Letters about the care plan never answered') },
  },
  {
    ref: C,
    day: 5,
    steps: taken(5, khan),
    options: {
      serviceArea: 'criminal-justice',
      category: 'staff-attitude',
      details: person('Agnes Brodie', 'Respite cancelled without notice'),
    },
  },
  {
    ref: D,
    day: 30,
    steps: [
      ...taken(30, jones),
      [33, { action: 'grant-extension', days: 10, reason: 'Papers awaited', agreedWithComplainant: true }],
    ],
    options: { details: person('Hamish Grant', 'Day centre transport stopped') },
  },
  {
    ref: E,
    day: 37,
    steps: [],
    options: {
      procedure: 'spso-mchp-2020',
      serviceArea: 'childrens-services',
      category: 'communication',
      details: person('Ruth Sinclair', 'No reply from the fostering team'),
    },
  },
  { ref: F, day: 20, steps: [[25, { action: 'withdraw' }]], options: { details: person('Tom Baird', 'Withdrawn') } },
  // Enough of Ali Khan's for a second page.
  ...Array.from({ length: 26 }, (_, i) => ({
    ref: `SW-2026-2000${String(i + 10)}`,
    day: 10 + (i % 20),
    steps: taken(10 + (i % 20), khan),
    options: { serviceArea: 'general' as const, category: 'other' as const, details: person(`Filler ${i}`, 'Routine') },
  })),
];
const OPEN = complaints.length - 1;

let stack: WebStack;
let page: Page;

beforeAll(async () => {
  stack = await startWebStack({ now: () => NOW });
  for (const { ref, day, steps, options } of complaints) {
    const entries = complaintTimeline(ref, day, steps, {
      start: START,
      version: options.procedure ? 1 : 2,
      until: 40,
      ...options,
    });
    const state = replayTimeline(entries);
    await stack.register.record({ ref, entries, snapshot: registerSnapshot(state, getProcedure(state.procedure)) });
  }
  ({ page } = await signedIn(stack, 'case-officer', { javaScriptEnabled: false }));
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** The references listed on the page, in order. */
const listed = () =>
  page.locator('#worklist-table tbody tr td:first-child a').evaluateAll((links) => links.map((a) => a.textContent));
/** A listed complaint's cell, by its column's heading. */
async function cell(ref: string, column: string): Promise<string> {
  const headings = await page.locator('#worklist-table thead th').allTextContents();
  const index = headings.findIndex((heading) => heading.trim() === column);
  const row = page.locator('#worklist-table tbody tr', { has: page.getByRole('link', { name: ref, exact: true }) });
  return (await row.locator('td').nth(index).textContent())!.trim();
}

describe('the worklist without JavaScript', () => {
  it('the five tabs', async () => {
    // A case officer starts on their own cases.
    await page.goto('/');
    expect(await page.title()).toMatch(/^My cases - Worklist/);
    expect(await listed()).toEqual(expect.arrayContaining([A, D]));
    expect(await listed()).toHaveLength(2);

    await page.getByRole('link', { name: 'Unassigned' }).click();
    expect((await listed()).sort()).toEqual([B, E]);

    // Due by the end of the seventh day and not yet missed (the missed ones are the Overdue tab's).
    await page.getByRole('link', { name: 'Due this week' }).click();
    expect(await listed()).toEqual(expect.arrayContaining([B, E]));
    for (const ref of [A, C, D]) expect(await listed()).not.toContain(ref);

    await page.getByRole('link', { name: 'Overdue' }).click();
    expect(await listed()).toContain(C);
    for (const ref of [A, B, D, E]) expect(await listed()).not.toContain(ref);

    await page.getByRole('link', { name: 'All open' }).click();
    expect(await page.locator('#result-count').textContent()).toMatch(
      /25 complaints on this page \(more on the next\)/,
    );
    expect(await listed()).not.toContain(F);
    // The README's picture of the worklist: the first rows by reference, each kind of deadline.
    await page.goto('/?tab=open&sort=ref');
    await page.setViewportSize({ width: 1280, height: 960 });
    // On a laptop's width every column shows: the table does not scroll inside its box.
    const hidden = await page.locator('.app-table-scroll').evaluate((box) => box.scrollWidth - box.clientWidth);
    expect(hidden, 'the worklist table is wider than its column').toBeLessThanOrEqual(0);
    await screenshot(page, 'worklist', false);
  });

  it('the next deadline in words, and who has each complaint', async () => {
    await page.goto(`/?tab=open&q=${encodeURIComponent('Ferguson Reid Brodie Grant Sinclair')}`);
    // (Every word must match: no complaint holds all five names.)
    expect(await listed()).toEqual([]);
    await page.goto('/?tab=open&sort=ref');
    expect(await cell(A, 'Next deadline')).toBe('due in 12 days');
    expect(await cell(B, 'Next deadline')).toMatch(/^due in [1-5] days?$/);
    expect(await cell(C, 'Next deadline')).toMatch(/^overdue by \d+ days$/);
    expect(await cell(D, 'Next deadline')).toMatch(/^extended to \d{1,2} (June|July)$/);
    expect(await cell(E, 'Next deadline')).toMatch(/^due in [1-5] working days?$/);
    expect(await cell(A, 'Case officer')).toBe('Sam Jones');
    expect(await cell(B, 'Case officer')).toBe('Unassigned');
    expect(await cell(E, 'Stage')).toBe('Stage 1: frontline response');
    expect(await cell(A, 'Complainant')).toBe('Morag Ferguson');
  });

  it('the search: reference, name, e-mail, a word of the summary', async () => {
    for (const [q, found] of [
      [D, D],
      ['ferguson', A],
      ['iain.reid@example.org', B],
      ['respite', C],
    ] as const) {
      await page.goto('/?tab=open');
      await page.getByLabel('Search').fill(q);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      expect(await listed(), q).toEqual([found]);
      expect(new URL(page.url()).searchParams.get('tab')).toBe('open');
    }
  });

  it('each filter of the panel, its tag, and Clear filters', async () => {
    const only = async (fill: (page: Page) => Promise<unknown>, expected: string[]) => {
      await page.goto('/?tab=open');
      await fill(page);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      expect((await listed()).sort()).toEqual(expected);
    };
    await only((p) => p.getByLabel('Stage').selectOption({ label: 'Stage 1: frontline response' }), [E]);
    await only((p) => p.getByLabel('Service area').selectOption('childrens-services'), [E]);
    await only((p) => p.getByLabel('Category').selectOption('communication'), [E]);
    await only((p) => p.getByLabel('Procedure').selectOption('spso-mchp-2020@1'), [E]);
    await only((p) => p.getByLabel('Status').selectOption('withdrawn'), [F]);
    await only(
      async (p) => {
        await p.getByLabel('Received from').fill(dateOf(37));
        await p.getByLabel('Received to').fill(dateOf(38));
      },
      [A, E],
    );
    await only(
      async (p) => {
        await p.getByLabel('Case officer').fill(khan.id);
        await p.getByLabel('Service area').selectOption('criminal-justice');
      },
      [C],
    );

    // Each filter in use is a tag that removes it; "Clear filters" removes them all.
    await page.getByRole('link', { name: /Criminal Justice/ }).click();
    expect(await listed()).toHaveLength(25);
    expect(new URL(page.url()).searchParams.get('officer')).toBe(khan.id);
    await page.getByRole('link', { name: 'Clear filters' }).click();
    expect(new URL(page.url()).searchParams.get('officer')).toBeNull();
    expect(await page.locator('#result-count').textContent()).toMatch(/25 complaints on this page/);
  });

  it('sorts by each sortable column, over the whole list, and pages through it', async () => {
    await page.goto('/?tab=open');
    const ordered = async (column: string) => {
      const values = await page
        .locator(`#worklist-table tbody td:nth-child(${column})`)
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-sort-value') ?? ''));
      return values;
    };
    // Next deadline first by default (its header says so to a screen reader).
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toMatch(/Next deadline/);
    const byDeadline = await ordered('6');
    expect(byDeadline).toEqual([...byDeadline].sort());

    await page.getByRole('link', { name: 'Reference' }).click();
    expect((await listed())[0]).toBe(A);
    expect(await listed()).toEqual([...(await listed())].sort());

    await page.getByRole('link', { name: 'Received' }).click();
    expect((await listed())[0]).toBe(C);
    await page.getByRole('link', { name: 'Received' }).click();
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toMatch(/Received/);
    expect((await listed())[0]).toBe(B);

    // The pages: 25, then the rest; every open complaint once.
    const first = await listed();
    await page.getByRole('link', { name: 'Next page' }).click();
    const second = await listed();
    expect(first.length + second.length).toBe(OPEN);
    expect(new Set([...first, ...second]).size).toBe(OPEN);
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await page.getByRole('link', { name: 'First page' }).click();
    expect(await listed()).toEqual(first);
  });

  it('a filter in error: the field says so, what was typed is kept, and no list is shown', async () => {
    await page.goto('/?tab=open');
    await page.getByLabel('Received from').fill('17/06/2026');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.title(), POLL).toMatch(/^Error: All open - Worklist/);
    expect(await page.locator('#receivedFrom-error').textContent()).toContain(
      'The date received from must be a real date',
    );
    expect(await page.getByLabel('Received from').inputValue()).toBe('17/06/2026');
    expect(await page.locator('#worklist-table').count()).toBe(0);
  });
});
