// Per-complaint data keys (platform/personal-data.ts) over a real register (PGlite in memory): sealed fields are
// self-describing strings, opened by the one opening function; a data key wrapped under an old key of the ring still
// opens after rotation while new keys are wrapped with the new one; a destroyed key reads as erased and refuses
// sealing; the blind index holds no word in plain text. And the register at rest on PGlite and PostgreSQL
// (TEST_DATABASE_URL): no marker in any row of any table (complaints, entries, search words, letters and their PDFs,
// compliments), every one readable opened.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisterBatch } from '../../activities/contract';
import { receiveComplaint, replayTimeline, type TimelineEntry } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { actionBodySchemas, parseCommand } from '../../domain/actions';
import { ERASED_TEXT, ERASURE_RECORD_KEY, isSealedText, personalDetailFields } from '../../domain/personal-fields';
import { DATA_KEY_CACHE_MS, ErasedDataError, keyRefOf, PersonalData } from '../../platform/personal-data';
import {
  openPglite,
  openPgliteInMemory,
  openPostgres,
  registerOver,
  type Register,
  type SqlStore,
} from '../../register';
import { searchTermsOf } from '../../register/search';
import { dataKeyStoreOver } from '../../register/data-keys';
import type { NewLetter } from '../../register/letters';
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

describe('a data key kept', () => {
  it('is offered in one statement, which answers the key kept: the new one, or the one kept before', async () => {
    const keys = dataKeyStoreOver(store);
    const first = await keys.insertDataKey({
      keyRef: 'KEYS-ONCE',
      wrappedKey: 'd2hhdCB3YXMgZmlyc3Q=',
      wrappingKeyId: 'k1',
    });
    expect(first).toMatchObject({ keyRef: 'KEYS-ONCE', wrappedKey: 'd2hhdCB3YXMgZmlyc3Q=', wrappingKeyId: 'k1' });
    expect(first?.destroyedAt).toBeNull();
    const again = await keys.insertDataKey({ keyRef: 'KEYS-ONCE', wrappedKey: 'c2Vjb25k', wrappingKeyId: 'k2' });
    expect(again).toEqual(first);
    expect(await keys.findDataKeys(['KEYS-ONCE'])).toEqual([first]);
  });

  it('is asked for again when the offer cannot say which key was kept (another writer committed one meanwhile)', async () => {
    const keyStore = dataKeyStoreOver(store);
    const sealedElsewhere = await new PersonalData(testPayloadKeys(), keyStore).seal('KEYS-RACE', 'Zxq raced');
    const racing = { ...keyStore, insertDataKey: async () => undefined };
    const here = new PersonalData(testPayloadKeys(), racing);
    const sealedHere = await here.seal('KEYS-RACE', 'Zxq here');
    // Both under the one key the register kept.
    expect(await here.open([sealedElsewhere, sealedHere])).toEqual(['Zxq raced', 'Zxq here']);
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
    // Why: sealed in the destruction log under the key no erasure destroys, opened for its readers.
    const [logged] = await store.query<{ reason: string }>(
      "SELECT reason FROM destruction_log WHERE ref = 'KEYS-ERASED'",
    );
    expect(isSealedText(logged!.reason)).toBe(true);
    expect(keyRefOf(logged!.reason)).toBe(ERASURE_RECORD_KEY);
    const read = await register.destructionLog({ limit: 100 });
    expect(read.find((entry) => entry.ref === 'KEYS-ERASED')?.reason).toBe('a test');
    await expect(
      personal.erase(ERASURE_RECORD_KEY, { at: new Date(), by, rule: 'request', reason: 'no' }),
    ).rejects.toThrow();
  });
});

describe('erasure on disk (PGlite directory)', () => {
  it("prunes the destroyed key's old row version, and the erased words' hashes, from the tables' files", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'data-keys-disk-'));
    try {
      const disk = await openPglite(dir);
      const onDisk = await registerOver(disk, { keys: testPayloadKeys() });
      const ref = 'SW-2026-DISK01';
      await onDisk.record(await sealedBatch(onDisk.personalData, ref));
      const wrapped = (await dataKeyStoreOver(disk).findDataKeys([ref]))[0]!.wrappedKey!;
      const hashes = (
        await disk.query<{ word: string }>('SELECT word FROM complaint_search_words WHERE ref = $1', [ref])
      ).map((row) => row.word);
      expect(hashes.length).toBeGreaterThan(2);
      const [{ file: wordsTable } = { file: '' }] = await disk.query<{ file: string }>(
        "SELECT pg_relation_filepath('complaint_search_words') AS file",
      );
      await onDisk.personalData.erase(ref, {
        at: new Date(),
        by: { id: 'manager.brown' },
        rule: 'request',
        reason: 'x',
      });
      await onDisk.close();
      // The tables' files. Not the write-ahead log, which keeps its records until its segment is recycled, nor the
      // search words' index, whose pages keep a deleted entry's bytes until reused (README "Erasure").
      const tables = filesUnder(path.join(dir, 'base')).map((file) => readFileSync(file).toString('latin1'));
      expect(tables.some((content) => content.includes(ref))).toBe(true);
      expect(tables.filter((content) => content.includes(wrapped))).toEqual([]);
      const words = readFileSync(path.join(dir, wordsTable)).toString('latin1');
      expect(hashes.filter((hash) => words.includes(hash))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('unwrapped keys kept in memory', () => {
  it('are not asked of the register again within their time; one erased here at once, one erased elsewhere after it', async () => {
    let now = 1_000_000;
    const keyStore = dataKeyStoreOver(store);
    let asked = 0;
    const counting = {
      ...keyStore,
      findDataKeys: (refs: string[]) => {
        asked += 1;
        return keyStore.findDataKeys(refs);
      },
    };
    const here = new PersonalData(testPayloadKeys(), counting, () => now);
    const elsewhere = new PersonalData(testPayloadKeys(), keyStore, () => now);
    const a = await here.seal('CACHE-A', 'Zxq cached A');
    const b = await here.seal('CACHE-B', 'Zxq cached B');
    const afterSealing = asked;
    expect(await here.open([a, b])).toEqual(['Zxq cached A', 'Zxq cached B']);
    expect(asked).toBe(afterSealing);

    const erasure = { at: new Date(), by: { id: 'manager.brown' }, rule: 'request', reason: 'test' };
    await here.erase('CACHE-A', erasure);
    expect(await here.open(a)).toBe(ERASED_TEXT);
    await expect(here.seal('CACHE-A', 'again')).rejects.toBeInstanceOf(ErasedDataError);

    await elsewhere.erase('CACHE-B', erasure);
    expect(await here.open(b)).toBe('Zxq cached B');
    expect(await here.isErased('CACHE-B')).toBe(true);
    now += DATA_KEY_CACHE_MS + 1;
    expect(await here.open(b)).toBe(ERASED_TEXT);
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

// ------------------------------------------------------------------------- the register at rest, on both stores

const markers = { name: 'Zxqrestname Brodie', email: 'zxqrestmail@example.org', summary: 'Zxqrestsummary lift broken' };
const noteMarker = 'Zxqrestnote called back';
const complimentMarker = 'Zxqrestcompliment kind carer';
const letterMarker = 'Zxqrestletter dear';

/** A complaint as the API and the workflow leave it in the register: its personal fields sealed with its own key. */
async function sealedBatch(personal: PersonalData, ref: string): Promise<RegisterBatch> {
  const details = await personal.sealFields(
    ref,
    {
      complainant: { name: markers.name, email: markers.email },
      serviceArea: 'community-care' as const,
      category: 'delay' as const,
      channel: 'letter' as const,
      summary: markers.summary,
      serious: false,
    },
    personalDetailFields,
  );
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 1 });
  const at = Date.parse('2026-03-02T10:00:00Z');
  const first = receiveComplaint({ ref, procedure, receivedAtMs: at, holidays: [], details });
  const note = { type: 'note-added' as const, text: await personal.seal(ref, noteMarker) };
  const actor = { id: 'officer.jones' };
  const entries = [first, note].map((event, i) => ({
    ...event,
    seq: i + 1,
    at: new Date(at + i).toISOString(),
    actor,
  }));
  const { timeline, ...rest } = replayTimeline(entries as TimelineEntry[]);
  return {
    ref,
    entries: timeline,
    snapshot: { ...rest, lastSeq: timeline.length, nextDeadline: null, overdue: false },
  };
}

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(root, entry.name)) : [path.join(root, entry.name)],
  );
}

/** Every row of every table of the register, as text (what a `pg_dump` of its data would show). */
async function everyRow(store: SqlStore): Promise<string> {
  const tables = await store.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  expect(tables.map((t) => t.table_name)).toEqual(
    expect.arrayContaining(['complaints', 'complaint_entries', 'complaint_search_words', 'letters', 'compliments']),
  );
  const rows: string[] = [];
  for (const { table_name } of tables)
    for (const row of await store.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`))
      rows.push(row.row);
  return rows.join('\n');
}

const databaseUrl = process.env.TEST_DATABASE_URL;
const pgSchema = `data_keys_test_${process.pid}_${Date.now().toString(36)}`;
const storesAtRest: Array<[string, () => Promise<SqlStore>]> = [
  ['PGlite', () => openPgliteInMemory()],
  ...(databaseUrl
    ? [
        [
          'PostgreSQL',
          async () => {
            const admin = new pg.Client({ connectionString: databaseUrl });
            await admin.connect();
            await admin.query(`CREATE SCHEMA IF NOT EXISTS ${pgSchema}`);
            await admin.end();
            const url = new URL(databaseUrl);
            url.searchParams.set('options', `-c search_path=${pgSchema}`);
            return openPostgres(url.toString());
          },
        ] as [string, () => Promise<SqlStore>],
      ]
    : []),
];

afterAll(async () => {
  if (!databaseUrl) return;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
  await admin.end();
});

describe.each(storesAtRest)('the register at rest (%s)', (_name, open) => {
  it('holds no marker in any row of any table, and answers every one opened', async () => {
    const atRest = await open();
    const sealedRegister = await registerOver(atRest, { keys: testPayloadKeys() });
    try {
      const personal = sealedRegister.personalData;
      const ref = 'SW-2026-REST01';
      await sealedRegister.record(await sealedBatch(personal, ref));
      const letterKept: NewLetter = {
        id: 'L-000000000000000000000001',
        noticeId: 'notice-rest-1',
        ref,
        kind: 'complaint-acknowledged',
        channel: 'post',
        recipientName: markers.name,
        addressLines: [markers.name, '1 Zxqrestaddress Road'],
        subject: 'Your complaint',
        body: `${letterMarker} ${markers.name}`,
        pdf: Buffer.from(`%PDF ${letterMarker}`),
        createdAt: '2026-03-02T10:00:00.000Z',
      };
      const first = await sealedRegister.letters.keep(letterKept);
      // Kept again under the same id (a retried notice activity): the letter kept first is the answer, and the only row.
      const again = await sealedRegister.letters.keep({
        ...letterKept,
        body: 'a second body',
        createdAt: '2026-03-02T10:05:00.000Z',
      });
      expect(again).toEqual(first);
      expect(first).toMatchObject({ body: `${letterMarker} ${markers.name}`, createdAt: '2026-03-02T10:00:00.000Z' });
      const compliment = await sealedRegister.recordCompliment(
        { serviceArea: 'community-care', team: 'home care', receivedAt: '2026-03-02', summary: complimentMarker },
        { id: 'intake.smith' },
        new Date('2026-03-02T11:00:00Z'),
      );
      expect(compliment.summary).toBe(complimentMarker);

      const dump = await everyRow(atRest);
      expect(dump).toContain(ref);
      for (const text of [...Object.values(markers), noteMarker, complimentMarker, letterMarker, 'Zxqrestaddress'])
        expect(dump).not.toContain(text);
      for (const word of ['zxqrestname', 'brodie', 'zxqrestsummary']) expect(dump).not.toContain(word);

      // Opened for a reader, and found by whole words.
      const read = await sealedRegister.readComplaint(ref);
      const opened = await personal.open({ snapshot: read!.snapshot, entries: read!.entries });
      expect(opened.snapshot.details.complainant).toEqual({ name: markers.name, email: markers.email });
      expect(opened.entries[1]).toMatchObject({ type: 'note-added', text: noteMarker });
      const found = await sealedRegister.listComplaints({
        order: 'ref',
        limit: 10,
        search: searchTermsOf(personal, 'brodie LIFT'),
      });
      expect(found.map((row) => row.snapshot.ref)).toEqual([ref]);
      // The same page as a list's items read it (register/read-model.ts ListedSnapshot), on this store too.
      const listed = await sealedRegister.listComplaints(
        { order: 'ref', limit: 10, search: searchTermsOf(personal, 'brodie') },
        'listed',
      );
      expect(listed.map((row) => row.snapshot.ref)).toEqual([ref]);
      expect(Object.keys(listed[0]!.snapshot).sort()).toEqual(
        Object.keys(found[0]!.snapshot)
          .filter((key) => !['holidays', 'holidayNames', 'stages'].includes(key))
          .sort(),
      );
      const kept = await sealedRegister.letters.list({ ref });
      expect(kept).toHaveLength(1);
      const [letter] = kept;
      expect(letter).toMatchObject({ recipientName: markers.name, body: `${letterMarker} ${markers.name}` });
      expect(Buffer.from((await sealedRegister.letters.pdf(letter!.id))!).toString()).toBe(`%PDF ${letterMarker}`);
      expect((await sealedRegister.compliments()).map((c) => c.summary)).toEqual([complimentMarker]);
    } finally {
      await sealedRegister.close();
    }
  }, 60_000);
});
