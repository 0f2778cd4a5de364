// The web pages' benchmark (issue 13): with 10,000 open complaints in the register, the worklist page (every tab,
// filters, search, another order, the next page) and the complaint page, p99 server time under 100 ms. The pages
// read the register (the read model), so the register is seeded directly (the real rules make each complaint's
// timeline and snapshot, as the worker would write them) rather than through Temporal; Temporal is not needed.
// Server time is Fastify's reply.elapsedTime (request received to response sent), one request at a time.
//
//   npx tsx bench/web-pages.ts [--complaints 10000] [--requests 200]
// BENCH_DATABASE_URL (else TEST_DATABASE_URL) runs it on PostgreSQL in a schema of its own, dropped after; without
// either, on PGlite in memory.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { registerSnapshot } from '../activities/contract';
import { buildApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import type { ComplaintCommand } from '../domain/actions';
import {
  applyEvent,
  type ComplaintState,
  decide,
  initialState,
  nextScheduledEvent,
  receiveComplaint,
  type TimelineEntry,
} from '../domain/complaint';
import { getProcedure } from '../domain/procedures';
import { categories, serviceAreas } from '../domain/vocabulary';
import { repoRoot } from '../platform/repo-root';
import { openPgliteInMemory, openPostgres, registerOver, type Register } from '../register';
import { people, testTokens, unreachableTemporal } from '../tests/support/api';
import { round, summarise, type Summary } from './lib/stats';

const { values: args } = parseArgs({
  options: { complaints: { type: 'string', default: '10000' }, requests: { type: 'string', default: '200' } },
});
const COMPLAINTS = Number(args.complaints);
const REQUESTS = Number(args.requests);
const TARGET_P99_MS = 100;
const DAY = 86_400_000;
const FIRST_NAMES = ['Morag', 'Alasdair', 'Fiona', 'Iain', 'Catriona', 'Hamish', 'Eilidh', 'Ruaridh', 'Kirsty', 'Euan'];
const SURNAMES = ['Ferguson', 'MacLeod', 'Campbell', 'Stewart', 'Robertson', 'Murray', 'Reid', 'Fraser', 'Ross'];
const WORDS = ['visits', 'missed', 'delay', 'carer', 'assessment', 'letter', 'meeting', 'respite', 'payment', 'staff'];
const OFFICERS = [people['case-officer'], people.otherOfficer];

async function openBenchRegister(): Promise<{ register: Register; drop: () => Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) return { register: await registerOver(await openPgliteInMemory()), drop: async () => undefined };
  const schema = `web_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const register = await registerOver(await openPostgres(scoped.toString()));
  return {
    register,
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** Complaint i: received in the last 60 days, a third unassigned, the rest assigned and acknowledged; the clock run
 * to now through the real rules (reminders, breaches), so some are overdue. */
function complaintState(i: number, nowMs: number): ComplaintState {
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 2 });
  const receivedAtMs = nowMs - (i % 60) * DAY - (i % 97) * 60_000;
  const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
  const last = SURNAMES[Math.floor(i / FIRST_NAMES.length) % SURNAMES.length]!;
  const received = receiveComplaint({
    ref: `SW-2026-${String(i + 1).padStart(6, '0')}`,
    procedure,
    receivedAtMs,
    holidays: [],
    details: {
      complainant: { name: `${first} ${last}`, email: `${first}.${last}.${i}@example.org`.toLowerCase() },
      serviceArea: serviceAreas[i % serviceAreas.length]!,
      category: categories[i % categories.length]!,
      channel: 'email',
      summary: `Complaint ${i}: ${WORDS[i % WORDS.length]} and ${WORDS[(i * 7) % WORDS.length]} over several weeks`,
      serious: false,
    },
  });
  const manager = { id: people.manager.id, role: 'manager' };
  const state = initialState({ ...received, seq: 1, at: new Date(receivedAtMs).toISOString(), actor: manager });
  const record = (event: object, atMs: number) =>
    applyEvent(state, {
      ...event,
      seq: state.timeline.length + 1,
      at: new Date(atMs).toISOString(),
      actor: manager,
    } as TimelineEntry);
  const runClockUntil = (untilMs: number) => {
    for (
      let next = nextScheduledEvent(state, procedure, untilMs);
      next && next.atMs <= untilMs;
      next = nextScheduledEvent(state, procedure, untilMs)
    )
      record(next.event, next.atMs);
  };
  if (i % 3 !== 0) {
    const atMs = receivedAtMs + 3_600_000;
    const officer = OFFICERS[i % OFFICERS.length]!;
    for (const command of [
      { action: 'assign', officer: { id: officer.id, name: officer.name }, actor: manager },
      { action: 'acknowledge', actor: manager },
    ]) {
      const decision = decide(state, command as ComplaintCommand, atMs, procedure);
      if (!decision.ok) throw new Error(`${state.ref}: ${decision.reason}`);
      for (const event of decision.events) record(event, atMs);
    }
  }
  runClockUntil(nowMs);
  return state;
}

async function seed(register: Register, nowMs: number): Promise<string[]> {
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 2 });
  const refs: string[] = [];
  const one = async (i: number) => {
    const state = complaintState(i, nowMs);
    await register.record({ ref: state.ref, entries: state.timeline, snapshot: registerSnapshot(state, procedure) });
    refs.push(state.ref);
  };
  for (let i = 0; i < COMPLAINTS; i += 20)
    await Promise.all(Array.from({ length: Math.min(20, COMPLAINTS - i) }, (_, j) => one(i + j)));
  return refs;
}

/** A session cookie for `who`, through the development sign-in form (its CSRF token and cookie). */
async function signIn(app: Awaited<ReturnType<typeof buildApp>>, who: keyof typeof people): Promise<string> {
  const page = await app.inject({ method: 'GET', url: '/sign-in' });
  const cookie = page.cookies.map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const signed = await app.inject({
    method: 'POST',
    url: '/sign-in/development',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: token, person: people[who].id }).toString(),
  });
  if (signed.statusCode !== 303) throw new Error(`sign-in as ${who}: ${signed.statusCode}`);
  return signed.cookies.map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join('; ');
}

async function main(): Promise<void> {
  const nowMs = Date.now();
  const { register, drop } = await openBenchRegister();
  const seedStart = performance.now();
  const refs = await seed(register, nowMs);
  const seedSeconds = round((performance.now() - seedStart) / 1000);
  console.log(`seeded ${refs.length} complaints in ${seedSeconds} s`);
  const { complaints, connection } = await unreachableTemporal();
  const app = await buildApp({
    complaints,
    tokens: testTokens(),
    metrics: createMetrics({ defaultMetrics: false }),
    register,
    web: {
      council: { name: 'Bench Council' },
      session: { key: randomBytes(32), idleMinutes: 30, secure: false },
      devUsers: [{ id: people['case-officer'].id, name: people['case-officer'].name, roles: ['case-officer'] }],
    },
  });
  const serverMs = new Map<string, number[]>();
  let current = '';
  app.addHook('onResponse', async (_request, reply) => {
    serverMs.get(current)?.push(reply.elapsedTime);
  });
  await app.ready();
  const cookie = await signIn(app, 'case-officer');
  const first = await app.inject({ method: 'GET', url: '/?tab=open', headers: { cookie } });
  const next = /href="(\/\?[^"]*cursor=[^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
  const pick = () => refs[Math.floor(Math.random() * refs.length)]!;
  const scenarios: Array<[string, () => string]> = [
    ['worklist: My cases', () => '/?tab=mine'],
    ['worklist: Unassigned', () => '/?tab=unassigned'],
    ['worklist: Due this week', () => '/?tab=due'],
    ['worklist: Overdue', () => '/?tab=overdue'],
    ['worklist: All open', () => '/?tab=open'],
    ['worklist: All open, newest first', () => '/?tab=open&sort=-received'],
    ['worklist: All open, next page', () => next ?? '/?tab=open'],
    ['worklist: filter service area + category', () => '/?tab=open&serviceArea=childrens-services&category=delay'],
    [
      'worklist: filter received dates',
      () =>
        `/?tab=open&receivedFrom=${new Date(nowMs - 20 * DAY).toISOString().slice(0, 10)}&receivedTo=${new Date(nowMs - 10 * DAY).toISOString().slice(0, 10)}`,
    ],
    ['worklist: search a name', () => '/?tab=open&q=morag+campbell'],
    ['worklist: search a word of summaries', () => '/?tab=open&q=respite'],
    [
      'worklist: search an e-mail',
      () => `/?tab=open&q=fiona.macleod.${12 + 90 * Math.floor(Math.random() * 100)}%40example.org`,
    ],
    ['complaint page', () => `/cases/${pick()}`],
  ];
  const results: Array<{ page: string; serverMs: Summary; statuses: Record<string, number> }> = [];
  for (const [name, url] of scenarios) {
    serverMs.set(name, []);
    current = name;
    const statuses: Record<string, number> = {};
    for (let i = 0; i < REQUESTS; i += 1) {
      const response = await app.inject({ method: 'GET', url: url(), headers: { cookie } });
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
    const summary = summarise(serverMs.get(name)!);
    results.push({ page: name, serverMs: summary, statuses });
    console.log(
      `${name}: p50 ${summary.p50} ms, p99 ${summary.p99} ms, max ${summary.max} ms ${JSON.stringify(statuses)}`,
    );
  }
  await app.close();
  await connection.close();
  await register.close();
  await drop();
  writeResults({ nowMs, seedSeconds, results });
}

function writeResults(run: {
  nowMs: number;
  seedSeconds: number;
  results: Array<{ page: string; serverMs: Summary; statuses: Record<string, number> }>;
}): void {
  const stamp = new Date(run.nowMs)
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const store = (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL) ? 'PostgreSQL' : 'PGlite (in memory)';
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')} at the end (a shared machine)`;
  const worst = Math.max(...run.results.map((r) => r.serverMs.p99));
  const lines = [
    `# Web pages, ${COMPLAINTS} open complaints (${new Date(run.nowMs).toISOString()})`,
    '',
    `Machine: ${machine}. Register: ${store}, seeded directly in ${run.seedSeconds} s. ${REQUESTS} requests per page, one at a time, signed in as a case officer; server time is Fastify's reply.elapsedTime.`,
    '',
    `Target: p99 under ${TARGET_P99_MS} ms on every page. Worst p99: ${worst} ms (${worst < TARGET_P99_MS ? 'met' : 'NOT met'}).`,
    '',
    '| page | p50 ms | p95 ms | p99 ms | max ms | statuses |',
    '|---|---:|---:|---:|---:|---|',
    ...run.results.map(
      (r) =>
        `| ${r.page} | ${r.serverMs.p50} | ${r.serverMs.p95} | ${r.serverMs.p99} | ${r.serverMs.max} | ${Object.entries(
          r.statuses,
        )
          .map(([code, n]) => `${code}×${n}`)
          .join(' ')} |`,
    ),
    '',
  ];
  const dir = path.join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `web-pages-${stamp}.md`), lines.join('\n'));
  writeFileSync(
    path.join(dir, `web-pages-${stamp}.json`),
    `${JSON.stringify({ complaints: COMPLAINTS, requests: REQUESTS, machine, store, ...run }, null, 2)}\n`,
  );
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
