import type { ComplaintSnapshot } from '../activities/contract';
import type { TimelineEntry } from '../domain/complaint';
import type { PersonalData } from '../platform/personal-data';
import { searchClause, searchIndexOf, SEARCH_VERSION, writeSearchWords } from './search';
import type { SqlQueryable, SqlStore } from './sql';

// The register as the read model (issue 17): one complaint as it last stood, and pages of complaints by filters,
// free-text search and order, all from the `complaints` rows the workflow writes before it answers an action
// (register/index.ts `record`). api/complaint-reads.ts is the one caller (the API's routes and the web application).

/** The orders a list can have: received oldest/newest first, next deadline soonest first (none last), reference. */
export const listOrders = ['received', '-received', 'next-deadline', 'ref'] as const;
export type ListOrder = (typeof listOrders)[number];

export interface RegisterListQuery {
  status?: readonly string[];
  stage?: readonly string[];
  serviceArea?: readonly string[];
  category?: readonly string[];
  officer?: string;
  /** true: only complaints without a case officer; false: only those with one. */
  unassigned?: boolean;
  /** `id` or `id@version`. */
  procedure?: readonly { id: string; version?: number }[];
  overdue?: boolean;
  /** ISO instants. */
  nextDeadlineBefore?: string;
  receivedFrom?: string;
  receivedTo?: string;
  /** Hashed search terms (register/search.ts searchTermsOf): every one is a word of the complaint. */
  search?: readonly string[];
  order: ListOrder;
  limit: number;
  /** The last row of the previous page: its order key (ISO instant or ref; null for no deadline) and ref. */
  after?: { key: string | null; ref: string };
}

/**
 * A listed complaint as a list's items need it: its snapshot without its calendar (the holidays and their names) and
 * its stages, half or more of a snapshot's JSON, which a page of rows had to be written out and parsed with.
 */
export type ListedSnapshot = Omit<ComplaintSnapshot, 'holidays' | 'holidayNames' | 'stages'>;
/** How much of each listed complaint's snapshot a list reads: all of it, or what its items need. */
export type ListShape = 'snapshot' | 'listed';

export interface RegisterListRow<S extends ListedSnapshot = ComplaintSnapshot> {
  snapshot: S;
  /** When the complaint was recorded (its first entry's workflow time). */
  recordedAt: string;
  /** Its order key, for the next page's `after`. */
  key: string | null;
}

export interface RegisterComplaint {
  snapshot: ComplaintSnapshot;
  /** The timeline, seq order (1..snapshot.lastSeq when the register is whole). */
  entries: TimelineEntry[];
  /** Which write the row is from (complaintVersion): a later write, a repair or an erasure's entry change it. */
  version: string;
}

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** One complaint's row and timeline, read in one statement (one snapshot of the database). */
export async function readComplaint(store: SqlQueryable, ref: string): Promise<RegisterComplaint | undefined> {
  const [row] = await store.query<
    { snapshot: ComplaintSnapshot | string; entries: TimelineEntry[] | string | null } & VersionColumns
  >(
    `SELECT c.snapshot, ${VERSION_COLUMNS},
            (SELECT json_agg(e.entry ORDER BY e.seq) FROM complaint_entries e WHERE e.ref = c.ref) AS entries
       FROM complaints c WHERE c.ref = $1`,
    [ref],
  );
  if (!row) return undefined;
  return {
    snapshot: json(row.snapshot),
    entries: row.entries === null ? [] : json(row.entries),
    version: versionOf(row),
  };
}

/**
 * Which write a complaint's row is from (undefined: no row), read without the row's JSON: its last seq and the
 * order of the batch (or repair) that wrote it. Equal versions are the same snapshot and timeline.
 */
export async function complaintVersion(store: SqlQueryable, ref: string): Promise<string | undefined> {
  const [row] = await store.query<VersionColumns>(`SELECT ${VERSION_COLUMNS} FROM complaints c WHERE c.ref = $1`, [
    ref,
  ]);
  return row ? versionOf(row) : undefined;
}

const VERSION_COLUMNS = 'c.last_seq, c.batch_started_at, c.batch_first_seq';
interface VersionColumns {
  last_seq: number;
  batch_started_at: Date | string | null;
  batch_first_seq: number | null;
}
const versionOf = (row: VersionColumns) =>
  `${row.last_seq}:${iso(row.batch_started_at) ?? '-'}:${row.batch_first_seq ?? '-'}`;

/** The version of a row written now from a batch (its last seq, the batch's order), as complaintVersion reads it. */
export function writtenVersion(lastSeq: number, startedAtMs: number, firstSeq: number): string {
  return versionOf({ last_seq: lastSeq, batch_started_at: new Date(startedAtMs), batch_first_seq: firstSeq });
}

/** What each order sorts by, and its direction. */
const ORDER: Record<ListOrder, { column: string; desc: boolean; nullable: boolean }> = {
  received: { column: 'c.received_at', desc: false, nullable: false },
  '-received': { column: 'c.received_at', desc: true, nullable: false },
  'next-deadline': { column: 'c.next_deadline_at', desc: false, nullable: true },
  ref: { column: 'c.ref', desc: false, nullable: false },
};

/** The WHERE clauses of a list's filters (values as parameters; column names are constants). */
function filterClauses(query: RegisterCountQuery, params: unknown[]): string[] {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const clauses: string[] = [];
  const anyOf = (column: string, values: readonly string[] | undefined) => {
    if (values) clauses.push(`${column} = ANY(${param(values)}::text[])`);
  };
  anyOf('c.status', query.status);
  anyOf('c.current_stage', query.stage);
  anyOf('c.service_area', query.serviceArea);
  anyOf('c.category', query.category);
  if (query.officer !== undefined) clauses.push(`c.case_officer_id = ${param(query.officer)}`);
  if (query.unassigned !== undefined)
    clauses.push(query.unassigned ? 'c.case_officer_id IS NULL' : 'c.case_officer_id IS NOT NULL');
  if (query.procedure) {
    const each = query.procedure.map((p) =>
      p.version === undefined
        ? `c.procedure_id = ${param(p.id)}`
        : `(c.procedure_id = ${param(p.id)} AND c.procedure_version = ${param(p.version)})`,
    );
    clauses.push(`(${each.join(' OR ')})`);
  }
  if (query.overdue !== undefined) clauses.push(query.overdue ? 'c.overdue' : 'NOT c.overdue');
  if (query.nextDeadlineBefore) clauses.push(`c.next_deadline_at <= ${param(query.nextDeadlineBefore)}`);
  if (query.receivedFrom) clauses.push(`c.received_at >= ${param(query.receivedFrom)}`);
  if (query.receivedTo) clauses.push(`c.received_at <= ${param(query.receivedTo)}`);
  if (query.search?.length) {
    const search = searchClause(query.search, params.length + 1);
    params.push(...search.params);
    clauses.push(search.sql);
  }
  return clauses;
}

/** The keyset condition: rows after `after` in the order. */
function afterClause(query: RegisterListQuery, params: unknown[]): string | undefined {
  const { after } = query;
  if (!after) return undefined;
  const { column, desc, nullable } = ORDER[query.order];
  params.push(after.ref);
  const ref = `$${params.length}`;
  const beyond = desc ? '<' : '>';
  if (query.order === 'ref') return `c.ref > ${ref}`;
  if (nullable && after.key === null) return `(${column} IS NULL AND c.ref > ${ref})`;
  params.push(after.key);
  const key = `$${params.length}`;
  const later = `(${column} ${beyond} ${key} OR (${column} = ${key} AND c.ref ${beyond} ${ref}))`;
  return nullable ? `(${later} OR ${column} IS NULL)` : later;
}

/** One page (limit + 1 rows are read, so the caller knows whether there is another), whole snapshots or `listed`. */
export function listComplaints(store: SqlQueryable, query: RegisterListQuery): Promise<RegisterListRow[]>;
export function listComplaints(
  store: SqlQueryable,
  query: RegisterListQuery,
  shape: 'listed',
): Promise<RegisterListRow<ListedSnapshot>[]>;
export async function listComplaints(
  store: SqlQueryable,
  query: RegisterListQuery,
  shape: ListShape = 'snapshot',
): Promise<RegisterListRow<ListedSnapshot>[]> {
  const params: unknown[] = [];
  const clauses = filterClauses(query, params);
  const after = afterClause(query, params);
  if (after) clauses.push(after);
  const { column, desc, nullable } = ORDER[query.order];
  const direction = desc ? 'DESC' : 'ASC';
  const orderBy =
    query.order === 'ref' ? 'c.ref ASC' : `${column} ${direction}${nullable ? ' NULLS LAST' : ''}, c.ref ${direction}`;
  params.push(query.limit + 1);
  const rows = await store.query<{
    snapshot: ListedSnapshot | string;
    recorded: Date | string | null;
    key: unknown;
  }>(
    `SELECT ${shape === 'listed' ? `c.snapshot - '{holidays,holidayNames,stages}'::text[]` : 'c.snapshot'} AS snapshot,
            e.at AS recorded, ${column} AS key
       FROM complaints c LEFT JOIN complaint_entries e ON e.ref = c.ref AND e.seq = 1
      ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
      ORDER BY ${orderBy} LIMIT $${params.length}`,
    params,
  );
  return rows.map((row) => {
    const snapshot = json<ListedSnapshot>(row.snapshot);
    const key = query.order === 'ref' ? String(row.key) : iso(row.key as Date | string | null);
    return { snapshot, recordedAt: iso(row.recorded) ?? snapshot.receivedAt, key };
  });
}

/** What complaints are counted by: their case officer (none: null) or their service area. */
export type CountBy = 'case-officer' | 'service-area';

/** The filters of a count: a list's, without order and page. */
export type RegisterCountQuery = Omit<RegisterListQuery, 'order' | 'limit' | 'after'>;

export interface RegisterCounts {
  /** The case officer's id (null: unassigned) or the service area. */
  key: string | null;
  /** The case officer's name as one of the complaints records it (case-officer counts only). */
  officerName: string | null;
  /** Every complaint the filters match. */
  total: number;
  /** Of those, the ones that `due` matches (a status and a next deadline by a time), not yet overdue. */
  due: number;
  overdue: number;
}

const COUNT_COLUMN: Record<CountBy, string> = { 'case-officer': 'c.case_officer_id', 'service-area': 'c.service_area' };

/**
 * The complaints the filters match counted per case officer or per service area, in one pass over the rows (the
 * team page: a count, not a page, so nothing is read of them but the indexed columns and the officer's name).
 */
export async function countComplaints(
  store: SqlQueryable,
  query: RegisterCountQuery,
  by: CountBy,
  due: { status: readonly string[]; nextDeadlineBefore: string },
): Promise<RegisterCounts[]> {
  const params: unknown[] = [];
  const clauses = filterClauses(query, params);
  params.push(due.status, due.nextDeadlineBefore);
  const column = COUNT_COLUMN[by];
  const rows = await store.query<{ key: string | null; total: unknown; due: unknown; overdue: unknown }>(
    `SELECT ${column} AS key, count(*) AS total,
            count(*) FILTER (WHERE c.status = ANY($${params.length - 1}::text[]) AND c.next_deadline_at <= $${params.length} AND NOT c.overdue) AS due,
            count(*) FILTER (WHERE c.overdue) AS overdue
       FROM complaints c ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
      GROUP BY ${column}`,
    params,
  );
  const names =
    by === 'case-officer'
      ? await officerNames(
          store,
          rows.map((row) => row.key),
        )
      : new Map();
  return rows.map((row) => ({
    key: row.key,
    officerName: (row.key !== null && names.get(row.key)) || null,
    total: Number(row.total),
    due: Number(row.due),
    overdue: Number(row.overdue),
  }));
}

/** Each officer's name as one of their complaints records it: one row each (the snapshots are wide). */
async function officerNames(store: SqlQueryable, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = ids.filter((id): id is string => id !== null);
  if (wanted.length === 0) return new Map();
  const rows = await store.query<{ id: string; name: string | null }>(
    `SELECT o.id, (SELECT c.snapshot->'caseOfficer'->>'name' FROM complaints c
                    WHERE c.case_officer_id = o.id AND c.snapshot->'caseOfficer'->>'name' IS NOT NULL LIMIT 1) AS name
       FROM unnest($1::text[]) AS o(id)`,
    [wanted],
  );
  return new Map(rows.filter((row) => row.name !== null).map((row) => [row.id, row.name!]));
}

/** Indexes the complaints whose words are missing or from an older word-making (after a migration), in pages. */
export async function indexUnsearchedComplaints(store: SqlStore, personal: PersonalData): Promise<number> {
  let indexed = 0;
  for (;;) {
    const rows = await store.query<{ ref: string; snapshot: ComplaintSnapshot | string }>(
      'SELECT ref, snapshot FROM complaints WHERE search_version < $1 ORDER BY ref LIMIT 500',
      [SEARCH_VERSION],
    );
    if (rows.length === 0) return indexed;
    for (const row of rows) {
      const snapshot = json<ComplaintSnapshot>(row.snapshot);
      const index = await searchIndexOf(personal, row.ref, snapshot.details);
      await store.transaction((tx) => writeSearchWords(tx, row.ref, index));
    }
    indexed += rows.length;
  }
}
