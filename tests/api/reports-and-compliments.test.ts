// The register's routes (compliments, annual report, SPSO indicators) on the real app, over an in-memory PGlite
// register; Temporal is not needed for them (a lazy connection to a closed port).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { receiveComplaint, replayTimeline } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { caller, testTokens, unreachableTemporal } from '../support/api';
import { pdfText } from '../support/pdf-text';
import { configSchema } from '../../platform/config';
import { paperSettingsFrom } from '../../report/committee-paper';

let app: FastifyInstance;
let register: Register;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  register = await registerOver(await openPgliteInMemory());
  const { complaints } = await unreachableTemporal();
  app = await buildApp({
    complaints,
    tokens: testTokens(),
    register,
    reports: {
      population: 145_000,
      paper: paperSettingsFrom(configSchema.parse({ PAPER_COMMITTEE: 'Audit Committee', PAPER_DATE: '2012-04-11' })),
    },
    now: () => new Date('2011-05-02T09:00:00Z'),
  });
  call = caller(app);

  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 1 });
  const received = receiveComplaint({
    ref: 'SW-2011-000001',
    procedure,
    receivedAtMs: Date.parse('2011-03-01T10:00:00Z'),
    holidays: [],
    details: {
      complainant: { name: 'Pat' },
      serviceArea: 'childrens-services',
      category: 'communication',
      channel: 'email',
      summary: 's',
      serious: false,
    },
  });
  const entry = { ...received, seq: 1, at: '2011-03-01T10:00:00.000Z', actor: { id: 'intake.smith' } };
  const { timeline: _timeline, ...state } = replayTimeline([entry]);
  await register.record({
    ref: 'SW-2011-000001',
    entries: [entry],
    snapshot: { ...state, lastSeq: 1, nextDeadline: null, overdue: false },
  });
});

afterAll(async () => {
  await app?.close();
  await register?.close();
});

describe('compliments', () => {
  it('intake records one (201, with who recorded it) and an auditor reads it back by period', async () => {
    const created = await call('intake', 'POST', '/compliments', {
      body: {
        serviceArea: 'community-care',
        team: 'hospital social work',
        receivedAt: '2011-04-30',
        summary: 'Thank you card',
      },
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({
      serviceArea: 'community-care',
      receivedAt: '2011-04-29T23:00:00.000Z',
      recordedBy: { id: 'intake.smith', role: 'intake' },
      recordedAt: '2011-05-02T09:00:00.000Z',
    });
    const listed = await call('auditor', 'GET', '/compliments?from=2011-04-01&to=2011-04-30');
    expect(listed.status).toBe(200);
    expect(listed.json().compliments.map((c: { id: string }) => c.id)).toEqual([created.json().id]);
    expect((await call('auditor', 'GET', '/compliments?from=2011-05-01')).json().compliments).toEqual([]);
  });

  it('dates outside 1900-9998 are a 400, never a 500 (JavaScript reads years below 100 as 19xx)', async () => {
    const responses: Array<[string, Awaited<ReturnType<typeof call>>]> = [
      ['from', await call('auditor', 'GET', '/compliments?from=0050-01-01')],
      ['to', await call('auditor', 'GET', '/compliments?to=9999-12-31')],
      [
        'receivedAt',
        await call('intake', 'POST', '/compliments', {
          body: { serviceArea: 'community-care', team: 'home care', receivedAt: '0050-01-01', summary: 'Thanks' },
        }),
      ],
      ['from', await call('auditor', 'GET', '/reports/annual?from=0050-01-01&to=2011-12-31')],
    ];
    for (const [field, response] of responses) {
      expect(response.status, response.text).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'invalid-request',
        details: [expect.objectContaining({ path: field })],
      });
    }
  });

  it('auditors may not record, nobody anonymous, and bad input is a 400 in the one error shape', async () => {
    const body = { serviceArea: 'general', team: 't', receivedAt: '2011-04-30', summary: 's' };
    expect((await call('auditor', 'POST', '/compliments', { body })).status).toBe(403);
    expect((await call('nobody', 'GET', '/compliments')).status).toBe(401);
    const bad = await call('manager', 'POST', '/compliments', { body: { ...body, serviceArea: 'parks', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBeTypeOf('string');
    const backwards = await call('auditor', 'GET', '/compliments?from=2011-05-01&to=2011-04-01');
    expect(backwards.status).toBe(400);
  });
});

describe('reports', () => {
  it('GET /reports/annual answers exactly the figures of the report format', async () => {
    const response = await call('manager', 'GET', '/reports/annual?from=2011-01-01&to=2011-12-31');
    expect(response.status).toBe(200);
    const report = response.json();
    expect(Object.keys(report).sort()).toEqual(
      [
        'acknowledgedOnTime',
        'byCategory',
        'byLevel',
        'byServiceArea',
        'committeeHearings',
        'completedOnTime',
        'compliments',
        'complimentsByServiceArea',
        'extensions',
        'notUpheldPercent',
        'outcomes',
        'spsoReferrals',
        'total',
        'upheldPercent',
      ].sort(),
    );
    expect(report).toMatchObject({
      total: 1,
      byServiceArea: { 'childrens-services': 1 },
      compliments: 1,
      complimentsByServiceArea: { 'community-care': 1 },
      upheldPercent: null,
    });
  });

  it('answers markdown and a printable HTML page with charts', async () => {
    const md = await call('auditor', 'GET', '/reports/annual?from=2011-01-01&to=2011-12-31&format=md');
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.text).toContain('A total of 1 complaint, 1 Level 1, were recorded in the 2011 calendar year.');
    const html = await call('auditor', 'GET', '/reports/annual?from=2011-01-01&to=2011-12-31&format=html');
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!doctype html>/);
    expect(html.text.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('answers the committee paper as PDF, its front matter from configuration', async () => {
    const pdf = await call('auditor', 'GET', '/reports/annual?from=2011-01-01&to=2011-12-31&format=pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const { text } = await pdfText(pdf.raw);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Dundee City Council');
    expect(flat).toContain('Report to: Audit Committee');
    expect(flat).toContain('A total of 1 complaint, 1 Level 1, were recorded in the 2011 calendar year.');
    expect(flat).toContain('DATE: 11 April 2012');
  });

  it('SPSO indicators per working-day procedure version, with the configured population', async () => {
    const empty = await call('auditor', 'GET', '/reports/spso?from=2011-01-01&to=2011-12-31');
    expect(empty.status).toBe(200);
    // The 2011 procedure counts calendar days: no indicators for it.
    expect(empty.json()).toEqual({
      period: { from: '2011-01-01T00:00:00.000Z', to: '2012-01-01T00:00:00.000Z' },
      population: 145000,
      procedures: [],
    });
    const received = receiveComplaint({
      ref: 'SW-2011-000002',
      procedure: getProcedure({ id: 'spso-mchp', version: 1 }),
      receivedAtMs: Date.parse('2011-03-02T10:00:00Z'),
      holidays: [],
      details: {
        complainant: { name: 'Sam' },
        serviceArea: 'general',
        category: 'delay',
        channel: 'letter',
        summary: 's',
        serious: false,
      },
    });
    const entry = { ...received, seq: 1, at: '2011-03-02T10:00:00.000Z', actor: { id: 'intake.smith' } };
    const { timeline: _timeline, ...state } = replayTimeline([entry]);
    await register.record({
      ref: 'SW-2011-000002',
      entries: [entry],
      snapshot: { ...state, lastSeq: 1, nextDeadline: null, overdue: false },
    });
    const response = await call('auditor', 'GET', '/reports/spso?from=2011-01-01&to=2011-12-31');
    expect(response.status).toBe(200);
    const [entryOf] = response.json().procedures;
    expect(entryOf).toMatchObject({
      procedure: { id: 'spso-mchp', version: 1 },
      receivedPerThousand: 0,
      year: { received: 1, closures: { total: 0 } },
    });
    expect(entryOf.quarters).toHaveLength(4);
    expect(entryOf.quarters[0].figures.received).toBe(1);
  });

  it('exports the complaints (a row per stage) and the compliments of a period as CSV', async () => {
    const complaints = await call('auditor', 'GET', '/reports/complaints.csv?from=2011-01-01&to=2011-12-31');
    expect(complaints.status).toBe(200);
    expect(complaints.headers['content-type']).toMatch(/^text\/csv/);
    const lines = complaints.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ref,received_at,procedure,/);
    expect(lines.some((line) => line.startsWith('SW-2011-000001,2011-03-01T10:00:00.000Z,dundee-swd-2011@1,'))).toBe(
      true,
    );
    const compliments = await call('manager', 'GET', '/reports/compliments.csv?from=2011-04-01&to=2011-04-30');
    expect(compliments.status).toBe(200);
    expect(compliments.text).toContain('community-care,hospital social work,Thank you card');
    expect((await call('intake', 'GET', '/reports/compliments.csv?from=2011-04-01&to=2011-04-30')).status).toBe(403);
    expect((await call('auditor', 'GET', '/reports/complaints.csv?from=2011-12-31&to=2011-01-01')).status).toBe(400);
  });

  it('refuses intake staff, a period that ends before it starts, and a bad format', async () => {
    expect((await call('intake', 'GET', '/reports/annual?from=2011-01-01&to=2011-12-31')).status).toBe(403);
    const backwards = await call('manager', 'GET', '/reports/annual?from=2011-12-31&to=2011-01-01');
    expect(backwards.status).toBe(400);
    expect(backwards.json().error.code).toBe('invalid-request');
    expect((await call('manager', 'GET', '/reports/annual?from=2011-01-01&to=2011-12-31&format=docx')).status).toBe(
      400,
    );
    expect((await call('manager', 'GET', '/reports/annual?from=yesterday&to=2011-12-31')).status).toBe(400);
  });
});
