import { isDeepStrictEqual } from 'node:util';
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  ScheduleOverlapPolicy,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { registerReconciliationWorkflow } from '../workflows/register-reconciliation';

// The Temporal Schedules the engine runs. Made by the worker at start (worker/main.ts), so `npm start` and every
// deployment has them without a separate step; creating one is idempotent, so each worker of a deployment doing
// it is harmless. An operator pauses one with `temporal schedule toggle --schedule-id <id> --pause --reason ...`;
// the worker's next start leaves a paused schedule paused (the pause is state, not a setting compared here).

export const REGISTER_RECONCILIATION_SCHEDULE_ID = 'register-reconciliation';
/** The workflow function's name in workflows/index.ts (named here so this module loads no workflow code). */
const REGISTER_RECONCILIATION_WORKFLOW_TYPE = 'registerReconciliationWorkflow';

/** Daily at 03:00 Europe/London (after midnight's batches, before the working day). */
const spec: ScheduleSpec = { calendars: [{ hour: 3, minute: 0, comment: 'daily 03:00' }], timezone: 'Europe/London' };
/** A run still going is not doubled; a server down at 03:00 catches up within the day, and not days later. */
const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
const CATCHUP_WINDOW_MS = 86_400_000;

function action(taskQueue: string): ScheduleOptionsStartWorkflowAction<typeof registerReconciliationWorkflow> {
  return {
    type: 'startWorkflow',
    workflowType: REGISTER_RECONCILIATION_WORKFLOW_TYPE,
    workflowId: REGISTER_RECONCILIATION_SCHEDULE_ID,
    taskQueue,
    args: [],
  };
}

/** Whether a described schedule already has the settings this version wants. */
function hasSettings(described: ScheduleDescription, taskQueue: string): boolean {
  const calendars = described.spec.calendars ?? [];
  const [calendar] = calendars;
  const one = (value: number) => [{ start: value, end: value, step: 1 }];
  return (
    calendars.length === 1 &&
    isDeepStrictEqual(calendar?.hour, one(3)) &&
    isDeepStrictEqual(calendar?.minute, one(0)) &&
    isDeepStrictEqual(calendar?.second, one(0)) &&
    (described.spec.intervals ?? []).length === 0 &&
    described.spec.timezone === spec.timezone &&
    described.policies.overlap === policies.overlap &&
    described.policies.catchupWindow === CATCHUP_WINDOW_MS &&
    described.action.type === 'startWorkflow' &&
    described.action.workflowType === REGISTER_RECONCILIATION_WORKFLOW_TYPE &&
    described.action.taskQueue === taskQueue
  );
}

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged';

/** Creates the daily reconciliation schedule, or updates it when it exists with other settings. */
export async function ensureReconciliationSchedule(client: Client, taskQueue: string): Promise<ScheduleOutcome> {
  try {
    await client.schedule.create({
      scheduleId: REGISTER_RECONCILIATION_SCHEDULE_ID,
      spec,
      policies,
      action: action(taskQueue),
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(REGISTER_RECONCILIATION_SCHEDULE_ID);
  if (hasSettings(await handle.describe(), taskQueue)) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, policies, action: action(taskQueue) }));
  return 'updated';
}
