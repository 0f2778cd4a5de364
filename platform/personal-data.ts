import { setBounded } from '../domain/bounded-map';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ERASED_TEXT, ERASURE_RECORD_KEY, isSealedText } from '../domain/personal-fields';
import type { PayloadKeyRing } from './payload-keys';

// Per-complaint data keys (envelope encryption, issue 14). Each complaint (and each compliment) has its own 32-byte
// data key, wrapped with the key ring's current key (platform/payload-keys.ts; the wrapping key's id is kept, so a
// rotated ring still unwraps it) and kept in the register (table personal_data_keys, register/data-keys.ts). Its
// personal fields are sealed with it as self-describing strings, `pd1:<key reference>:<base64>`, so a sealed field
// stays a string in every schema and is recognised anywhere (domain/personal-fields.ts). Destroying the data key
// (erasure, retention) makes every copy unreadable at once: Temporal's histories, the register, backups.
//
// The one opening function: `PersonalData.open(value)` opens every sealed string in any JSON value (a state, a
// timeline, a notice, a list page); a field whose key was destroyed reads ERASED_TEXT.
//
// Without a key ring (PAYLOAD_ENCRYPTION=off, the benchmark's comparison run, and tests that run without keys)
// nothing is sealed and `open` passes plain text through; the search index is still keyed (with a fixed key), so
// there is one search path.

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A data key as the register keeps it. */
export interface DataKeyRecord {
  keyRef: string;
  /** base64 of iv | wrapped key | tag; null once destroyed. */
  wrappedKey: string | null;
  wrappingKeyId: string;
  createdAt: string;
  destroyedAt: string | null;
}

/** Why and by whom a reference's personal data was erased (the destruction log's row: register/data-keys.ts). */
export interface Erasure {
  at: Date;
  by: { id: string; name?: string; role?: string };
  /** 'request' (a manager's, POST /complaints/{ref}/erasure) or the retention rule applied. */
  rule: string;
  reason: string;
  /** When the complaint was closed (retention), if known. */
  closedAt?: string;
}

/** Where data keys are kept (the register: register/data-keys.ts). */
export interface DataKeyStore {
  /**
   * Keeps a new key unless the reference has one already (then the one kept stands), and answers the one kept;
   * undefined when it cannot say (one kept by another writer meanwhile: find it).
   */
  insertDataKey(record: {
    keyRef: string;
    wrappedKey: string;
    wrappingKeyId: string;
  }): Promise<DataKeyRecord | undefined>;
  findDataKeys(keyRefs: readonly string[]): Promise<DataKeyRecord[]>;
  /**
   * Forgets the wrapped key for ever, deletes the reference's search index and logs the erasure (the first one
   * stands), at once; false when the key was already destroyed.
   */
  destroyDataKey(keyRef: string, erasure: Erasure): Promise<boolean>;
}

/** The reference's data key was destroyed: nothing can be sealed under it any more. */
export class ErasedDataError extends Error {
  override readonly name = 'ErasedDataError';
}

function aesGcmSeal(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function aesGcmOpen(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}

/** The key reference a sealed string names. */
export function keyRefOf(sealed: string): string {
  return sealed.slice(4, sealed.indexOf(':', 4));
}

/** Every sealed string in a JSON value. */
function sealedStringsIn(value: unknown, found: Set<string>): Set<string> {
  if (isSealedText(value)) found.add(value);
  else if (Array.isArray(value)) for (const item of value) sealedStringsIn(item, found);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) sealedStringsIn(item, found);
  return found;
}

function replaceStrings(value: unknown, replacement: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return replacement.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => replaceStrings(item, replacement));
  if (value && typeof value === 'object' && !(value instanceof Uint8Array))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceStrings(item, replacement)]));
  return value;
}

function getPath(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

function withPath(value: Record<string, unknown>, path: readonly string[], leaf: string): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (rest.length === 0) return { ...value, [key]: leaf };
  return { ...value, [key]: withPath(value[key] as Record<string, unknown>, rest, leaf) };
}

/**
 * How long an unwrapped data key is kept in memory, and how many. Sealing and opening a complaint's fields took a
 * register query each (the lifecycle with encryption ran at 0.78 of its speed without, bench 2026-12-02 18:34); a
 * key this process erases leaves its cache at once, and one another process erased (several API or worker processes
 * over PostgreSQL) is forgotten here within this time. Notices ask `isErased` of the register itself, uncached.
 */
export const DATA_KEY_CACHE_MS = 10_000;
const DATA_KEY_CACHE_SIZE = 10_000;

export class PersonalData {
  private readonly searchKey: Buffer;
  /** Unwrapped data keys by reference, oldest first, each until its time (DATA_KEY_CACHE_MS). */
  private readonly cachedKeys = new Map<string, { key: Buffer; untilMs: number }>();
  /** References erased through this process: never cached again (a read in flight as the key is destroyed). */
  private readonly erasedHere = new Set<string>();

  constructor(
    private readonly ring: PayloadKeyRing | undefined,
    private readonly store: DataKeyStore,
    private readonly nowMs: () => number = Date.now,
  ) {
    // The blind index's key, derived from the FIRST key listed (the oldest: rotation appends keys, so it stays the
    // same while old keys are kept). Without keys, a fixed key: the index is then only a hash.
    const root = ring ? ring.find(ring.ids[0]!)!.key : Buffer.alloc(32);
    this.searchKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'complaints search index v1', 32));
  }

  /** Whether personal fields are sealed (a key ring is configured). */
  get sealing(): boolean {
    return this.ring !== undefined;
  }

  /** A keyed hash of a normalised search word (register/search.ts: the blind index). */
  searchHash(word: string): string {
    return createHmac('sha256', this.searchKey).update(word, 'utf8').digest('base64url').slice(0, 22);
  }

  /** The reference's data key, made now when it has none; ErasedDataError when it was destroyed. */
  private async dataKey(keyRef: string): Promise<Buffer> {
    const cached = this.cachedKey(keyRef);
    if (cached) return cached;
    // Offered a new key at once, which the store keeps only if the reference has none: one statement for a new
    // complaint's key or one kept already (wrapping 32 random bytes costs microseconds).
    const { id, key: wrapping } = this.ring!.current;
    const wrapped = aesGcmSeal(wrapping, randomBytes(32), `data-key:${keyRef}:${id}`).toString('base64');
    const record =
      (await this.store.insertDataKey({ keyRef, wrappedKey: wrapped, wrappingKeyId: id })) ??
      (await this.store.findDataKeys([keyRef]))[0];
    const key = record ? this.unwrap(record) : undefined;
    if (!key) throw new ErasedDataError(`the personal data of ${keyRef} was erased`);
    this.cacheKey(keyRef, key);
    return key;
  }

  private cachedKey(keyRef: string): Buffer | undefined {
    const entry = this.cachedKeys.get(keyRef);
    if (entry && entry.untilMs > this.nowMs()) return entry.key;
    if (entry) this.cachedKeys.delete(keyRef);
    return undefined;
  }

  private cacheKey(keyRef: string, key: Buffer): void {
    this.cachedKeys.delete(keyRef);
    if (this.erasedHere.has(keyRef)) return;
    setBounded(this.cachedKeys, keyRef, { key, untilMs: this.nowMs() + DATA_KEY_CACHE_MS }, DATA_KEY_CACHE_SIZE);
  }

  private unwrap(record: DataKeyRecord): Buffer | undefined {
    if (record.wrappedKey === null || record.destroyedAt !== null) return undefined;
    const wrapping = this.ring?.find(record.wrappingKeyId);
    if (!wrapping)
      throw new Error(
        `the data key of ${record.keyRef} is wrapped with key "${record.wrappingKeyId}", not in the ring`,
      );
    const aad = `data-key:${record.keyRef}:${record.wrappingKeyId}`;
    return aesGcmOpen(wrapping.key, Buffer.from(record.wrappedKey, 'base64'), aad);
  }

  /** Seals one text under the reference's data key (plain text back without a key ring). */
  async seal(keyRef: string, text: string): Promise<string> {
    if (!this.ring) return text;
    return this.sealWith(keyRef, await this.dataKey(keyRef), Buffer.from(text, 'utf8'));
  }

  /** Seals bytes (a letter's PDF) as a sealed string. */
  async sealBytes(keyRef: string, bytes: Uint8Array): Promise<string> {
    if (!this.ring) return Buffer.from(bytes).toString('base64');
    return this.sealWith(keyRef, await this.dataKey(keyRef), Buffer.from(bytes));
  }

  private sealWith(keyRef: string, key: Buffer, plain: Buffer): string {
    return `pd1:${keyRef}:${aesGcmSeal(key, plain, `pd1:${keyRef}`).toString('base64')}`;
  }

  /** The object with the strings at `paths` sealed under the reference's key (absent ones stay absent). */
  async sealFields<T extends object>(keyRef: string, value: T, paths: readonly (readonly string[])[]): Promise<T> {
    const present = paths.some((path) => typeof getPath(value, path) === 'string');
    if (!this.ring || !present) return value;
    const key = await this.dataKey(keyRef);
    let sealed = value as Record<string, unknown>;
    for (const path of paths) {
      const text = getPath(sealed, path);
      if (typeof text === 'string' && !isSealedText(text))
        sealed = withPath(sealed, path, this.sealWith(keyRef, key, Buffer.from(text, 'utf8')));
    }
    return sealed as T;
  }

  /**
   * THE opening function: `value` with every sealed string in it opened (ERASED_TEXT where its key was destroyed).
   * For callers allowed personal data (api/auth.ts mayReadPersonalData) and the activities that send letters.
   */
  async open<T>(value: T): Promise<T> {
    const sealed = sealedStringsIn(value, new Set());
    if (sealed.size === 0) return value;
    const keys = await this.keysOf(new Set([...sealed].map(keyRefOf)));
    const opened = new Map<string, string>();
    for (const text of sealed) {
      const keyRef = keyRefOf(text);
      const key = keys.get(keyRef);
      opened.set(text, key ? aesGcmOpen(key, this.bytesOf(text), `pd1:${keyRef}`).toString('utf8') : ERASED_TEXT);
    }
    return replaceStrings(value, opened) as T;
  }

  /** Sealed bytes opened; undefined when erased. Plain base64 (kept without a key ring) is decoded. */
  async openBytes(value: string): Promise<Uint8Array | undefined> {
    if (!isSealedText(value)) return Buffer.from(value, 'base64');
    const keyRef = keyRefOf(value);
    const key = (await this.keysOf(new Set([keyRef]))).get(keyRef);
    return key ? aesGcmOpen(key, this.bytesOf(value), `pd1:${keyRef}`) : undefined;
  }

  /** Whether the reference's personal data was erased (its key destroyed). */
  async isErased(keyRef: string): Promise<boolean> {
    const [record] = await this.store.findDataKeys([keyRef]);
    return record !== undefined && (record.wrappedKey === null || record.destroyedAt !== null);
  }

  /**
   * Destroys the reference's data key: everything sealed under it is unreadable for ever; logged, with the reason
   * sealed under the key no erasure destroys (ERASURE_RECORD_KEY: readers of the destruction log get it opened).
   */
  async erase(keyRef: string, erasure: Erasure): Promise<boolean> {
    if (keyRef === ERASURE_RECORD_KEY) throw new Error(`${ERASURE_RECORD_KEY} is not a complaint's key`);
    this.erasedHere.add(keyRef);
    this.cachedKeys.delete(keyRef);
    const reason = await this.seal(ERASURE_RECORD_KEY, erasure.reason);
    return this.store.destroyDataKey(keyRef, { ...erasure, reason });
  }

  private bytesOf(sealed: string): Buffer {
    return Buffer.from(sealed.slice(sealed.indexOf(':', 4) + 1), 'base64');
  }

  private async keysOf(keyRefs: ReadonlySet<string>): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const keyRef of keyRefs) {
      const cached = this.cachedKey(keyRef);
      if (cached) keys.set(keyRef, cached);
      else missing.push(keyRef);
    }
    if (missing.length === 0) return keys;
    for (const record of await this.store.findDataKeys(missing)) {
      const key = this.unwrap(record);
      if (key) {
        keys.set(record.keyRef, key);
        this.cacheKey(record.keyRef, key);
      }
    }
    return keys;
  }
}
