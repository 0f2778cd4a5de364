// What a register write costs, apart from Temporal: the batches a complaint's workflow writes (its opening, then one
// entry at a time, as an action or a reminder adds them) through `Register.record`, on the embedded PGlite (as
// `npm start` opens it, in a temporary folder) or on PostgreSQL (BENCH_DATABASE_URL, in a schema of its own, dropped
// after). Prints the time per batch, first batches and later ones apart, and the process CPU; then the time to read
// each complaint back whole (Register.readComplaint, what GET /complaints/:ref and an action's answer read), --reads
// times each.
//
//   npx tsx bench/register-writes.ts [--complaints 1000] [--later 2] [--reads 2] [--store pglite|postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { receiveComplaint, replayTimeline, type ComplaintEvent, type TimelineEntry } from '../domain/complaint';
import { getProcedure } from '../domain/procedures';
import { openPglite, openPostgres } from '../register/sql';
import { registerOver } from '../register';
import { testPayloadKeys } from '../tests/support/payload-keys';
import { summarise } from './lib/stats';

const { values } = parseArgs({
  options: {
    complaints: { type: 'string', default: '1000' },
    later: { type: 'string', default: '2' },
    reads: { type: 'string', default: '2' },
    store: { type: 'string', default: 'pglite' },
  },
});
const complaints = Number(values.complaints);
const later = Number(values.later);
const reads = Number(values.reads);

async function openStore() {
  if (values.store === 'postgres') {
    const url = process.env.BENCH_DATABASE_URL;
    if (!url) throw new Error('--store postgres needs BENCH_DATABASE_URL');
    const schema = `register_writes_${process.pid}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(sql).finally(() => client.end());
    };
    await admin(`CREATE SCHEMA ${schema}`);
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    return { store: await openPostgres(scoped.toString()), cleanUp: () => admin(`DROP SCHEMA ${schema} CASCADE`) };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'register-writes-'));
  return { store: await openPglite(path.join(dir, 'register')), cleanUp: async () => rmSync(dir, { recursive: true }) };
}

async function main(): Promise<void> {
  const { store, cleanUp } = await openStore();
  const register = await registerOver(store, { keys: testPayloadKeys() });
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 1 });
  const firstMs: number[] = [];
  const laterMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    for (let i = 0; i < complaints; i++) {
      const ref = `BENCH-${String(i).padStart(6, '0')}`;
      const receivedAtMs = Date.UTC(2026, 0, 5) + i * 60_000;
      const opening = receiveComplaint({
        ref,
        procedure,
        receivedAtMs,
        holidays: [],
        details: {
          complainant: { name: `Complainant ${i}`, email: `complainant-${i}@example.org` },
          serviceArea: 'community-care',
          category: 'service-standards',
          channel: 'email',
          summary: `The home care visits were missed, complaint ${i}.`,
          serious: false,
        },
      });
      const events: ComplaintEvent[] = [opening];
      for (let n = 0; n < later; n++) events.push({ type: 'note-added', text: `Note ${n} on complaint ${i}` });
      const entries: TimelineEntry[] = events.map((event, n) => ({
        ...event,
        seq: n + 1,
        at: new Date(receivedAtMs + n * 1_000).toISOString(),
        actor: { id: 'officer' },
      }));
      // As the workflow writes them: its first batch, then each later entry with the snapshot it leads to.
      for (let upTo = 1; upTo <= entries.length; upTo++) {
        const { timeline, ...state } = replayTimeline(entries.slice(0, upTo));
        const batch = {
          ref,
          entries: entries.slice(upTo - 1, upTo),
          snapshot: { ...state, lastSeq: timeline.length, nextDeadline: null, overdue: false },
          madeAtMs: receivedAtMs + upTo,
        };
        const t = performance.now();
        await register.record(batch, { startedAtMs: batch.madeAtMs });
        (upTo === 1 ? firstMs : laterMs).push(performance.now() - t);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    report(seconds, cpu, firstMs, laterMs);
    const readMs: number[] = [];
    const readCpu = process.cpuUsage();
    for (let round = 0; round < reads; round++) {
      for (let i = 0; i < complaints; i++) {
        const t = performance.now();
        await register.readComplaint(`BENCH-${String(i).padStart(6, '0')}`);
        readMs.push(performance.now() - t);
      }
    }
    if (readMs.length > 0) {
      const s = summarise(readMs);
      const used = process.cpuUsage(readCpu);
      console.log(
        `reads: ${readMs.length}, p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} ms; process CPU ${((used.user + used.system) / 1000 / readMs.length).toFixed(2)} ms per read`,
      );
    }
  } finally {
    await register.close();
    await cleanUp();
  }
}

function report(seconds: number, cpu: NodeJS.CpuUsage, firstMs: number[], laterMs: number[]): void {
  const batches = firstMs.length + laterMs.length;
  const show = (name: string, ms: number[]) => {
    const s = summarise(ms);
    console.log(`${name}: ${ms.length} batches, p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} ms`);
  };
  console.log(`${values.store}: ${batches} batches in ${seconds.toFixed(1)} s = ${(batches / seconds).toFixed(0)}/s`);
  show('first batches', firstMs);
  show('later batches', laterMs);
  console.log(`process CPU ${((cpu.user + cpu.system) / 1000 / batches).toFixed(2)} ms per batch`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
