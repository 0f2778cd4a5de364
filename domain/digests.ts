import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from './idempotency';

// The SHA-256 digests the rules use: of a keyed request's body, which the workflow compares when an Update's
// Idempotency-Key comes again (idempotency.ts), and of a notice's id, a letter's id (letters.ts). Apart from those
// rules because @noble/hashes builds every SHA-2 variant's tables when it loads (SHA-512's from BigInts), and
// workflow code loads it only when it first needs a digest (workflows/action-parsing.ts), not for every complaint
// the worker wakes. Pure: plain JS, no Node crypto, so the workflow bundle can hash.

/** SHA-256 (hex) of a value's canonical JSON. */
export function inputDigest(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));
}

/** The letter's id in the register and the API: `L-` and 24 hex digits of the notice id's SHA-256 (URL-safe). */
export function letterIdFor(noticeId: string): string {
  return `L-${bytesToHex(sha256(utf8ToBytes(noticeId))).slice(0, 24)}`;
}
