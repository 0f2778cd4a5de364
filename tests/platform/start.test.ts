// `npm start` end to end (scripts/start.ts), with stand-ins for the worker and the API (tests/fixtures): the dev
// server keeps its state in DATA_DIR, Ctrl-C stops everything in order with exit code 0, and a second start finds
// the workflows of the first.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../platform/repo-root';
import { addNoteUpdate, smokeWorkflow, wakeSignal } from '../fixtures/smoke-workflow';
import { unusedLoopbackPort } from '../../platform/ports';
import { startDevServer } from '../support/temporal';

const DAY_MS = 24 * 60 * 60 * 1000;

interface Stack {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<void>;
  exit: Promise<number | null>;
}

const started: Stack[] = [];

function startStack(
  env: Record<string, string>,
  script = ['--import', 'tsx', path.join('tests', 'fixtures', 'start-stack.ts')],
): Stack {
  const child = spawn(process.execPath, script, {
    cwd: repoRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (text: string | RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
      const check = () => {
        if (matches()) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${String(text)}; output so far:\n${output}`));
      }, timeoutMs);
      listeners.add(check);
      void exit.then(() => {
        if (!matches()) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`stack exited before ${String(text)}; output:\n${output}`));
        }
      });
      check();
    });
  const stack = { child, output: () => output, waitFor, exit };
  started.push(stack);
  return stack;
}

afterEach(() => {
  for (const { child } of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function withClient<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

describe('npm start without TEMPORAL_ADDRESS', () => {
  it('runs its own dev server whose workflows survive a restart; Ctrl-C stops all in order with exit 0', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'complaints-start-'));
    const [temporalPort, uiPort, apiPort] = [
      await unusedLoopbackPort(),
      await unusedLoopbackPort(),
      await unusedLoopbackPort(),
    ];
    const env = {
      DATA_DIR: dataDir,
      TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      PORT: String(apiPort),
    };
    const address = `127.0.0.1:${temporalPort}`;
    const workflowId = `survives-restart-${Date.now()}`;

    const first = startStack(env);
    await first.waitFor('smoke worker running');
    await first.waitFor(`ready: API at http://127.0.0.1:${apiPort}`);
    expect(await (await fetch(`http://127.0.0.1:${apiPort}/health`)).json()).toEqual({ status: 'ok' });
    await withClient(address, async (client) => {
      const handle = await client.workflow.start(smokeWorkflow, {
        args: [56 * DAY_MS, true],
        taskQueue: 'complaints',
        workflowId,
      });
      expect(await handle.executeUpdate(addNoteUpdate, { args: ['before restart'] })).toBe(1);
    });
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);
    const stopOrder = ['stopping api', 'stopping worker', 'stopping temporal', '[start]    stopped'].map((s) =>
      first.output().indexOf(s),
    );
    expect(stopOrder.every((i) => i >= 0)).toBe(true);
    expect([...stopOrder].sort((a, b) => a - b)).toEqual(stopOrder);
    expect(first.output()).toContain('health api stopped');
    expect(first.output()).toContain('smoke worker stopped');

    const second = startStack(env);
    await second.waitFor('smoke worker running');
    await withClient(address, async (client) => {
      const handle = client.workflow.getHandle<typeof smokeWorkflow>(workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(await handle.executeUpdate(addNoteUpdate, { args: ['after restart'] })).toBe(2);
      await handle.signal(wakeSignal);
      expect(await handle.result()).toMatchObject({ notes: ['before restart', 'after restart'], wokenBySignal: true });
    });
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  });

  it('says so in one line when the dev server port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const stack = startStack({
        DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'complaints-start-')),
        TEMPORAL_DEV_SERVER_PORT: String(port),
      });
      expect(await stack.exit).toBe(1);
      expect(stack.output()).toContain(
        `Cannot start Temporal: port ${port} (TEMPORAL_DEV_SERVER_PORT) is already in use on 127.0.0.1.`,
      );
    } finally {
      blocker.close();
    }
  });

  it('exits non-zero with one line for a bad variable', async () => {
    const stack = startStack({ TEMPORAL_UI_PORT: 'eighty' });
    expect(await stack.exit).toBe(1);
    expect(stack.output().trim()).toBe(
      'Invalid configuration: TEMPORAL_UI_PORT must be an integer between 1 and 65535 (got "eighty")',
    );
  });
});

describe('npm start with TEMPORAL_ADDRESS', () => {
  const external = startDevServer();
  afterAll(async () => (await external).teardown());

  it('starts only the worker and the API, against that server', async () => {
    const env = await external;
    const stack = startStack({ TEMPORAL_ADDRESS: env.address, PORT: String(await unusedLoopbackPort()) });
    await stack.waitFor('smoke worker running');
    await stack.waitFor('ready: API');
    expect(stack.output()).toContain(`using the Temporal server at ${env.address}`);
    expect(stack.output()).not.toContain('[temporal]');
    const result = await env.client.workflow.execute(smokeWorkflow, {
      args: [10],
      taskQueue: 'complaints',
      workflowId: `external-${Date.now()}`,
    });
    expect(result.wokenBySignal).toBe(false);
    stack.child.kill('SIGINT');
    expect(await stack.exit).toBe(0);
    expect(stack.output()).not.toContain('stopping temporal');
  });

  it('stops the rest and exits with its code when a process dies, its stderr shown', async () => {
    const env = await external;
    // runStart with a worker that fails at once and an API that would run until stopped.
    const services = [
      {
        name: 'worker',
        nodeArgs: ['-e', "console.error('boom: the register is locked'); process.exit(3)"],
        stopTimeoutMs: 5_000,
      },
      { name: 'api', nodeArgs: ['-e', "console.log('api up'); setInterval(() => {}, 1000)"], stopTimeoutMs: 5_000 },
    ];
    const script = `require('./scripts/start').runStart({ services: ${JSON.stringify(services)} }).then((code) => process.exit(code))`;
    const stack = startStack({ TEMPORAL_ADDRESS: env.address, PORT: String(await unusedLoopbackPort()) }, [
      '--import',
      'tsx',
      '-e',
      script,
    ]);
    expect(await stack.exit).toBe(3);
    expect(stack.output()).toContain('[worker]   boom: the register is locked');
    expect(stack.output()).toContain('worker exited unexpectedly (code 3); stopping the rest');
    expect(stack.output()).toContain('[start]    stopped');
  });
});
