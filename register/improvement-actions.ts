import type { ImprovementAction } from '../domain/improvement-actions';
import type { ServiceArea } from '../domain/vocabulary';
import type { PersonalData } from '../platform/personal-data';
import type { SqlStore } from './sql';

// The improvement actions kept in the register (migration 009): each action, sealed where it is free text, and the
// events of its timeline (agreed, reminded, completed), each once. The rules of status, reminders and counts are
// domain/improvement-actions.ts; this file only keeps and reads.

export const improvementActionEventKinds = ['agreed', 'reminded-before-due', 'reminded-due', 'completed'] as const;
export type ImprovementActionEventKind = (typeof improvementActionEventKinds)[number];

export interface ImprovementActionEvent {
  actionId: string;
  kind: ImprovementActionEventKind;
  at: string;
  by: string;
}

/** An action as kept: the domain's fields, who agreed it, and the creating request's body hash. */
export interface ImprovementActionRecord extends ImprovementAction {
  agreedBy: string;
  requestSha256: string;
}

export type CompletionOutcome =
  { ok: true; action: ImprovementActionRecord } | { ok: false; why: 'not-found' | 'already-completed' };

export interface ImprovementActionStore {
  /** Keeps a new action and its 'agreed' event once (by id): a repeat returns the action as first kept. */
  agree(action: ImprovementActionRecord): Promise<ImprovementActionRecord>;
  get(id: string): Promise<ImprovementActionRecord | undefined>;
  /** Actions oldest first: a complaint's, or every one (the report, the list of all). */
  list(filter?: { ref?: string }): Promise<ImprovementActionRecord[]>;
  /** The events of a complaint's actions, in time order. */
  eventsOf(ref: string): Promise<ImprovementActionEvent[]>;
  /** Records that the owner was reminded (once per kind). */
  recordReminder(id: string, kind: 'before-due' | 'due', at: Date): Promise<void>;
  /** Completion with evidence: the first one stands; a second is 'already-completed'. */
  complete(id: string, completion: { evidence: string; by: string; at: Date }): Promise<CompletionOutcome>;
}

interface ActionRow {
  id: string;
  ref: string;
  service_area: string;
  what: string;
  owner: string;
  due_date: string;
  agreed_at: Date | string;
  agreed_by: string;
  request_sha256: string;
  completed_at: Date | string | null;
  completed_by: string | null;
  evidence: string | null;
}

interface EventRow {
  action_id: string;
  kind: string;
  at: Date | string;
  by_id: string;
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

function fromRow(row: ActionRow): ImprovementActionRecord {
  return {
    id: row.id,
    ref: row.ref,
    serviceArea: row.service_area as ServiceArea,
    what: row.what,
    owner: row.owner,
    dueDate: row.due_date,
    agreedAt: iso(row.agreed_at),
    agreedBy: row.agreed_by,
    requestSha256: row.request_sha256,
    ...(row.completed_at !== null
      ? { completion: { evidence: row.evidence ?? '', by: row.completed_by ?? '', at: iso(row.completed_at) } }
      : {}),
  };
}

const COLUMNS = `id, ref, service_area, what, owner, due_date, agreed_at, agreed_by, request_sha256, completed_at,
  completed_by, evidence`;

/** The store over the register's tables; free text sealed under the complaint's data key, opened when read. */
export function improvementActionStoreOver(store: SqlStore, personal: PersonalData): ImprovementActionStore {
  const get = async (id: string) => {
    const [row] = await store.query<ActionRow>(`SELECT ${COLUMNS} FROM improvement_actions WHERE id = $1`, [id]);
    return row ? personal.open(fromRow(row)) : undefined;
  };
  const event = (tx: Pick<SqlStore, 'query'>, id: string, kind: ImprovementActionEventKind, at: string, by: string) =>
    tx.query(
      `INSERT INTO improvement_action_events (action_id, kind, at, by_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (action_id, kind) DO NOTHING`,
      [id, kind, at, by],
    );
  return {
    async agree(action) {
      const what = await personal.seal(action.ref, action.what);
      await store.transaction(async (tx) => {
        const inserted = await tx.query<{ id: string }>(
          `INSERT INTO improvement_actions (id, ref, service_area, what, owner, due_date, agreed_at, agreed_by,
             request_sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
          [
            action.id,
            action.ref,
            action.serviceArea,
            what,
            action.owner,
            action.dueDate,
            action.agreedAt,
            action.agreedBy,
            action.requestSha256,
          ],
        );
        if (inserted.length > 0) await event(tx, action.id, 'agreed', action.agreedAt, action.agreedBy);
      });
      return (await get(action.id))!;
    },
    get,
    async list(filter = {}) {
      const rows = filter.ref
        ? await store.query<ActionRow>(
            `SELECT ${COLUMNS} FROM improvement_actions WHERE ref = $1 ORDER BY agreed_at, id`,
            [filter.ref],
          )
        : await store.query<ActionRow>(`SELECT ${COLUMNS} FROM improvement_actions ORDER BY agreed_at, id`);
      return personal.open(rows.map(fromRow));
    },
    async eventsOf(ref) {
      const rows = await store.query<EventRow>(
        `SELECT e.action_id, e.kind, e.at, e.by_id FROM improvement_action_events e
           JOIN improvement_actions a ON a.id = e.action_id WHERE a.ref = $1 ORDER BY e.at, e.action_id, e.kind`,
        [ref],
      );
      return rows.map((row) => ({
        actionId: row.action_id,
        kind: row.kind as ImprovementActionEventKind,
        at: iso(row.at),
        by: row.by_id,
      }));
    },
    async recordReminder(id, kind, at) {
      await event(store, id, `reminded-${kind}`, at.toISOString(), 'system');
    },
    async complete(id, completion) {
      const found = await get(id);
      if (!found) return { ok: false, why: 'not-found' };
      const evidence = await personal.seal(found.ref, completion.evidence);
      const at = completion.at.toISOString();
      const marked = await store.transaction(async (tx) => {
        const updated = await tx.query<{ id: string }>(
          `UPDATE improvement_actions SET completed_at = $2, completed_by = $3, evidence = $4
            WHERE id = $1 AND completed_at IS NULL RETURNING id`,
          [id, at, completion.by, evidence],
        );
        if (updated.length > 0) await event(tx, id, 'completed', at, completion.by);
        return updated.length > 0;
      });
      if (!marked) return { ok: false, why: 'already-completed' };
      return { ok: true, action: (await get(id))! };
    },
  };
}
