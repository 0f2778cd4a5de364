// A calendar change applied to 1,000 open complaints in one batch on the time-skipping server: every complaint it
// affects is re-timed through its update-calendar Update, none fires a reminder or a breach twice, the batch
// reports how many changed, and a second run of the same change changes nothing. Measured 2026-12-02 on a shared
// 2-core machine at load average 13-19 (other test runs beside it): the file in 144 s (tests 124 s), 100 complaints
// (CALENDAR_BATCH_COMPLAINTS=100) in 26 s; an earlier run at that load did not finish in 10 minutes (workflow tasks
// expired). Not yet timed on a quiet machine: it is over the ~60 s a test file should take there unless it is 2x faster.
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendarChangeActivities } from '../../activities/calendar-change';
import type { CalendarChangeCounts } from '../../activities/contract';
import { isWorkingDay, londonDate, shiftIsoDate } from '../../domain/calendar';
import type { ComplaintState } from '../../domain/complaint';
import { calendarChangeStatus, startCalendarChange } from '../../platform/calendar-change';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { ComplaintHarness, DAY_MS, manager } from '../support/complaint-harness';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';

let env: TestWorkflowEnvironment;
let h: ComplaintHarness;
let batchWorker: Worker;
let batchRunning: Promise<void>;
const BATCH_QUEUE = `calendar-batch-${process.pid}`;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  h = new ComplaintHarness(env);
  await h.start();
  batchWorker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: BATCH_QUEUE,
    workflowBundle: await bundleComplaintWorkflows(),
    activities: createCalendarChangeActivities({ client: async () => env.client, concurrency: 64 }),
  });
  batchRunning = batchWorker.run();
}, 60_000);

afterAll(async () => {
  batchWorker?.shutdown();
  await batchRunning;
  await h?.stop();
  await env?.teardown();
});

const SPSO = { id: 'spso-mchp', version: 1 };
// 1,000 complaints (CALENDAR_BATCH_COMPLAINTS, a multiple of 100, for a quicker run): 70 % with their deadlines
// ahead, 29 % recorded overdue, 1 % with the change already in their calendar.
const TOTAL = Number(process.env.CALENDAR_BATCH_COMPLAINTS ?? 1_000);
const FRESH = (TOTAL * 70) / 100;
const OVERDUE = (TOTAL * 29) / 100;
const ALREADY = TOTAL - FRESH - OVERDUE;

/** The first working day (no holidays) after the London date of `epochMs`. */
function nextWorkingDate(epochMs: number): string {
  let day = shiftIsoDate(londonDate(epochMs), 1);
  while (!isWorkingDay(day, [])) day = shiftIsoDate(day, 1);
  return day;
}

/** Starts `count` complaints concurrently (a few dozen at a time), as the harness starts one. */
async function startMany(count: number, overrides: Parameters<ComplaintHarness['input']>[0]): Promise<string[]> {
  const refs: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const inputs = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, () => h.input({ procedure: SPSO, ...overrides })),
    );
    await Promise.all(inputs.map((input) => h.startComplaint(input)));
    refs.push(...inputs.map((input) => input.ref));
  }
  return refs;
}

/** Waits in real time for the batch to finish (awaiting its result would let the server skip time meanwhile). */
async function finished(workflowId: string): Promise<CalendarChangeCounts> {
  for (;;) {
    const { result } = await calendarChangeStatus(env.client, workflowId);
    if (result) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function noticesOf(refs: string[]): number {
  const wanted = new Set(refs);
  return h.recorded.notices.filter((notice) => wanted.has(notice.ref)).length;
}

async function statesOf(refs: string[]): Promise<ComplaintState[]> {
  const states: ComplaintState[] = [];
  for (let i = 0; i < refs.length; i += 100) {
    const slice = refs.slice(i, i + 100);
    states.push(
      ...(await Promise.all(slice.map((ref) => env.client.workflow.getHandle(ref).query(complaintStateQuery)))),
    );
  }
  return states;
}

describe('a calendar change run twice', () => {
  it('the second run reports the same and records nothing more (each complaint answers the Update id it took)', async () => {
    const refs = await startMany(5, {});
    const day = nextWorkingDate(await h.now());
    const change = { add: [day], remove: [], actor: manager };
    const first = await startCalendarChange(env.client, change, { taskQueue: BATCH_QUEUE, pageSize: 2 });
    const counts = await finished(first.workflowId);
    expect(counts).toMatchObject({ complaints: 5, retimed: 5, failed: 0 });
    const again = await startCalendarChange(env.client, change, { taskQueue: BATCH_QUEUE, pageSize: 2 });
    expect(again.workflowId).toBe(first.workflowId);
    expect(again.runId).not.toBe(first.runId);
    expect(await finished(again.workflowId)).toEqual(counts);
    for (const state of await statesOf(refs)) {
      expect(state.timeline.filter((e) => e.type === 'calendar-updated')).toHaveLength(1);
      await env.client.workflow
        .getHandle(state.ref)
        .executeUpdate(actionUpdates.withdraw, { args: [{ actor: manager }] });
    }
  });
});

describe('a calendar change over 1,000 open complaints', () => {
  it('re-times those it affects once, fires nothing twice, and reports what it did', async () => {
    const now = await h.now();
    // Overdue: received 12 days ago, recorded now; Stage 1's breach fires at once (a passed deadline has no reminder).
    const overdueReceived = now - 12 * DAY_MS;
    const overdueDay = nextWorkingDate(overdueReceived);
    const freshDay = nextWorkingDate(now);
    const fresh = await startMany(FRESH, {});
    const overdue = await startMany(OVERDUE, { receivedAt: new Date(overdueReceived).toISOString() });
    const already = await startMany(ALREADY, { holidays: [overdueDay, freshDay].sort() });
    const sample = fresh.filter((_, i) => i % 50 === 0);
    const sampleBefore = new Map((await statesOf(sample)).map((s) => [s.ref, s.stages[0]!.response.dueAt]));

    const { workflowId } = await startCalendarChange(
      env.client,
      { add: [freshDay, overdueDay], remove: [], actor: manager },
      { taskQueue: BATCH_QUEUE, pageSize: 200 },
    );
    const counts = await finished(workflowId);
    expect(counts).toEqual({
      complaints: FRESH + OVERDUE + ALREADY,
      retimed: FRESH,
      calendarOnly: OVERDUE,
      untouched: ALREADY,
      failed: 0,
      failedRefs: [],
    });
    for (const state of await statesOf(sample)) {
      expect(state.holidays).toContain(freshDay);
      expect(Date.parse(state.stages[0]!.response.dueAt)).toBeGreaterThan(Date.parse(sampleBefore.get(state.ref)!));
    }

    // Every deadline comes and goes: each complaint has one reminder (none when it was recorded overdue) and one
    // breach, so one notice of each; a second of either would be another notice (another id: another due time).
    await env.sleep(20 * DAY_MS);
    const all = [...fresh, ...overdue, ...already];
    const expectedNotices = 2 * (FRESH + ALREADY) + OVERDUE;
    await h.recorded.waitFor(() => noticesOf(all) >= expectedNotices, 60_000);
    const kinds = new Map<string, string[]>();
    for (const notice of h.recorded.notices) kinds.set(notice.ref, [...(kinds.get(notice.ref) ?? []), notice.kind]);
    for (const ref of all) {
      const expected = overdue.includes(ref) ? ['response-overdue'] : ['response-reminder', 'response-overdue'];
      expect(kinds.get(ref), ref).toEqual(expected);
    }
    expect(noticesOf(all)).toBe(expectedNotices);
    // And the timelines say the same (a sample of each kind).
    for (const state of await statesOf([...sample, ...overdue.slice(0, 10), ...already])) {
      const clock = state.timeline.filter((e) => e.type === 'reminder-issued' || e.type === 'deadline-breached');
      expect(clock.length, state.ref).toBe(overdue.includes(state.ref) ? 1 : 2);
      const updated = state.timeline.filter((e) => e.type === 'calendar-updated').length;
      expect(updated, state.ref).toBe(already.includes(state.ref) ? 0 : 1);
    }
  }, 600_000);
});
