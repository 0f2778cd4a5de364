// The system under test, as child processes (devtools/child-processes.ts, as `npm start` runs them): a Temporal dev
// server persisted to a SQLite file in a temporary folder (the same arguments as `npm start`), the complaints worker
// and a baseline worker (bench/worker.ts), and the HTTP API (api/main.ts); each logs to a file in that folder.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, type Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { hashToken } from '../api/auth';
import {
  type Child,
  type ChildGroup,
  httpOk,
  temporalNamespace,
  waitForLine,
  waitForProbe,
} from '../devtools/child-processes';
import { ensureTemporalBinaries, findTemporalBinary } from '../devtools/temporal/binaries';
import { configVariableNames, loadConfig } from '../platform/config';
import { payloadKeysFor, type PayloadKeyRing } from '../platform/payload-keys';
import { unusedLoopbackPort } from '../platform/ports';
import { repoRoot } from '../platform/repo-root';
import { devServerArgs } from '../scripts/start';
import { complaintBundleOptions, complaintWorkflowsPath } from '../worker/workflow-options';
import { productClient } from '../devtools/temporal/product-client';

export const say = (message: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const people = {
  intake: { id: 'bench.intake', name: 'Bench intake clerk', roles: ['intake'] },
  officer: { id: 'bench.officer', name: 'Bench case officer', roles: ['case-officer'] },
  auditor: { id: 'bench.auditor', name: 'Bench auditor', roles: ['auditor'] },
} as const;
export type PersonKey = keyof typeof people;

export interface Stack {
  tmp: string;
  dataDir: string;
  apiUrl: string;
  temporalAddress: string;
  taskQueue: string;
  baselineTaskQueue: string;
  tokens: Record<PersonKey, string>;
  server: Child;
  /** With the embedded register, the worker and the API in one process: then `api` is this same child. */
  worker: Child;
  baselineWorker: Child;
  api: Child;
  connection: Connection;
  client: Client;
  /** Without the product's payload codec: for the baseline workflows. */
  baselineClient: Client;
  /** The keys the worker and the API made in DATA_DIR (the replay phase decodes with them). */
  payloadKeys: PayloadKeyRing | undefined;
  cli: string;
  childEnv: NodeJS.ProcessEnv;
  complaintBundle: string;
  bundleSeconds: number;
  serverStartSeconds: number;
}

/** The headers of a request made as `who`. */
export const auth = (stack: Stack, who: PersonKey) => ({
  authorization: `Bearer ${stack.tokens[who]}`,
  'content-type': 'application/json',
});

/** The body of POST /complaints that every benchmark complaint is made from. */
export function intakeBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    complainant: { name: 'Pat Complainant', email: 'pat@example.org', phone: '01382 000000' },
    serviceArea: 'community-care',
    category: 'service-standards',
    channel: 'letter',
    // Named, not left to the procedure schedule (which now gives complaints received today the SPSO 2020 model, with
    // no acknowledgement step): the lifecycle acknowledges, and its figures stay comparable with earlier runs.
    procedure: { id: 'dundee-swd-2011', version: 1 },
    summary:
      'Home care visits were missed three times in one week and nobody phoned to say the carer would not come. ' +
      'My mother was left without her medication until the evening.',
    ...extra,
  };
}

/** The environment of the children: this process's, without any of the app's variables, plus `set`. */
function childEnvironment(set: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of configVariableNames) delete env[name];
  return { ...env, ...set };
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
  const bundle = await bundleWorkflowCode({ workflowsPath, ...complaintBundleOptions, logger: quiet });
  writeFileSync(file, bundle.code);
}

/** One bearer token per person, and the API_TOKENS document that holds their hashes. */
function benchTokens(): { tokens: Record<PersonKey, string>; document: string } {
  const keys = Object.keys(people) as PersonKey[];
  const tokens = Object.fromEntries(
    keys.map((key) => [key, `swc_bench_${randomBytes(24).toString('base64url')}`]),
  ) as Record<PersonKey, string>;
  const document = JSON.stringify({
    tokens: keys.map((key) => ({
      sha256: hashToken(tokens[key]),
      person: { id: people[key].id, name: people[key].name },
      roles: [...people[key].roles],
    })),
  });
  return { tokens, document };
}

/**
 * `node` arguments for a script under tsx; BENCH_PROFILE=worker,api adds V8 CPU profiles into <tmp>/profiles (the
 * process that is both, with the embedded register, is profiled when either is named, into profiles/worker).
 */
function nodeArgs(tmp: string): (script: string, name: string, alsoNamed?: string) => string[] {
  const profiled = new Set(
    (process.env.BENCH_PROFILE ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const profileArgs = (name: string, alsoNamed?: string) =>
    profiled.has(name) || (alsoNamed !== undefined && profiled.has(alsoNamed))
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(tmp, 'profiles', name)}`]
      : [];
  return (script, name, alsoNamed) => [
    ...profileArgs(name, alsoNamed),
    '--import',
    'tsx',
    path.join(repoRoot(), script),
  ];
}

/** The dev server exactly as `npm start` runs it (scripts/start.ts), its database a file in the temporary folder. */
async function startServer(children: ChildGroup, tmp: string, dataDir: string) {
  const [temporalPort, uiPort] = [await unusedLoopbackPort(), await unusedLoopbackPort()];
  const cli = ensureTemporalBinaries()?.cli ?? findTemporalBinary('cli');
  if (!cli) throw new Error('The Temporal CLI was not found: run `npm run setup:temporal`');
  const config = loadConfig({
    DATA_DIR: dataDir,
    TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
  });
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const server = children.start({
    name: 'temporal',
    command: cli,
    args: devServerArgs(config),
    env: process.env,
    cwd: tmp,
    logFile: path.join(tmp, 'temporal.log'),
  });
  return { cli, server, temporalAddress };
}

/** Both workflow bundles once (webpack takes seconds), handed to the workers as files; resolves with the seconds. */
function bundleWorkflows(tmp: string) {
  const started = performance.now();
  const complaintBundle = path.join(tmp, 'complaint-workflows.js');
  const baselineBundle = path.join(tmp, 'baseline-workflow.js');
  const seconds = Promise.all([
    bundleTo(complaintWorkflowsPath(), complaintBundle),
    bundleTo(path.join(repoRoot(), 'bench', 'baseline-workflow.ts'), baselineBundle),
  ]).then(() => (performance.now() - started) / 1000);
  return { complaintBundle, baselineBundle, seconds };
}

export async function startStack(children: ChildGroup): Promise<Stack> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'complaints-bench-'));
  const dataDir = path.join(tmp, 'data');
  mkdirSync(dataDir, { recursive: true });
  say(`temporary folder ${tmp}`);
  const serverStarted = performance.now();
  const { cli, server, temporalAddress } = await startServer(children, tmp, dataDir);
  const bundles = bundleWorkflows(tmp);
  const connection = await waitForProbe(server, 'the default namespace', temporalNamespace(temporalAddress, 'default'));
  const serverStartSeconds = (performance.now() - serverStarted) / 1000;
  const bundleSeconds = await bundles.seconds;
  say(`Temporal dev server up in ${serverStartSeconds.toFixed(1)}s; workflow bundles in ${bundleSeconds.toFixed(1)}s`);

  const { tokens, document } = benchTokens();
  const taskQueue = 'complaints';
  const baselineTaskQueue = 'bench-baseline';
  const apiPort = await unusedLoopbackPort();
  const childEnv = childEnvironment({
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    API_TOKENS: document,
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  });
  const node = nodeArgs(tmp);
  const start = (name: string, args: string[], stopTimeoutMs = 20_000) =>
    children.start({
      name,
      command: process.execPath,
      args,
      env: childEnv,
      cwd: repoRoot(),
      logFile: path.join(tmp, `${name}.log`),
      stopTimeoutMs,
    });
  // The worker drains its in-flight tasks on SIGTERM: it gets longer. With the embedded register the worker and the
  // API are one process (`engine`), as `npm start` runs them (scripts/start.ts `defaultServices`): `worker` and `api`
  // are then the same child, and its CPU and memory are counted once, as the worker's.
  const combined = !process.env.BENCH_DATABASE_URL;
  const worker = start(
    'worker',
    [
      ...node('bench/worker.ts', 'worker', combined ? 'api' : undefined),
      combined ? 'engine' : 'complaints',
      bundles.complaintBundle,
      taskQueue,
    ],
    60_000,
  );
  const baselineWorker = start('baseline-worker', [
    ...node('bench/worker.ts', 'baseline-worker'),
    'baseline',
    bundles.baselineBundle,
    baselineTaskQueue,
  ]);
  const api = combined ? worker : start('api', node('api/main.ts', 'api'));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const [workerReady] = await Promise.all([
    waitForLine(worker, /^READY/),
    waitForLine(baselineWorker, /^READY/),
    waitForProbe(api, 'a healthy /health', httpOk(`${apiUrl}/health`)),
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
    client: productClient(connection, 'default', dataDir),
    // The baseline worker has no payload codec, as a minimal workflow would not: its client has none either.
    baselineClient: new Client({ connection, namespace: 'default' }),
    payloadKeys: payloadKeysFor({ DATA_DIR: dataDir, PAYLOAD_ENCRYPTION: 'on' }),
    cli,
    childEnv,
    complaintBundle: bundles.complaintBundle,
    bundleSeconds,
    serverStartSeconds,
  };
}
