import { isDeepStrictEqual } from 'node:util';
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  ScheduleOverlapPolicy,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';

// The Temporal Schedules the engine runs. Made by the worker at start (worker/main.ts), so `npm start` and every
// deployment has them without a separate step; creating one is idempotent, so each worker of a deployment doing
// it is harmless. An operator pauses one with `temporal schedule toggle --schedule-id <id> --pause --reason ...`;
// the worker's next start leaves a paused schedule paused (the pause is state, not a setting compared here).

export const REGISTER_RECONCILIATION_SCHEDULE_ID = 'register-reconciliation';
/** Issue 14: erases closed complaints whose retention period ended, deletes their workflows (workflows/retention.ts). */
export const RETENTION_SCHEDULE_ID = 'retention';

/** A daily schedule: its id (also the id of the workflow it starts), the workflow's type and when, London time. */
interface DailySchedule {
  id: string;
  /** The workflow function's name in workflows/index.ts (named here so this module loads no workflow code). */
  workflowType: string;
  hour: number;
  minute: number;
}

/** Daily at 03:00 Europe/London (after midnight's batches, before the working day). */
const RECONCILIATION: DailySchedule = {
  id: REGISTER_RECONCILIATION_SCHEDULE_ID,
  workflowType: 'registerReconciliationWorkflow',
  hour: 3,
  minute: 0,
};
/** Daily at 04:00 Europe/London: after the reconciliation, so the register it judges by is whole. */
const RETENTION: DailySchedule = { id: RETENTION_SCHEDULE_ID, workflowType: 'retentionWorkflow', hour: 4, minute: 0 };

const specOf = (daily: DailySchedule): ScheduleSpec => ({
  calendars: [{ hour: daily.hour, minute: daily.minute, comment: `daily ${String(daily.hour).padStart(2, '0')}:00` }],
  timezone: 'Europe/London',
});
/** A run still going is not doubled; a server down at its time catches up within the day, and not days later. */
const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
const CATCHUP_WINDOW_MS = 86_400_000;

function action(daily: DailySchedule, taskQueue: string): ScheduleOptionsStartWorkflowAction<() => Promise<unknown>> {
  return { type: 'startWorkflow', workflowType: daily.workflowType, workflowId: daily.id, taskQueue, args: [] };
}

/** Whether a described schedule already has the settings this version wants. */
function hasSettings(described: ScheduleDescription, daily: DailySchedule, taskQueue: string): boolean {
  const calendars = described.spec.calendars ?? [];
  const [calendar] = calendars;
  const one = (value: number) => [{ start: value, end: value, step: 1 }];
  return (
    calendars.length === 1 &&
    isDeepStrictEqual(calendar?.hour, one(daily.hour)) &&
    isDeepStrictEqual(calendar?.minute, one(daily.minute)) &&
    isDeepStrictEqual(calendar?.second, one(0)) &&
    (described.spec.intervals ?? []).length === 0 &&
    described.spec.timezone === 'Europe/London' &&
    described.policies.overlap === policies.overlap &&
    described.policies.catchupWindow === CATCHUP_WINDOW_MS &&
    described.action.type === 'startWorkflow' &&
    described.action.workflowType === daily.workflowType &&
    described.action.taskQueue === taskQueue
  );
}

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged';

/** Creates a daily schedule, or updates it when it exists with other settings. */
async function ensureDailySchedule(client: Client, daily: DailySchedule, taskQueue: string): Promise<ScheduleOutcome> {
  const spec = specOf(daily);
  try {
    await client.schedule.create({ scheduleId: daily.id, spec, policies, action: action(daily, taskQueue) });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(daily.id);
  if (hasSettings(await handle.describe(), daily, taskQueue)) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, policies, action: action(daily, taskQueue) }));
  return 'updated';
}

/** Creates the daily reconciliation schedule, or updates it when it exists with other settings. */
export function ensureReconciliationSchedule(client: Client, taskQueue: string): Promise<ScheduleOutcome> {
  return ensureDailySchedule(client, RECONCILIATION, taskQueue);
}

/** Creates the daily retention schedule (04:00 London), or updates it when it exists with other settings. */
export function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<ScheduleOutcome> {
  return ensureDailySchedule(client, RETENTION, taskQueue);
}
