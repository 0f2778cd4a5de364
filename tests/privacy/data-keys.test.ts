// Per-complaint data keys (platform/personal-data.ts) over a real register (PGlite in memory): sealed fields are
// self-describing strings, opened by the one opening function; a data key wrapped under an old key of the ring still
// opens after rotation while new keys are wrapped with the new one; a destroyed key reads as erased and refuses
// sealing; the blind index holds no word in plain text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionBodySchemas, parseCommand } from '../../domain/actions';
import { ERASED_TEXT, isSealedText, personalDetailFields } from '../../domain/personal-fields';
import { ErasedDataError, keyRefOf, PersonalData } from '../../platform/personal-data';
import { openPgliteInMemory, registerOver, type Register, type SqlStore } from '../../register';
import { dataKeyStoreOver } from '../../register/data-keys';
import { testPayloadKeys } from '../support/payload-keys';

let store: SqlStore;
let register: Register;

beforeAll(async () => {
  store = await openPgliteInMemory();
  register = await registerOver(store, { keys: testPayloadKeys() });
});
afterAll(async () => {
  await register.close();
});

const details = {
  complainant: { name: 'Zxq Person', email: 'zxq@example.org', address: '1 Zxq Street' },
  serviceArea: 'community-care',
  summary: 'Zxq summary',
};

describe('sealing and opening', () => {
  it('seals each personal field under the complaint own key, and opens them all', async () => {
    const personal = register.personalData;
    const sealed = await personal.sealFields('KEYS-1', details, personalDetailFields);
    expect(isSealedText(sealed.complainant.name)).toBe(true);
    expect(keyRefOf(sealed.complainant.name)).toBe('KEYS-1');
    expect(JSON.stringify(sealed)).not.toContain('Zxq');
    expect(sealed.serviceArea).toBe('community-care');
    expect('phone' in sealed.complainant).toBe(false);
    expect(await personal.open(sealed)).toEqual(details);
    // Each seal has its own IV: the same text twice is two strings.
    expect(await personal.seal('KEYS-1', 'same')).not.toBe(await personal.seal('KEYS-1', 'same'));
  });

  it('refuses a sealed string moved to another complaint (the key reference is authenticated)', async () => {
    const personal = register.personalData;
    await personal.seal('KEYS-OTHER', 'x');
    const sealed = await personal.seal('KEYS-2', 'Zxq text');
    const moved = sealed.replace('pd1:KEYS-2:', 'pd1:KEYS-OTHER:');
    await expect(personal.open(moved)).rejects.toThrow();
  });

  it('keeps the wrapped key, never the key, in the register', async () => {
    await register.personalData.seal('KEYS-3', 'text');
    const rows = await store.query<{ wrapped_key: string; wrapping_key_id: string }>(
      "SELECT wrapped_key, wrapping_key_id FROM personal_data_keys WHERE key_ref = 'KEYS-3'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.wrapping_key_id).toBe('test-current');
    expect(Buffer.from(rows[0]!.wrapped_key, 'base64').length).toBe(12 + 32 + 16);
  });

  it('lets the workflow parse an action whose free text is sealed, and keeps it sealed', async () => {
    const text = await register.personalData.seal('KEYS-4', 'x'.repeat(10_000));
    expect(actionBodySchemas['add-note'].safeParse({ text }).success).toBe(false);
    const parsed = parseCommand('add-note', { text, actor: { id: 'officer.jones' } });
    expect(parsed).toEqual({ ok: true, command: { action: 'add-note', actor: { id: 'officer.jones' }, text } });
    // The rest of the body is still checked.
    expect(parseCommand('add-note', { text, extra: 1, actor: { id: 'a' } }).ok).toBe(false);
  });
});

describe('key rotation', () => {
  it('opens what was sealed under the old wrapping key; a new complaint is wrapped with the new key', async () => {
    const keys = dataKeyStoreOver(store);
    const before = new PersonalData(testPayloadKeys('test-old'), keys);
    const oldSealed = await before.seal('KEYS-ROT-OLD', 'Zxq before rotation');
    const after = new PersonalData(testPayloadKeys(), keys);
    expect(await after.open(oldSealed)).toBe('Zxq before rotation');
    // More fields of the old complaint go under its existing data key, still wrapped with the old key.
    expect(await after.open(await after.seal('KEYS-ROT-OLD', 'later'))).toBe('later');
    await after.seal('KEYS-ROT-NEW', 'Zxq after rotation');
    const rows = await store.query<{ key_ref: string; wrapping_key_id: string }>(
      "SELECT key_ref, wrapping_key_id FROM personal_data_keys WHERE key_ref LIKE 'KEYS-ROT-%' ORDER BY key_ref",
    );
    expect(rows).toEqual([
      { key_ref: 'KEYS-ROT-NEW', wrapping_key_id: 'test-current' },
      { key_ref: 'KEYS-ROT-OLD', wrapping_key_id: 'test-old' },
    ]);
    // A ring without the old key cannot open it (an old key is dropped only when nothing needs it).
    const without = new PersonalData(testPayloadKeys('test-current'), keys);
    await expect(without.open(oldSealed)).rejects.toThrow(/test-old/);
  });
});

describe('erasure', () => {
  it('reads a destroyed key as erased, refuses sealing under it, and leaves nothing to unwrap', async () => {
    const personal = register.personalData;
    const sealed = await personal.sealFields('KEYS-ERASED', details, personalDetailFields);
    const by = { id: 'manager.brown' };
    expect(await personal.erase('KEYS-ERASED', { at: new Date(), by, rule: 'request', reason: 'a test' })).toBe(true);
    expect(await personal.erase('KEYS-ERASED', { at: new Date(), by, rule: 'request', reason: 'again' })).toBe(false);
    expect(await personal.isErased('KEYS-ERASED')).toBe(true);
    const opened = await personal.open(sealed);
    expect(opened.complainant).toEqual({ name: ERASED_TEXT, email: ERASED_TEXT, address: ERASED_TEXT });
    expect(opened.summary).toBe(ERASED_TEXT);
    await expect(personal.seal('KEYS-ERASED', 'more')).rejects.toBeInstanceOf(ErasedDataError);
    const [row] = await store.query<{ wrapped_key: string | null; destroyed_at: unknown }>(
      "SELECT wrapped_key, destroyed_at FROM personal_data_keys WHERE key_ref = 'KEYS-ERASED'",
    );
    expect(row!.wrapped_key).toBeNull();
    expect(row!.destroyed_at).not.toBeNull();
  });
});

describe('the blind index', () => {
  it('hashes words with a key of the ring: not the words, not the same hashes under another ring', async () => {
    const personal = register.personalData;
    expect(personal.searchHash('zxq')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(personal.searchHash('zxq')).toBe(register.personalData.searchHash('zxq'));
    const unkeyed = new PersonalData(undefined, dataKeyStoreOver(store));
    expect(unkeyed.searchHash('zxq')).not.toBe(personal.searchHash('zxq'));
    // Rotation appends a key: the index key (from the first key listed) stays the same.
    const rotated = new PersonalData(testPayloadKeys(), dataKeyStoreOver(store));
    expect(rotated.searchHash('zxq')).toBe(
      new PersonalData(testPayloadKeys('test-old'), dataKeyStoreOver(store)).searchHash('zxq'),
    );
  });
});
