import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { isWorkingDay, londonDate, shiftIsoDate } from '../../domain/calendar';
import { caller, intakeBody, startApiStack, type ApiStack } from '../support/api';
import { startDevServer } from '../support/temporal';

// POST /calendar/changes and GET /calendar/changes/:id on the dev server (visibility lists the open complaints):
// the batch re-times every open complaint it affects and says how many it looked at and changed.

let env: TestWorkflowEnvironment;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startDevServer();
  stack = await startApiStack(env, { timeoutMs: 8_000, calendarChanges: true });
  call = caller(stack.app);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

/** The second working day after today (London): inside a 5-working-day Stage 1 received today. */
function aComingWorkingDay(): string {
  let day = londonDate(Date.now());
  for (let found = 0; found < 2;) {
    day = shiftIsoDate(day, 1);
    if (isWorkingDay(day, [])) found++;
  }
  return day;
}

async function openComplaintsListed(count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    let listed = 0;
    for await (const _ of env.client.workflow.list({
      query: "WorkflowType = 'complaintWorkflow' AND ExecutionStatus = 'Running'",
    }))
      listed++;
    if (listed >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the complaints never showed in visibility');
}

describe('a calendar change through the API', () => {
  it('re-times every open complaint it affects, reports its counts, and explains the moved deadline', async () => {
    const refs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call('intake', 'POST', '/complaints', {
        body: intakeBody({ procedure: { id: 'spso-mchp-2020', version: 1 } }),
      });
      expect(response.status, response.text).toBe(201);
      refs.push(response.json().ref as string);
    }
    await openComplaintsListed(refs.length);
    const before = (await call('manager', 'GET', `/complaints/${refs[0]}`)).json().stages[0].response.dueAt;
    const closure = aComingWorkingDay();

    const started = await call('manager', 'POST', '/calendar/changes', { body: { add: [closure] } });
    expect(started.status, started.text).toBe(202);
    const { id } = started.json();
    expect(started.json()).toEqual({ id, add: [closure], remove: [] });
    expect(started.headers.location).toBe(`/calendar/changes/${id}`);
    const again = await call('manager', 'POST', '/calendar/changes', { body: { add: [closure, closure] } });
    expect(again.json().id).toBe(id); // the same days: the same change

    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 200 && progress.status !== 'COMPLETED'; i++) {
      const response = await call('auditor', 'GET', `/calendar/changes/${id}`);
      expect(response.status, response.text).toBe(200);
      progress = response.json();
      if (progress.status !== 'COMPLETED') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(progress).toMatchObject({ id, status: 'COMPLETED', done: true, complaints: 3, retimed: 3, failed: 0 });

    for (const ref of refs) {
      const state = (await call('case-officer', 'GET', `/complaints/${ref}`)).json();
      const response = state.stages[0].response;
      expect(Date.parse(response.dueAt)).toBeGreaterThan(Date.parse(before));
      expect(response.working.skipped).toContainEqual({ date: closure, why: 'holiday' });
      expect(state.timeline.at(-1)).toMatchObject({ type: 'calendar-updated', added: [closure] });
      expect(state.timeline.at(-1).responseWorking.lastDay).toBe(londonDate(Date.parse(response.dueAt)));
    }
  }, 120_000);

  it('refuses what it cannot do in the one error shape: no days, not a manager, an unknown change, a bad id', async () => {
    const empty = await call('manager', 'POST', '/calendar/changes', { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json().error).toMatchObject({ code: 'invalid-request' });
    const badDay = await call('manager', 'POST', '/calendar/changes', { body: { add: ['2026-02-30'] } });
    expect(badDay.status).toBe(400);
    const officer = await call('case-officer', 'POST', '/calendar/changes', { body: { add: ['2030-01-02'] } });
    expect(officer.status).toBe(403);
    expect(officer.json().error.code).toBe('forbidden');
    const unknown = await call('manager', 'GET', '/calendar/changes/0123456789abcdef');
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe('calendar-change-not-found');
    const bad = await call('manager', 'GET', '/calendar/changes/not-an-id');
    expect(bad.status).toBe(400);
    expect((await call('nobody', 'GET', '/calendar/changes/0123456789abcdef')).status).toBe(401);
  });

  it('is documented in the OpenAPI document', async () => {
    const document = (await call('nobody', 'GET', '/docs/json')).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/calendar/changes', '/calendar/changes/{id}']),
    );
    expect(document.paths['/calendar/changes'].post.responses).toHaveProperty('202');
  });
});
