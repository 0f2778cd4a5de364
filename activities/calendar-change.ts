import { lastRecorded } from '../platform/complaint-actions';
import { Context } from '@temporalio/activity';
import { type Client, isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ACTION_REJECTED, actionUpdates } from '../workflows/messages';
import { COMPLAINT_WORKFLOW_TYPE } from '../workflows/start-options';
import {
  emptyCounts,
  MAX_FAILED_REFS,
  type CalendarChange,
  type CalendarChangeActivities,
  type CalendarChangeCounts,
  type OpenComplaintsPage,
} from './contract';

// A calendar change told to every open complaint: one page of complaints listed from Temporal visibility (the
// built-in attributes only, so any namespace can), then each one told through its own update-calendar Update with
// the change's id in the Update id. A complaint whose calendar already is as asked refuses it (nothing recorded).

export interface CalendarChangeDependencies {
  /** The Temporal client, asked for only when an activity runs (the worker connects it lazily). */
  client: () => Promise<Client>;
  /** Complaints told at once (each is a query and an Update). */
  concurrency?: number;
}

const UNIMPLEMENTED = 12;

export function createCalendarChangeActivities({
  client,
  concurrency = 16,
}: CalendarChangeDependencies): CalendarChangeActivities {
  return {
    listOpenComplaints: async ({ pageSize, pageToken }) => listOpenComplaints(await client(), pageSize, pageToken),
    retimeComplaints: async ({ change, refs }) => {
      const temporal = await client();
      const context = Context.current();
      // A retried attempt goes on from the last chunk the previous one reported (where the server keeps details).
      const resumed = context.info.heartbeatDetails as { next: number; counts: CalendarChangeCounts } | undefined;
      const counts = resumed?.counts ?? emptyCounts();
      for (let next = resumed?.next ?? 0; next < refs.length; next += concurrency) {
        const chunk = refs.slice(next, next + concurrency);
        const results = await Promise.all(chunk.map((ref) => retimeComplaint(temporal, ref, change)));
        chunk.forEach((ref, i) => count(counts, ref, results[i]!));
        context.heartbeat({ next: next + concurrency, counts });
      }
      return counts;
    },
  };
}

type Result = 'retimed' | 'calendarOnly' | 'untouched' | 'failed';

function count(counts: CalendarChangeCounts, ref: string, result: Result): void {
  counts.complaints += 1;
  counts[result] += 1;
  if (result === 'failed' && counts.failedRefs.length < MAX_FAILED_REFS) counts.failedRefs.push(ref);
}

/** The open complaints, a page at a time: by query where the server can, else the older list of open workflows. */
export async function listOpenComplaints(
  client: Client,
  pageSize: number,
  pageToken: string | null,
): Promise<OpenComplaintsPage> {
  const namespace = client.options.namespace;
  const token = pageToken ? Buffer.from(pageToken, 'base64') : undefined;
  let page: {
    executions: Array<{ execution?: { workflowId?: string | null } | null; type?: { name?: string | null } | null }>;
    nextPageToken?: Uint8Array | null;
  };
  try {
    page = await client.workflowService.listWorkflowExecutions({
      namespace,
      query: `WorkflowType = '${COMPLAINT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
      pageSize,
      ...(token ? { nextPageToken: token } : {}),
    });
  } catch (error) {
    // The time-skipping test server has no query visibility; it lists open workflows by type.
    if (!isGrpcServiceError(error) || error.code !== UNIMPLEMENTED) throw error;
    page = await client.workflowService.listOpenWorkflowExecutions({
      namespace,
      maximumPageSize: pageSize,
      typeFilter: { name: COMPLAINT_WORKFLOW_TYPE },
      ...(token ? { nextPageToken: token } : {}),
    });
  }
  // By type here too: the test server's list of open workflows does not filter by it.
  const refs = page.executions
    .filter((execution) => execution.type?.name === COMPLAINT_WORKFLOW_TYPE)
    .map((execution) => execution.execution?.workflowId ?? '')
    .filter(Boolean);
  const next = page.nextPageToken?.length ? Buffer.from(page.nextPageToken).toString('base64') : null;
  return { refs, nextPageToken: next };
}

/** The Update id of a change on one complaint: a resumed batch (or a second run of it) is answered, not applied again. */
export function calendarChangeUpdateId(change: Pick<CalendarChange, 'id'>): string {
  return `calendar-change:${change.id}`;
}

async function retimeComplaint(client: Client, ref: string, change: CalendarChange): Promise<Result> {
  const handle = client.workflow.getHandle(ref);
  try {
    // No query first: a complaint the change does not affect refuses the Update in its validator (calendar-unchanged),
    // which leaves no trace in its history.
    const after = await handle.executeUpdate(actionUpdates['update-calendar'], {
      args: [{ add: change.add, remove: change.remove, actor: change.actor }],
      updateId: calendarChangeUpdateId(change),
    });
    // The Update answers with the entry it recorded; the add/remove form names the deadlines it moved.
    const event = lastRecorded(after);
    if (event?.type !== 'calendar-updated') return 'untouched';
    return event.acknowledgementDueAt || event.responseDueAt ? 'retimed' : 'calendarOnly';
  } catch (error) {
    // Closed since it was listed, or changed meanwhile by someone else: nothing left to do.
    if (error instanceof WorkflowNotFoundError) return 'untouched';
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause;
      const code = cause instanceof ApplicationFailure ? (cause.details?.[0] as { code?: string })?.code : undefined;
      if (cause instanceof ApplicationFailure && cause.type === ACTION_REJECTED) {
        if (code === 'calendar-unchanged' || code === 'complaint-closed') return 'untouched';
      }
      Context.current().log.warn('A complaint refused a calendar change', { ref, code: code ?? 'unknown' });
      return 'failed';
    }
    // Temporal unavailable or the like: the activity is retried, from its last heartbeat.
    throw error;
  }
}
