import { Context } from '@temporalio/activity';
import { type Client, isGrpcServiceError, type WorkflowHandle } from '@temporalio/client';
import { complimentRetentionDue, retentionDue, type RetentionSchedule } from '../domain/retention';
import type { ServiceArea } from '../domain/vocabulary';
import type { Register } from '../register';
import type { RetentionActivities } from './contract';

// Retention (issue 14): which closed complaints are due (domain/retention.ts over the register's closed complaints),
// and applying it to one: its data key destroyed and the erasure logged (platform/personal-data.ts PersonalData.erase,
// the destruction log), then each of its workflow runs deleted from Temporal, newest first, following the chain of
// continue-as-new back to the first. Idempotent: a retried attempt finds the key destroyed and the runs gone.
// A Temporal that cannot delete executions (UNIMPLEMENTED: the time-skipping test server) leaves the erasure standing
// (the runs' personal fields are unreadable without the key) and the deletion unrecorded, so each run tries it again.

export interface RetentionDependencies {
  /** The Temporal client, asked for only when the activity runs (the worker connects it lazily). */
  client: () => Promise<Client>;
  register: Pick<Register, 'closedComplaints' | 'recordWorkflowDeleted' | 'personalData' | 'heldCompliments'>;
  schedule: RetentionSchedule;
  /** The wall clock of the erasure's log line (tests may fix it). */
  now?: () => Date;
}

const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;
const RETENTION_ACTOR = { id: 'retention-schedule', name: 'Retention schedule', role: 'system' };

/** The ids of a complaint's runs, newest first (each run's first event names the run it continued). */
async function runsOf(client: Client, ref: string): Promise<string[]> {
  const runs: string[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(ref).describe()).runId;
  while (runId && !runs.includes(runId)) {
    runs.push(runId);
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await client.workflow
      .getHandle(ref, runId)
      .fetchHistory();
    const previous: string | null | undefined =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    runId = previous || undefined;
  }
  return runs;
}

const hasGrpcCode = (error: unknown, code: number) =>
  (isGrpcServiceError(error) && error.code === code) ||
  (isGrpcServiceError((error as { cause?: unknown }).cause) &&
    (error as { cause: { code: number } }).cause.code === code);

const isNotFound = (error: unknown) =>
  (error as { name?: string }).name === 'WorkflowNotFoundError' || hasGrpcCode(error, NOT_FOUND);

/** How many runs were deleted; null when this Temporal does not implement deleting executions. */
async function deleteRuns(client: Client, ref: string): Promise<number | null> {
  let runs: string[];
  try {
    runs = await runsOf(client, ref);
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
  for (const runId of runs) {
    try {
      await client.workflowService.deleteWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId: ref, runId },
      });
    } catch (error) {
      if (hasGrpcCode(error, UNIMPLEMENTED)) return null;
      if (!isNotFound(error)) throw error;
    }
  }
  return runs.length;
}

export function createRetentionActivities({
  client,
  register,
  schedule,
  now = () => new Date(),
}: RetentionDependencies): RetentionActivities {
  return {
    complaintsDueForRetention: async ({ asOf, afterRef, limit }) => {
      const page = await register.closedComplaints({ ...(afterRef ? { afterRef } : {}), limit });
      const due = page.flatMap((complaint) => {
        const judged = retentionDue(
          schedule,
          { ...complaint, serviceArea: complaint.serviceArea as ServiceArea },
          asOf,
        );
        return judged.due ? [{ ref: complaint.ref, closedAt: complaint.closedAt, rule: judged.rule }] : [];
      });
      return { due, lastRef: page.length < limit ? null : (page[page.length - 1]?.ref ?? null) };
    },
    applyRetention: async ({ ref, closedAt, rule }) => {
      await register.personalData.erase(ref, {
        at: now(),
        by: RETENTION_ACTOR,
        rule,
        reason: `retention period ended (${rule})`,
        closedAt,
      });
      const runsDeleted = await deleteRuns(await client(), ref);
      if (runsDeleted === null) {
        Context.current().log.warn('Retention: this Temporal cannot delete executions; runs kept, erased', { ref });
        return { runsDeleted: 0 };
      }
      await register.recordWorkflowDeleted(ref, now());
      // References only (the destruction log has the rest).
      Context.current().log.info('Retention applied', { ref, runsDeleted });
      return { runsDeleted };
    },
    applyComplimentRetention: async ({ asOf, after, limit }) => {
      const page = await register.heldCompliments({ asOf, ...(after ? { after } : {}), limit });
      let erased = 0;
      for (const { id, receivedAt } of page) {
        const judged = complimentRetentionDue(schedule, receivedAt, asOf);
        if (!judged.due) continue;
        await register.personalData.erase(id, {
          at: now(),
          by: RETENTION_ACTOR,
          rule: judged.rule,
          reason: `retention period ended (${judged.rule})`,
        });
        erased += 1;
      }
      if (erased > 0) Context.current().log.info('Retention applied to compliments', { erased });
      const last = page.length < limit ? null : page[page.length - 1]!;
      return { erased, last };
    },
  };
}
