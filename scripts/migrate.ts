import { stateAfter } from '../platform/complaint-actions';
// `npm run migrate -- --from dundee-swd-2011@1 --to spso-social-work-2017@1 [--dry-run] [--reason "..."] [--json]`
// Moves every open complaint on one procedure version to another by the stage mapping kept as data
// (domain/procedure-migrations). --dry-run lists, for each, its stage and deadlines before and after (worked out by the
// same rule the workflow applies, `decide`), and changes nothing. Without it each complaint is moved through its
// migrate-procedure Update (what POST /complaints/:ref/procedure does), with an Update id naming the target, so a
// second run, or one resumed after a crash, skips a complaint already moved and never moves one twice. Exit status:
// 0 done, 3 some complaints could not be moved, 2 usage, 1 failure.
import { parseArgs } from 'node:util';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { SingleBar } from 'cli-progress';
import { listOpenComplaints } from '../activities/calendar-change';
import { currentStageRecord, decide, type ComplaintState } from '../domain/complaint';
import { procedureKey } from '../domain/procedure';
import { findProcedureMigration, parseProcedureKey } from '../domain/procedure-migrations';
import { getProcedure } from '../domain/procedures';
import type { Actor } from '../domain/vocabulary';
import { loadConfigOrExit } from '../platform/config';
import { connectClient } from '../platform/temporal-connection';
import { actionUpdates, complaintStateQuery } from '../workflows/messages';
import { runCommand } from './command-line';

const USAGE =
  'usage: npm run migrate -- --from <id@version> --to <id@version> [--dry-run] [--reason <text>] [--json] [--actor <id>]';

/** A complaint's stage and deadlines, as the listing shows them. */
export interface StageDeadlines {
  procedure: string;
  stage: string;
  acknowledgementDueAt: string | null;
  responseDueAt: string;
}

export interface MigrationRow {
  ref: string;
  before: StageDeadlines;
  /** Null when the complaint is skipped or refused (see `outcome`). */
  after: StageDeadlines | null;
  outcome: 'would-move' | 'moved' | 'already-moved' | 'refused';
  reason?: string;
}

export interface MigrationOptions {
  from: string;
  to: string;
  dryRun: boolean;
  reason: string;
  actor: Actor;
  /** Complaints asked at once. */
  concurrency?: number;
  /** The time a dry run counts afresh from (default the wall clock; a test passes the time-skipping server's). */
  nowMs?: number;
  /** Called as each complaint is done (the progress bar). */
  onProgress?: (done: number, total: number) => void;
}

export interface MigrationReport {
  from: string;
  to: string;
  dryRun: boolean;
  rows: MigrationRow[];
  /** Open complaints on other procedures, not touched. */
  otherProcedures: number;
}

/** The update id of a move: one per complaint and target, so Temporal answers a repeat instead of moving it again. */
export const migrationUpdateId = (to: string) => `migrate-procedure:${to}`;

function stageDeadlines(state: ComplaintState): StageDeadlines {
  const record = currentStageRecord(state);
  return {
    procedure: procedureKey(state.procedure),
    stage: record.stage,
    acknowledgementDueAt: record.acknowledgement && !record.acknowledgement.metAt ? record.acknowledgement.dueAt : null,
    responseDueAt: record.response.dueAt,
  };
}

/** Every open complaint's move (or what it would be), a page of visibility at a time. */
export async function migrateComplaints(client: Client, options: MigrationOptions): Promise<MigrationReport> {
  const from = parseProcedureKey(options.from);
  const to = parseProcedureKey(options.to);
  if (!from || !to || !findProcedureMigration(from, to))
    throw new Error(`There is no stage mapping from ${options.from} to ${options.to} (domain/procedure-migrations)`);
  const refs: string[] = [];
  let pageToken: string | null = null;
  do {
    const page = await listOpenComplaints(client, 500, pageToken);
    refs.push(...page.refs);
    pageToken = page.nextPageToken;
  } while (pageToken);
  const rows: MigrationRow[] = [];
  let otherProcedures = 0;
  let done = 0;
  const concurrency = options.concurrency ?? 8;
  for (let i = 0; i < refs.length; i += concurrency) {
    const chunk = refs.slice(i, i + concurrency);
    const results = await Promise.all(chunk.map((ref) => migrateOne(client, ref, options)));
    for (const row of results) {
      if (row === 'other') otherProcedures += 1;
      else if (row) rows.push(row);
      options.onProgress?.(++done, refs.length);
    }
  }
  rows.sort((a, b) => a.ref.localeCompare(b.ref));
  return { from: options.from, to: options.to, dryRun: options.dryRun, rows, otherProcedures };
}

async function migrateOne(
  client: Client,
  ref: string,
  options: MigrationOptions,
): Promise<MigrationRow | 'other' | undefined> {
  const handle = client.workflow.getHandle(ref);
  let state: ComplaintState;
  try {
    state = await handle.query(complaintStateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined; // closed since it was listed
    throw error;
  }
  const key = procedureKey(state.procedure);
  // Moved already (by an earlier run, or the route): shown once, never moved again.
  const moved = state.timeline.some(
    (entry) => entry.type === 'procedure-migrated' && procedureKey(entry.from) === options.from,
  );
  if (key === options.to && moved)
    return { ref, before: stageDeadlines(state), after: stageDeadlines(state), outcome: 'already-moved' };
  if (key !== options.from) return 'other';
  const before = stageDeadlines(state);
  const command = {
    action: 'migrate-procedure' as const,
    to: options.to,
    reason: options.reason,
    actor: options.actor,
  };
  if (options.dryRun) {
    const decision = decide(state, command, options.nowMs ?? Date.now(), getProcedure(state.procedure));
    if (!decision.ok) return { ref, before, after: null, outcome: 'refused', reason: decision.reason };
    const event = decision.events.find((candidate) => candidate.type === 'procedure-migrated');
    if (event?.type !== 'procedure-migrated') return { ref, before, after: null, outcome: 'refused' };
    const after: StageDeadlines = {
      procedure: options.to,
      stage: event.stage.id,
      acknowledgementDueAt: event.stage.acknowledgementDueAt,
      responseDueAt: event.stage.responseDueAt,
    };
    // A met acknowledgement is no longer a deadline to show.
    if (before.acknowledgementDueAt === null && after.acknowledgementDueAt === currentAckDueAt(state))
      after.acknowledgementDueAt = null;
    return { ref, before, after, outcome: 'would-move' };
  }
  try {
    const { action: _action, ...input } = command;
    const after = await handle.executeUpdate(actionUpdates['migrate-procedure'], {
      args: [input],
      updateId: migrationUpdateId(options.to),
    });
    return { ref, before, after: stageDeadlines(await stateAfter(handle, after)), outcome: 'moved' };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
      return { ref, before, after: null, outcome: 'refused', reason: error.cause.message };
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

function currentAckDueAt(state: ComplaintState): string | null {
  return currentStageRecord(state).acknowledgement?.dueAt ?? null;
}

/** The listing: one line per complaint, before → after. */
export function formatMigration(report: MigrationReport): string {
  const deadlines = (d: StageDeadlines) =>
    `${d.stage}${d.acknowledgementDueAt ? ` ack ${d.acknowledgementDueAt}` : ''} respond ${d.responseDueAt}`;
  const lines = report.rows.map(
    (row) =>
      `${row.ref}  ${row.outcome.padEnd(13)} ${deadlines(row.before)}  ->  ${row.after ? `${row.after.procedure} ${deadlines(row.after)}` : (row.reason ?? '')}`,
  );
  const count = (outcome: MigrationRow['outcome']) => report.rows.filter((row) => row.outcome === outcome).length;
  lines.push(
    report.dryRun
      ? `${count('would-move')} complaint(s) would move from ${report.from} to ${report.to}, ${count('already-moved')} already moved, ${count('refused')} could not (dry run: nothing changed); ${report.otherProcedures} open on other procedures`
      : `${count('moved')} complaint(s) moved from ${report.from} to ${report.to}, ${count('already-moved')} already moved, ${count('refused')} refused; ${report.otherProcedures} open on other procedures`,
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      reason: { type: 'string' },
      actor: { type: 'string', default: 'system.procedure-migration' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.from || !values.to) {
    console.error(`--from and --to are required\n${USAGE}`);
    return 2;
  }
  const client = await connectClient(loadConfigOrExit());
  const bar =
    values.json || values['dry-run'] ? undefined : new SingleBar({ format: 'migrating {bar} {value}/{total}' });
  try {
    const report = await migrateComplaints(client, {
      from: values.from,
      to: values.to,
      dryRun: values['dry-run'],
      reason: values.reason ?? `Procedure change: ${values.from} to ${values.to}`,
      actor: { id: values.actor, name: 'Procedure migration', role: 'manager' },
      onProgress: (done, total) => {
        if (done === 1) bar?.start(total, 0);
        bar?.update(done);
      },
    });
    bar?.stop();
    console.log(values.json ? JSON.stringify(report, null, 2) : formatMigration(report).trimEnd());
    return report.rows.some((row) => row.outcome === 'refused') ? 3 : 0;
  } finally {
    bar?.stop();
    await client.connection.close();
  }
}

if (require.main === module) runCommand(main, USAGE);
