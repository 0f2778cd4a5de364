// The web pages' rules without a browser: intake's look-up over a real register (PGlite) — by name or e-mail,
// whole words, what it shows; the period a page reads from its query; the annual report's body placed in the layout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSnapshot } from '../../activities/contract';
import { ComplaintReads } from '../../api/complaint-reads';
import { initialState, receiveComplaint } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { reportBodyForPage } from '../../web/annual-report';
import { financialYearSoFar, periodFromQuery } from '../../web/period';

const procedure = getProcedure({ id: 'dundee-swd-2011', version: 2 });
let register: Register;
let reads: ComplaintReads;

async function keep(ref: string, name: string, email: string | undefined, summary: string, receivedAt: string) {
  const received = receiveComplaint({
    ref,
    procedure,
    receivedAtMs: Date.parse(receivedAt),
    holidays: [],
    details: {
      complainant: { name, ...(email ? { email } : {}) },
      serviceArea: 'community-care',
      category: 'delay',
      channel: 'email',
      summary,
      serious: false,
    },
  });
  const state = initialState({ ...received, seq: 1, at: receivedAt, actor: { id: 'intake.smith', role: 'intake' } });
  await register.record({ ref, entries: state.timeline, snapshot: registerSnapshot(state, procedure) });
}

beforeAll(async () => {
  register = await registerOver(await openPgliteInMemory());
  reads = new ComplaintReads(
    {
      state: () => Promise.reject(new Error('no Temporal here')),
      opened: (value) => register.personalData.open(value),
    },
    register,
  );
  await keep('SW-2026-000001', 'Morag Ferguson', 'morag.ferguson@example.org', 'Late visits', '2026-05-01T10:00:00Z');
  await keep('SW-2026-000002', 'Morag Ferguson', undefined, 'Again the visits', '2026-06-01T10:00:00Z');
  await keep(
    'SW-2026-000003',
    'Iain Ross',
    'iain@example.org',
    'Morag Ferguson, my neighbour, told me',
    '2026-06-02T10:00:00Z',
  );
  await keep('SW-2026-000004', 'Moragh Fergusson', undefined, 'Respite', '2026-06-03T10:00:00Z');
});
afterAll(async () => {
  await register?.close();
});

describe("intake's look-up of earlier complaints (ComplaintReads.earlierContacts)", () => {
  it('finds by the whole name, newest first, not a complaint whose summary mentions the name', async () => {
    const found = await reads.earlierContacts('morag ferguson');
    expect(found.map((row) => row.ref)).toEqual(['SW-2026-000002', 'SW-2026-000001']);
  });

  it('finds by e-mail, and shows only what recognises a repeat', async () => {
    const found = await reads.earlierContacts('morag.ferguson@example.org');
    expect(found).toEqual([
      {
        ref: 'SW-2026-000001',
        receivedAt: '2026-05-01T10:00:00.000Z',
        serviceArea: 'community-care',
        status: 'open',
        complainantName: 'Morag Ferguson',
      },
    ]);
  });

  it('matches whole words only, and nothing for punctuation', async () => {
    expect(await reads.earlierContacts('mor ferg')).toEqual([]);
    expect(await reads.earlierContacts('  ,;  ')).toEqual([]);
  });
});

describe("a page's period", () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  it('is the financial year so far without one, and what was asked with one', () => {
    expect(financialYearSoFar(now)).toEqual({ from: '2026-04-01', to: '2026-12-02' });
    expect(financialYearSoFar(Date.parse('2027-02-10T12:00:00Z'))).toEqual({ from: '2026-04-01', to: '2027-02-10' });
    expect(periodFromQuery({ from: '2025-04-01', to: '2026-03-31' }, now)).toMatchObject({
      period: { from: '2025-04-01', to: '2026-03-31' },
      errors: [],
    });
    expect(periodFromQuery({ from: '', to: '' }, now).period).toEqual({ from: '2026-04-01', to: '2026-12-02' });
  });
  it('names the field at fault', () => {
    expect(periodFromQuery({ from: '2026-13-01' }, now).errors.map((error) => error.field)).toEqual(['from']);
    expect(periodFromQuery({ from: '2026-05-01', to: '2026-04-01' }, now).errors.map((error) => error.href)).toEqual([
      '#to',
    ]);
  });
});

describe("the annual report's body in the layout", () => {
  it('keeps the body, drops the document around it and its style, and moves headings one level down', () => {
    const html =
      '<!doctype html><html><head><style>body{}</style></head><body>\n<h1>Report</h1><h2 id="a">Figures</h2><p>x</p><h3>y</h3><svg><text>z</text></svg>\n</body></html>';
    const body = reportBodyForPage(html);
    expect(body).toContain('<h2>Report</h2><h3 id="a">Figures</h3><p>x</p><h4>y</h4><svg>');
    expect(body).not.toMatch(/<style|<head|<h1/);
  });
});
