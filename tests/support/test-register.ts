// A register for a test file: PostgreSQL at TEST_DATABASE_URL in a schema of its own (dropped by `drop`), else
// PGlite in memory.
import pg from 'pg';
import { receiveComplaint, replayTimeline, type ComplaintEvent, type TimelineEntry } from '../../domain/complaint';
import type { ComplaintDetails } from '../../domain/intake';
import { getProcedure } from '../../domain/procedures';
import { openPgliteInMemory, openPostgres, registerOver, type Register } from '../../register';

const DAY = 86_400_000;

export interface TestRegister {
  register: Register;
  /** Closes the register and drops its schema. */
  drop(): Promise<void>;
}

export async function openTestRegister(name: string): Promise<TestRegister> {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const register = await registerOver(await openPgliteInMemory());
    return { register, drop: () => register.close() };
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
  const register = await registerOver(await openPostgres(url.toString()));
  return {
    register,
    drop: async () => {
      await register.close();
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
