// The committed TEST key ring (tests/fixtures/encryption-keys.test.yaml: public keys, never for real data), as the
// encryption tests and the history recorder use it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseKeyRingDocument, PayloadKeyRing } from '../../platform/payload-keys';

export const TEST_KEYS_PATH = path.resolve(__dirname, '..', 'fixtures', 'encryption-keys.test.yaml');

/** Both test keys (the last, `test-current`, encrypts); `only: 'test-old'` for a ring before the rotation. */
export function testPayloadKeys(only?: string): PayloadKeyRing {
  const keys = parseKeyRingDocument(readFileSync(TEST_KEYS_PATH, 'utf8'), TEST_KEYS_PATH);
  return new PayloadKeyRing(only ? keys.filter((key) => key.id === only) : keys);
}
