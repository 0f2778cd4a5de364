import type { ActionName } from './action-names';

// Which fields of a complaint are personal data (issue 14), and how a sealed one looks. The API seals them with the
// complaint's own data key before they reach Temporal (platform/personal-data.ts, called from
// api/complaint-service.ts); the workflow, the replay guard and the audit carry them as opaque strings and never need
// their text. Pure: the workflow's action parsing (domain/actions.ts parseCommand) recognises a sealed field here.

/** A sealed field: `pd1:<key reference>:<base64 of iv | ciphertext | tag>` (platform/personal-data.ts makes it). */
export const SEALED_TEXT_PATTERN = /^pd1:[A-Za-z0-9-]{3,64}:[A-Za-z0-9+/]+={0,2}$/;

/** What a reader is shown in place of a field whose data key was destroyed (erasure, retention). */
export const ERASED_TEXT = '[erased]';

export function isSealedText(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('pd1:') && SEALED_TEXT_PATTERN.test(value);
}

/** The personal fields of a complaint's details (intake), as paths. */
export const personalDetailFields: readonly (readonly string[])[] = [
  ['complainant', 'name'],
  ['complainant', 'email'],
  ['complainant', 'phone'],
  ['complainant', 'address'],
  ['representative', 'name'],
  ['representative', 'relationship'],
  ['representative', 'email'],
  ['representative', 'phone'],
  ['summary'],
];

/**
 * The free text of each action's body (officers and the Ombudsman's reference are not the complainant's data; a
 * reason for a procedure move or an extension may quote the complainant, so it is sealed too). Not `learned`: what
 * the council learned is written for publication, without personal details, and the annual report quotes it ("you
 * said, we did": domain/learning.ts), so it is kept as written and survives an erasure. An erasure's reason is sealed
 * under ERASURE_RECORD_KEY, not the complaint's key (`sealingKeyFor`).
 */
export const personalActionFields: { readonly [A in ActionName]: readonly string[] } = {
  acknowledge: ['note'],
  assign: [],
  'record-outcome': ['findings', 'actionsTaken'],
  'request-escalation': [],
  'grant-extension': ['reason'],
  withdraw: ['reason'],
  'refer-to-ombudsman': [],
  'add-note': ['text'],
  'update-calendar': [],
  'migrate-procedure': ['reason'],
  'erase-personal-data': ['reason'],
};

/**
 * The key reference of what outlives an erasure: why a complaint's personal data was erased (the reason of the
 * `erase-personal-data` action and of the destruction log's row, a manager's free text). Sealed like every free text,
 * so that neither Temporal's database nor the register's files or their backups hold it as text; under a key no
 * erasure destroys, so that managers still read it after. It begins with a dash, which no complaint reference
 * (domain/intake.ts ComplaintRefSchema) nor compliment id (a UUID) can: no erasure or retention reaches it.
 */
export const ERASURE_RECORD_KEY = '-erasure-records';

/** The key reference an action's free text is sealed under: the complaint's own, but ERASURE_RECORD_KEY for an erasure's. */
export function sealingKeyFor(ref: string, action: ActionName): string {
  return action === 'erase-personal-data' ? ERASURE_RECORD_KEY : ref;
}

/**
 * The payload with each sealed top-level field replaced by a stand-in the action's schema accepts, and a function
 * that puts the sealed values back into what the schema parsed. The API validated the text before sealing it (only
 * it holds the key), so the workflow checks the rest of the body and keeps a sealed field as it came.
 */
export function withSealedFieldsSetAside(payload: Record<string, unknown>): {
  payload: Record<string, unknown>;
  restore<T extends object>(parsed: T): T;
} {
  const sealed = Object.entries(payload).filter(([, value]) => isSealedText(value));
  if (sealed.length === 0) return { payload, restore: (parsed) => parsed };
  const standIns = Object.fromEntries(sealed.map(([key]) => [key, 'sealed personal text']));
  return {
    payload: { ...payload, ...standIns },
    restore: (parsed) => ({ ...parsed, ...Object.fromEntries(sealed) }),
  };
}
