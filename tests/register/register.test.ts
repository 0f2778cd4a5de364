import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSnapshot, type RegisterBatch } from '../../activities/contract';
import {
  decide,
  receiveComplaint,
  replayTimeline,
  type ComplaintEvent,
  type TimelineEntry,
} from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { repoRoot } from '../../platform/repo-root';
import {
  migrate,
  openPglite,
  openPgliteInMemory,
  openPostgres,
  openSharedPglite,
  RegisterOwnedElsewhere,
  MIGRATIONS_TABLE,
  openRegister,
  registerOver,
  type Register,
  type RegisterListQuery,
  type SqlStore,
} from '../../register';
import { searchTermsOf } from '../../register/search';

// The register against both stores it runs on: PGlite always, and PostgreSQL when TEST_DATABASE_URL is set
// (.ci/run sets it). In CI a missing or unreachable PostgreSQL fails these tests rather than skipping them.

const DAY = 86_400_000;
const T0 = Date.parse('2011-03-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const actor = { id: 'officer.jones', role: 'case-officer' };

function timelineOf(ref: string, receivedAtMs: number, events: Array<[number, ComplaintEvent]>): TimelineEntry[] {
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 1 });
  const first = receiveComplaint({
    ref,
    procedure,
    receivedAtMs,
    holidays: [],
    details: {
      complainant: { name: 'Pat' },
      serviceArea: 'community-care',
      category: 'delay',
      channel: 'letter',
      summary: 'Late visits',
      serious: false,
    },
  });
  return [[receivedAtMs, first] as [number, ComplaintEvent], ...events].map(([at, event], i) => ({
    ...event,
    seq: i + 1,
    at: iso(at),
    actor,
  }));
}

function batchOf(entries: TimelineEntry[], from: number, to: number): RegisterBatch {
  const state = replayTimeline(entries.slice(0, to));
  const { timeline, ...rest } = state;
  return {
    ref: state.ref,
    entries: entries.slice(from, to),
    snapshot: { ...rest, lastSeq: timeline.length, nextDeadline: null, overdue: false },
  };
}

const sample = (ref: string, receivedAtMs = T0) =>
  timelineOf(ref, receivedAtMs, [
    [receivedAtMs + 2 * DAY, { type: 'acknowledged', stage: 'level-1' }],
    [
      receivedAtMs + 9 * DAY,
      {
        type: 'outcome-recorded',
        stage: 'level-1',
        outcome: 'upheld',
        escalationWindowEndsAt: iso(receivedAtMs + 37 * DAY),
      },
    ],
    [receivedAtMs + 37 * DAY, { type: 'closed', reason: 'escalation-window-ended', outcome: 'upheld' }],
  ]);

function registerContract(name: string, open: () => Promise<Register>) {
  describe(`register on ${name}`, () => {
    let register: Register;
    beforeAll(async () => {
      register = await open();
    });

    it("versions a complaint's row by the write that made it: each write, a repair, not a superseded batch", async () => {
      // Received long before the other tests' complaints, so that their lists by period do not meet it.
      const receivedAtMs = T0 - 400 * DAY;
      const entries = sample('REG-VERSION', receivedAtMs);
      expect(await register.complaintVersion('REG-VERSION')).toBeUndefined();
      await register.record(batchOf(entries, 0, 1), { startedAtMs: T0 });
      const first = await register.complaintVersion('REG-VERSION');
      expect((await register.readComplaint('REG-VERSION'))?.version).toBe(first);
      await register.record(batchOf(entries, 1, 2), { startedAtMs: T0 + DAY });
      const second = await register.complaintVersion('REG-VERSION');
      expect(second).not.toBe(first);
      // An older batch changes nothing, its version neither.
      expect(await register.record(batchOf(entries, 1, 2), { startedAtMs: T0 })).toBe('superseded');
      expect(await register.complaintVersion('REG-VERSION')).toBe(second);
      const state = replayTimeline(entries.slice(0, 2));
      const { timeline, ...rest } = state;
      await register.replaceComplaint(
        'REG-VERSION',
        timeline,
        { ...rest, lastSeq: 2, nextDeadline: null, overdue: false },
        { startedAtMs: T0 + 2 * DAY, by: 'reconcile' },
      );
      const repaired = await register.complaintVersion('REG-VERSION');
      expect(repaired).not.toBe(second);
      expect((await register.readComplaint('REG-VERSION'))?.version).toBe(repaired);
    });

    it('is the read model: one complaint with its timeline, and lists by filter, search, order and page', async () => {
      const zoe = sample('REG-READ-ZOE', T0).map((entry) =>
        entry.type === 'complaint-received'
          ? {
              ...entry,
              details: {
                ...entry.details,
                complainant: { name: 'Zoë Ångström', email: 'zoe@example.org' },
                summary: '100% of the visits_late',
              },
            }
          : entry,
      );
      await register.record(batchOf(zoe, 0, 2));
      await register.record(batchOf(sample('REG-READ-PAT', T0 + DAY), 0, 1));
      const read = await register.readComplaint('REG-READ-ZOE');
      expect(read?.snapshot.lastSeq).toBe(2);
      expect(read?.entries.map((entry) => entry.seq)).toEqual([1, 2]);
      expect(await register.readComplaint('REG-READ-NONE')).toBeUndefined();
      const refs = async (query: Partial<RegisterListQuery>) =>
        (await register.listComplaints({ order: 'ref', limit: 10, ...query })).map((row) => row.snapshot.ref);
      const mine = { receivedFrom: iso(T0 - 1), receivedTo: iso(T0 + 2 * DAY) };
      expect(await refs({ ...mine, order: 'received' })).toEqual(['REG-READ-ZOE', 'REG-READ-PAT']);
      expect(await refs({ ...mine, order: '-received' })).toEqual(['REG-READ-PAT', 'REG-READ-ZOE']);
      const terms = (query: string) => searchTermsOf(register.personalData, query);
      expect(await refs({ ...mine, search: terms('ZOE ANGSTROM') })).toEqual(['REG-READ-ZOE']);
      // A blind index (keyed hashes of whole words, issue 14): a word's beginning no longer finds it.
      expect(await refs({ ...mine, search: terms('ZOE angstr') })).toEqual([]);
      expect(await refs({ ...mine, search: terms('zoe@example.org') })).toEqual(['REG-READ-ZOE']);
      expect(await refs({ ...mine, search: terms('100%') })).toEqual(['REG-READ-ZOE']);
      // LIKE's own characters are matched as themselves (unescaped, `_` and `%` would match every word).
      expect(await refs({ ...mine, search: ['%'] })).toEqual([]);
      expect(await refs({ ...mine, search: ['_'] })).toEqual([]);
      expect(await refs({ ...mine, search: terms('read-pat') })).toEqual(['REG-READ-PAT']);
      expect(await refs({ ...mine, status: ['open'], stage: ['level-1'], serviceArea: ['community-care'] })).toEqual([
        'REG-READ-PAT',
        'REG-READ-ZOE',
      ]);
      expect(await refs({ ...mine, procedure: [{ id: 'dundee-swd-2011', version: 2 }] })).toEqual([]);
      // A list's items read each snapshot without its calendar and stages, and nothing else differs.
      const wholeRows = await register.listComplaints({ ...mine, order: 'ref', limit: 10 });
      const listedRows = await register.listComplaints({ ...mine, order: 'ref', limit: 10 }, 'listed');
      expect(wholeRows[0]?.snapshot.stages.length).toBeGreaterThan(0);
      expect(wholeRows[0]?.snapshot).toHaveProperty('holidays');
      expect(listedRows).toEqual(
        wholeRows.map(({ snapshot: { holidays: _h, holidayNames: _n, stages: _s, ...listed }, ...row }) => ({
          ...row,
          snapshot: listed,
        })),
      );
      const [first] = await register.listComplaints({ ...mine, order: 'next-deadline', limit: 1 });
      const rest = await register.listComplaints({
        ...mine,
        order: 'next-deadline',
        limit: 10,
        after: { key: first!.key, ref: first!.snapshot.ref },
      });
      expect([first!.snapshot.ref, ...rest.map((row) => row.snapshot.ref)].sort()).toEqual([
        'REG-READ-PAT',
        'REG-READ-ZOE',
      ]);
      // The worklist's Unassigned tab: no case officer (and its converse).
      const kim = timelineOf('REG-READ-KIM', T0 + DAY, [
        [T0 + DAY + 1000, { type: 'case-officer-assigned', officer: { id: 'officer.kim', name: 'Kim' } }],
      ]);
      await register.record(batchOf(kim, 0, 2));
      expect(await refs({ ...mine, unassigned: true })).toEqual(['REG-READ-PAT', 'REG-READ-ZOE']);
      expect(await refs({ ...mine, unassigned: false })).toEqual(['REG-READ-KIM']);
      expect(await refs({ ...mine, officer: 'officer.kim' })).toEqual(['REG-READ-KIM']);
    });
    afterAll(async () => {
      await register?.close();
    });

    it('counts the complaints a list matches per case officer and per service area (the team page)', async () => {
      const at = T0 + 400 * DAY;
      const only = { receivedFrom: iso(at - 1), receivedTo: iso(at + DAY) };
      const assigned = (ref: string, officer: { id: string; name: string }) =>
        timelineOf(ref, at, [[at + 1000, { type: 'case-officer-assigned', officer }]]);
      const batch = (entries: TimelineEntry[], dueAt: string | null, overdue: boolean) => {
        const plain = batchOf(entries, 0, entries.length);
        const nextDeadline = dueAt === null ? null : { kind: 'response' as const, stage: 'level-1', dueAt };
        return { ...plain, snapshot: { ...plain.snapshot, nextDeadline, overdue } };
      };
      const soon = iso(at + 2 * DAY);
      await register.record(batch(assigned('REG-COUNT-1', { id: 'officer.kim', name: 'Kim' }), soon, false));
      await register.record(batch(assigned('REG-COUNT-2', { id: 'officer.kim', name: 'Kim' }), iso(at - DAY), true));
      await register.record(
        batch(assigned('REG-COUNT-3', { id: 'officer.lee', name: 'Lee' }), iso(at + 30 * DAY), false),
      );
      await register.record(batch(timelineOf('REG-COUNT-4', at, []), soon, false));
      const due = { status: ['open'], nextDeadlineBefore: iso(at + 7 * DAY) };
      const byOfficer = await register.countComplaints({ ...only, status: ['open'] }, 'case-officer', due);
      expect(byOfficer.sort((a, b) => String(a.key).localeCompare(String(b.key)))).toEqual([
        { key: null, officerName: null, total: 1, due: 1, overdue: 0 },
        // Kim's overdue one is not also due: the team page's columns count apart.
        { key: 'officer.kim', officerName: 'Kim', total: 2, due: 1, overdue: 1 },
        { key: 'officer.lee', officerName: 'Lee', total: 1, due: 0, overdue: 0 },
      ]);
      expect(await register.countComplaints(only, 'service-area', { ...due, status: ['closed'] })).toEqual([
        { key: 'community-care', officerName: null, total: 4, due: 0, overdue: 1 },
      ]);
      expect(await register.countComplaints({ ...only, status: ['closed'] }, 'service-area', due)).toEqual([]);
    });

    it('stores each (ref, seq) once however often a batch is retried or replayed', async () => {
      const entries = sample('REG-IDEMPOTENT');
      await register.record(batchOf(entries, 0, 2));
      await register.record(batchOf(entries, 0, 2)); // retried
      await register.record(batchOf(entries, 1, 4)); // overlapping, later
      await register.record(batchOf(entries, 0, 4)); // replayed whole
      const stored = await register.timeline('REG-IDEMPOTENT');
      expect(stored.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
      expect(stored).toEqual(entries);
      expect((await register.lastSeqs()).get('REG-IDEMPOTENT')).toBe(4);
    });

    it('replaces the complaint row only with a newer snapshot', async () => {
      const entries = sample('REG-SNAPSHOT');
      await register.record(batchOf(entries, 0, 4), { startedAtMs: 2_000 });
      await register.record(batchOf(entries, 0, 2), { startedAtMs: 1_000 }); // a late retry of an older batch
      const snapshot = await register.complaint('REG-SNAPSHOT');
      expect(snapshot?.lastSeq).toBe(4);
      expect(snapshot?.status).toBe('closed');
      expect(await register.timeline('REG-SNAPSHOT')).toEqual(entries);
    });

    // Issue 18: a local activity writes a batch before its workflow task is durable. When that task is lost, the
    // retried task's events take the same seqs with other content and times; its batch must replace them.
    const firstFour = (ref: string) => sample(ref).slice(0, 3);
    const then = (ref: string, ...events: Array<[number, ComplaintEvent]>) => {
      const head = firstFour(ref);
      return [
        ...head,
        ...events.map(([at, event], i) => ({ ...event, seq: head.length + i + 1, at: iso(at), actor })),
      ] as TimelineEntry[];
    };

    it("replaces a lost task's entry with the retried task's one for the same seq (not ON CONFLICT DO NOTHING)", async () => {
      const ref = 'REG-ORPHAN';
      const orphan = then(ref, [T0 + 10 * DAY, { type: 'note-added', text: 'sent as the server died' }]);
      const truth = then(ref, [T0 + 10 * DAY + 15_000, { type: 'withdrawn', reason: 'by phone' }]);
      await register.record(batchOf(truth, 0, 3), { startedAtMs: 1_000 });
      await register.record(batchOf(orphan, 3, 4), { startedAtMs: 2_000 }); // the lost task's local activity
      await register.record(batchOf(truth, 3, 4), { startedAtMs: 3_000 }); // the retried task's
      expect(await register.timeline(ref)).toEqual(truth);
      expect((await register.timeline(ref))[3]).toMatchObject({ type: 'withdrawn', at: iso(T0 + 10 * DAY + 15_000) });
      expect((await register.complaint(ref))?.status).toBe('withdrawn');
    });

    it("withdraws a lost task's entries beyond the retried batch's last seq, and its snapshot", async () => {
      const ref = 'REG-ORPHAN-TAIL';
      const orphan = then(
        ref,
        [T0 + 10 * DAY, { type: 'note-added', text: 'lost' }],
        [T0 + 10 * DAY, { type: 'withdrawn', reason: 'lost too' }],
      );
      const truth = then(ref, [T0 + 10 * DAY + 12_000, { type: 'note-added', text: 'the real one' }]);
      await register.record(batchOf(truth, 0, 3), { startedAtMs: 1_000 });
      await register.record(batchOf(orphan, 3, 5), { startedAtMs: 2_000 });
      await register.record(batchOf(truth, 3, 4), { startedAtMs: 3_000 });
      expect(await register.timeline(ref)).toEqual(truth);
      expect((await register.lastSeqs()).get(ref)).toBe(4);
      expect(await register.complaint(ref)).toMatchObject({ lastSeq: 4, status: replayTimeline(truth).status });
    });

    it('never lets an older, delayed write (a timed-out attempt, or a lost task) overwrite or withdraw a newer one', async () => {
      const ref = 'REG-DELAYED';
      const orphan = then(ref, [T0 + 10 * DAY, { type: 'note-added', text: 'lost' }]);
      const truth = then(
        ref,
        [T0 + 10 * DAY + 15_000, { type: 'withdrawn', reason: 'by phone' }],
        [T0 + 10 * DAY + 15_000, { type: 'note-added', text: 'after' }],
      );
      await register.record(batchOf(truth, 0, 3), { startedAtMs: 2_000 });
      await register.record(batchOf(truth, 3, 5), { startedAtMs: 4_000 });
      // The first attempt of the first batch, started before the second batch, commits last.
      await register.record(batchOf(truth, 0, 3), { startedAtMs: 1_000 });
      // The lost task's write, started before the retried task's, commits last.
      await register.record(batchOf(orphan, 3, 4), { startedAtMs: 3_000 });
      expect(await register.timeline(ref)).toEqual(truth);
      expect((await register.complaint(ref))?.lastSeq).toBe(5);
    });

    it('keeps the workflow times, and reads complaints received in a period as they stood at a given time', async () => {
      const inside = sample('REG-PERIOD-IN', T0 + 100 * DAY);
      const outside = sample('REG-PERIOD-OUT', T0 + 400 * DAY);
      await register.record(batchOf(inside, 0, 4));
      await register.record(batchOf(outside, 0, 4));
      const period = { from: iso(T0 + 50 * DAY), to: iso(T0 + 200 * DAY) };
      const timelines = await register.timelinesOfComplaintsReceived(period, iso(T0 + 105 * DAY));
      expect(timelines.map((timeline) => (timeline[0] as { ref?: string } | undefined)?.ref)).toEqual([
        'REG-PERIOD-IN',
      ]);
      expect(timelines[0]?.map((entry) => entry.at)).toEqual([iso(T0 + 100 * DAY), iso(T0 + 102 * DAY)]);
      expect(await register.hasComplaintsReceived(period)).toBe(true);
      expect(await register.hasComplaintsReceived({ from: iso(T0 + 1000 * DAY), to: iso(T0 + 1001 * DAY) })).toBe(
        false,
      );
    });

    it('reads a complaint moved to another procedure: its rows, snapshot and timeline follow the new procedure', async () => {
      // A Level 1 complaint moved to the 2017 procedure by the domain's own decision, then answered at Stage 1.
      const received = sample('REG-MIGRATED').slice(0, 2); // received, acknowledged
      const state = replayTimeline(received);
      const atMs = T0 + 3 * DAY;
      const manager = { id: 'manager.brown', role: 'manager' };
      const dundee = getProcedure({ id: 'dundee-swd-2011', version: 1 });
      const move = decide(
        state,
        {
          action: 'migrate-procedure',
          to: 'spso-social-work-2017@1',
          reason: 'Moved to the 2017 procedure',
          actor: manager,
        },
        atMs,
        dundee,
      );
      if (!move.ok) throw new Error(move.reason);
      const entries: TimelineEntry[] = [
        ...received,
        ...move.events.map((event, i) => ({ ...event, seq: received.length + 1 + i, at: iso(atMs), actor: manager })),
      ];
      const after = replayTimeline(entries);
      const target = getProcedure(after.procedure);
      await register.record({ ref: 'REG-MIGRATED', entries, snapshot: registerSnapshot(after, target) });

      const snapshot = await register.complaint('REG-MIGRATED');
      expect(snapshot).toMatchObject({
        procedure: { id: 'spso-social-work-2017', version: 1 },
        currentStage: 'stage-1',
        status: 'open',
        lastSeq: 3,
        // Stage 1 counted afresh from the migration day by the 2017 rule (day 1 = Friday 4 March 2011).
        stages: [{ stage: 'stage-1', response: { dueAt: '2011-03-10T23:59:59.999Z' } }],
        nextDeadline: { kind: 'response', dueAt: '2011-03-10T23:59:59.999Z' },
      });
      expect(snapshot?.stages[0]?.response.working?.rule).toBe('working-days/receipt-day');
      const stored = await register.timeline('REG-MIGRATED');
      expect(stored).toEqual(entries);
      expect(stored.at(-1)).toMatchObject({ type: 'procedure-migrated', from: { id: 'dundee-swd-2011' } });
      // What the reports read: the timelines of the period, folded again, give the same complaint.
      const timelines = await register.timelinesOfComplaintsReceived(
        { from: iso(T0 - DAY), to: iso(T0 + DAY) },
        iso(T0 + 10 * DAY),
      );
      const read = timelines.find((timeline) => (timeline[0] as { ref?: string } | undefined)?.ref === 'REG-MIGRATED');
      const { timeline: _timeline, ...folded } = replayTimeline(read!);
      const { lastSeq: _seq, nextDeadline: _next, overdue: _overdue, ...stood } = snapshot!;
      expect(folded).toEqual(stood);
      expect(await register.refsWithStatusOtherThan(['closed', 'withdrawn'])).toContain('REG-MIGRATED');
    });

    it('records compliments and lists them by the period they were received in', async () => {
      const recorded = await register.recordCompliment(
        { serviceArea: 'criminal-justice', team: 'unpaid work', receivedAt: '2011-06-30', summary: 'Thank you letter' },
        { id: 'intake.smith', role: 'intake' },
        new Date('2011-07-01T09:00:00Z'),
      );
      expect(recorded.receivedAt).toBe('2011-06-29T23:00:00.000Z'); // midnight in London (BST)
      const june = await register.compliments({ from: '2011-06-01T00:00:00Z', to: '2011-06-30T23:00:00Z' });
      expect(june.map((c) => c.id)).toContain(recorded.id);
      expect(june.find((c) => c.id === recorded.id)).toEqual(recorded);
      expect((await register.compliments({ to: '2011-06-01T00:00:00Z' })).map((c) => c.id)).not.toContain(recorded.id);
    });
  });
}

registerContract('PGlite (in memory)', async () => registerOver(await openPgliteInMemory()));

const migrationsFolder = path.join(repoRoot(), 'register', 'migrations');
const migrationFiles = () =>
  readdirSync(migrationsFolder)
    .filter((file) => file.endsWith('.sql'))
    .sort();

async function appliedVersions(store: SqlStore): Promise<number[]> {
  const rows = await store.query<{ version: string | number }>(
    `SELECT version FROM ${MIGRATIONS_TABLE} WHERE version > 0 ORDER BY version`,
  );
  return rows.map((row) => Number(row.version));
}

/** What the register's own runner (before postgrator) left: its table, `001_register` applied, one complaint. */
async function madeByTheOldRunner(store: SqlStore): Promise<void> {
  await store.exec(
    'CREATE TABLE register_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  await store.exec(readFileSync(path.join(migrationsFolder, '001.do.register.sql'), 'utf8'));
  await store.query("INSERT INTO register_migrations (id) VALUES ('001_register')");
  await store.query(
    "INSERT INTO complaint_entries (ref, seq, at, type, actor_id, entry) VALUES ('OLD-1', 1, now(), 'received', 'x', '{}')",
  );
}

/** The hand-over, on either store: the old register opens, keeps its rows, and is migrated by postgrator from then on. */
async function expectHandOver(store: SqlStore): Promise<void> {
  await madeByTheOldRunner(store);
  // 001 is not applied again (it would fail: its tables exist); the later ones are.
  const later = migrationFiles().filter((file) => !file.startsWith('001.'));
  expect(await migrate(store)).toEqual(later.map((file) => file.replace(/\.sql$/, '')));
  expect(await appliedVersions(store)).toEqual(migrationFiles().map((file) => Number(file.split('.')[0])));
  const [row] = await store.query<{ md5: string }>(`SELECT md5 FROM ${MIGRATIONS_TABLE} WHERE version = 1`);
  expect(row?.md5).toMatch(/^[0-9a-f]{32}$/); // postgrator checks it against the file from now on
  expect(await store.query('SELECT ref FROM complaint_entries')).toEqual([{ ref: 'OLD-1' }]);
  expect(await migrate(store)).toEqual([]);
}

describe("a row's version where this process is the only writer", () => {
  it('is answered from memory once written here (no query); a store others may write is always asked', async () => {
    const counting = async (shared: boolean) => {
      const store = await openPgliteInMemory();
      const queries: string[] = [];
      const counted: SqlStore = {
        ...store,
        exclusive: !shared,
        query: (sql, params) => {
          queries.push(sql);
          return store.query(sql, params);
        },
      };
      return { register: await registerOver(counted), queries };
    };
    for (const shared of [false, true]) {
      const { register, queries } = await counting(shared);
      const entries = sample('REG-KNOWN', T0);
      await register.record(batchOf(entries, 0, 2), { startedAtMs: T0 });
      const before = queries.length;
      const version = await register.complaintVersion('REG-KNOWN');
      expect(queries.length - before, shared ? 'shared' : 'exclusive').toBe(shared ? 1 : 0);
      expect(version).toBe((await register.readComplaint('REG-KNOWN'))?.version);
      await register.close();
    }
  });
});

describe('migrations (postgrator)', () => {
  it('applies the files to a new register once, in one transaction', async () => {
    const store = await openPgliteInMemory();
    expect(await migrate(store)).toEqual(migrationFiles().map((file) => file.replace(/\.sql$/, '')));
    expect(await migrate(store)).toEqual([]);
    await store.close();
  });

  it('takes over a register made by the old runner (PGlite)', async () => {
    const store = await openPgliteInMemory();
    await expectHandOver(store);
    await store.close();
  });

  it('refuses an applied migration whose file changed, and leaves nothing half done', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'register-migrations-'));
    const store = await openPgliteInMemory();
    writeFileSync(path.join(dir, '001.do.first.sql'), 'CREATE TABLE first (id int);');
    await migrate(store, dir);
    writeFileSync(path.join(dir, '001.do.first.sql'), 'CREATE TABLE first (id bigint);');
    await expect(migrate(store, dir)).rejects.toThrow(/MD5 checksum failed for migration \[1\]/);
    writeFileSync(path.join(dir, '001.do.first.sql'), 'CREATE TABLE first (id int);');
    writeFileSync(path.join(dir, '002.do.second.sql'), 'CREATE TABLE second (id int);\nSELECT no_such_function();');
    await expect(migrate(store, dir)).rejects.toThrow(/no_such_function/);
    expect(await store.query("SELECT to_regclass('second')::text AS t")).toEqual([{ t: null }]);
    expect(await appliedVersions(store)).toEqual([1]);
    await expect(migrate(store, path.join(dir, 'missing'))).rejects.toThrow(/^No register migrations in /);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('PGlite on disk', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'register-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its rows across a reopen, applies each migration once, and refuses a second opener', async () => {
    const folder = path.join(dir, 'register');
    const first = await registerOver(await openPglite(folder));
    await first.record(batchOf(sample('REG-DISK'), 0, 4));
    await expect(openPglite(folder)).rejects.toThrow(/already open in process/);
    await first.close();

    const store = await openPglite(folder);
    expect(await migrate(store)).toEqual([]); // nothing left to apply
    expect(await appliedVersions(store)).toEqual(migrationFiles().map((file) => Number(file.split('.')[0])));
    const again = await registerOver(store);
    expect((await again.timeline('REG-DISK')).length).toBe(4);
    await again.close();
  });

  it('is shared by the processes of the machine when opened from the configuration (npm start: worker and API)', async () => {
    const dataDir = path.join(dir, 'shared');
    const worker = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: undefined });
    const api = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: undefined });
    await worker.record(batchOf(sample('REG-SHARED'), 0, 2));
    expect((await api.timeline('REG-SHARED')).length).toBe(2);
    await api.record(batchOf(sample('REG-SHARED'), 0, 4));
    // Another process writes while this one holds the register open between its own writes.
    const child = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot(), 'tests', 'fixtures', 'register-writer.ts'), dataDir, 'from-child'],
      { cwd: repoRoot() },
    );
    await Promise.all([worker.record(batchOf(sample('REG-SHARED-2'), 0, 4)), api.compliments()]);
    const { stdout } = await child;
    expect((await worker.compliments()).map((c) => c.id)).toContain(stdout.trim());
    expect((await worker.timeline('REG-SHARED')).length).toBe(4);
    await Promise.all([worker.close(), api.close()]);
  }, 60_000);

  it('an owner keeps it open and names itself; an opener on demand is told at once, without waiting for the lock', async () => {
    const dataDir = path.join(dir, 'owned');
    const owner = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: undefined }, { owner: 'the test owner' });
    await owner.record(batchOf(sample('REG-OWNED'), 0, 2));
    expect(readFileSync(path.join(dataDir, 'register.lock'), 'utf8')).toBe(`${process.pid} the test owner`);
    // With a wait far longer than the test's timeout: an opener that waited for the owner would time the test out.
    const onDemand = openSharedPglite(path.join(dataDir, 'register'), { lockWaitMs: 600_000 });
    const refusal = await onDemand.query('SELECT 1').catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(RegisterOwnedElsewhere);
    expect((refusal as Error).message).toMatch(
      new RegExp(`kept open by process ${process.pid} \\(the test owner\\).*Stop that process first.*DATABASE_URL`),
    );
    await expect(openPglite(path.join(dataDir, 'register'))).rejects.toThrow(/kept open by process/);
    // Kept open between writes (no idle close): still there after the shared opener's idle time.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await owner.timeline('REG-OWNED')).length).toBe(2);
    await owner.close();
    await onDemand.close();
    // Closed, it lets go: the opener on demand opens it and sees what the owner wrote.
    const after = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: undefined });
    expect((await after.timeline('REG-OWNED')).length).toBe(2);
    await after.close();
  }, 30_000);

  it('takes over a lock left by a process that died', async () => {
    const folder = path.join(dir, 'stale');
    writeFileSync(`${folder}.lock`, '999999999');
    const register = await registerOver(await openPglite(folder));
    await register.close();
  });
});

// ---------------------------------------------------------------------------------------------- PostgreSQL

const databaseUrl = process.env.TEST_DATABASE_URL;
const schema = `register_test_${process.pid}_${Date.now().toString(36)}`;

/** DATABASE_URL with its own schema, so test runs never share tables. */
function urlWithSchema(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${name}`);
  return parsed.toString();
}

describe.runIf(!databaseUrl && process.env.CI)('PostgreSQL in CI', () => {
  it('is configured: CI must set TEST_DATABASE_URL (see scripts/test-postgres.sh)', () => {
    expect(databaseUrl, 'TEST_DATABASE_URL is not set in CI').toBeDefined();
  });
});

describe.runIf(Boolean(databaseUrl))('PostgreSQL at TEST_DATABASE_URL', () => {
  let admin: pg.Client | undefined;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    await admin.connect(); // unreachable: this fails the tests, never skips them
    await admin.query(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  it('really is PostgreSQL', async () => {
    const store: SqlStore = await openPostgres(urlWithSchema(databaseUrl!, schema));
    const [row] = await store.query<{ version: string }>('SELECT version()');
    expect(row?.version).toMatch(/^PostgreSQL/);
    await store.close();
  });

  registerContract('PostgreSQL', async () => registerOver(await openPostgres(urlWithSchema(databaseUrl!, schema))));

  it('takes over a register made by the old runner (PostgreSQL)', async () => {
    const own = `${schema}_old`;
    await admin!.query(`CREATE SCHEMA ${own}`);
    const store = await openPostgres(urlWithSchema(databaseUrl!, own));
    try {
      await expectHandOver(store);
    } finally {
      await store.close();
      await admin!.query(`DROP SCHEMA ${own} CASCADE`);
    }
  });

  it('reports an unreachable server in one line', async () => {
    await expect(
      openPostgres('postgres://nobody:secret@127.0.0.1:1/none', { connectTimeoutMs: 2_000 }),
    ).rejects.toThrow(/Cannot reach the register's PostgreSQL at 127\.0\.0\.1:1\/none/);
  });
});
