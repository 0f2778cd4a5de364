// The system the fault suite drills on one machine, as `npm start` runs it: a Temporal CLI dev server whose state is
// a SQLite file (so a SIGKILLed server restarts with its state), the complaints worker (bench/worker.ts, the worker
// `npm run worker` runs, given a prebuilt bundle so that a restart takes seconds, not a webpack run) and the API
// (api/main.ts) as child processes (devtools/child-processes.ts), sharing a register: PGlite under DATA_DIR, or
// PostgreSQL at `databaseUrl`. Each child logs to a file in the temporary folder, which is kept when the caller
// says so (a failing test) and removed otherwise. It hands the drill (drill.ts) its target and its controls.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { hashToken } from '../../api/auth';
import { configVariableNames, loadConfig } from '../../platform/config';
import { unusedLoopbackPort } from '../../platform/ports';
import { repoRoot } from '../../platform/repo-root';
import { openRegister, type Register } from '../../register';
import { devServerArgs } from '../../scripts/start';
import { type Child, ChildGroup, httpOk, temporalNamespace, waitForLine, waitForProbe } from '../child-processes';
import { ensureTemporalBinaries, findTemporalBinary } from '../temporal/binaries';
import { bundleComplaintWorkflows } from '../temporal/test-servers';
import type { DrillTarget, FaultControl } from './drill';
import { productClient } from '../temporal/product-client';

export interface LocalStackOptions {
  /** SMTP_URL of the worker (else e-mail goes to DATA_DIR/outbox). */
  smtpUrl?: string;
  /** DATABASE_URL of the worker and the API (else PGlite under DATA_DIR). */
  databaseUrl?: string;
  mailFrom?: string;
}

export interface LocalStack {
  tmp: string;
  target: DrillTarget;
  worker: FaultControl;
  temporal: FaultControl;
  /** The last lines of each child's log, for a failure message. */
  logs(): string;
  /** Stops every child (and removes the temporary folder unless `keep`). */
  stop(options?: { keep?: boolean }): Promise<void>;
}

const PEOPLE = {
  intake: { id: 'drill.intake', name: 'Drill intake clerk', roles: ['intake'] },
  officer: { id: 'drill.officer', name: 'Drill case officer', roles: ['case-officer'] },
  manager: { id: 'drill.manager', name: 'Drill manager', roles: ['manager'] },
} as const;

function tokens(): { tokens: DrillTarget['tokens']; document: string } {
  const made = {
    intake: `swc_drill_${randomBytes(24).toString('base64url')}`,
    officer: `swc_drill_${randomBytes(24).toString('base64url')}`,
    manager: `swc_drill_${randomBytes(24).toString('base64url')}`,
  };
  const document = JSON.stringify({
    tokens: (Object.keys(PEOPLE) as Array<keyof typeof PEOPLE>).map((who) => ({
      sha256: hashToken(made[who]),
      person: { id: PEOPLE[who].id, name: PEOPLE[who].name },
      roles: [...PEOPLE[who].roles],
    })),
  });
  return { tokens: made, document };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'complaints-faults-'));
  const dataDir = path.join(tmp, 'data');
  mkdirSync(dataDir, { recursive: true });
  const children = new ChildGroup();
  const [temporalPort, uiPort, apiPort] = [
    await unusedLoopbackPort(),
    await unusedLoopbackPort(),
    await unusedLoopbackPort(),
  ];
  const cli = ensureTemporalBinaries()?.cli ?? findTemporalBinary('cli');
  if (!cli) throw new Error('The Temporal CLI was not found: run `npm run setup:temporal`');
  const address = `127.0.0.1:${temporalPort}`;
  const serverArgs = devServerArgs(
    loadConfig({ DATA_DIR: dataDir, TEMPORAL_DEV_SERVER_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort) }),
  );
  let server: Child | undefined;
  const startServer = async () => {
    server = children.start({
      name: 'temporal',
      command: cli,
      args: serverArgs,
      cwd: tmp,
      logFile: logOf(tmp, 'temporal'),
    });
    const connection = await waitForProbe(server, 'the default namespace', temporalNamespace(address, 'default'));
    await connection.close();
  };

  const bundleFile = path.join(tmp, 'complaint-workflows.js');
  const [bundle] = await Promise.all([bundleComplaintWorkflows(), startServer()]);
  writeFileSync(bundleFile, bundle.code);

  const made = tokens();
  const mailFrom = options.mailFrom ?? 'complaints@drill.example';
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of configVariableNames) delete env[name];
  Object.assign(env, {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: 'complaints',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    API_TOKENS: made.document,
    MAIL_FROM: mailFrom,
    LOG_LEVEL: 'info',
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  const node = (script: string) => ['--import', 'tsx', path.join(repoRoot(), script)];
  let worker: Child | undefined;
  const startWorker = async () => {
    worker = children.start({
      name: 'worker',
      command: process.execPath,
      args: [...node('bench/worker.ts'), 'complaints', bundleFile, 'complaints'],
      env,
      cwd: repoRoot(),
      logFile: logOf(tmp, 'worker'),
    });
    await waitForLine(worker, /^READY/);
  };
  const api = children.start({
    name: 'api',
    command: process.execPath,
    args: node('api/main.ts'),
    env,
    cwd: repoRoot(),
    logFile: logOf(tmp, 'api'),
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await Promise.all([startWorker(), waitForProbe(api, 'a healthy /health', httpOk(`${apiUrl}/health`))]);

  const connection = await Connection.connect({ address });
  const client = productClient(connection, 'default', dataDir);
  const register: Register = await openRegister({ DATA_DIR: dataDir, DATABASE_URL: options.databaseUrl });
  const sigkill = async (child: Child | undefined) => {
    if (!child?.running) return;
    child.signal('SIGKILL');
    await child.exited;
  };
  return {
    tmp,
    target: {
      apiUrl,
      tokens: made.tokens,
      officer: { id: PEOPLE.officer.id, name: PEOPLE.officer.name },
      temporal: client,
      register,
      mailFrom,
    },
    worker: { name: 'worker', sendsMail: true, kill: () => sigkill(worker), restart: startWorker },
    temporal: { name: 'temporal', kill: () => sigkill(server), restart: startServer },
    logs: () =>
      children.children
        .map((child) => `--- ${child.name} (${child.logFile}):\n  ${child.lastStderr().join('\n  ')}`)
        .join('\n'),
    stop: async ({ keep = false } = {}) => {
      await register.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await children.close();
      if (!keep) rmSync(tmp, { recursive: true, force: true });
    },
  };
}

const logOf = (tmp: string, name: string) => path.join(tmp, `${name}.log`);
