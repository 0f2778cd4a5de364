import type { DataKeyRecord, DataKeyStore } from '../platform/personal-data';
import type { SqlQueryable } from './sql';

// The data keys of platform/personal-data.ts in the register (migration 006).

interface DataKeyRow {
  key_ref: string;
  wrapped_key: string | null;
  wrapping_key_id: string;
  created_at: Date | string;
  destroyed_at: Date | string | null;
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

export function dataKeyStoreOver(store: SqlQueryable): DataKeyStore {
  return {
    async insertDataKey({ keyRef, wrappedKey, wrappingKeyId }) {
      await store.query(
        `INSERT INTO personal_data_keys (key_ref, wrapped_key, wrapping_key_id) VALUES ($1, $2, $3)
         ON CONFLICT (key_ref) DO NOTHING`,
        [keyRef, wrappedKey, wrappingKeyId],
      );
    },
    async findDataKeys(keyRefs): Promise<DataKeyRecord[]> {
      if (keyRefs.length === 0) return [];
      const rows = await store.query<DataKeyRow>(
        `SELECT key_ref, wrapped_key, wrapping_key_id, created_at, destroyed_at FROM personal_data_keys
          WHERE key_ref = ANY($1::text[])`,
        [keyRefs],
      );
      return rows.map((row) => ({
        keyRef: row.key_ref,
        wrappedKey: row.wrapped_key,
        wrappingKeyId: row.wrapping_key_id,
        createdAt: iso(row.created_at),
        destroyedAt: row.destroyed_at === null ? null : iso(row.destroyed_at),
      }));
    },
    async destroyDataKey(keyRef, at) {
      // A complaint without a key yet (recorded before keys, or without a key ring) gets a destroyed one: sealing
      // under its reference is refused from now on.
      const rows = await store.query<{ key_ref: string }>(
        `INSERT INTO personal_data_keys (key_ref, wrapped_key, wrapping_key_id, destroyed_at) VALUES ($1, NULL, '', $2)
         ON CONFLICT (key_ref) DO UPDATE SET wrapped_key = NULL, destroyed_at = COALESCE(personal_data_keys.destroyed_at, $2)
         RETURNING key_ref`,
        [keyRef, at.toISOString()],
      );
      return rows.length > 0;
    },
  };
}
