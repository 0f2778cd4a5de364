import { createHash, randomBytes } from 'node:crypto';
import { londonDate } from '../domain/calendar';

// Readable complaint references, `<PREFIX>-<year>-<6 digits>` (e.g. SW-2026-004817), unique without a shared
// counter: the API keeps no state of its own, and Temporal's REJECT_DUPLICATE on the workflow id (= the ref) is
// the one atomic store every API replica shares. So a reference is a slot that is tried, and the next candidate
// is tried when it is taken:
//   - with an Idempotency-Key, the candidates are a fixed sequence derived from the key (and the caller), so a
//     repeated request walks the same slots and finds the complaint it made, in whichever replica, after any
//     restart, even when both copies of the request race;
//   - without one, the candidates are random.
// The number says nothing about order; the register keeps the order of receipt.

export const REF_DIGITS = 6;
const SLOTS = 10 ** REF_DIGITS;

/** How many slots are tried before giving up (a year would have to be almost full). */
export const MAX_REF_ATTEMPTS = 64;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The year (Europe/London) a complaint received at this instant is numbered in. */
export function refYear(receivedAtMs: number): number {
  return Number(londonDate(receivedAtMs).slice(0, 4));
}

/** The `attempt`-th candidate reference for a seed (an idempotency key's hash, or random). */
export function candidateRef(prefix: string, year: number, seed: string, attempt: number): string {
  const digest = createHash('sha256').update(`${seed}\n${year}\n${attempt}`).digest();
  // 48 bits mod 10^6: the bias is far below anything visible.
  const number = digest.readUIntBE(0, 6) % SLOTS;
  return `${prefix}-${year}-${String(number).padStart(REF_DIGITS, '0')}`;
}

export function randomSeed(): string {
  return randomBytes(16).toString('hex');
}

/** The one canonical form of a body (domain/idempotency.ts), which the workflow hashes too. */
export { canonicalJson } from '../domain/idempotency';
