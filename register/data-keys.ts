import type { DataKeyRecord, DataKeyStore, Erasure } from '../platform/personal-data';
import type { SqlStore } from './sql';

// The data keys of platform/personal-data.ts in the register (migration 006), and the destruction log (007): erasing
// a complaint destroys its key, deletes its search index and logs it, in one transaction.

interface DataKeyRow {
  key_ref: string;
  wrapped_key: string | null;
  wrapping_key_id: string;
  created_at: Date | string;
  destroyed_at: Date | string | null;
}

/** A row of the destruction log (GET /destruction-log). */
export interface DestructionLogEntry {
  ref: string;
  erasedAt: string;
  erasedBy: { id: string; name?: string; role?: string };
  rule: string;
  reason: string;
  closedAt: string | null;
  workflowDeletedAt: string | null;
}

interface DestructionRow {
  ref: string;
  erased_at: Date | string;
  erased_by: DestructionLogEntry['erasedBy'] | string;
  rule: string;
  reason: string;
  closed_at: Date | string | null;
  workflow_deleted_at: Date | string | null;
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

function recordOf(row: DataKeyRow): DataKeyRecord {
  return {
    keyRef: row.key_ref,
    wrappedKey: row.wrapped_key,
    wrappingKeyId: row.wrapping_key_id,
    createdAt: iso(row.created_at),
    destroyedAt: isoOrNull(row.destroyed_at),
  };
}

export function dataKeyStoreOver(store: SqlStore): DataKeyStore {
  return {
    async insertDataKey({ keyRef, wrappedKey, wrappingKeyId }) {
      // One statement: the key inserted, else the one kept. The second SELECT sees the statement's snapshot, so a
      // key another process committed while this INSERT waited on it is in neither: then undefined (ask again).
      const [row] = await store.query<DataKeyRow>(
        `WITH inserted AS (
           INSERT INTO personal_data_keys (key_ref, wrapped_key, wrapping_key_id) VALUES ($1, $2, $3)
           ON CONFLICT (key_ref) DO NOTHING
           RETURNING key_ref, wrapped_key, wrapping_key_id, created_at, destroyed_at)
         SELECT * FROM inserted
         UNION ALL
         SELECT key_ref, wrapped_key, wrapping_key_id, created_at, destroyed_at FROM personal_data_keys
          WHERE key_ref = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
        [keyRef, wrappedKey, wrappingKeyId],
      );
      return row && recordOf(row);
    },
    async findDataKeys(keyRefs): Promise<DataKeyRecord[]> {
      if (keyRefs.length === 0) return [];
      const rows = await store.query<DataKeyRow>(
        `SELECT key_ref, wrapped_key, wrapping_key_id, created_at, destroyed_at FROM personal_data_keys
          WHERE key_ref = ANY($1::text[])`,
        [keyRefs],
      );
      return rows.map(recordOf);
    },
    async destroyDataKey(keyRef, erasure) {
      const destroyed = await store.transaction((tx) => destroy(tx, keyRef, erasure));
      await pruneDestroyed(store);
      return destroyed;
    },
  };
}

/**
 * The row versions an erasure left behind, pruned from the tables' files now. PostgreSQL's UPDATE and DELETE keep the
 * old version of a row in the table's file until a VACUUM: the destroyed key's wrapped copy (which the key ring still
 * unwraps) and the erased complaint's blind-index hashes would stay readable there, on PGlite (which runs no
 * autovacuum) for good. VACUUM removes them, at once unless a transaction older than the erasure still runs (then
 * the next erasure's or autovacuum's does). What it cannot reach, the write-ahead log until its segment is recycled,
 * WAL archives and backups taken before the erasure: README "Erasure" says how those are kept beyond use.
 */
async function pruneDestroyed(store: Pick<SqlStore, 'exec'>): Promise<void> {
  await store.exec('VACUUM personal_data_keys, complaint_search_words');
}

async function destroy(tx: Pick<SqlStore, 'query'>, keyRef: string, erasure: Erasure): Promise<boolean> {
  const at = erasure.at.toISOString();
  // A reference without a key yet (recorded before keys, or without a key ring) gets a destroyed one: sealing
  // under it is refused from now on.
  const [before] = await tx.query<{ destroyed: boolean }>(
    'SELECT destroyed_at IS NOT NULL AS destroyed FROM personal_data_keys WHERE key_ref = $1 FOR UPDATE',
    [keyRef],
  );
  await tx.query(
    `INSERT INTO personal_data_keys (key_ref, wrapped_key, wrapping_key_id, destroyed_at) VALUES ($1, NULL, '', $2)
     ON CONFLICT (key_ref) DO UPDATE SET wrapped_key = NULL,
       destroyed_at = COALESCE(personal_data_keys.destroyed_at, EXCLUDED.destroyed_at)`,
    [keyRef, at],
  );
  await tx.query('DELETE FROM complaint_search_words WHERE ref = $1', [keyRef]);
  await tx.query(
    `INSERT INTO destruction_log (ref, erased_at, erased_by, rule, reason, closed_at) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
     ON CONFLICT (ref) DO NOTHING`,
    [keyRef, at, JSON.stringify(erasure.by), erasure.rule, erasure.reason, erasure.closedAt ?? null],
  );
  return !before?.destroyed;
}

/** The destruction log, oldest first, after `after` (a ref of the previous page's last row) when given. */
export async function readDestructionLog(
  store: Pick<SqlStore, 'query'>,
  page: { limit: number; after?: { erasedAt: string; ref: string } },
): Promise<DestructionLogEntry[]> {
  const rows = await store.query<DestructionRow>(
    `SELECT ref, erased_at, erased_by, rule, reason, closed_at, workflow_deleted_at FROM destruction_log
      WHERE ($1::timestamptz IS NULL OR (erased_at, ref) > ($1::timestamptz, $2::text))
      ORDER BY erased_at, ref LIMIT $3`,
    [page.after?.erasedAt ?? null, page.after?.ref ?? '', page.limit],
  );
  return rows.map((row) => ({
    ref: row.ref,
    erasedAt: iso(row.erased_at),
    erasedBy:
      typeof row.erased_by === 'string'
        ? (JSON.parse(row.erased_by) as DestructionLogEntry['erasedBy'])
        : row.erased_by,
    rule: row.rule,
    reason: row.reason,
    closedAt: isoOrNull(row.closed_at),
    workflowDeletedAt: isoOrNull(row.workflow_deleted_at),
  }));
}

/** Records that the complaint's workflow executions were deleted from Temporal (retention). */
export async function recordWorkflowDeleted(store: Pick<SqlStore, 'query'>, ref: string, at: Date): Promise<void> {
  await store.query(
    'UPDATE destruction_log SET workflow_deleted_at = COALESCE(workflow_deleted_at, $2) WHERE ref = $1',
    [ref, at.toISOString()],
  );
}

/** A closed (or withdrawn) complaint retention may be due for: not yet deleted from Temporal by it. */
export interface ClosedComplaint {
  ref: string;
  procedureId: string;
  serviceArea: string;
  closedAt: string;
}

/** Closed and withdrawn complaints whose workflows were not deleted yet, by ref after `afterRef`. */
export async function closedComplaints(
  store: Pick<SqlStore, 'query'>,
  page: { afterRef?: string; limit: number },
): Promise<ClosedComplaint[]> {
  const rows = await store.query<{ ref: string; procedure_id: string; service_area: string; closed_at: string }>(
    `SELECT c.ref, c.procedure_id, c.service_area,
            COALESCE(c.snapshot->'closure'->>'at', c.snapshot->'withdrawal'->>'at') AS closed_at
       FROM complaints c LEFT JOIN destruction_log d ON d.ref = c.ref
      WHERE c.status IN ('closed', 'withdrawn') AND d.workflow_deleted_at IS NULL AND c.ref > $1
        AND COALESCE(c.snapshot->'closure'->>'at', c.snapshot->'withdrawal'->>'at') IS NOT NULL
      ORDER BY c.ref LIMIT $2`,
    [page.afterRef ?? '', page.limit],
  );
  return rows.map((row) => ({
    ref: row.ref,
    procedureId: row.procedure_id,
    serviceArea: row.service_area,
    closedAt: row.closed_at,
  }));
}

/** A compliment whose text retention may be due for: not erased yet. */
export interface HeldCompliment {
  id: string;
  receivedAt: string;
}

/**
 * Compliments whose text is still held (their key not destroyed), received by `asOf`, oldest first, after `after`
 * (the previous page's last): what the retention run judges (domain/retention.ts complimentRetentionDue).
 */
export async function heldCompliments(
  store: Pick<SqlStore, 'query'>,
  page: { asOf: string; after?: HeldCompliment; limit: number },
): Promise<HeldCompliment[]> {
  const rows = await store.query<{ id: string; received_at: Date | string }>(
    `SELECT c.id, c.received_at FROM compliments c LEFT JOIN personal_data_keys k ON k.key_ref = c.id
      WHERE k.destroyed_at IS NULL AND c.received_at <= $1::timestamptz
        AND ($2::timestamptz IS NULL OR (c.received_at, c.id) > ($2::timestamptz, $3::text))
      ORDER BY c.received_at, c.id LIMIT $4`,
    [page.asOf, page.after?.receivedAt ?? null, page.after?.id ?? '', page.limit],
  );
  return rows.map((row) => ({ id: row.id, receivedAt: iso(row.received_at) }));
}
