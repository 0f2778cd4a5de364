// The daily reconciliation (issue 18) as a Temporal Schedule, on the dev server with the real worker, its
// activities (the reconciliation's holding its own Temporal client) and a register on disk: the schedule's spec,
// its idempotent creation, and a triggered run that repairs an orphan entry written straight into the register.
import { Client, ScheduleOverlapPolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReconciliationActivities } from '../../activities';
import type { ReconciliationSummary } from '../../activities/contract';
import type { ComplaintState, TimelineEntry } from '../../domain/complaint';
import { waitForRegister } from '../../devtools/scenario-replay/register-sync';
import { ensureReconciliationSchedule, REGISTER_RECONCILIATION_SCHEDULE_ID } from '../../platform/schedules';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../api/app';
import type { ComplaintService } from '../../api/complaint-service';
import { createMetrics } from '../../api/metrics';
import { openRegister, type Register } from '../../register';
import { people, testTokens } from '../support/api';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { type ComplaintHarness, officer } from '../support/complaint-harness';
import { startRegisterStack, type RegisterStack } from '../support/register-stack';

let stack: RegisterStack;
let env: TestWorkflowEnvironment;
let h: ComplaintHarness;
let register: Register;
let clientsMade = 0;

beforeAll(async () => {
  stack = await startRegisterStack('reconcile-schedule-test', (server, store) => {
    const client = () => {
      clientsMade += 1;
      return Promise.resolve(
        new Client({ connection: server.client.connection, namespace: server.namespace ?? 'default' }),
      );
    };
    return createReconciliationActivities({ client, register: store });
  });
  ({ env, h, register } = stack);
}, 120_000);

afterAll(async () => {
  await env?.client.schedule
    .getHandle(REGISTER_RECONCILIATION_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await stack?.stop();
});

const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const rawStore = () => stack.rawStore();

async function schedules(): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of env.client.schedule.list()) ids.push(s.scheduleId);
  return ids.filter((id) => id === REGISTER_RECONCILIATION_SCHEDULE_ID);
}

/** What an operator's scrape of the API's /metrics reads from `register` (an auditor's token; it never asks Temporal). */
async function metricsOver(register: Register): Promise<string> {
  const app = await buildApp({
    complaints: {} as ComplaintService,
    tokens: testTokens(),
    register,
    metrics: createMetrics({ defaultMetrics: false }),
  });
  try {
    const metrics = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${people.auditor.token}` },
    });
    expect(metrics.statusCode).toBe(200);
    return metrics.body;
  } finally {
    await app.close();
  }
}

describe('the daily reconciliation schedule', () => {
  it('is created once: daily at 03:00 Europe/London, overlap SKIP, catch-up one day; again is unchanged, other settings are updated', async () => {
    expect(await ensureReconciliationSchedule(env.client, h.taskQueue)).toBe('created');
    expect(await ensureReconciliationSchedule(env.client, h.taskQueue)).toBe('unchanged');
    expect(await schedules()).toEqual([REGISTER_RECONCILIATION_SCHEDULE_ID]);

    const handle = env.client.schedule.getHandle(REGISTER_RECONCILIATION_SCHEDULE_ID);
    const described = await handle.describe();
    expect(described.spec.timezone).toBe('Europe/London');
    expect(described.spec.calendars).toHaveLength(1);
    expect(described.spec.calendars?.[0]?.hour).toEqual([{ start: 3, end: 3, step: 1 }]);
    expect(described.spec.calendars?.[0]?.minute).toEqual([{ start: 0, end: 0, step: 1 }]);
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(described.policies.catchupWindow).toBe(86_400_000);
    expect(described.action).toMatchObject({ workflowType: 'registerReconciliationWorkflow', taskQueue: h.taskQueue });
    // The next action is at 03:00 London time.
    const next = described.info.nextActionTimes[0]!;
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeStyle: 'short' }).format(next)).toBe(
      '03:00',
    );

    // A schedule left by an older version (another hour, overlap allowed) is brought to these settings; an
    // operator's pause stays.
    await handle.pause('maintenance');
    await handle.update((previous) => ({
      ...previous,
      spec: { calendars: [{ hour: 5 }], timezone: 'UTC' },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    }));
    expect(await ensureReconciliationSchedule(env.client, h.taskQueue)).toBe('updated');
    const again = await handle.describe();
    expect(again.spec.timezone).toBe('Europe/London');
    expect(again.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(again.state.paused).toBe(true);
    await handle.unpause();
    expect(await ensureReconciliationSchedule(env.client, h.taskQueue)).toBe('unchanged');
    expect(await schedules()).toEqual([REGISTER_RECONCILIATION_SCHEDULE_ID]);
  }, 60_000);

  it('triggered, runs the reconciliation with repair: an orphan entry written into the register is gone', async () => {
    const input = await h.input();
    const complaint = await h.startComplaint(input, true);
    await complaint.executeUpdate(actionUpdates['add-note'], { args: [{ actor: officer, text: 'Note 1' }] });
    await waitForRegister(env.client, register, [input.ref]);
    const state: ComplaintState = await complaint.query(complaintStateQuery);
    const last = state.timeline[state.timeline.length - 1]!;
    const orphan = { ...last, seq: last.seq + 1, type: 'note-added', text: 'never happened' } as TimelineEntry;
    await rawStore().query(
      `INSERT INTO complaint_entries (ref, seq, at, type, actor_id, entry) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [input.ref, orphan.seq, orphan.at, orphan.type, orphan.actor.id, JSON.stringify(orphan)],
    );
    expect((await register.timeline(input.ref)).length).toBe(state.timeline.length + 1);

    await ensureReconciliationSchedule(env.client, h.taskQueue);
    const handle = env.client.schedule.getHandle(REGISTER_RECONCILIATION_SCHEDULE_ID);
    const before = clientsMade;
    await handle.trigger();
    // The Schedule names each run `register-reconciliation-<time>`: its recent actions say which.
    let started: { workflowId: string; firstExecutionRunId: string } | undefined;
    for (let i = 0; i < 100 && !started; i++) {
      started = (await handle.describe()).info.recentActions[0]?.action.workflow;
      if (!started) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(started?.workflowId).toMatch(/^register-reconciliation/);
    const summary = (await env.client.workflow
      .getHandle(started!.workflowId, started!.firstExecutionRunId)
      .result()) as ReconciliationSummary;
    expect(clientsMade).toBe(before + 1);
    expect(summary.checked).toBeGreaterThanOrEqual(1);
    expect(summary.byKind['extra']).toBeGreaterThanOrEqual(1);
    expect(summary.repaired).toBeGreaterThanOrEqual(1);
    expect(summary.complaintsDiffering).toBeGreaterThanOrEqual(1);
    expect(plain(await register.timeline(input.ref))).toEqual(plain(state.timeline));

    // What an operator sees: the API's /metrics reads the Schedule's result from the register.
    const metrics = await metricsOver(register);
    const sample = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(sample('complaints_register_reconcile_differences\\{kind="extra"\\}')).toBe(summary.byKind['extra']);
    expect(sample('complaints_register_reconcile_differences\\{kind="different"\\}')).toBe(0);
    expect(sample('complaints_register_reconcile_repaired')).toBe(summary.repaired);
    const finished = sample('complaints_register_reconcile_last_run_timestamp_seconds\\{by="schedule"\\}');
    expect(Math.abs(finished - Date.now() / 1000)).toBeLessThan(60);
  }, 90_000);

  it('before any reconciliation, /metrics has no reconciliation samples (absent() is the alert)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'no-reconcile-'));
    const empty = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: undefined });
    try {
      const metrics = await metricsOver(empty);
      expect(metrics).toContain('# TYPE complaints_register_reconcile_last_run_timestamp_seconds gauge');
      expect(metrics).not.toMatch(/^complaints_register_reconcile_last_run_timestamp_seconds/m);
    } finally {
      await empty.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
