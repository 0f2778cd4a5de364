// `npm run audit` end to end against a real Temporal dev server (search attributes registered): replay by
// visibility query and by reference, export, replay of the exported files, timeline by reference, and the exit
// codes CI and auditors rely on. Not a terminal here, so replay prints plain lines.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario, scenarios } from '../../devtools/history-recorder/recorder';
import { repoRoot } from '../../platform/repo-root';
import { bundleComplaintWorkflows, startDevServer } from '../support/temporal';

const run = promisify(execFile);
const root = repoRoot();
const out = mkdtempSync(path.join(tmpdir(), 'audit-export-'));

let env: TestWorkflowEnvironment;

async function audit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'scripts', 'audit.ts'), ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: env.namespace ?? 'default',
          LOG_LEVEL: 'error',
        },
        maxBuffer: 32 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(async () => {
  env = await startDevServer();
  const workflowBundle = await bundleComplaintWorkflows();
  const base = scenarios.find((scenario) => scenario.name === 'dev-server-indexed');
  if (!base) throw new Error('the dev-server scenario is gone');
  for (const name of ['cli-one', 'cli-two'])
    await recordScenario({ ...base, name }, { env, workflowBundle, indexed: true });
  // Visibility is eventually consistent: wait until both complaints are listed as withdrawn.
  for (let i = 0; i < 100; i++) {
    if (Number((await env.client.workflow.count(`ComplaintStatus = 'withdrawn'`)).count) === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await env?.teardown();
});

describe('npm run audit', () => {
  it('replay --query: one line per complaint, a summary, exit 0', async () => {
    const { code, stdout } = await audit('replay', '--query', `ComplaintStatus = 'withdrawn'`);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok +CLI-(ONE|TWO) \(\d+ events\) \[run .+, temporal:default\]$/m);
    expect(stdout.match(/^ok /gm)).toHaveLength(2);
    expect(stdout).toMatch(/^2 histories replayed in [\d.]+s: 2 ok, 0 non-deterministic, 0 failed$/m);
  });

  it('replay --ref --json: a machine-readable summary', async () => {
    const { code, stdout } = await audit('replay', '--ref', 'CLI-ONE', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      summary: Record<string, number>;
      results: Array<{ workflowId: string; status: string }>;
    };
    expect(report.summary).toEqual({ total: 1, ok: 1, nonDeterministic: 0, failed: 0 });
    expect(report.results).toEqual([expect.objectContaining({ workflowId: 'CLI-ONE', status: 'ok' })]);
  });

  it('export writes the histories as files that replay and make the same timeline', async () => {
    const exported = await audit('export', '--query', `ComplaintStatus = 'withdrawn'`, '--out', out);
    expect(exported.code).toBe(0);
    const files = readdirSync(out)
      .filter((file) => file.endsWith('.json'))
      .sort();
    expect(files).toEqual(['CLI-ONE.json', 'CLI-TWO.json']);
    expect(readFileSync(path.join(out, 'EXPORT-INDEX.txt'), 'utf8')).toContain('CLI-ONE.json\tCLI-ONE');

    const replayed = await audit('replay', '--file', ...files.map((file) => path.join(out, file)));
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('2 histories replayed');

    const fromFile = await audit('timeline', path.join(out, 'CLI-ONE.json'));
    const fromServer = await audit('timeline', 'CLI-ONE');
    expect(fromServer.code).toBe(0);
    expect(fromServer.stdout).toContain('Complaint CLI-ONE: Home care visits were missed three times in one week');
    expect(fromServer.stdout).toMatch(/Complaint withdrawn/);
    expect(fromServer.stdout).toContain('CHECKS\n  ok: all 6 recorded events agree');
    const body = (text: string) => text.slice(text.indexOf('TIMELINE'));
    expect(body(fromFile.stdout)).toBe(body(fromServer.stdout));
  });

  it('replay --parallel 2 prints the report of --parallel 1, line for line, failures in their places', async () => {
    const bad = path.join(out, 'not-a-history.txt');
    writeFileSync(bad, 'hello');
    const files = ['CLI-ONE.json', bad, 'CLI-TWO.json', 'CLI-ONE.json'].map((file) => path.resolve(out, file));
    const serial = await audit('replay', '--parallel', '1', '--ref', 'CLI-TWO', '--file', ...files);
    const parallel = await audit('replay', '--parallel', '2', '--ref', 'CLI-TWO', '--file', ...files);
    const withoutTime = (text: string) => text.replace(/replayed in [\d.]+s/, 'replayed in <time>');
    expect(serial.code).toBe(1);
    expect(serial.stdout).toMatch(/5 histories replayed .*: 4 ok, 0 non-deterministic, 1 failed/);
    expect(serial.stdout.split('\n')[1]).toMatch(/^failed +.*not-a-history\.txt: not JSON/);
    expect(parallel.code).toBe(1);
    expect(withoutTime(parallel.stdout)).toBe(withoutTime(serial.stdout));
  });

  it('exits 1 naming what failed: an unknown reference, a file that is not a history', async () => {
    const bad = path.join(out, 'not-a-history.txt');
    writeFileSync(bad, 'hello');
    const { code, stdout } = await audit('replay', '--ref', 'NO-SUCH-COMPLAINT', '--file', bad);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^failed +.*not-a-history\.txt: not JSON/m);
    expect(stdout).toMatch(/^failed +NO-SUCH-COMPLAINT: /m);
    expect(stdout).toMatch(/2 histories replayed .*: 0 ok, 0 non-deterministic, 2 failed/);
  });

  it('timeline --file reads a history file as replay --file does', async () => {
    const file = path.join(out, 'CLI-TWO.json');
    const byFlag = await audit('timeline', '--file', file);
    const positional = await audit('timeline', file);
    expect(byFlag.code).toBe(0);
    expect(byFlag.stdout).toContain('Complaint CLI-TWO: ');
    expect(byFlag.stdout).toBe(positional.stdout);
  });

  it('an unknown reference: "no complaint <ref>", exit 1, from timeline as from replay', async () => {
    const timeline = await audit('timeline', 'SW-NOPE-1');
    expect(timeline.code).toBe(1);
    expect(timeline.stderr.trim()).toBe('no complaint SW-NOPE-1');
    const replay = await audit('replay', '--ref', 'SW-NOPE-1');
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/^failed +SW-NOPE-1: no complaint SW-NOPE-1$/m);
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const { code, stderr } = await audit('export', '--query', '');
    expect(code).toBe(2);
    expect(stderr).toContain('export needs --out <dir>');
    expect(stderr).toContain('Usage:');
  });
});
