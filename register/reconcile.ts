import { isDeepStrictEqual } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { registerSnapshot } from '../activities/contract';
import type { ComplaintState, TimelineEntry } from '../domain/complaint';
import { getProcedure } from '../domain/procedures';
import { complaintStateQuery } from '../workflows/messages';
import { COMPLAINT_WORKFLOW_TYPE } from '../workflows/start-options';
import type { ReconciliationSummary } from '../activities/contract';
import type { ReconciliationRun, Register } from './index';

// The reconciliation (issue 18): the register against Temporal, complaint by complaint. Temporal's truth is the
// workflow's own state: by its query while it runs, by its result once it has completed (the result follows
// continue-as-new), and by the query again for a run that ended otherwise (terminated, failed: a worker replays it).
// Differences are reported entry by entry; with `repair` the register's timeline and row for that complaint are
// rewritten from Temporal's. A complaint Temporal no longer has (past its retention) is the register's alone: it is
// reported and never touched.

export interface ReconcileSelection {
  /** These complaints. */
  refs?: readonly string[];
  /** The complaints open in Temporal, and those the register holds as open. */
  open?: boolean;
  /** The complaints received in [from, to) by the register, and those whose workflow started then by Temporal. */
  from?: string;
  to?: string;
}

export type DifferenceKind =
  | 'missing' // in Temporal's timeline, not in the register
  | 'extra' // in the register, not in Temporal's timeline
  | 'different' // both have the seq, with another type, time, actor or content
  | 'snapshot-behind' // the register's row is not the complaint as Temporal has it
  | 'not-in-temporal'; // the register has a complaint Temporal does not (past retention, or never started)

export interface Difference {
  ref: string;
  kind: DifferenceKind;
  seq?: number;
  detail: string;
}

export interface ReconcileReport {
  checked: number;
  differences: Difference[];
  /** The complaints rewritten from Temporal (with `repair`). */
  repaired: string[];
  /** Complaints whose truth could not be read (no worker to answer a query, say), with why. */
  unreadable: Array<{ ref: string; reason: string }>;
}

export interface ReconcileOptions {
  repair?: boolean;
  /** Keep the result in the register as this run's (the daily Schedule's or the command's), for /metrics. */
  recordAs?: ReconciliationRun['by'];
  /** Called per complaint checked (progress for the command line). */
  onChecked?: (ref: string, differences: readonly Difference[]) => void;
}

const TERMINAL_STATUSES = ['closed', 'withdrawn'];

export async function reconcile(
  client: Client,
  register: Register,
  selection: ReconcileSelection,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const refs = await selectRefs(client, register, selection);
  const report: ReconcileReport = { checked: 0, differences: [], repaired: [], unreadable: [] };
  for (const ref of refs) {
    // Taken before Temporal is read: a batch the workflow begins writing after it is newer than the repair.
    const readAtMs = Date.now();
    let truth: ComplaintState | undefined;
    try {
      truth = await temporalState(client, ref);
    } catch (err) {
      report.unreadable.push({ ref, reason: (err as Error).message });
      continue;
    }
    report.checked += 1;
    const registered = await register.timeline(ref);
    const snapshot = await register.complaint(ref);
    const differences = truth
      ? compare(ref, truth, registered, snapshot)
      : registered.length > 0 || snapshot
        ? [{ ref, kind: 'not-in-temporal' as const, detail: 'Temporal has no workflow for it (past retention?)' }]
        : [];
    report.differences.push(...differences);
    options.onChecked?.(ref, differences);
    const repairable = differences.some((d) => d.kind !== 'not-in-temporal');
    if (options.repair && truth && repairable) {
      const entries = JSON.parse(JSON.stringify(truth.timeline)) as TimelineEntry[];
      const rebuilt = registerSnapshot(truth, getProcedure(truth.procedure));
      await register.replaceComplaint(ref, entries, rebuilt, { startedAtMs: readAtMs, by: 'reconcile' });
      report.repaired.push(ref);
    }
  }
  if (options.recordAs) {
    const { checked, repaired, unreadable, byKind } = summarize(report);
    const finishedAt = new Date().toISOString();
    await register.recordReconciliation({ finishedAt, by: options.recordAs, checked, repaired, unreadable, byKind });
  }
  return report;
}

/** Every kind of difference, so that a kind found in none reads 0 (not absent) in the counts. */
export const DIFFERENCE_KINDS: readonly DifferenceKind[] = [
  'missing',
  'extra',
  'different',
  'snapshot-behind',
  'not-in-temporal',
];

/** A report as counts (no entry's content): what the Schedule's run returns and the register keeps. */
export function summarize(report: ReconcileReport): ReconciliationSummary {
  const byKind: Record<string, number> = Object.fromEntries(DIFFERENCE_KINDS.map((kind) => [kind, 0]));
  for (const d of report.differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  return {
    checked: report.checked,
    differences: report.differences.length,
    complaintsDiffering: new Set(report.differences.map((d) => d.ref)).size,
    repaired: report.repaired.length,
    unreadable: report.unreadable.length,
    byKind,
  };
}

/** The complaint as Temporal holds it; undefined when Temporal has no workflow of that id. */
export async function temporalState(client: Client, ref: string): Promise<ComplaintState | undefined> {
  const handle = client.workflow.getHandle(ref);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  if (status === 'COMPLETED') return (await handle.result()) as ComplaintState;
  return handle.query(complaintStateQuery);
}

/** The differences between Temporal's timeline and the register's, seq by seq, then the row. */
export function compare(
  ref: string,
  truth: ComplaintState,
  registered: readonly TimelineEntry[],
  snapshot: { lastSeq: number; status: string } | undefined,
): Difference[] {
  const differences: Difference[] = [];
  const stored = new Map(registered.map((entry) => [entry.seq, entry]));
  const expected = new Map(truth.timeline.map((entry) => [entry.seq, entry]));
  const seqs = [...new Set([...expected.keys(), ...stored.keys()])].sort((a, b) => a - b);
  for (const seq of seqs) {
    const want = expected.get(seq);
    const have = stored.get(seq);
    if (want && !have) differences.push({ ref, seq, kind: 'missing', detail: `${want.type} at ${want.at}` });
    else if (have && !want) differences.push({ ref, seq, kind: 'extra', detail: `${have.type} at ${have.at}` });
    else if (want && have && !isDeepStrictEqual(JSON.parse(JSON.stringify(want)), have)) {
      const fields = [
        want.type !== have.type && 'type',
        want.at !== have.at && 'time',
        want.actor.id !== have.actor.id && 'actor',
      ].filter(Boolean);
      const what = fields.length > 0 ? fields.join(', ') : 'content';
      differences.push({
        ref,
        seq,
        kind: 'different',
        detail: `${what}: register ${have.type} at ${have.at} by ${have.actor.id}, Temporal ${want.type} at ${want.at} by ${want.actor.id}`,
      });
    }
  }
  const lastSeq = truth.timeline.length;
  if (!snapshot || snapshot.lastSeq !== lastSeq || snapshot.status !== truth.status) {
    const held = snapshot ? `seq ${snapshot.lastSeq}, ${snapshot.status}` : 'none';
    differences.push({
      ref,
      kind: 'snapshot-behind',
      detail: `register row ${held}; Temporal seq ${lastSeq}, ${truth.status}`,
    });
  }
  return differences;
}

async function selectRefs(client: Client, register: Register, selection: ReconcileSelection): Promise<string[]> {
  const refs = new Set<string>(selection.refs ?? []);
  const byPeriod = selection.from !== undefined || selection.to !== undefined;
  const open = selection.open ?? (refs.size === 0 && !byPeriod);
  const clauses = [`WorkflowType = '${COMPLAINT_WORKFLOW_TYPE}'`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (open) {
    for (const ref of await listWorkflowIds(client, [...clauses, `ExecutionStatus = 'Running'`])) refs.add(ref);
    for (const ref of await register.refsWithStatusOtherThan(TERMINAL_STATUSES)) refs.add(ref);
  }
  if (byPeriod) {
    const period = {
      ...(selection.from ? { from: selection.from } : {}),
      ...(selection.to ? { to: selection.to } : {}),
    };
    for (const ref of await register.refsReceived(period)) refs.add(ref);
    const started = [...clauses];
    if (selection.from) started.push(`StartTime >= '${new Date(selection.from).toISOString()}'`);
    if (selection.to) started.push(`StartTime < '${new Date(selection.to).toISOString()}'`);
    for (const ref of await listWorkflowIds(client, started)) refs.add(ref);
  }
  return [...refs].sort();
}

async function listWorkflowIds(client: Client, clauses: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) ids.push(execution.workflowId);
  return ids;
}
