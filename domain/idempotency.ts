// What the idempotency rule needs in both the API and the workflow: one canonical form of a request's body and its
// digest, and the record of the keyed Updates a complaint has handled, which the workflow carries across
// continue-as-new (Temporal deduplicates an Update id within one run only). The digest of a body: digests.ts.

/** JSON with object keys sorted at every level: equal values give equal text, whatever the key order sent. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      return Object.fromEntries(
        Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return inner;
  });
}

/** What a keyed Update was answered the first time: the complaint as it was after it, or the refusal. */
export type HandledAnswer = { throughSeq: number } | { refused: { code: string; reason: string } };

/** A keyed Update the complaint handled: its id, the digest of the input it came with, and its answer. */
export interface HandledUpdate {
  id: string;
  inputSha256: string;
  answer: HandledAnswer;
}

/**
 * How many keyed Updates a complaint remembers across continue-as-new: the last 200. A client retries within
 * minutes, and a run holds thousands of events, so a retry older than the last 200 keyed actions is not expected;
 * about 40 KB carried into each new run at most.
 */
export const HANDLED_UPDATES_KEPT = 200;

/** The list with `handled` added, the oldest dropped beyond HANDLED_UPDATES_KEPT. */
export function rememberHandled(list: readonly HandledUpdate[], handled: HandledUpdate): HandledUpdate[] {
  return [...list.filter((entry) => entry.id !== handled.id), handled].slice(-HANDLED_UPDATES_KEPT);
}
