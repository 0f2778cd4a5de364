// A register for a test file: PostgreSQL at TEST_DATABASE_URL in a schema of its own (dropped by `drop`), else
// PGlite in memory.
import pg from 'pg';
import { receiveComplaint, replayTimeline, type ComplaintEvent, type TimelineEntry } from '../../domain/complaint';
import type { ComplaintDetails } from '../../domain/intake';
import { getProcedure } from '../../domain/procedures';
import type { PayloadKeyRing } from '../../platform/payload-keys';
import { openPgliteInMemory, openPostgres, registerOver, type Register, type SqlStore } from '../../register';

const DAY = 86_400_000;

export interface TestRegister {
  register: Register;
  /** The store under it (a test that breaks the connection works on it). */
  store: SqlStore;
  /** Closes the register and drops its schema. */
  drop(): Promise<void>;
}

export async function openTestRegister(
  name: string,
  options: {
    /** The key ring wrapping the complaints' data keys (absent: personal data kept as given). */
    keys?: PayloadKeyRing;
    /** Reach PostgreSQL through 127.0.0.1 at this port (a relay the test can cut), not at TEST_DATABASE_URL's. */
    throughPort?: number;
  } = {},
): Promise<TestRegister> {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const keys = options.keys ? { keys: options.keys } : {};
  if (!databaseUrl) {
    const store = await openPgliteInMemory();
    const register = await registerOver(store, keys);
    return { register, store, drop: () => register.close() };
  }
  const schema = `${name}_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  if (options.throughPort) {
    url.hostname = '127.0.0.1';
    url.port = String(options.throughPort);
  }
  // Through a relay: a cut one answers a new connection at once or never, so the wait is short.
  const store = await openPostgres(url.toString(), options.throughPort ? { connectTimeoutMs: 2_000 } : {});
  const register = await registerOver(store, keys);
  return {
    register,
    store,
    drop: async () => {
      // A test may leave the register unable to close (its connection cut): the schema goes all the same.
      await register.close().catch(() => undefined);
      await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

/**
 * Records in `register` a complaint received at `receivedAt` under `procedureId` version 1, then `events` on their
 * days after it (as [day, event]), with the snapshot they lead to: a register seeded with recorded events, no rules
 * run (tests/support/complaint-timelines.ts runs the rules).
 */
export async function recordEvents(
  register: Register,
  complaint: { ref: string; procedureId: string; receivedAt: string; details?: Partial<ComplaintDetails> },
  events: Array<[number, ComplaintEvent]>,
): Promise<void> {
  const receivedAtMs = Date.parse(complaint.receivedAt);
  const first = receiveComplaint({
    ref: complaint.ref,
    procedure: getProcedure({ id: complaint.procedureId, version: 1 }),
    receivedAtMs,
    holidays: [],
    details: {
      complainant: { name: 'Pat' },
      serviceArea: 'criminal-justice',
      category: 'staff-attitude',
      channel: 'phone',
      summary: 's',
      serious: false,
      ...complaint.details,
    },
  });
  const entries: TimelineEntry[] = [[0, first] as [number, ComplaintEvent], ...events].map(([day, event], i) => ({
    ...event,
    seq: i + 1,
    at: new Date(receivedAtMs + day * DAY).toISOString(),
    actor: { id: 'officer' },
  }));
  const { timeline, ...state } = replayTimeline(entries);
  await register.record({
    ref: complaint.ref,
    entries,
    snapshot: { ...state, lastSeq: timeline.length, nextDeadline: null, overdue: false },
  });
}
