import { setBounded } from '../domain/bounded-map';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type {
  ComplaintRegisterWriter,
  ComplaintSnapshot,
  RegisterBatch,
  RegisterWriteOrigin,
  RegisterWriteOutcome,
} from '../activities/contract';
import type { ComplimentRecord, ReportPeriod } from '../domain/annual-report';
import type { TimelineEntry } from '../domain/complaint';
import { receivedInstant, type Compliment, type NewCompliment } from '../domain/compliments';
import type { Actor } from '../domain/vocabulary';
import type { AppConfig } from '../platform/config';
import { payloadKeysFor, type PayloadKeyRing } from '../platform/payload-keys';
import { PersonalData } from '../platform/personal-data';
import {
  closedComplaints,
  heldCompliments,
  type HeldCompliment,
  dataKeyStoreOver,
  readDestructionLog,
  recordWorkflowDeleted,
  type ClosedComplaint,
  type DestructionLogEntry,
} from './data-keys';
import { accessLogOver, type AccessLogStore } from './access-log';
import { letterStoreOver, type LetterStore } from './letters';
import { improvementActionStoreOver, type ImprovementActionStore } from './improvement-actions';
import {
  indexUnsearchedComplaints,
  countComplaints,
  type CountBy,
  listComplaints,
  complaintVersion,
  readComplaint,
  writtenVersion,
  type RegisterComplaint,
  type RegisterCountQuery,
  type RegisterCounts,
  type RegisterListQuery,
  type RegisterListRow,
  type ListedSnapshot,
} from './read-model';
import { searchIndexOf, SEARCH_VERSION, writeSearchWords } from './search';
import { PlannerStatistics } from './statistics';
import { migrate, openPglite, openPostgres, openSharedPglite, type SqlQueryable, type SqlStore } from './sql';

export {
  type CountBy,
  type ListedSnapshot,
  listOrders,
  type ListOrder,
  type RegisterCountQuery,
  type RegisterCounts,
  type RegisterComplaint,
  type RegisterListQuery,
  type RegisterListRow,
} from './read-model';

export type { ClosedComplaint, DestructionLogEntry } from './data-keys';

export {
  migrate,
  openPglite,
  openPgliteInMemory,
  openPostgres,
  openSharedPglite,
  RegisterOwnedElsewhere,
  MIGRATIONS_TABLE,
  type SqlStore,
} from './sql';

// The complaints register: the system of record for reporting, since Temporal keeps workflow histories only for
// its retention period. Every state change of a complaint arrives as a RegisterBatch from the `recordInRegister`
// activity: its timeline entries are stored by (ref, seq), once however often a batch is retried or replayed, and a
// batch of a lost workflow task is replaced by what the history finally holds (`record` states the rule). Times are
// the workflow's, carried in the entries; the clock is read only to order the writes themselves.

export interface Register extends ComplaintRegisterWriter {
  /** Where it is, for messages. */
  readonly description: string;
  /** The letters sent to complainants, and the queue of letters to post (register/letters.ts). */
  readonly letters: LetterStore;
  /** Improvement actions agreed at outcomes and their events (register/improvement-actions.ts). */
  readonly improvementActions: ImprovementActionStore;
  /** The complaints' data keys (platform/personal-data.ts): sealing, opening, erasure, the search index's hashes. */
  readonly personalData: PersonalData;
  /** Who read which complaint's personal data, when, through which route (register/access-log.ts). */
  readonly accessLog: AccessLogStore;
  /** Writes a batch by the rule of `record` below; 'superseded' when a newer write already holds the complaint. */
  record(batch: RegisterBatch, origin?: RegisterWriteOrigin): Promise<RegisterWriteOutcome>;
  /**
   * Replaces the complaint's whole timeline and row with Temporal's (the reconciliation's repair), as a write that
   * began at `origin.startedAtMs`: a batch the workflow starts writing after that still replaces it.
   */
  replaceComplaint(
    ref: string,
    entries: readonly TimelineEntry[],
    snapshot: ComplaintSnapshot,
    origin: RegisterWriteOrigin,
  ): Promise<void>;
  /** The refs of the complaints received in [from, to) (either end open when absent). */
  refsReceived(period: Partial<ReportPeriod>): Promise<string[]>;
  /** The refs of the complaints whose row has none of these statuses (e.g. the open ones). */
  refsWithStatusOtherThan(statuses: readonly string[]): Promise<string[]>;
  /** Timelines (seq order) of the complaints received in [period.from, period.to), entries recorded before `asOf` (default period.to). */
  timelinesOfComplaintsReceived(period: ReportPeriod, asOf?: string): Promise<TimelineEntry[][]>;
  /** Whether any complaint was received in the period. */
  hasComplaintsReceived(period: ReportPeriod): Promise<boolean>;
  /** One complaint's timeline (seq order); empty when unknown. */
  timeline(ref: string): Promise<TimelineEntry[]>;
  /** The complaint as it last stood, or undefined. */
  complaint(ref: string): Promise<ComplaintSnapshot | undefined>;
  /** The complaint as it last stood with its timeline, read at one instant (the read model: api/complaint-reads.ts). */
  readComplaint(ref: string): Promise<RegisterComplaint | undefined>;
  /** Which write the complaint's row is from (read-model.ts complaintVersion), without reading it. */
  complaintVersion(ref: string): Promise<string | undefined>;
  /**
   * One page of complaints by filters, search and order, limit + 1 rows (register/read-model.ts); `listed`: each
   * snapshot without its calendar and stages (what a list's items need).
   */
  listComplaints(query: RegisterListQuery): Promise<RegisterListRow[]>;
  listComplaints(query: RegisterListQuery, shape: 'listed'): Promise<RegisterListRow<ListedSnapshot>[]>;
  /** The complaints a list's filters match, counted per case officer or service area (read-model.ts). */
  countComplaints(
    query: RegisterCountQuery,
    by: CountBy,
    due: { status: readonly string[]; nextDeadlineBefore: string },
  ): Promise<RegisterCounts[]>;
  /** The highest seq recorded per complaint. */
  lastSeqs(): Promise<Map<string, number>>;
  recordCompliment(compliment: NewCompliment, recordedBy: Actor, recordedAt: Date): Promise<Compliment>;
  /** Compliments received in the period (all when absent), oldest first. */
  compliments(period?: Partial<ReportPeriod>): Promise<Compliment[]>;
  /** The destruction log (erasures by request and by retention), oldest first (register/data-keys.ts). */
  destructionLog(page: { limit: number; after?: { erasedAt: string; ref: string } }): Promise<DestructionLogEntry[]>;
  /** Notes in the destruction log that the complaint's workflow executions were deleted from Temporal. */
  recordWorkflowDeleted(ref: string, at: Date): Promise<void>;
  /** Closed and withdrawn complaints not yet deleted from Temporal by retention, by ref (the retention workflow's). */
  closedComplaints(page: { afterRef?: string; limit: number }): Promise<ClosedComplaint[]>;
  /** Compliments whose text is still held, received by `asOf`, oldest first (retention: register/data-keys.ts). */
  heldCompliments(page: { asOf: string; after?: HeldCompliment; limit: number }): Promise<HeldCompliment[]>;
  /** Keeps a reconciliation's result (counts only), for /metrics. */
  recordReconciliation(run: ReconciliationRun): Promise<void>;
  /** The latest reconciliation's result, or undefined when none has run. */
  lastReconciliation(): Promise<ReconciliationRun | undefined>;
  close(): Promise<void>;
}

/** What one reconciliation found (register/reconcile.ts), as kept in the register. */
export interface ReconciliationRun {
  finishedAt: string;
  by: 'schedule' | 'command';
  checked: number;
  repaired: number;
  unreadable: number;
  /** Differences by kind (missing, extra, different, snapshot-behind, not-in-temporal). */
  byKind: Record<string, number>;
}

interface ReconciliationRow {
  finished_at: Date | string;
  run_by: string;
  checked: number;
  repaired: number;
  unreadable: number;
  differences: Record<string, number> | string;
}

/**
 * The register of the configuration: PostgreSQL at DATABASE_URL, else PGlite under DATA_DIR/register. Migrations are
 * applied on open. PGlite is opened by one process at a time: with `owner` (what the process is, for the message
 * another opener gets) this process opens it now and keeps it until closed, as the process that runs the worker and
 * the API over the embedded register does (scripts/worker-and-api.ts); without, it is opened on demand and let go
 * when idle, for the tools that run beside it now and then (`openSharedPglite`), which an owner turns away at once.
 */
/** Row versions a sole writer keeps in memory (Register.knowVersion): 100,000 × ~80 bytes. */
const KNOWN_VERSIONS_KEPT = 100_000;

export async function openRegister(
  config: Pick<AppConfig, 'DATABASE_URL' | 'DATA_DIR'> &
    Partial<Pick<AppConfig, 'ENCRYPTION_KEYS_PATH' | 'ENCRYPTION_KEYS' | 'PAYLOAD_ENCRYPTION'>>,
  options: { owner?: string } = {},
): Promise<Register> {
  const keys = payloadKeysFor({ PAYLOAD_ENCRYPTION: 'on', ...config });
  const dir = path.join(config.DATA_DIR, 'register');
  const store = config.DATABASE_URL
    ? await openPostgres(config.DATABASE_URL)
    : options.owner
      ? await openPglite(dir, { owner: options.owner })
      : openSharedPglite(dir);
  return registerOver(store, { keys });
}

/**
 * A register over an open store (migrated here); closing the register closes the store. `keys`: the key ring that
 * wraps the complaints' data keys (absent: personal data is kept as given, the benchmark's comparison and tests).
 */
export async function registerOver(store: SqlStore, options: { keys?: PayloadKeyRing } = {}): Promise<Register> {
  const personalData = new PersonalData(options.keys, dataKeyStoreOver(store));
  try {
    await migrate(store);
    await indexUnsearchedComplaints(store, personalData);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return new SqlRegister(store, personalData);
}

interface ComplimentRow {
  id: string;
  service_area: string;
  team: string;
  received_at: Date | string;
  summary: string;
  recorded_by: Actor | string;
  recorded_at: Date | string;
}

const toIso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

class SqlRegister implements Register {
  readonly letters: LetterStore;
  readonly improvementActions: ImprovementActionStore;
  readonly accessLog: AccessLogStore;
  /** The planner's statistics where the store does not keep them (PGlite): statistics.ts. */
  private readonly statistics: PlannerStatistics;
  /** Versions of rows, where this process is the only writer (knowVersion). */
  private readonly versions: Map<string, string> | undefined;

  constructor(
    private readonly store: SqlStore,
    readonly personalData: PersonalData,
  ) {
    this.letters = letterStoreOver(store, personalData);
    this.improvementActions = improvementActionStoreOver(store, personalData);
    this.accessLog = accessLogOver(store);
    this.statistics = new PlannerStatistics(store);
    this.versions = store.exclusive ? new Map() : undefined;
    this.statistics.opened();
  }

  get description(): string {
    return this.store.description;
  }

  // The rule (issue 18). The workflow sends, one batch at a time, every entry from the last one the register
  // confirmed to the end of its timeline, with the snapshot they lead to: a batch says "from seq F on, the timeline
  // is these entries and ends at L". The register cannot tell at write time whether the workflow task that made a
  // batch will become durable (a local activity runs before it is), so writes are ordered by the workflow time of the
  // task that MADE the batch (`origin.startedAtMs` = the batch's madeAtMs; for a batch without one, when its write
  // began on the worker's clock), then by F, and a write is applied only if it is not older than the one the
  // complaint's row is from; applied, it replaces the entries F..L (by (ref, seq)), withdraws the entries past L, and
  // replaces the row. Why this is what the history finally holds:
  //  - the batches of the history are sequential: the next one is made only after the previous one's write returned,
  //    in the same task or a later one, so its time is not earlier, and it starts at F = the previous L + 1 (ties of a
  //    task's time are broken by F);
  //  - a lost task was started before it was lost, and the task that replaces it (its new batch, or the same batch
  //    re-made on replay) after that: its batches are newer, so they replace the orphan's entries and withdraw those
  //    past their own end, which no batch of the history has confirmed. Not the worker's clock at the write: the SDK
  //    may still retry a lost task's local activity after its replacement has written (the fault drill saw it);
  //  - a delayed write (an attempt that timed out but still commits, the local attempt after its fallback
  //    activity succeeded, a lost task's write that stalls) holds a batch made no later than the one that succeeded
  //    in its place, and so before every later batch: it is older (or the same batch again) and changes nothing.
  // It assumes the clock of the server that times a complaint's tasks does not step back by more than the time between
  // two of its tasks; `npm run reconcile` finds and repairs what any breach of it, or a write that never came, leaves
  // behind (its repair is ordered by when it read Temporal). A write without an origin is ordered as made now.
  async record(
    batch: RegisterBatch,
    origin: RegisterWriteOrigin = { startedAtMs: Date.now() },
  ): Promise<RegisterWriteOutcome> {
    for (const entry of batch.entries) {
      if (entry.seq > batch.snapshot.lastSeq)
        throw new Error(
          `Register batch for ${batch.ref}: entry ${entry.seq} is beyond the snapshot (${batch.snapshot.lastSeq})`,
        );
    }
    const firstSeq = batch.entries[0]?.seq ?? batch.snapshot.lastSeq + 1;
    // A complaint's searchable text never changes: its index is written with its first batch (made before the
    // statement: opening reads its data key). An older row is indexed again when the register is opened.
    const index =
      firstSeq === 1 ? await searchIndexOf(this.personalData, batch.ref, batch.snapshot.details) : undefined;
    // One statement (migration 011 register_record_batch): the write order, the entries, the row, the words.
    const [row] = await this.store
      .query<{ outcome: RegisterWriteOutcome }>(`SELECT register_record_batch(${sqlParams(23)}) AS outcome`, [
        ...complaintRowValues(batch.ref, batch.snapshot, updatedAt(batch), { origin, firstSeq }),
        JSON.stringify(batch.entries),
        origin.by ?? null,
        index ?? null,
        SEARCH_VERSION,
      ])
      .catch((error: unknown) => {
        // Whether it was written is not known: the row's version is asked of the store next time.
        this.versions?.delete(batch.ref);
        throw error;
      });
    const outcome = row!.outcome;
    if (outcome === 'written') {
      this.statistics.written();
      this.knowVersion(batch.ref, writtenVersion(batch.snapshot.lastSeq, origin.startedAtMs, firstSeq));
    }
    return outcome;
  }

  async replaceComplaint(
    ref: string,
    entries: readonly TimelineEntry[],
    snapshot: ComplaintSnapshot,
    origin: RegisterWriteOrigin,
  ): Promise<void> {
    const index = await searchIndexOf(this.personalData, ref, snapshot.details);
    await this.store.transaction(async (tx) => {
      await lockComplaint(tx, ref);
      await tx.query('DELETE FROM complaint_entries WHERE ref = $1', [ref]);
      await upsertEntries(tx, ref, entries, origin);
      const at = entries[entries.length - 1]?.at ?? snapshot.receivedAt;
      await upsertComplaint(tx, ref, snapshot, at, { origin, firstSeq: 1 });
      await writeSearchWords(tx, ref, index);
    });
    this.knowVersion(ref, writtenVersion(snapshot.lastSeq, origin.startedAtMs, 1));
  }

  async refsReceived(period: Partial<ReportPeriod>): Promise<string[]> {
    const rows = await this.store.query<{ ref: string }>(
      `SELECT ref FROM complaints
        WHERE ($1::timestamptz IS NULL OR received_at >= $1) AND ($2::timestamptz IS NULL OR received_at < $2)
        ORDER BY received_at, ref`,
      [period.from ?? null, period.to ?? null],
    );
    return rows.map((row) => row.ref);
  }

  async refsWithStatusOtherThan(statuses: readonly string[]): Promise<string[]> {
    const rows = await this.store.query<{ ref: string }>(
      'SELECT ref FROM complaints WHERE NOT (status = ANY($1::text[])) ORDER BY ref',
      [statuses],
    );
    return rows.map((row) => row.ref);
  }

  async timelinesOfComplaintsReceived(period: ReportPeriod, asOf: string = period.to): Promise<TimelineEntry[][]> {
    const rows = await this.store.query<{ ref: string; entry: TimelineEntry | string }>(
      `SELECT e.ref, e.entry FROM complaint_entries e JOIN complaints c ON c.ref = e.ref
        WHERE c.received_at >= $1 AND c.received_at < $2 AND (e.at < $3 OR e.seq = 1)
        ORDER BY c.received_at, e.ref, e.seq`,
      [period.from, period.to, asOf],
    );
    const timelines = new Map<string, TimelineEntry[]>();
    for (const row of rows) {
      const list = timelines.get(row.ref) ?? [];
      list.push(json<TimelineEntry>(row.entry));
      timelines.set(row.ref, list);
    }
    return [...timelines.values()];
  }

  async hasComplaintsReceived(period: ReportPeriod): Promise<boolean> {
    const rows = await this.store.query<{ n: number }>(
      'SELECT 1 AS n FROM complaints WHERE received_at >= $1 AND received_at < $2 LIMIT 1',
      [period.from, period.to],
    );
    return rows.length > 0;
  }

  async timeline(ref: string): Promise<TimelineEntry[]> {
    const rows = await this.store.query<{ entry: TimelineEntry | string }>(
      'SELECT entry FROM complaint_entries WHERE ref = $1 ORDER BY seq',
      [ref],
    );
    return rows.map((row) => json<TimelineEntry>(row.entry));
  }

  async complaint(ref: string): Promise<ComplaintSnapshot | undefined> {
    const rows = await this.store.query<{ snapshot: ComplaintSnapshot | string }>(
      'SELECT snapshot FROM complaints WHERE ref = $1',
      [ref],
    );
    return rows[0] ? json<ComplaintSnapshot>(rows[0].snapshot) : undefined;
  }

  async readComplaint(ref: string): Promise<RegisterComplaint | undefined> {
    const read = await readComplaint(this.store, ref);
    if (read) this.knowVersion(ref, read.version, 'read');
    return read;
  }

  async complaintVersion(ref: string): Promise<string | undefined> {
    const known = this.versions?.get(ref);
    if (known) return known;
    const version = await complaintVersion(this.store, ref);
    if (version) this.knowVersion(ref, version, 'read');
    return version;
  }

  /**
   * Rows' versions this process wrote or read, where it is the store's only writer (SqlStore.exclusive: the embedded
   * register's owner): no other process can have changed them, so complaintVersion answers from here without a
   * query (a read of a complaint kept opened asked one each time: api/complaint-reads.ts). Bounded; an unknown one
   * is read. A version read is kept only where none is known: a write that ended meanwhile knows better (a read that
   * began before it could answer after it).
   */
  private knowVersion(ref: string, version: string, by: 'write' | 'read' = 'write'): void {
    if (!this.versions || (by === 'read' && this.versions.has(ref))) return;
    setBounded(this.versions, ref, version, KNOWN_VERSIONS_KEPT);
  }

  listComplaints(query: RegisterListQuery): Promise<RegisterListRow[]>;
  listComplaints(query: RegisterListQuery, shape: 'listed'): Promise<RegisterListRow<ListedSnapshot>[]>;
  listComplaints(query: RegisterListQuery, shape?: 'listed'): Promise<RegisterListRow<ListedSnapshot>[]> {
    return shape === 'listed' ? listComplaints(this.store, query, shape) : listComplaints(this.store, query);
  }

  countComplaints(
    query: RegisterCountQuery,
    by: CountBy,
    due: { status: readonly string[]; nextDeadlineBefore: string },
  ): Promise<RegisterCounts[]> {
    return countComplaints(this.store, query, by, due);
  }

  async lastSeqs(): Promise<Map<string, number>> {
    const rows = await this.store.query<{ ref: string; last: number }>(
      'SELECT ref, max(seq) AS last FROM complaint_entries GROUP BY ref',
    );
    return new Map(rows.map((row) => [row.ref, Number(row.last)]));
  }

  async recordCompliment(compliment: NewCompliment, recordedBy: Actor, recordedAt: Date): Promise<Compliment> {
    const id = randomUUID();
    // A compliment's text has its own data key (its id), like a complaint's: erased alone, never in plain text here.
    const summary = await this.personalData.seal(id, compliment.summary);
    const record: Compliment = {
      id,
      serviceArea: compliment.serviceArea,
      team: compliment.team,
      receivedAt: receivedInstant(compliment.receivedAt),
      summary: compliment.summary,
      recordedBy,
      recordedAt: recordedAt.toISOString(),
    };
    await this.store.query(
      `INSERT INTO compliments (id, service_area, team, received_at, summary, recorded_by, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
      [
        record.id,
        record.serviceArea,
        record.team,
        record.receivedAt,
        summary,
        JSON.stringify(record.recordedBy),
        record.recordedAt,
      ],
    );
    return record;
  }

  async compliments(period: Partial<ReportPeriod> = {}): Promise<Compliment[]> {
    const rows = await this.store.query<ComplimentRow>(
      `SELECT id, service_area, team, received_at, summary, recorded_by, recorded_at FROM compliments
        WHERE ($1::timestamptz IS NULL OR received_at >= $1) AND ($2::timestamptz IS NULL OR received_at < $2)
        ORDER BY received_at, id`,
      [period.from ?? null, period.to ?? null],
    );
    const opened = await this.personalData.open(rows.map((row) => row.summary));
    return rows.map((row, i) => ({
      id: row.id,
      serviceArea: row.service_area as Compliment['serviceArea'],
      team: row.team,
      receivedAt: toIso(row.received_at),
      summary: opened[i]!,
      recordedBy: json<Actor>(row.recorded_by),
      recordedAt: toIso(row.recorded_at),
    }));
  }

  /** The destruction log, its reasons opened (sealed under ERASURE_RECORD_KEY: platform/personal-data.ts erase). */
  async destructionLog(page: {
    limit: number;
    after?: { erasedAt: string; ref: string };
  }): Promise<DestructionLogEntry[]> {
    return this.personalData.open(await readDestructionLog(this.store, page));
  }

  recordWorkflowDeleted(ref: string, at: Date): Promise<void> {
    return recordWorkflowDeleted(this.store, ref, at);
  }

  closedComplaints(page: { afterRef?: string; limit: number }): Promise<ClosedComplaint[]> {
    return closedComplaints(this.store, page);
  }

  heldCompliments(page: { asOf: string; after?: HeldCompliment; limit: number }): Promise<HeldCompliment[]> {
    return heldCompliments(this.store, page);
  }

  async recordReconciliation(run: ReconciliationRun): Promise<void> {
    await this.store.query(
      `INSERT INTO reconciliation_runs (finished_at, run_by, checked, repaired, unreadable, differences)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [run.finishedAt, run.by, run.checked, run.repaired, run.unreadable, JSON.stringify(run.byKind)],
    );
  }

  async lastReconciliation(): Promise<ReconciliationRun | undefined> {
    const [row] = await this.store.query<ReconciliationRow>(
      `SELECT finished_at, run_by, checked, repaired, unreadable, differences FROM reconciliation_runs
        ORDER BY finished_at DESC, id DESC LIMIT 1`,
    );
    if (!row) return undefined;
    return {
      finishedAt: toIso(row.finished_at),
      by: row.run_by === 'command' ? 'command' : 'schedule',
      checked: Number(row.checked),
      repaired: Number(row.repaired),
      unreadable: Number(row.unreadable),
      byKind: json<Record<string, number>>(row.differences),
    };
  }

  async close(): Promise<void> {
    await this.statistics.settled();
    return this.store.close();
  }
}

/** Compliments as the annual report counts them. */
export function complimentRecords(compliments: readonly Compliment[]): ComplimentRecord[] {
  return compliments.map(({ id, serviceArea, team, receivedAt, summary }) => ({
    id,
    serviceArea,
    team,
    receivedAt,
    summary,
  }));
}

/** The workflow time of the batch's latest entry (the snapshot carries no time of its own). */
function updatedAt(batch: RegisterBatch): string {
  const last = batch.entries[batch.entries.length - 1];
  return last?.at ?? batch.snapshot.receivedAt;
}

/**
 * Serialises the writes of one complaint with register_record_batch's (an advisory lock, since its row may not
 * exist yet).
 */
async function lockComplaint(tx: SqlQueryable, ref: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('complaint:' || $1))", [ref]);
}

/** Stores the entries, replacing what the same (ref, seq) held: an orphan of a lost task, or the same entry again. */
async function upsertEntries(
  tx: SqlQueryable,
  ref: string,
  entries: readonly TimelineEntry[],
  origin: RegisterWriteOrigin,
): Promise<void> {
  const writtenAt = new Date(origin.startedAtMs).toISOString();
  const writtenBy = origin.by ?? null;
  // One statement per 200 entries keeps the parameter count well inside PostgreSQL's limit.
  for (let i = 0; i < entries.length; i += 200) {
    const chunk = entries.slice(i, i + 200);
    const params: unknown[] = [];
    const values = chunk.map((entry) => {
      params.push(ref, entry.seq, entry.at, entry.type, entry.actor.id, JSON.stringify(entry), writtenAt, writtenBy);
      const n = params.length;
      return `($${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}::jsonb, $${n - 1}, $${n})`;
    });
    await tx.query(
      `INSERT INTO complaint_entries (ref, seq, at, type, actor_id, entry, written_at, written_by) VALUES ${values.join(', ')}
       ON CONFLICT (ref, seq) DO UPDATE SET at = EXCLUDED.at, type = EXCLUDED.type, actor_id = EXCLUDED.actor_id,
         entry = EXCLUDED.entry, written_at = EXCLUDED.written_at, written_by = EXCLUDED.written_by`,
      params,
    );
  }
}

/** `$1, $2, ... $n`. */
function sqlParams(n: number): string {
  return Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
}

/** The complaints row's columns of a snapshot, in the table's order (upsertComplaint, register_record_batch). */
function complaintRowValues(
  ref: string,
  snapshot: ComplaintSnapshot,
  at: string,
  write: { origin: RegisterWriteOrigin; firstSeq: number },
): unknown[] {
  const stage = snapshot.stages[snapshot.stages.length - 1];
  return [
    ref,
    snapshot.procedure.id,
    snapshot.procedure.version,
    snapshot.status,
    snapshot.currentStage,
    snapshot.details.serviceArea,
    snapshot.details.category,
    snapshot.details.channel,
    snapshot.details.serious,
    snapshot.receivedAt,
    snapshot.caseOfficer?.id ?? null,
    stage?.response.outcome ?? null,
    snapshot.nextDeadline?.dueAt ?? null,
    snapshot.overdue,
    snapshot.lastSeq,
    at,
    JSON.stringify(snapshot),
    new Date(write.origin.startedAtMs).toISOString(),
    write.firstSeq,
  ];
}

/** Replaces the complaint's row (the caller has decided the write is the newest). */
async function upsertComplaint(
  tx: SqlQueryable,
  ref: string,
  snapshot: ComplaintSnapshot,
  at: string,
  write: { origin: RegisterWriteOrigin; firstSeq: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO complaints (ref, procedure_id, procedure_version, status, current_stage, service_area, category, channel, serious,
                             received_at, case_officer_id, outcome, next_deadline_at, overdue, last_seq, updated_at, snapshot,
                             batch_started_at, batch_first_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18, $19)
     ON CONFLICT (ref) DO UPDATE SET
       procedure_id = EXCLUDED.procedure_id, procedure_version = EXCLUDED.procedure_version, status = EXCLUDED.status,
       current_stage = EXCLUDED.current_stage, service_area = EXCLUDED.service_area, category = EXCLUDED.category,
       channel = EXCLUDED.channel, serious = EXCLUDED.serious, received_at = EXCLUDED.received_at,
       case_officer_id = EXCLUDED.case_officer_id, outcome = EXCLUDED.outcome, next_deadline_at = EXCLUDED.next_deadline_at,
       overdue = EXCLUDED.overdue, last_seq = EXCLUDED.last_seq, updated_at = EXCLUDED.updated_at, snapshot = EXCLUDED.snapshot,
       batch_started_at = EXCLUDED.batch_started_at, batch_first_seq = EXCLUDED.batch_first_seq`,
    complaintRowValues(ref, snapshot, at, write),
  );
}
