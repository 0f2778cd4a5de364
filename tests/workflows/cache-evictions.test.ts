// A worker whose workflow cache holds two complaints, fewer than are running, so that nearly every workflow task
// finds its complaint evicted and replays it from its history first: what a worker with a cache smaller than its
// open complaints does all day (WORKER_MAX_CACHED_WORKFLOWS). Actions and a burst of reminder timers go on
// meanwhile; every action and every reminder must be recorded exactly once, in the workflow and in the register,
// and every notice sent once. The memory that a cache size bounds is measured by the benchmark's scale phase.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplaintState } from '../../domain/complaint';
import { executeUpdateForState } from '../../platform/complaint-actions';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { ComplaintHarness, DAY_MS, officer } from '../support/complaint-harness';
import { startTimeSkippingServer } from '../support/temporal';

const COMPLAINTS = 12;
const CACHE = 2;

let env: TestWorkflowEnvironment;
let h: ComplaintHarness;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  h = new ComplaintHarness(env);
  // The SDK wants no more concurrent workflow tasks than cached workflows.
  await h.start(undefined, { maxCachedWorkflows: CACHE, maxConcurrentWorkflowTaskExecutions: CACHE });
});

afterAll(async () => {
  await h?.stop();
  await env?.teardown();
});

const count = (state: ComplaintState, type: string) => state.timeline.filter((entry) => entry.type === type).length;

describe(`a workflow cache of ${CACHE} under ${COMPLAINTS} complaints`, () => {
  it('records every action and every reminder once, in the workflow and in the register', async () => {
    const handles = await Promise.all(
      Array.from({ length: COMPLAINTS }, async () => h.startComplaint(await h.input())),
    );
    // Half are acknowledged, all at once: each Update lands on a complaint the cache has just evicted.
    const acknowledged = handles.filter((_, i) => i % 2 === 0);
    await Promise.all(
      acknowledged.map((handle) =>
        executeUpdateForState(handle, actionUpdates.acknowledge, { args: [{ actor: officer }] }),
      ),
    );
    // Day 4: the other half's acknowledgement reminders fall due at one instant.
    await env.sleep(4 * DAY_MS + 60_000);

    for (const handle of handles) {
      const state = await handle.query(complaintStateQuery);
      const isAcknowledged = acknowledged.includes(handle);
      expect(count(state, 'acknowledged'), state.ref).toBe(isAcknowledged ? 1 : 0);
      expect(count(state, 'reminder-issued'), state.ref).toBe(isAcknowledged ? 0 : 1);
      // The register holds the timeline the workflow holds: nothing lost, nothing twice.
      const register = (h.recorded.entries.get(state.ref) ?? []).map((entry) => [entry.seq, entry.type]);
      expect(register.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
        state.timeline.map((entry) => [entry.seq, entry.type]),
      );
    }
    const noticeIds = h.recorded.notices.map((notice) => notice.id);
    expect(noticeIds.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(new Set(noticeIds).size).toBe(noticeIds.length);
  });
});
