import type { SqlQueryable } from './sql';

// The access log kept in the register (migration 008): one row per read that disclosed a complaint's personal data.
// Written in batches by api/access-recorder.ts (the reads do not wait for it); read by auditors, newest first.

export interface AccessRecord {
  /** The complaint read; null for a subject access request that matched none. */
  ref: string | null;
  viewer: { id: string; roles: readonly string[] };
  /** The route that disclosed it, e.g. "GET /complaints/:ref" or "web GET /cases/:ref". */
  route: string;
  at: string;
}

export interface KeptAccessRecord extends AccessRecord {
  /** Increasing in the order the records were kept (the page's cursor). */
  id: number;
}

export interface AccessLogStore {
  /** Keeps the records, all or none (one statement). */
  append(records: readonly AccessRecord[]): Promise<void>;
  /** One complaint's records, newest first: `limit` of them kept before `beforeId` (all when absent). */
  forComplaint(ref: string, page: { limit: number; beforeId?: number }): Promise<KeptAccessRecord[]>;
}

interface AccessRow {
  id: string | number;
  at: Date | string;
  ref: string | null;
  viewer_id: string;
  viewer_roles: string[] | string;
  route: string;
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

export function accessLogOver(store: SqlQueryable): AccessLogStore {
  return {
    async append(records) {
      if (records.length === 0) return;
      // One INSERT of unnested arrays: a batch of any size is one round trip and one statement.
      await store.query(
        `INSERT INTO access_log (at, ref, viewer_id, viewer_roles, route)
         SELECT at, ref, viewer_id, viewer_roles::jsonb, route
         FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[])
           AS r(at, ref, viewer_id, viewer_roles, route)`,
        [
          records.map((record) => record.at),
          records.map((record) => record.ref),
          records.map((record) => record.viewer.id),
          records.map((record) => JSON.stringify(record.viewer.roles)),
          records.map((record) => record.route),
        ],
      );
    },
    async forComplaint(ref, { limit, beforeId }) {
      const rows = await store.query<AccessRow>(
        `SELECT id, at, ref, viewer_id, viewer_roles, route FROM access_log
         WHERE ref = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
        [ref, beforeId ?? null, limit],
      );
      return rows.map((row) => ({
        id: Number(row.id),
        at: iso(row.at),
        ref: row.ref,
        viewer: {
          id: row.viewer_id,
          roles: typeof row.viewer_roles === 'string' ? (JSON.parse(row.viewer_roles) as string[]) : row.viewer_roles,
        },
        route: row.route,
      }));
    },
  };
}
