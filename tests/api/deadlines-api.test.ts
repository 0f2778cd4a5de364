import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { DEFAULT_PROCEDURE_SCHEDULE } from '../../domain/procedure-schedule';
import { councilCalendarFor } from '../../platform/procedure-files';
import { repoRoot } from '../../platform/repo-root';
import { caller, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { startDevServer } from '../support/temporal';

// Deadlines through the API on the dev server: bounded extensions, the procedure schedule, deadlines explained.

const DAY_MS = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startDevServer();
  const councilCalendar = councilCalendarFor({
    COUNCIL_CALENDAR_PATH: path.join(repoRoot(), 'config', 'council-calendar.example.yaml'),
  });
  stack = await startApiStack(env, {
    timeoutMs: 8_000,
    intake: { procedureSchedule: DEFAULT_PROCEDURE_SCHEDULE, councilCalendar },
  });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

async function newComplaint(overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await call('intake', 'POST', '/complaints', { body: intakeBody(overrides) });
  expect(response.status, response.text).toBe(201);
  return response.json().ref as string;
}

const extend = (ref: string, body: Record<string, unknown>) =>
  call('manager', 'POST', `/complaints/${ref}/extensions`, {
    body: { reason: 'Waiting for records', agreedWithComplainant: true, ...body },
  });

describe('extensions are bounded', () => {
  it('repeated extensions stop a year past the original deadline, and the complaint still answers', async () => {
    const ref = await newComplaint({ procedure: { id: 'dundee-swd-2011' } });
    const original = (await call('case-officer', 'GET', `/complaints/${ref}`)).json().stages[0].response.originalDueAt;
    const justPast = await extend(ref, { newDeadline: new Date(Date.parse(original) + 367 * DAY_MS).toISOString() });
    expect(justPast.status, justPast.text).toBe(409);
    expect(justPast.json().error.code).toBe('extension-too-long');

    let answered = 0;
    for (let i = 0; i < 30; i++) {
      const response = await extend(ref, { days: 300 });
      if (response.status !== 200) {
        expect(response.status, response.text).toBe(409);
        expect(response.json().error.code).toBe('extension-too-long');
        break;
      }
      answered++;
    }
    expect(answered).toBe(1);
    const far = await extend(ref, { newDeadline: '9000-12-31T23:59:59.000Z' });
    expect(far.status, far.text).toBe(409);
    expect(far.json().error.code).toBe('extension-too-long');

    const state = (await call('case-officer', 'GET', `/complaints/${ref}`)).json();
    const response = state.stages[0].response;
    expect(Date.parse(response.dueAt) - Date.parse(response.originalDueAt)).toBeLessThanOrEqual(366 * DAY_MS);
    const acknowledged = await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`, { body: {} });
    expect(acknowledged.status, acknowledged.text).toBe(200);
  });
});

describe('intake takes the procedure in force on the London day of receipt', () => {
  const intake = async (overrides: Record<string, unknown>) => {
    const response = await call('intake', 'POST', '/complaints', { body: intakeBody(overrides) });
    expect(response.status, response.text).toBe(201);
    return response.json();
  };

  it('at the 2017 and 2021 boundaries, unless the intake names one', async () => {
    const key = (body: Record<string, unknown>) => {
      const { id, version } = body.procedure as { id: string; version: number };
      return `${id}@${version}`;
    };
    const at = async (receivedAt: string) => key(await intake({ receivedAt }));
    expect(await at('2017-03-31T22:59:00Z')).toBe('dundee-swd-2011@2');
    expect(await at('2017-03-31T23:00:00Z')).toBe('spso-social-work-2017@1'); // 00:00 BST, 1 April
    expect(await at('2021-03-31T22:59:00Z')).toBe('spso-social-work-2017@1');
    expect(await at('2021-04-01T09:00:00Z')).toBe('spso-mchp-2020@1');
    const named = await intake({ receivedAt: '2021-04-01T09:00:00Z', procedure: { id: 'dundee-swd-2011' } });
    expect(key(named)).toBe('dundee-swd-2011@2');
    const first = await intake({
      receivedAt: '2016-04-01T09:00:00Z',
      procedure: { id: 'dundee-swd-2011', version: 1 },
    });
    expect(key(first)).toBe('dundee-swd-2011@1');
  });

  it('a deadline explains itself: rule, day 1, the council closures and bank holidays it skipped, by name', async () => {
    const body = await intake({ receivedAt: '2025-12-24T10:00:00Z' });
    expect(body.procedure.id).toBe('spso-mchp-2020');
    const state = (await call('case-officer', 'GET', `/complaints/${body.ref}`)).json();
    const response = state.stages[0].response;
    // Day 1 Wednesday 24 December 2025; Christmas, Boxing Day, 1 and 2 January and the weekends skipped.
    expect(response.dueAt).toBe('2026-01-05T23:59:59.999Z');
    expect(response.working).toMatchObject({ rule: 'working-days/receipt-day', firstDay: '2025-12-24' });
    expect(response.working.skipped).toContainEqual({ date: '2025-12-25', why: 'holiday', name: 'Christmas Day' });
    expect(response.working.skipped).toContainEqual({ date: '2025-12-27', why: 'weekend' });
    expect(response.working.skipped.map((day: { date: string }) => day.date)).toContain('2026-01-02');
    // The council calendar's closures are in the complaint's calendar (config/council-calendar.example.yaml).
    expect(state.holidays).toContain('2026-12-30');
    expect(state.holidayNames['2026-12-30']).toBe('Offices closed between Christmas and New Year');
  });
});
