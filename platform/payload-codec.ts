import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeyRing } from './payload-keys';

// The payload codec: every payload a client or worker sends to Temporal (workflow input, Update arguments and
// results, activity inputs and results, memos, failure details) is encrypted here, outside the workflow sandbox, with
// AES-256-GCM under the key ring's current key; the key's id is in the payload's metadata, so a rotated key still
// decrypts what it encrypted. Search attributes are never encoded (Temporal indexes them): they hold no personal data.
// A payload that is not ours (no `binary/encrypted` encoding: histories recorded before encryption) passes through.

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

/**
 * The failure converter (Temporal then stores "Encoded failure" in place of each message and stack trace), a plain
 * CommonJS module because the SDK `require`s it by path in the worker's and clients' own thread and bundles it into
 * the workflow code (every bundle: devtools/temporal/test-servers.ts, scripts/build-workflow-bundle.ts, bench/).
 */
export const FAILURE_CONVERTER_PATH = path.resolve(__dirname, '..', 'workflows', 'failure-converter.cjs');

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A payload names a key the ring does not hold (a key dropped too early, or another deployment's data). */
export class UnknownPayloadKeyError extends Error {
  override readonly name = 'UnknownPayloadKeyError';
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeyRing) {}

  // async: a payload that cannot be decoded rejects the promise (the SDK's callers expect that), never throws.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return await Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        // The key id is authenticated too: a payload cannot be made to claim another key.
        cipher.setAAD(utf8.encode(id));
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id) },
          data: new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return await Promise.resolve(payloads.map((payload) => this.decodeOne(payload)));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || text.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? text.decode(idBytes) : '';
    const key = this.keys.find(id);
    if (!key) throw new UnknownPayloadKeyError(`payload encrypted under key "${id}", which is not in the key ring`);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload too short');
    const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(utf8.encode(id));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return temporal.api.common.v1.Payload.decode(plain) as Payload;
  }
}

/**
 * The data converter of every client (platform/temporal-connection.ts, api/main.ts), worker and replayer
 * (worker/workflow-options.ts): JSON payloads; failures' messages and stack traces moved into their encoded
 * attributes, a payload (workflows/failure-converter.cjs); with a key ring, every payload through the AES-GCM codec.
 */
export function complaintDataConverter(keys: PayloadKeyRing | undefined): DataConverter {
  const codec = payloadCodecFor(keys);
  return { failureConverterPath: FAILURE_CONVERTER_PATH, ...(codec ? { payloadCodecs: [codec] } : {}) };
}

/** The codec for a key ring (the codec server's too: api/routes/codec.ts); none without keys. */
export function payloadCodecFor(keys: PayloadKeyRing | undefined): PayloadCodec | undefined {
  return keys ? new AesGcmPayloadCodec(keys) : undefined;
}
