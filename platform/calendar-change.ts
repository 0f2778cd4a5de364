import { createHash } from 'node:crypto';
import { type Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import type { CalendarChange, CalendarChangeCounts } from '../activities/contract';
import type { Actor } from '../domain/vocabulary';
import type { calendarChangeWorkflow, CalendarChangeProgress } from '../workflows/calendar-change';

// Starting a calendar change (workflows/calendar-change.ts) from a client: `npm run calendar` and
// POST /calendar/changes. The same days added and removed are the same change: one workflow id, so asking twice
// while it runs gives the running batch, and each complaint's Update id is the same.

/** The workflow function's name in workflows/index.ts (named here so that this module loads no workflow code). */
export const CALENDAR_CHANGE_WORKFLOW_TYPE = 'calendarChangeWorkflow';
const PROGRESS_QUERY = 'calendarChangeProgress';

export interface CalendarChangeRequest {
  add: readonly string[];
  remove: readonly string[];
  actor: Actor;
}

/** The change's id: a hash of the days added and removed (sorted, without repeats). */
export function calendarChangeId(request: Pick<CalendarChangeRequest, 'add' | 'remove'>): string {
  const days = (list: readonly string[]) => [...new Set(list)].sort();
  const canonical = JSON.stringify({ add: days(request.add), remove: days(request.remove) });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export const calendarChangeWorkflowId = (id: string) => `calendar-change:${id}`;

/**
 * Starts the batch, or finds it running. A change run to its end before may be run again: each complaint answers
 * the change's Update id with its first answer (while its run keeps it), so nothing is applied twice.
 */
export async function startCalendarChange(
  client: Client,
  request: CalendarChangeRequest,
  options: { taskQueue: string; pageSize?: number },
): Promise<{ workflowId: string; runId: string; change: CalendarChange }> {
  const id = calendarChangeId(request);
  const change: CalendarChange = {
    id,
    add: [...new Set(request.add)].sort(),
    remove: [...new Set(request.remove)].sort(),
    actor: request.actor,
  };
  const workflowId = calendarChangeWorkflowId(id);
  const handle = await client.workflow.start<typeof calendarChangeWorkflow>(CALENDAR_CHANGE_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: options.taskQueue,
    args: [{ change, ...(options.pageSize ? { pageSize: options.pageSize } : {}) }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  return { workflowId, runId: handle.firstExecutionRunId, change };
}

/** Where a calendar change stands: its counts so far, and its result once done. */
export async function calendarChangeStatus(
  client: Client,
  workflowId: string,
): Promise<{ status: string; progress: CalendarChangeProgress | null; result: CalendarChangeCounts | null }> {
  const handle = client.workflow.getHandle<typeof calendarChangeWorkflow>(workflowId);
  const description = await handle.describe();
  const status = description.status.name;
  if (status === 'COMPLETED') {
    const result = await handle.result();
    return { status, progress: { ...result, pages: 0, done: true }, result };
  }
  const progress = status === 'RUNNING' ? await handle.query<CalendarChangeProgress>(PROGRESS_QUERY) : null;
  return { status, progress, result: null };
}
