// `npm run bench` (not part of npm test): the product's performance on this machine, measured end to end.
// Starts its own Temporal dev server (persisted to a temporary SQLite file, as `npm start` runs it), the complaints
// worker and a baseline worker as child processes, and the HTTP API (api/main.ts) as a child process, then:
//   1. lifecycle: N complaints through intake → acknowledge → outcome over HTTP at a fixed concurrency, and the
//      raw Temporal client doing the equivalent (start a minimal workflow + two Updates) against the same server;
//   2. read path: GET /complaints/:ref and GET /complaints?status=open&overdue=true, and the raw query / list calls;
//   3. scale: many open complaints with live deadline timers on one worker; memory, and how late the timers fire;
//   4. audit replay: histories replayed per second.
// Writes bench/results/<date>.json and .md. See bench/README.md for what the figures mean and what limits them.
//
//   npm run bench                 full run (about 5-8 minutes on 2 cores)
//   npm run bench -- --quick      a small run (about 2 minutes) to check the harness
//   npm run bench -- --help       every option
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { hashToken } from '../api/auth';
import { visibilityQuery } from '../api/complaint-list';
import { replayComplaintHistories } from '../audit/replay';
import { fetchComplaintHistories, type ComplaintHistory } from '../audit/histories';
import { configVariableNames, loadConfig } from '../platform/config';
import { repoRoot } from '../platform/repo-root';
import { installTemporalRuntime } from '../platform/runtime';
import { ensureTemporalBinaries, findTemporalBinary } from '../devtools/temporal/binaries';
import { openPglite, openPostgres } from '../register/sql';
import { devServerArgs } from '../scripts/start';
import { complaintWorkflowsPath } from '../worker/workflow-options';
import { getProcedure } from '../domain/procedures';
import { defaultHolidayCalendar } from '../domain/scottish-holidays';
import type { ComplaintWorkflowInput } from '../workflows/complaint';
import { complaintStateQuery } from '../workflows/messages';
import { COMPLAINT_WORKFLOW_TYPE, complaintStartOptions } from '../workflows/start-options';
import { baselineAcknowledge, baselineOutcome } from './baseline-workflow';
import { runHttp, runLoop, type HttpRunResult, type LoopRunResult } from './lib/drivers';
import { machineInfo, type MachineInfo } from './lib/machine';
import { unusedLoopbackPort } from '../platform/ports';
import { type Child, CpuMeter, Sampler, startChild, stopChild, waitForLine } from './lib/processes';
import { renderMarkdown } from './lib/report';
import { round, summarise, type Summary } from './lib/stats';

// ------------------------------------------------------------------------------------------------ options

const HELP = `npm run bench [-- options]
  --quick                 small run: 300 complaints, 1,000 at scale (500 due in 2 cohorts), 5 s reads, 200 replays
  --complaints N          lifecycle complaints (default 2000; env BENCH_COMPLAINTS)
  --concurrency N         concurrent connections / client loops (default 32; env BENCH_CONCURRENCY)
  --scale N               open complaints in the scale run (default 10000; env BENCH_SCALE)
  --start-concurrency N   concurrent starts when opening them (default: --concurrency; 64 was no faster)
  --due N                 how many of them have their reminder fall due during the run (default 3000), in
  --cohorts N             cohorts, each all at one instant (default 3; the rest are due days later)
  --cohort-gap S          seconds between cohorts (default 30)
  --read-seconds S        duration of each read test (default 10)
  --replay N              histories to replay (default 500)
  --skip PHASES           comma-separated: lifecycle, read, scale, replay
  --out DIR               where results go (default bench/results)
  --keep                  keep the temporary folder (server database, logs, outbox)
Environment: BENCH_WORKER_OPTIONS='{"maxCachedWorkflows":500}' (JSON Worker options for both workers),
BENCH_LOG_LEVEL (the worker's and API's LOG_LEVEL, default info as in production),
BENCH_DATABASE_URL (register in PostgreSQL instead of the embedded PGlite).`;

interface Options {
  quick: boolean;
  complaints: number;
  warmup: number;
  concurrency: number;
  startConcurrency: number;
  scale: number;
  due: number;
  cohorts: number;
  cohortGapSeconds: number;
  readSeconds: number;
  replay: number;
  skip: Set<string>;
  out: string;
  keep: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      complaints: { type: 'string' },
      concurrency: { type: 'string' },
      'start-concurrency': { type: 'string' },
      scale: { type: 'string' },
      due: { type: 'string' },
      cohorts: { type: 'string' },
      'cohort-gap': { type: 'string' },
      'read-seconds': { type: 'string' },
      replay: { type: 'string' },
      skip: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick === true || process.env.BENCH_QUICK === '1';
  const int = (value: string | undefined, env: string | undefined, fallback: number, name: string) => {
    const raw = value ?? env;
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer (got ${raw})`);
    return n;
  };
  const complaints = int(values.complaints, process.env.BENCH_COMPLAINTS, quick ? 300 : 2000, 'complaints');
  const concurrency = Math.max(1, int(values.concurrency, process.env.BENCH_CONCURRENCY, 32, 'concurrency'));
  return {
    quick,
    complaints,
    warmup: Math.min(100, Math.max(32, Math.round(complaints / 20))),
    concurrency,
    startConcurrency: Math.max(1, int(values['start-concurrency'], undefined, concurrency, 'start-concurrency')),
    scale: int(values.scale, process.env.BENCH_SCALE, quick ? 1000 : 10_000, 'scale'),
    due: int(values.due, process.env.BENCH_DUE, quick ? 500 : 3000, 'due'),
    cohorts: Math.max(1, int(values.cohorts, undefined, quick ? 2 : 3, 'cohorts')),
    cohortGapSeconds: int(values['cohort-gap'], undefined, quick ? 15 : 30, 'cohort-gap'),
    readSeconds: Math.max(1, int(values['read-seconds'], undefined, quick ? 5 : 10, 'read-seconds')),
    replay: int(values.replay, undefined, quick ? 200 : 500, 'replay'),
    skip: new Set(
      (values.skip ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    out: path.resolve(values.out ?? path.join(repoRoot(), 'bench', 'results')),
    keep: values.keep === true,
  };
}

// ------------------------------------------------------------------------------------------------ helpers

const say = (message: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY_MS = 24 * 60 * 60 * 1000;
/** The run stops itself after this long, whatever happens. */
const HARD_STOP_MINUTES = 45;
const INCOMPLETE = 'the run did not finish: these are the figures measured up to where it stopped';

/** The procedure complaints start under (the default, dundee-swd-2011@1): acknowledge within 5 calendar days. */
const ACK_WITHIN_MS = 5 * DAY_MS;
/** ... with a reminder 24 hours before that deadline. */
const REMINDER_BEFORE_MS = 24 * 60 * 60 * 1000;

const people = {
  intake: { id: 'bench.intake', name: 'Bench intake clerk', roles: ['intake'] },
  officer: { id: 'bench.officer', name: 'Bench case officer', roles: ['case-officer'] },
  auditor: { id: 'bench.auditor', name: 'Bench auditor', roles: ['auditor'] },
} as const;
type PersonKey = keyof typeof people;

function intakeBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    complainant: { name: 'Pat Complainant', email: 'pat@example.org', phone: '01382 000000' },
    serviceArea: 'community-care',
    category: 'service-standards',
    channel: 'letter',
    summary:
      'Home care visits were missed three times in one week and nobody phoned to say the carer would not come. ' +
      'My mother was left without her medication until the evening.',
    ...extra,
  };
}

function loopSteps(
  result: LoopRunResult,
): Record<string, { latencyMs: Summary; errors: number; errorSamples: string[] }> {
  return Object.fromEntries(
    Object.entries(result.steps).map(([name, step]) => [
      name,
      { latencyMs: summarise(step.latenciesMs), errors: step.errors, errorSamples: step.errorSamples },
    ]),
  );
}

const ok2xx = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((sum, [code, n]) => sum + (code.startsWith('2') ? n : 0), 0);

// ------------------------------------------------------------------------------------------------ the stack

interface Stack {
  tmp: string;
  dataDir: string;
  apiUrl: string;
  temporalAddress: string;
  taskQueue: string;
  baselineTaskQueue: string;
  tokens: Record<PersonKey, string>;
  server: Child;
  worker: Child;
  baselineWorker: Child;
  api: Child;
  connection: Connection;
  client: Client;
  cli: string;
  childEnv: NodeJS.ProcessEnv;
  complaintBundle: string;
  bundleSeconds: number;
  serverStartSeconds: number;
}

/** The environment of the children: this process's, without any of the app's variables, plus `set`. */
function childEnvironment(set: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of configVariableNames) delete env[name];
  return { ...env, ...set };
}

async function waitForTemporal(address: string, server: Child, timeoutMs = 60_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the Temporal dev server exited during start-up (see ${server.logFile})`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      return connection;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`the Temporal dev server did not answer within ${timeoutMs / 1000}s`);
}

async function waitForHealth(url: string, api: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api.child.exitCode !== null) throw new Error(`the API exited during start-up (see ${api.logFile})`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  throw new Error(`the API did not become healthy within ${timeoutMs / 1000}s`);
}

async function bundleTo(workflowsPath: string, file: string): Promise<void> {
  const quiet = {
    log: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (m: string) => console.error(m),
  };
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  writeFileSync(file, bundle.code);
}

async function startStack(children: Child[]): Promise<Stack> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'complaints-bench-'));
  const dataDir = path.join(tmp, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [temporalPort, uiPort, apiPort] = [
    await unusedLoopbackPort(),
    await unusedLoopbackPort(),
    await unusedLoopbackPort(),
  ];
  const cli = ensureTemporalBinaries()?.cli ?? findTemporalBinary('cli');
  if (!cli) throw new Error('The Temporal CLI was not found: run `npm run setup:temporal`');

  // The dev server exactly as `npm start` runs it (scripts/start.ts), its database a file in the temporary folder.
  const config = loadConfig({
    DATA_DIR: dataDir,
    TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
  });
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  say(`temporary folder ${tmp}`);
  const serverStarted = performance.now();
  const server = startChild('temporal', cli, devServerArgs(config), {
    env: process.env,
    cwd: tmp,
    logFile: path.join(tmp, 'temporal.log'),
  });
  children.push(server);

  // Both workflow bundles once (webpack takes seconds), handed to the workers as files.
  const bundleStarted = performance.now();
  const complaintBundle = path.join(tmp, 'complaint-workflows.js');
  const baselineBundle = path.join(tmp, 'baseline-workflow.js');
  const bundling = Promise.all([
    bundleTo(complaintWorkflowsPath(), complaintBundle),
    bundleTo(path.join(repoRoot(), 'bench', 'baseline-workflow.ts'), baselineBundle),
  ]).then(() => (performance.now() - bundleStarted) / 1000);
  const connection = await waitForTemporal(temporalAddress, server);
  const serverStartSeconds = (performance.now() - serverStarted) / 1000;
  const bundleSeconds = await bundling;
  say(`Temporal dev server up in ${serverStartSeconds.toFixed(1)}s; workflow bundles in ${bundleSeconds.toFixed(1)}s`);

  const tokens = Object.fromEntries(
    Object.keys(people).map((key) => [key, `swc_bench_${randomBytes(24).toString('base64url')}`]),
  ) as Record<PersonKey, string>;
  const tokenDocument = JSON.stringify({
    tokens: (Object.keys(people) as PersonKey[]).map((key) => ({
      sha256: hashToken(tokens[key]),
      person: { id: people[key].id, name: people[key].name },
      roles: [...people[key].roles],
    })),
  });
  const taskQueue = 'complaints';
  const baselineTaskQueue = 'bench-baseline';
  const childEnv = childEnvironment({
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    API_TOKENS: tokenDocument,
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  });
  // BENCH_PROFILE=worker,api: those processes write V8 CPU profiles to <tmp>/profiles (open them in Chrome DevTools).
  const profiled = new Set(
    (process.env.BENCH_PROFILE ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const profileDir = path.join(tmp, 'profiles');
  const profileArgs = (name: string) =>
    profiled.has(name) ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : [];
  const node = (script: string, name: string) => [
    ...profileArgs(name),
    '--import',
    'tsx',
    path.join(repoRoot(), script),
  ];
  const worker = startChild(
    'worker',
    process.execPath,
    [...node('bench/worker.ts', 'worker'), 'complaints', complaintBundle, taskQueue],
    {
      env: childEnv,
      cwd: repoRoot(),
      logFile: path.join(tmp, 'worker.log'),
    },
  );
  children.push(worker);
  const baselineWorker = startChild(
    'baseline-worker',
    process.execPath,
    [...node('bench/worker.ts', 'baseline-worker'), 'baseline', baselineBundle, baselineTaskQueue],
    {
      env: childEnv,
      cwd: repoRoot(),
      logFile: path.join(tmp, 'baseline-worker.log'),
    },
  );
  children.push(baselineWorker);
  const api = startChild('api', process.execPath, node('api/main.ts', 'api'), {
    env: childEnv,
    cwd: repoRoot(),
    logFile: path.join(tmp, 'api.log'),
  });
  children.push(api);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const [workerReady] = await Promise.all([
    waitForLine(worker, /^READY/, 90_000),
    waitForLine(baselineWorker, /^READY/, 90_000),
    waitForHealth(apiUrl, api),
  ]);
  say(`worker, baseline worker and API ready (${workerReady})`);
  return {
    tmp,
    dataDir,
    apiUrl,
    temporalAddress,
    taskQueue,
    baselineTaskQueue,
    tokens,
    server,
    worker,
    baselineWorker,
    api,
    connection,
    client: new Client({ connection, namespace: 'default' }),
    cli,
    childEnv,
    complaintBundle,
    bundleSeconds,
    serverStartSeconds,
  };
}

const auth = (stack: Stack, who: PersonKey) => ({
  authorization: `Bearer ${stack.tokens[who]}`,
  'content-type': 'application/json',
});

// ------------------------------------------------------------------------------------------------ 1. lifecycle

/**
 * Intake → acknowledge → outcome for `count` complaints over HTTP: `concurrency` loops (keep-alive connections),
 * each taking the next complaint as soon as its last one is done, like the baseline below. A step that fails ends
 * that complaint (counted under the step's status). The references made are pushed to `refs`.
 */
async function apiLifecycle(stack: Stack, count: number, concurrency: number, refs: string[]) {
  const statuses: Record<string, Record<string, number>> = { intake: {}, acknowledge: {}, outcome: {} };
  const post = async (
    step: string,
    url: string,
    who: PersonKey,
    body: string,
  ): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${stack.apiUrl}${url}`, {
      method: 'POST',
      headers: auth(stack, who),
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const counts = statuses[step] ?? {};
    counts[String(response.status)] = (counts[String(response.status)] ?? 0) + 1;
    statuses[step] = counts;
    if (response.status >= 300) throw new Error(`${step}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return { status: response.status, text };
  };
  const intake = JSON.stringify(intakeBody());
  const acknowledge = JSON.stringify({ note: 'Acknowledged by letter' });
  const outcome = JSON.stringify({ outcome: 'upheld', findings: 'Visits were missed; the rota has been changed.' });
  const result = await runLoop({
    concurrency,
    count,
    iteration: async (_i, time) => {
      const { text } = await time('intake', () => post('intake', '/complaints', 'intake', intake));
      const ref = (JSON.parse(text) as { ref: string }).ref;
      await time('acknowledge', () => post('acknowledge', `/complaints/${ref}/acknowledge`, 'officer', acknowledge));
      await time('outcome', () => post('outcome', `/complaints/${ref}/outcome`, 'officer', outcome));
      refs.push(ref);
    },
  });
  return { ...result, statuses };
}

/** The same conversation with the raw client: start the minimal workflow, then its two Updates. */
async function baselineLifecycle(
  stack: Stack,
  count: number,
  concurrency: number,
  prefix: string,
): Promise<LoopRunResult> {
  return runLoop({
    concurrency,
    count,
    iteration: async (i, time) => {
      const workflowId = `${prefix}-${i}`;
      const handle = await time('start', () =>
        stack.client.workflow.start('baselineWorkflow', {
          taskQueue: stack.baselineTaskQueue,
          workflowId,
          args: [workflowId],
        }),
      );
      await time('acknowledge', () =>
        handle.executeUpdate(baselineAcknowledge, { args: [{ note: 'Acknowledged by letter' }] }),
      );
      await time('outcome', () => handle.executeUpdate(baselineOutcome, { args: [{ outcome: 'upheld' }] }));
    },
  });
}

/** What Temporal recorded per workflow, for a sample: events, workflow tasks, activities. */
async function historyShape(stack: Stack, workflowIds: readonly string[]) {
  const events: number[] = [];
  const workflowTasks: number[] = [];
  const activities: number[] = [];
  for (const workflowId of workflowIds) {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const list = history.events ?? [];
    events.push(list.length);
    workflowTasks.push(list.filter((event) => event.workflowTaskCompletedEventAttributes).length);
    activities.push(list.filter((event) => event.activityTaskScheduledEventAttributes).length);
  }
  return {
    sampled: workflowIds.length,
    events: summarise(events),
    workflowTasks: summarise(workflowTasks),
    activities: summarise(activities),
  };
}

// ------------------------------------------------------------------------------------------------ 2. read path

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

async function readState(stack: Stack, refs: readonly string[], seconds: number, concurrency: number) {
  const api = await runHttp({
    url: stack.apiUrl,
    connections: concurrency,
    durationSeconds: seconds,
    steps: [{ name: 'state', method: 'GET', path: () => `/complaints/${pick(refs)}`, headers: auth(stack, 'officer') }],
  });
  const raw = await runLoop({
    concurrency,
    durationSeconds: seconds,
    iteration: async (_i, time) => {
      // With the API's own deadline (API_TEMPORAL_TIMEOUT_MS, 10 s by default), so both give up alike.
      await time('query', () =>
        stack.client.connection.withDeadline(Date.now() + 10_000, () =>
          stack.client.workflow.getHandle(pick(refs)).query(complaintStateQuery),
        ),
      );
    },
  });
  return { api: readFigures(api, 'state'), raw: loopReadFigures(raw, 'query') };
}

const LIST_PATH = '/complaints?status=open&overdue=true';

async function readList(stack: Stack, seconds: number, concurrency: number) {
  const api = await runHttp({
    url: stack.apiUrl,
    connections: concurrency,
    durationSeconds: seconds,
    steps: [{ name: 'list', method: 'GET', path: LIST_PATH, headers: auth(stack, 'officer') }],
  });
  // What ComplaintService.list asks Temporal for that request (default page size 25).
  const query = visibilityQuery({ status: ['open'], overdue: true });
  const raw = await runLoop({
    concurrency,
    durationSeconds: seconds,
    iteration: async (_i, time) => {
      await time('list', () =>
        stack.client.workflowService.listWorkflowExecutions({ namespace: 'default', query, pageSize: 25 }),
      );
    },
  });
  return { api: readFigures(api, 'list'), raw: loopReadFigures(raw, 'list'), query };
}

function readFigures(result: HttpRunResult, step: string) {
  const record = result.steps[step] ?? { latenciesMs: [], statuses: {} };
  return {
    requests: record.latenciesMs.length,
    perSecond: round(ok2xx(record.statuses) / result.seconds),
    latencyMs: summarise(record.latenciesMs),
    statuses: record.statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: round(result.seconds),
  };
}

function loopReadFigures(result: LoopRunResult, step: string) {
  const record = result.steps[step] ?? { latenciesMs: [], errors: 0, errorSamples: [] };
  return {
    requests: record.latenciesMs.length + record.errors,
    perSecond: round(record.latenciesMs.length / result.seconds),
    latencyMs: summarise(record.latenciesMs),
    errors: record.errors,
    errorSamples: record.errorSamples,
    seconds: round(result.seconds),
  };
}

// ------------------------------------------------------------------------------------------------ 3. scale

interface ScaleComplaint {
  ref: string;
  dueAt: string;
  cohort: number;
}

/**
 * Starts `options.scale` complaints with the client exactly as the API's intake starts them (complaintStartOptions:
 * same input, search attributes, id policy; without the API's read-back query, which the lifecycle run measures),
 * each received (back-dated) so that its acknowledgement deadline falls at the due time of its cohort. The first
 * `calibration` ones are overdue from the start; then come the complaints whose reminders are days away; the rate
 * at which the worker took those on sets the first cohort's due time, just after the cohorts' complaints are
 * expected to have been taken on, and then the cohorts' complaints are started.
 */
async function startScaleComplaints(stack: Stack, options: Options, runTag: string, log: (message: string) => void) {
  const calibration = Math.min(Math.max(50, Math.round(options.scale * 0.02)), options.scale);
  const procedure = getProcedure({ id: 'dundee-swd-2011', version: 1 });
  const details = intakeBody();
  // The acknowledgement reminder (24 hours before the deadline) falls due at `reminderAtMs`.
  const input = (i: number, reminderAtMs: number): ComplaintWorkflowInput => {
    const receivedAtMs = reminderAtMs + REMINDER_BEFORE_MS - ACK_WITHIN_MS;
    return {
      ref: `BENCH-${runTag}-${String(i).padStart(6, '0')}`.toUpperCase(),
      procedure: { id: procedure.id, version: procedure.version },
      details: { ...(details as unknown as ComplaintWorkflowInput['details']), serious: false },
      receivedAt: new Date(receivedAtMs).toISOString(),
      holidays: defaultHolidayCalendar(new Date(receivedAtMs).getUTCFullYear()),
      actor: { id: people.intake.id, name: people.intake.name, role: 'intake' },
    };
  };
  const started: ScaleComplaint[] = [];
  const start =
    (i: number, dueAtMs: number, cohort: number) =>
    async (_n: number, time: <T>(step: string, fn: () => Promise<T>) => Promise<T>) => {
      const opening = input(i, cohort === -1 ? dueAtMs - REMINDER_BEFORE_MS : dueAtMs);
      await time('start', () =>
        stack.client.workflow.start(
          COMPLAINT_WORKFLOW_TYPE,
          complaintStartOptions(opening, { taskQueue: stack.taskQueue, indexed: true }),
        ),
      );
      started.push({ ref: opening.ref, dueAt: new Date(dueAtMs).toISOString(), cohort });
    };
  // Calibration complaints were received 6 days ago: their acknowledgement deadline has passed, so they are overdue
  // from the start (what the list test filters on); they measure how fast the worker takes complaints on.
  const pastDueAt = Date.now() - DAY_MS;
  const base = await takenOnCount(stack);
  const calibrationStarted = performance.now();
  const calibrationRun = await runLoop({
    concurrency: options.startConcurrency,
    count: calibration,
    iteration: (i, time) => start(i, pastDueAt, -1)(i, time),
  });
  // The rate at which the worker takes them on, not just the server's: until their first workflow tasks are done.
  await waitForTakenOn(stack, base + calibration, Date.now() + 120_000);
  const rate = calibration / ((performance.now() - calibrationStarted) / 1000);
  const rest = options.scale - calibration;
  const due = Math.min(options.due, rest);
  const far = rest - due;
  log(
    `calibration: ${calibration} starts taken on at ${rate.toFixed(1)}/s; now ${far} with reminders days away, then ${due} due in cohorts`,
  );
  // First the complaints whose reminders are days away (received now: live timers, not due in this run), taken on
  // in full, which measures the rate for the last part; then the ones due in cohorts.
  const farReminderMs = Date.now() + ACK_WITHIN_MS - REMINDER_BEFORE_MS;
  const farStarted = performance.now();
  const farRun = await runLoop({
    concurrency: options.startConcurrency,
    count: far,
    iteration: (i, time) => start(calibration + i, farReminderMs, -2)(i, time),
  });
  await waitForTakenOn(stack, base + calibration + far, Date.now() + 300_000);
  const farRate = far >= calibration ? far / ((performance.now() - farStarted) / 1000) : rate;
  // The first cohort falls due once the cohorts' complaints are expected to have been taken on, with a margin; if
  // the worker has not taken them all on 2 s before, the run says so.
  const expectedSeconds = due / farRate;
  const firstDueMs = Math.ceil((Date.now() + expectedSeconds * 1100 + 5_000) / 1000) * 1000;
  log(
    `${calibration + far} taken on (last ${far} at ${farRate.toFixed(1)}/s); ${due} more expected in ~${expectedSeconds.toFixed(0)}s; first cohort due ${new Date(firstDueMs).toISOString()}`,
  );
  const perCohort = Math.ceil(due / options.cohorts);
  const dueRun = await runLoop({
    concurrency: options.startConcurrency,
    count: due,
    iteration: (i, time) => {
      const cohort = Math.min(options.cohorts - 1, Math.floor(i / perCohort));
      return start(calibration + far + i, firstDueMs + cohort * options.cohortGapSeconds * 1000, cohort)(i, time);
    },
  });
  const takenOn = await waitForTakenOn(stack, base + options.scale, firstDueMs - 2_000);
  return {
    calibration,
    runs: [calibrationRun, farRun, dueRun],
    started,
    firstDueMs,
    perCohort,
    calibrationRate: rate,
    allTakenOn: takenOn >= base + options.scale,
    takenOn: takenOn - base,
  };
}

/** Open complaints whose first workflow task has run (it sets ComplaintNextDeadline): the worker has taken them on. */
async function takenOnCount(stack: Stack): Promise<number> {
  const { count } = await stack.client.workflow.count(
    `WorkflowType = '${COMPLAINT_WORKFLOW_TYPE}' AND ComplaintStatus = 'open' AND ComplaintNextDeadline > '2000-01-01T00:00:00Z'`,
  );
  return Number(count);
}

async function waitForTakenOn(stack: Stack, expected: number, untilMs: number): Promise<number> {
  let seen = await takenOnCount(stack);
  while (seen < expected && Date.now() < untilMs) {
    await sleep(500);
    seen = await takenOnCount(stack);
  }
  return seen;
}

/** Acknowledgement reminders delivered (DATA_DIR/outbox/*.eml, one file per notice; the file name has its kind). */
function remindersDelivered(stack: Stack): number {
  try {
    return readdirSync(path.join(stack.dataDir, 'outbox')).filter((file) => file.includes('acknowledgement-reminder'))
      .length;
  } catch {
    return 0;
  }
}

/** Acknowledgement reminder entries (the workflow's own record of when the timer fired) from the register, by reference. */
async function reminderEntriesFromRegister(stack: Stack): Promise<Map<string, { at: string; dueAt: string }>> {
  const store = process.env.BENCH_DATABASE_URL
    ? await openPostgres(process.env.BENCH_DATABASE_URL)
    : await openPglite(path.join(stack.dataDir, 'register'));
  try {
    const rows = await store.query<{ ref: string; at: string | Date; due_at: string; hours_before: string }>(
      `SELECT ref, at, entry->>'dueAt' AS due_at, entry->>'hoursBefore' AS hours_before FROM complaint_entries
        WHERE type = 'reminder-issued' AND entry->>'deadline' = 'acknowledgement'`,
    );
    // The reminder was due hoursBefore (hours) before the deadline it is about.
    return new Map(
      rows.map((row) => [
        row.ref,
        {
          at: new Date(row.at).toISOString(),
          dueAt: new Date(Date.parse(row.due_at) - Number(row.hours_before) * 3_600_000).toISOString(),
        },
      ]),
    );
  } finally {
    await store.close();
  }
}

/**
 * Where the lateness comes from, for a sample: the server firing the timer (TimerFired − due), then the workflow
 * task that records the reminder waiting to be picked up by the worker (WorkflowTaskStarted − TimerFired).
 */
async function timerSplit(stack: Stack, sample: ScaleComplaint[]) {
  const fired: number[] = [];
  const pickedUp: number[] = [];
  for (const complaint of sample) {
    const history = await stack.client.workflow.getHandle(complaint.ref).fetchHistory();
    const events = history.events ?? [];
    const dueMs = Date.parse(complaint.dueAt);
    const ms = (event: (typeof events)[number]) =>
      Number(String(event.eventTime?.seconds ?? 0)) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
    const index = events.findIndex((event) => event.timerFiredEventAttributes && ms(event) >= dueMs - 5);
    const timerEvent = events[index];
    if (index < 0 || !timerEvent) continue;
    fired.push(ms(timerEvent) - dueMs);
    const next = events.slice(index).find((event) => event.workflowTaskStartedEventAttributes);
    if (next) pickedUp.push(ms(next) - ms(timerEvent));
  }
  return { sampled: sample.length, timerFiredLateMs: summarise(fired), workflowTaskPickupMs: summarise(pickedUp) };
}

// ------------------------------------------------------------------------------------------------ 4. replay

async function replayRun(stack: Stack, refs: string[]) {
  installTemporalRuntime('warn');
  const fetchStarted = performance.now();
  const histories: ComplaintHistory[] = [];
  for await (const history of fetchComplaintHistories(stack.client, { refs })) histories.push(history);
  const fetchSeconds = (performance.now() - fetchStarted) / 1000;
  const events = histories.map((item) => item.history.events?.length ?? 0);
  const replayStarted = performance.now();
  let ok = 0;
  const failures: string[] = [];
  for await (const outcome of replayComplaintHistories(histories, {
    workflowBundle: { codePath: stack.complaintBundle },
  })) {
    if (outcome.ok) ok++;
    else if (failures.length < 5) failures.push(outcome.message);
  }
  const replaySeconds = (performance.now() - replayStarted) / 1000;
  return {
    histories: histories.length,
    eventsPerHistory: summarise(events),
    fetchSeconds: round(fetchSeconds),
    fetchedPerSecond: round(histories.length / fetchSeconds),
    replaySeconds: round(replaySeconds),
    perSecond: round(histories.length / replaySeconds),
    ok,
    failed: histories.length - ok,
    failures,
  };
}

// ------------------------------------------------------------------------------------------------ main

export interface BenchResult {
  machine: MachineInfo;
  settings: Record<string, unknown>;
  setup: Record<string, unknown>;
  lifecycle?: Record<string, any>;
  read?: Record<string, any>;
  scale?: Record<string, any>;
  replay?: Record<string, any>;
  cpuSecondsByPhase: Record<string, Record<string, number>>;
  memoryPeakMiBByPhase: Record<string, Record<string, number>>;
  targets: Array<{ figure: string; target: string; value: string; met: boolean | null }>;
  problems: string[];
  totalSeconds: number;
}

async function main(): Promise<number> {
  const options = parseOptions();
  const runStarted = performance.now();
  const children: Child[] = [];
  const killAll = () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  // Bounded: whatever happens, the run stops itself (writing what it has measured so far).
  let saveSoFar: (() => void) | undefined;
  const hardStop = setTimeout(() => {
    console.error(`bench: still running after ${HARD_STOP_MINUTES} minutes; writing what was measured and stopping`);
    saveSoFar?.();
    process.exit(2);
  }, HARD_STOP_MINUTES * 60_000);
  hardStop.unref();

  say(`options: ${JSON.stringify({ ...options, skip: [...options.skip] })}`);
  const stack = await startStack(children);
  const pids = () => ({
    server: stack.server.pid,
    worker: stack.worker.pid,
    baselineWorker: stack.baselineWorker.pid,
    api: stack.api.pid,
    bench: process.pid,
  });
  const sampler = new Sampler(pids, 500);
  sampler.start();
  const memoryAtReady = sampler.sample().rssMiB;
  const cpu = new CpuMeter(pids);
  const cpuSecondsByPhase: BenchResult['cpuSecondsByPhase'] = {};
  const phaseStarts = new Map<string, Record<string, number>>();
  const phase = (name: string) => {
    sampler.phase = name;
    phaseStarts.set(name, cpu.read());
  };
  const endPhase = (name: string) => {
    const before = phaseStarts.get(name);
    if (before) cpuSecondsByPhase[name] = CpuMeter.delta(before, cpu.read());
  };

  const persistence = process.env.BENCH_DATABASE_URL
    ? 'register: PostgreSQL (BENCH_DATABASE_URL)'
    : 'register: embedded PGlite in the worker';
  const result: BenchResult = {
    machine: await machineInfo(
      stack.cli,
      stack.connection,
      `dev server SQLite file (${path.basename(stack.tmp)}/data/temporal.db, WAL, synchronous=NORMAL); ${persistence}`,
    ),
    settings: {
      ...options,
      skip: [...options.skip],
      workerOptions: process.env.BENCH_WORKER_OPTIONS
        ? JSON.parse(process.env.BENCH_WORKER_OPTIONS)
        : 'SDK defaults (as worker/main.ts)',
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'info (default)',
    },
    setup: {
      serverStartSeconds: round(stack.serverStartSeconds),
      bundleSeconds: round(stack.bundleSeconds),
      memoryAtReadyMiB: memoryAtReady,
    },
    cpuSecondsByPhase,
    memoryPeakMiBByPhase: {},
    targets: [],
    problems: [],
    totalSeconds: 0,
  };
  const problems = result.problems;
  const stamp = result.machine.date.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  mkdirSync(options.out, { recursive: true });
  const base = path.join(options.out, `${stamp}${options.quick ? '-quick' : ''}`);
  /** Writes the JSON and the markdown as they stand: after each phase, at the end, and on the hard stop. */
  const save = (final: boolean) => {
    result.totalSeconds = round((performance.now() - runStarted) / 1000);
    result.targets = targetsOf(result);
    if (!final && !result.problems.includes(INCOMPLETE)) result.problems.push(INCOMPLETE);
    if (final && result.problems.includes(INCOMPLETE)) result.problems.splice(result.problems.indexOf(INCOMPLETE), 1);
    writeFileSync(`${base}.json`, `${JSON.stringify({ ...result, memorySamples: sampler.samples }, null, 2)}\n`);
    writeFileSync(`${base}.md`, renderMarkdown(result));
  };
  saveSoFar = () => save(false);
  const lifecycleRefs: string[] = [];
  let scaleComplaints: ScaleComplaint[] = [];
  const runTag = Date.now().toString(36);

  try {
    // ---------------------------------------------------------------- 1. lifecycle
    if (!options.skip.has('lifecycle')) {
      phase('warmup');
      say(`warm-up: ${options.warmup} complaints over HTTP and ${options.warmup} baseline workflows (not counted)`);
      await apiLifecycle(stack, options.warmup, options.concurrency, []);
      await baselineLifecycle(stack, options.warmup, options.concurrency, `bench-warmup-${runTag}`);
      endPhase('warmup');

      phase('lifecycle');
      say(
        `lifecycle: ${options.complaints} complaints, intake → acknowledge → outcome, ${options.concurrency} connections`,
      );
      const api = await apiLifecycle(stack, options.complaints, options.concurrency, lifecycleRefs);
      endPhase('lifecycle');
      phase('baseline');
      say(
        `baseline: ${options.complaints} minimal workflows, start + 2 Updates, raw client, concurrency ${options.concurrency}`,
      );
      const baseline = await baselineLifecycle(
        stack,
        options.complaints,
        options.concurrency,
        `bench-baseline-${runTag}`,
      );
      endPhase('baseline');
      const apiRate = api.completed / api.seconds;
      const baselineRate = baseline.completed / baseline.seconds;
      result.lifecycle = {
        api: {
          complaints: options.complaints,
          completed: api.completed,
          seconds: round(api.seconds),
          perSecond: round(apiRate),
          steps: Object.fromEntries(
            Object.entries(loopSteps(api)).map(([name, figures]) => [
              name,
              { ...figures, statuses: api.statuses[name] ?? {} },
            ]),
          ),
        },
        baseline: {
          workflows: options.complaints,
          completed: baseline.completed,
          seconds: round(baseline.seconds),
          perSecond: round(baselineRate),
          steps: loopSteps(baseline),
        },
        ratio: round(apiRate / baselineRate, 2),
        historyPerWorkflow: {
          complaint: await historyShape(stack, lifecycleRefs.slice(0, 20)),
          baseline: await historyShape(
            stack,
            Array.from({ length: Math.min(20, options.complaints) }, (_, i) => `bench-baseline-${runTag}-${i}`),
          ),
        },
      };
      say(
        `lifecycle: ${apiRate.toFixed(1)} complaints/s over HTTP vs ${baselineRate.toFixed(1)}/s raw (ratio ${(apiRate / baselineRate).toFixed(2)})`,
      );
      if (api.completed < options.complaints)
        problems.push(
          `lifecycle: ${options.complaints - api.completed} of ${options.complaints} complaints did not complete (see statuses)`,
        );
      if (baseline.completed < options.complaints)
        problems.push(`baseline: ${options.complaints - baseline.completed} of ${options.complaints} did not complete`);

      saveSoFar();
      if (!options.skip.has('read') && lifecycleRefs.length > 0) {
        phase('read-warm');
        say(
          `read path (warm): GET /complaints/:ref over the ${lifecycleRefs.length} lifecycle complaints, ${options.readSeconds}s each, API then raw query`,
        );
        result.read = {
          warm: {
            state: await readState(stack, lifecycleRefs, options.readSeconds, options.concurrency),
            complaints: lifecycleRefs.length,
          },
        };
        endPhase('read-warm');
      }
    }

    // ---------------------------------------------------------------- 3. scale
    if (!options.skip.has('scale') && options.scale > 0) {
      phase('scale-start');
      say(
        `scale: starting ${options.scale} complaints; ${options.due} of them received days ago, so that their acknowledgement reminders fall due in ${options.cohorts} cohorts ${options.cohortGapSeconds}s apart`,
      );
      const startedAt = performance.now();
      const scale = await startScaleComplaints(stack, options, runTag, say);
      const startSeconds = (performance.now() - startedAt) / 1000;
      endPhase('scale-start');
      if (!scale.allTakenOn)
        problems.push(
          `scale: the worker had taken on only ${scale.takenOn} of ${options.scale} complaints 2s before the first cohort fell due`,
        );
      scaleComplaints = scale.started;
      const cohortComplaints = scale.started.filter((c) => c.cohort >= 0);
      const lastDueMs = scale.firstDueMs + (options.cohorts - 1) * options.cohortGapSeconds * 1000;
      const startErrors = scale.runs.reduce((sum, run) => sum + (run.steps.start?.errors ?? 0), 0);
      say(`scale: ${scale.started.length} started in ${startSeconds.toFixed(0)}s (${startErrors} failed)`);
      if (startErrors > 0)
        problems.push(
          `scale: ${startErrors} starts failed: ${scale.runs.flatMap((run) => run.steps.start?.errorSamples ?? [])[0] ?? ''}`,
        );

      // All open, timers pending: the memory of N open complaints on one worker.
      phase('scale-open');
      const untilFirst = scale.firstDueMs - Date.now();
      const openMemory = sampler.sample().rssMiB;
      if (untilFirst > 0) await sleep(Math.max(0, untilFirst - 1_000));
      const openMemoryLate = sampler.sample().rssMiB;
      endPhase('scale-open');
      const lateStarts = untilFirst < 0 ? cohortComplaints.length : 0;
      if (untilFirst < 0)
        problems.push(
          `scale: starting took longer than planned; the first cohort fell due ${(-untilFirst / 1000).toFixed(0)}s before all had started`,
        );

      phase('scale-due');
      say(
        `scale: reminders falling due ${new Date(scale.firstDueMs).toISOString().slice(11, 19)} … ${new Date(lastDueMs).toISOString().slice(11, 19)}; waiting for every reminder to go out`,
      );
      const expected = cohortComplaints.length;
      const waitLimit = lastDueMs + Math.max(120_000, expected * 20);
      let seen = 0;
      let allRecordedAt: number | undefined;
      while (Date.now() < waitLimit) {
        seen = remindersDelivered(stack);
        if (seen >= expected && Date.now() > lastDueMs) {
          allRecordedAt = Date.now();
          break;
        }
        await sleep(1_000);
      }
      endPhase('scale-due');
      if (allRecordedAt === undefined)
        problems.push(
          `scale: only ${seen} of ${expected} reminders went out within ${(waitLimit - lastDueMs) / 1000}s of the last due time`,
        );
      say(
        `scale: ${seen} of ${expected} reminders delivered${allRecordedAt ? `, the last within ${((allRecordedAt - lastDueMs) / 1000).toFixed(1)}s of the last due time` : ''}`,
      );

      const lastCohort = cohortComplaints.filter((c) => c.cohort === options.cohorts - 1);
      const split = await timerSplit(
        stack,
        lastCohort.slice(0, 100).concat(cohortComplaints.filter((c) => c.cohort === 0).slice(0, 100)),
      );
      result.scale = {
        complaints: options.scale,
        started: scale.started.length,
        startFailures: startErrors,
        how: 'started with the client as the API starts them (complaintStartOptions), without the read-back query',
        calibration: {
          complaints: scale.calibration,
          perSecond: round(scale.calibrationRate),
          note: 'received 6 days ago: overdue from the start (the list test finds them); not measured for lateness',
        },
        notDueInRun: scale.started.filter((c) => c.cohort === -2).length,
        startSeconds: round(startSeconds),
        takenOnBeforeFirstDue: scale.takenOn,
        startPerSecond: round(scale.started.length / startSeconds),
        startLatencyMs: summarise(scale.runs.flatMap((run) => run.steps.start?.latenciesMs ?? [])),
        cohorts: options.cohorts,
        perCohort: scale.perCohort,
        cohortGapSeconds: options.cohortGapSeconds,
        firstDueAt: new Date(scale.firstDueMs).toISOString(),
        memoryMiB: {
          allOpenJustStarted: openMemory,
          allOpenBeforeFirstDue: openMemoryLate,
          peakWhileDue: sampler.peak(['scale-due']),
          peakWhileStarting: sampler.peak(['scale-start']),
        },
        remindersDelivered: seen,
        remindersExpected: expected,
        lastReminderDeliveredAfterLastDueSeconds: allRecordedAt ? round((allRecordedAt - lastDueMs) / 1000) : null,
        lateStarts,
        timerSplitSample: split,
      };
      saveSoFar();

      if (!options.skip.has('read')) {
        phase('read-scale');
        const openRefs = scaleComplaints.map((c) => c.ref);
        say(
          `read path (at scale): GET /complaints/:ref over ${openRefs.length} open complaints, and ${LIST_PATH}, ${options.readSeconds}s each, API then raw`,
        );
        const state = await readState(stack, openRefs, options.readSeconds, options.concurrency);
        const list = await readList(stack, options.readSeconds, options.concurrency);
        result.read = {
          ...(result.read ?? {}),
          atScale: { complaints: openRefs.length + lifecycleRefs.length, open: openRefs.length, state, list },
        };
        endPhase('read-scale');
      }
    }

    // ---------------------------------------------------------------- 4. replay
    if (!options.skip.has('replay') && options.replay > 0) {
      phase('replay');
      const half = Math.floor(options.replay / 2);
      const fromScale = scaleComplaints.slice(0, Math.min(half, scaleComplaints.length)).map((c) => c.ref);
      const refs = [...fromScale, ...lifecycleRefs.slice(0, options.replay - fromScale.length)];
      say(
        `replay: fetching and replaying ${refs.length} histories (${refs.length - fromScale.length} lifecycle, ${fromScale.length} from the scale run)`,
      );
      if (refs.length > 0) result.replay = await replayRun(stack, refs);
      endPhase('replay');
    }
  } catch (error) {
    problems.push(`run failed: ${(error as Error).stack ?? String(error)}`);
    console.error(error);
  }

  // ---------------------------------------------------------------- stop, then read the register
  phase('stop');
  sampler.stop();
  for (const name of [
    'warmup',
    'lifecycle',
    'baseline',
    'read-warm',
    'scale-start',
    'scale-open',
    'scale-due',
    'read-scale',
    'replay',
  ]) {
    const peak = sampler.peak([name]);
    if (Object.keys(peak).length) result.memoryPeakMiBByPhase[name] = peak;
  }
  say('stopping the API and the workers');
  await stopChild(stack.api);
  await Promise.all([stopChild(stack.worker, 60_000), stopChild(stack.baselineWorker)]);

  if (result.scale && scaleComplaints.length > 0) {
    try {
      const entries = await reminderEntriesFromRegister(stack);
      const late: number[] = [];
      const byCohort = new Map<number, number[]>();
      let missing = 0;
      for (const complaint of scaleComplaints) {
        if (complaint.cohort < 0) continue;
        const entry = entries.get(complaint.ref);
        if (!entry) {
          missing++;
          continue;
        }
        const ms = Date.parse(entry.at) - Date.parse(entry.dueAt);
        late.push(ms);
        byCohort.set(complaint.cohort, [...(byCohort.get(complaint.cohort) ?? []), ms]);
      }
      result.scale.lateness = {
        source: 'register: the reminder-issued entries (workflow time `at` − (dueAt − hoursBefore h))',
        measured: late.length,
        missing,
        allMs: summarise(late),
        byCohortMs: [...byCohort.entries()]
          .sort(([a], [b]) => a - b)
          .map(([cohort, values]) => ({ cohort, ...summarise(values) })),
      };
      if (missing > 0) problems.push(`scale: ${missing} reminder entries missing from the register`);
    } catch (error) {
      problems.push(`scale: could not read the register: ${(error as Error).message}`);
    }
  }
  await stack.connection.close();
  await stopChild(stack.server);

  save(true);
  say(`results: ${path.relative(process.cwd(), base)}.json and .md (${result.totalSeconds}s in all)`);
  for (const target of result.targets)
    say(
      `${target.met === null ? '  ?' : target.met ? ' ok' : 'MISS'} ${target.figure}: ${target.value} (target ${target.target})`,
    );
  for (const problem of problems) say(`PROBLEM: ${problem.split('\n')[0]}`);
  if (!options.keep) rmSync(stack.tmp, { recursive: true, force: true });
  else say(`kept ${stack.tmp}`);
  return problems.some((p) => p.startsWith('run failed')) ? 1 : 0;
}

function targetsOf(result: BenchResult): BenchResult['targets'] {
  const targets: BenchResult['targets'] = [];
  const add = (figure: string, target: string, value: number | undefined, met: (v: number) => boolean, unit = '') =>
    targets.push({
      figure,
      target,
      value: value === undefined || Number.isNaN(value) ? 'not measured' : `${value}${unit}`,
      met: value === undefined || Number.isNaN(value) ? null : met(value),
    });
  const lifecycle = result.lifecycle;
  add('lifecycle throughput / raw-client baseline', '≥ 0.8×', lifecycle?.ratio, (v) => v >= 0.8, '×');
  for (const step of ['intake', 'acknowledge', 'outcome']) {
    add(
      `p99 ${step} (write) at concurrency ${String(result.settings.concurrency)}`,
      '< 250 ms',
      lifecycle?.api.steps[step]?.latencyMs.p99,
      (v) => v < 250,
      ' ms',
    );
  }
  add('p99 GET /complaints/:ref (warm)', '< 50 ms', result.read?.warm?.state.api.latencyMs.p99, (v) => v < 50, ' ms');
  add(
    'p99 GET /complaints/:ref (at scale)',
    '< 50 ms',
    result.read?.atScale?.state.api.latencyMs.p99,
    (v) => v < 50,
    ' ms',
  );
  const memory = result.scale?.memoryMiB;
  const workerPeak = memory
    ? Math.max(
        memory.peakWhileDue?.worker ?? 0,
        memory.peakWhileStarting?.worker ?? 0,
        memory.allOpenBeforeFirstDue?.worker ?? 0,
      )
    : undefined;
  add(
    `worker RSS with ${String(result.scale?.complaints ?? '?')} open complaints (peak)`,
    '< 1024 MiB',
    workerPeak,
    (v) => v < 1024,
    ' MiB',
  );
  add('reminder lateness p99', '≤ 2000 ms', result.scale?.lateness?.allMs.p99, (v) => v <= 2000, ' ms');
  add('audit replay', '≥ 200 histories/s', result.replay?.perSecond, (v) => v >= 200, '/s');
  add('npm run bench end to end', '< 600 s', result.totalSeconds, (v) => v < 600, ' s');
  return targets;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
