import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../domain/actions';
import { type AppConfig, ConfigError } from './config';

// The key ring of the payload codec (platform/payload-codec.ts): AES-256 keys by id. The LAST key listed encrypts
// new payloads; every key listed decrypts (each payload names its key in its metadata). Rotation: append a new key
// and restart every process; drop an old key only when nothing Temporal still holds was encrypted under it.
// Document (YAML or JSON, in ENCRYPTION_KEYS_PATH or inline in ENCRYPTION_KEYS):
//   keys:
//     - id: 2026-12
//       key: <32 random bytes, base64>       (make one: `openssl rand -base64 32`)
// Key values are never logged; a problem names the source and the key's id only.

export interface PayloadKey {
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

export class PayloadKeyRing {
  private readonly byId = new Map<string, PayloadKey>();

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('a key ring needs at least one key');
    for (const key of keys) {
      if (key.key.length !== 32) throw new Error(`key ${key.id} is not 32 bytes`);
      if (this.byId.has(key.id)) throw new Error(`key id ${key.id} is listed twice`);
      this.byId.set(key.id, key);
    }
    this.current = keys[keys.length - 1]!;
  }

  /** The key new payloads are encrypted with. */
  readonly current: PayloadKey;

  /** The key a payload names, if the ring has it. */
  find(id: string): PayloadKey | undefined {
    return this.byId.get(id);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }
}

const KeyEntrySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores'),
    key: z.string().refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
      message: 'must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)',
    }),
    note: z.string().max(500).optional(),
  })
  .strict();

const KeyDocumentSchema = z.object({ keys: z.array(KeyEntrySchema).min(1, 'must list at least one key') }).strict();

/** Parses a key-ring document; problems are one line naming `source` (never a key value). */
export function parseKeyRingDocument(text: string, source: string): PayloadKey[] {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch {
    throw new ConfigError(`Invalid configuration: ${source} is not valid YAML or JSON`);
  }
  const parsed = KeyDocumentSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${source} ${describeIssues(parsed.error)}`);
  return parsed.data.keys.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') }));
}

type KeyConfig = Pick<AppConfig, 'ENCRYPTION_KEYS_PATH' | 'ENCRYPTION_KEYS' | 'PAYLOAD_ENCRYPTION' | 'DATA_DIR'>;

/** The configured keys (file first, then inline), or undefined when neither variable is set. */
export function loadKeyRing(config: KeyConfig): PayloadKeyRing | undefined {
  if (!config.ENCRYPTION_KEYS_PATH && !config.ENCRYPTION_KEYS) return undefined;
  const keys: PayloadKey[] = [];
  if (config.ENCRYPTION_KEYS_PATH) {
    let text: string;
    try {
      text = readFileSync(config.ENCRYPTION_KEYS_PATH, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(
        `Invalid configuration: ENCRYPTION_KEYS_PATH cannot be read (${reason}: ${JSON.stringify(config.ENCRYPTION_KEYS_PATH)})`,
      );
    }
    keys.push(...parseKeyRingDocument(text, 'ENCRYPTION_KEYS_PATH'));
  }
  if (config.ENCRYPTION_KEYS) keys.push(...parseKeyRingDocument(config.ENCRYPTION_KEYS, 'ENCRYPTION_KEYS'));
  try {
    return new PayloadKeyRing(keys);
  } catch (err) {
    throw new ConfigError(`Invalid configuration: ENCRYPTION_KEYS_PATH/ENCRYPTION_KEYS: ${(err as Error).message}`);
  }
}

export const DEV_KEYS_FILE = 'encryption-keys.dev.yaml';

/**
 * Development keys in DATA_DIR/encryption-keys.dev.yaml, made at first start (one key). Every process of the machine
 * reads the same file: it is written under another name and linked into place, so two processes starting together
 * agree on whichever was linked first.
 */
export function ensureDevKeyRing(dataDir: string): { ring: PayloadKeyRing; file: string; created: boolean } {
  const file = path.join(dataDir, DEV_KEYS_FILE);
  let created = false;
  try {
    readFileSync(file);
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const document = {
      keys: [{ id: 'dev-1', key: randomBytes(32).toString('base64'), note: 'development only, made at first start' }],
    };
    writeFileSync(draft, YAML.stringify(document), { mode: 0o600 });
    try {
      linkSync(draft, file);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(draft, { force: true });
    }
    chmodSync(file, 0o600);
  }
  return { ring: new PayloadKeyRing(parseKeyRingDocument(readFileSync(file, 'utf8'), file)), file, created };
}

/** Running from TypeScript sources (npm start, npm run worker/api, tests) rather than compiled dist/. */
const runningFromSources = __filename.endsWith('.ts');

const rings = new Map<string, PayloadKeyRing | undefined>();

/**
 * The key ring every process of this configuration uses (the worker, the API, the scripts, the audit): the
 * configured keys; none configured, from sources, the development keys under DATA_DIR; none configured, compiled:
 * a ConfigError (production never runs without keys). PAYLOAD_ENCRYPTION=off: none (bench only). Read once per
 * process and configuration.
 */
export function payloadKeysFor(config: KeyConfig): PayloadKeyRing | undefined {
  if (config.PAYLOAD_ENCRYPTION === 'off') return undefined;
  const cacheKey = JSON.stringify([config.ENCRYPTION_KEYS_PATH, config.ENCRYPTION_KEYS, config.DATA_DIR]);
  if (rings.has(cacheKey)) return rings.get(cacheKey);
  let ring = loadKeyRing(config);
  if (!ring) {
    if (!runningFromSources)
      throw new ConfigError(
        'Invalid configuration: ENCRYPTION_KEYS_PATH or ENCRYPTION_KEYS must be set (personal data is encrypted before it reaches Temporal; see the README, "Keys")',
      );
    ring = ensureDevKeyRing(config.DATA_DIR).ring;
  }
  rings.set(cacheKey, ring);
  return ring;
}
