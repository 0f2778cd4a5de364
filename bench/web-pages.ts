// The web pages' benchmark (issue 13): with 10,000 open complaints in the register, the worklist page (every tab,
// filters, search, another order, the next page) and the complaint page, p99 server time under 100 ms. The pages
// read the register (the read model), so the register is seeded directly (the real rules make each complaint's
// timeline and snapshot, as the worker would write them) rather than through Temporal; Temporal is not needed.
// Server time is Fastify's reply.elapsedTime (request received to response sent), one request at a time. The personal
// fields are sealed under each complaint's own data key (the test key ring), as intake seals them in production, so
// every page pays for opening them; the copies of the letters sent to each complainant are kept as the notice delivery
// keeps them, and the app has the letters' service as api/main.ts has it (the complaint page lists them). CPU: the process's CPU time (process.cpuUsage, user + system, all its threads)
// from the request's arrival to its response; honest per request only because requests go one at a time and
// nothing else runs in the process (PostgreSQL's own CPU is another process's and not in it; PGlite's is).
//
//   npx tsx bench/web-pages.ts [--complaints 10000] [--requests 200] [--store postgres|pglite] [--label name]
//   [--pages word,word] (only the pages whose name holds one of the words, e.g. "search" or "team")
//   [--keep] (keep the seeded schema or PGlite folder, to EXPLAIN the pages' queries on it)
// postgres: BENCH_DATABASE_URL (else TEST_DATABASE_URL), in a schema of its own, dropped after; pglite: the embedded
// register as `npm start` opens it (openSharedPglite), in a temporary folder removed after. Default: postgres when
// one of those is set.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import type { ComplaintDetails } from '../domain/intake';
import { letterIdFor } from '../domain/digests';
import { noticeFor } from '../domain/notices';
import { personalDetailFields } from '../domain/personal-fields';
import { getProcedure } from '../domain/procedures';
import { categories, serviceAreas } from '../domain/vocabulary';
import { letterPrinterFromConfig } from '../notifications/letter-printer';
import { repoRoot } from '../platform/repo-root';
import { openPostgres, openSharedPglite, registerOver, type Register } from '../register';
import { people, testTokens, unreachableTemporal } from '../tests/support/api';
import { testPayloadKeys } from '../tests/support/payload-keys';
import { round, summarise, type Summary } from './lib/stats';

const { values: args } = parseArgs({
  options: {
    complaints: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '200' },
    store: { type: 'string' },
    label: { type: 'string' },
    pages: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'npx tsx bench/web-pages.ts [--complaints 10000] [--requests 200] [--store postgres|pglite] [--label name]',
  );
  process.exit(0);
}
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
/** A word for the results file's name (e.g. before / after a change). */
const LABEL = args.label?.replace(/[^a-z0-9-]/gi, '') ?? '';
const STORE = args.store ?? (DATABASE_URL ? 'postgres' : 'pglite');
if (STORE !== 'postgres' && STORE !== 'pglite') throw new Error(`--store: postgres or pglite, not ${STORE}`);
if (STORE === 'postgres' && !DATABASE_URL)
  throw new Error('--store postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL');
const COMPLAINTS = Number(args.complaints);
const REQUESTS = Number(args.requests);
const TARGET_P99_MS = 100;
const DAY = 86_400_000;
const FIRST_NAMES = ['Morag', 'Alasdair', 'Fiona', 'Iain', 'Catriona', 'Hamish', 'Eilidh', 'Ruaridh', 'Kirsty', 'Euan'];
const SURNAMES = ['Ferguson', 'MacLeod', 'Campbell', 'Stewart', 'Robertson', 'Murray', 'Reid', 'Fraser', 'Ross'];
const WORDS = ['visits', 'missed', 'delay', 'carer', 'assessment', 'letter', 'meeting', 'respite', 'payment', 'staff'];
const OFFICERS = [people['case-officer'], people.otherOfficer];

async function openBenchRegister(): Promise<{ register: Register; drop: () => Promise<void> }> {
  const keys = testPayloadKeys();
  if (STORE === 'pglite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'web-bench-'));
    const register = await registerOver(openSharedPglite(path.join(dir, 'register')), { keys });
    const drop = async () => {
      if (args.keep) console.log(`kept ${dir} (--keep): remove it when done`);
      else rmSync(dir, { recursive: true, force: true });
    };
    return { register, drop };
  }
  const url = DATABASE_URL!;
  const schema = `web_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const register = await registerOver(await openPostgres(scoped.toString()), { keys });
  return {
    register,
    drop: async () => {
      if (args.keep) console.log(`kept schema ${schema} (--keep): DROP SCHEMA ${schema} CASCADE when done`);
      else await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const refOf = (i: number) => `SW-2026-${String(i + 1).padStart(6, '0')}`;

/** Complaint i's details, as intake would take them. */
function complaintDetails(i: number): ComplaintDetails {
  const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
  const last = SURNAMES[Math.floor(i / FIRST_NAMES.length) % SURNAMES.length]!;
  return {
    complainant: { name: `${first} ${last}`, email: `${first}.${last}.${i}@example.org`.toLowerCase() },
    serviceArea: serviceAreas[i % serviceAreas.length]!,
    category: categories[i % categories.length]!,
    channel: 'email',
    summary: `Complaint ${i}: ${WORDS[i % WORDS.length]} and ${WORDS[(i * 7) % WORDS.length]} over several weeks`,
    serious: false,
  };
}

/** Complaint i (its details sealed as intake seals them): received in the last 60 days, a third unassigned, the rest
 * assigned and acknowledged; the clock run to now through the real rules (reminders, breaches), so some are overdue. */
function complaintState(i: number, details: ComplaintDetails, nowMs: number): ComplaintState {
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 2 });
  const receivedAtMs = nowMs - (i % 60) * DAY - (i % 97) * 60_000;
  const received = receiveComplaint({ ref: refOf(i), procedure, receivedAtMs, holidays: [], details });
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

/**
 * The copies of the letters complaint i's events sent the complainant (by e-mail: every complainant here has an
 * address), kept in the register as the notice delivery keeps them (letters for everyone): the complaint page lists them.
 */
async function keepLetters(register: Register, state: ComplaintState, details: ComplaintDetails): Promise<void> {
  const procedure = getProcedure(state.procedure);
  let replayed: ComplaintState | undefined;
  for (const entry of state.timeline) {
    if (!replayed) replayed = initialState(entry);
    else applyEvent(replayed, entry);
    const notice = noticeFor(entry, replayed, procedure, { letters: true });
    if (notice?.audience !== 'complainant') continue;
    await register.letters.keep({
      id: letterIdFor(notice.id),
      noticeId: notice.id,
      ref: state.ref,
      kind: notice.kind,
      channel: 'email',
      recipientName: details.complainant.name,
      recipientEmail: details.complainant.email!,
      subject: `Your complaint ${state.ref}`,
      body: `Dear ${details.complainant.name}, about your complaint: ${notice.kind}.`,
      createdAt: entry.at,
    });
  }
}

async function seed(register: Register, nowMs: number): Promise<string[]> {
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 2 });
  const refs: string[] = [];
  const one = async (i: number) => {
    const plain = complaintDetails(i);
    const details = await register.personalData.sealFields(refOf(i), plain, personalDetailFields);
    const state = complaintState(i, details, nowMs);
    await register.record({ ref: state.ref, entries: state.timeline, snapshot: registerSnapshot(state, procedure) });
    await keepLetters(register, state, plain);
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
  const { complaints, connection } = await unreachableTemporal(1_000, { personalData: register.personalData });
  const devUser = (who: 'case-officer' | 'manager') => ({ id: people[who].id, name: people[who].name, roles: [who] });
  const app = await buildApp({
    complaints,
    tokens: testTokens(),
    metrics: createMetrics({ defaultMetrics: false }),
    register,
    // As api/main.ts: the letters' service, so the complaint page reads the letters kept.
    letterPrinter: letterPrinterFromConfig({
      STAFF_DIRECTORY_PATH: path.join(repoRoot(), 'config', 'staff-directory.example.yaml'),
      COUNCIL_NAME: 'Bench Council',
    }),
    web: {
      council: { name: 'Bench Council' },
      session: { key: randomBytes(32), idleMinutes: 30, secure: false },
      devUsers: [devUser('case-officer'), devUser('manager')],
    },
  });
  const samples = new Map<string, { serverMs: number[]; cpuMs: number[] }>();
  const cpuAtStart = new WeakMap<object, NodeJS.CpuUsage>();
  let current = '';
  app.addHook('onRequest', async (request) => {
    cpuAtStart.set(request, process.cpuUsage());
  });
  app.addHook('onResponse', async (request, reply) => {
    const cpu = process.cpuUsage(cpuAtStart.get(request));
    samples.get(current)?.serverMs.push(reply.elapsedTime);
    samples.get(current)?.cpuMs.push((cpu.user + cpu.system) / 1000);
  });
  await app.ready();
  const officer = await signIn(app, 'case-officer');
  const manager = await signIn(app, 'manager');
  const first = await app.inject({ method: 'GET', url: '/?tab=open', headers: { cookie: officer } });
  const next = /href="(\/\?[^"]*cursor=[^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
  const pick = () => refs[Math.floor(Math.random() * refs.length)]!;
  const scenarios: Array<[string, () => string, string?]> = [
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
    ['team page (manager)', () => '/team', manager],
  ];
  const results: PageResult[] = [];
  const words = args.pages?.split(',').filter(Boolean) ?? [];
  const chosen = scenarios.filter(([name]) => words.length === 0 || words.some((word) => name.includes(word)));
  for (const [name, url, cookie = officer] of chosen) {
    samples.set(name, { serverMs: [], cpuMs: [] });
    current = name;
    const statuses: Record<string, number> = {};
    for (let i = 0; i < REQUESTS; i += 1) {
      const response = await app.inject({ method: 'GET', url: url(), headers: { cookie } });
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
    const summary = summarise(samples.get(name)!.serverMs);
    const cpu = summarise(samples.get(name)!.cpuMs);
    results.push({ page: name, serverMs: summary, cpuMs: cpu, statuses, loadAverage: os.loadavg()[0]! });
    console.log(
      `${name}: p50 ${summary.p50} ms, p99 ${summary.p99} ms, max ${summary.max} ms, CPU p99 ${cpu.p99} ms, load ${os.loadavg()[0]!.toFixed(1)} ${JSON.stringify(statuses)}`,
    );
  }
  await app.close();
  await connection.close();
  await register.close();
  await drop();
  writeResults({ nowMs, seedSeconds, results });
}

interface PageResult {
  page: string;
  serverMs: Summary;
  cpuMs: Summary;
  statuses: Record<string, number>;
  /** The 1-minute load average when the page's requests ended (the machine is shared). */
  loadAverage: number;
}

function writeResults(run: { nowMs: number; seedSeconds: number; results: PageResult[] }): void {
  const stamp = new Date(run.nowMs)
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z')
    .concat(`-${STORE}`, LABEL ? `-${LABEL}` : '');
  const store = STORE === 'postgres' ? 'PostgreSQL' : 'PGlite (embedded, files in a temporary folder, as `npm start`)';
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')} at the end (a shared machine)`;
  const worst = Math.max(...run.results.map((r) => r.serverMs.p99));
  const lines = [
    `# Web pages, ${COMPLAINTS} open complaints (${new Date(run.nowMs).toISOString()})${LABEL ? `: ${LABEL}` : ''}`,
    '',
    `Machine: ${machine}. Register: ${store}, seeded directly in ${run.seedSeconds} s, personal fields sealed per complaint (the test key ring), the complainants' letters kept. ${REQUESTS} requests per page, one at a time, signed in as a case officer (the team page as a manager); server time is Fastify's reply.elapsedTime; CPU is the process's CPU time over the request (user + system, see bench/web-pages.ts); load is the 1-minute load average as the page's requests ended.`,
    '',
    `Target: p99 under ${TARGET_P99_MS} ms on every page. Worst p99: ${worst} ms (${worst < TARGET_P99_MS ? 'met' : 'NOT met'}).`,
    '',
    '| page | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | CPU p99 ms | load | statuses |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...run.results
      .map((r) =>
        [
          r.page,
          r.serverMs.p50,
          r.serverMs.p95,
          r.serverMs.p99,
          r.serverMs.max,
          r.cpuMs.p50,
          r.cpuMs.p99,
          r.loadAverage.toFixed(1),
          Object.entries(r.statuses)
            .map(([code, n]) => `${code}×${n}`)
            .join(' '),
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
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
