// The worker and the API in one process over the embedded register (scripts/worker-and-api.ts, what `npm start` runs
// with no DATABASE_URL), against a real dev server: a complaint taken by its API is written by its worker and read back
// through its API's register; `npm run report` and `npm run reconcile` beside it are told at once that the register is
// owned and what to do; SIGTERM stops it with exit code 0 and lets the register go, so the report then runs.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../api/auth';
import { unusedLoopbackPort } from '../../platform/ports';
import { repoRoot } from '../../platform/repo-root';
import { defaultServices } from '../../scripts/start';
import { intakeBody } from '../support/api';
import { startDevServer } from '../support/temporal';

const TOKENS = { intake: 'token-intake', officer: 'token-officer' };

function tokensDocument(): string {
  return JSON.stringify({
    tokens: [
      { sha256: hashToken(TOKENS.intake), person: { id: 'intake.smith', name: 'Jo Smith' }, roles: ['intake'] },
      {
        sha256: hashToken(TOKENS.officer),
        person: { id: 'officer.jones', name: 'Sam Jones' },
        roles: ['case-officer'],
      },
    ],
  });
}

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command-line tool of the project (a script under tsx) run to its end. */
async function runTool(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot(), script), ...args],
      { cwd: repoRoot(), env, timeout: 120_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('`npm start` processes by register', () => {
  it('runs one process for the worker and the API over the embedded register, two over PostgreSQL', () => {
    expect(defaultServices({ DATABASE_URL: undefined }).map((s) => s.name)).toEqual(['engine']);
    expect(defaultServices({ DATABASE_URL: undefined })[0]?.nodeArgs.join(' ')).toContain('worker-and-api');
    expect(defaultServices({ DATABASE_URL: 'postgres://x@127.0.0.1/db' }).map((s) => s.name)).toEqual([
      'worker',
      'api',
    ]);
  });
});

describe('the worker and the API in one process (scripts/worker-and-api.ts)', () => {
  let server: TestWorkflowEnvironment;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let apiUrl: string;
  let child: ChildProcessWithoutNullStreams;
  let output = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    server = await startDevServer();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'worker-and-api-'));
    const port = await unusedLoopbackPort();
    apiUrl = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      TEMPORAL_ADDRESS: server.address,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      API_TOKENS: tokensDocument(),
      LOG_LEVEL: 'warn',
    };
    child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot(), 'scripts', 'worker-and-api.ts')], {
      cwd: repoRoot(),
      env,
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    // Ready when the worker polls (it bundles the workflows first) and the API answers /health.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`worker-and-api exited early:\n${output}`);
      const healthy = await fetch(`${apiUrl}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy && output.includes('Worker polling')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 240_000);

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await server?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a complaint through its API, writes it with its worker and lists it from the register it owns', async () => {
    const created = await fetch(`${apiUrl}/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.intake}`, 'content-type': 'application/json' },
      body: JSON.stringify(intakeBody()),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { ref } = (await created.json()) as { ref: string };
    // The list is the register's alone: the worker's write of the new complaint, read by the API in the same process.
    let listed: string[] = [];
    for (let attempt = 0; attempt < 120 && !listed.includes(ref); attempt++) {
      const list = await fetch(`${apiUrl}/complaints`, { headers: { authorization: `Bearer ${TOKENS.officer}` } });
      expect(list.status).toBe(200);
      listed = ((await list.json()) as { items: Array<{ ref: string }> }).items.map((c) => c.ref);
      if (!listed.includes(ref)) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(listed).toContain(ref);
    expect(output).not.toMatch(/already open|stayed busy|RegisterOwnedElsewhere/);
  }, 60_000);

  it('tells `npm run report` and `npm run reconcile` beside it that it owns the register, and what to do', async () => {
    const pid = String(child.pid);
    const report = await runTool('scripts/report.ts', ['--from', '2026-01-01', '--to', '2026-12-31'], env);
    const reconcile = await runTool('scripts/reconcile.ts', ['--open'], env);
    for (const tool of [report, reconcile]) {
      expect(tool.code).toBe(1);
      expect(tool.stderr).toContain(
        `is kept open by process ${pid} (npm start: the worker and the API in one process)`,
      );
      expect(tool.stderr).toContain('Stop that process first');
      expect(tool.stderr).toContain('DATABASE_URL');
      expect(tool.stderr).not.toMatch(/^\s+at /m); // the message, not a stack trace
    }
  }, 240_000);

  it('stops on SIGTERM with exit code 0 and lets the register go: the report then runs', async () => {
    child.kill('SIGTERM');
    expect(await exited, output).toBe(0);
    expect(existsSync(path.join(dataDir, 'register.lock'))).toBe(false);
    const report = await runTool('scripts/report.ts', ['--from', '2026-01-01', '--to', '2026-12-31'], env);
    expect(report.code, report.stderr).toBe(0);
  }, 120_000);
});
