// devtools/child-processes.ts with real child processes (small node scripts): readiness by a line or a probe,
// stop order, SIGKILL for a child that ignores SIGTERM, an early exit reported with its last stderr lines, and a
// signal reaching the child's whole process group.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChildGroup,
  ChildNotReadyError,
  exitStatus,
  httpOk,
  startChild,
  waitForLine,
  waitForProbe,
} from '../../devtools/child-processes';
import { unusedLoopbackPort } from '../../platform/ports';

const groups: ChildGroup[] = [];
afterEach(async () => {
  for (const group of groups.splice(0)) await group.close();
});

function group(): ChildGroup {
  const made = new ChildGroup();
  groups.push(made);
  return made;
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'child-processes-'));
const node = (name: string, script: string, extra: { logFile?: string; stopTimeoutMs?: number } = {}) => ({
  name,
  command: process.execPath,
  args: ['-e', script],
  quiet: true,
  ...extra,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('child processes', () => {
  it('is ready when it prints the line asked for, and stops on SIGTERM', async () => {
    const logFile = path.join(tmp(), 'child.log');
    const child = group().start(
      node(
        'ready',
        `console.log('starting'); setTimeout(() => console.log('READY pid=' + process.pid), 300);
         process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); setInterval(() => {}, 1000);`,
        {
          logFile,
        },
      ),
    );
    expect(await waitForLine(child, /^READY/)).toBe(`READY pid=${child.pid}`);
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(readFileSync(logFile, 'utf8')).toBe(`starting\nREADY pid=${child.pid}\nbye\n`);
  });

  it('is ready when a probe answers (an HTTP server)', async () => {
    const port = await unusedLoopbackPort();
    const child = group().start(
      node(
        'http',
        `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), 300)`,
      ),
    );
    await expect(waitForProbe(child, 'health', httpOk(`http://127.0.0.1:${port}/health`))).resolves.toBe(true);
  });

  it('stops a group in reverse order of start, each waited for', async () => {
    const dir = tmp();
    const order = path.join(dir, 'order.txt');
    const children = group();
    // Each takes a while to stop, so a stop that did not wait for the previous one would interleave them.
    const script = (name: string) =>
      `process.on('SIGTERM', () => setTimeout(() => { require('node:fs').appendFileSync(${JSON.stringify(order)}, '${name}\\n'); process.exit(0); }, 150));
       console.log('up'); setInterval(() => {}, 1000);`;
    const started = ['temporal', 'worker', 'api'].map((name) => children.start(node(name, script(name))));
    await Promise.all(started.map((child) => waitForLine(child, /^up$/)));
    const stopping: string[] = [];
    await children.stopAll({ onStop: (child) => stopping.push(child.name) });
    expect(stopping).toEqual(['api', 'worker', 'temporal']);
    expect(readFileSync(order, 'utf8')).toBe('api\nworker\ntemporal\n');
  });

  it('kills a child that ignores SIGTERM once its grace time is up', async () => {
    const child = group().start(
      node(
        'stubborn',
        `process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000);`,
        {
          stopTimeoutMs: 300,
        },
      ),
    );
    await waitForLine(child, /^up$/);
    const killed: string[] = [];
    const started = Date.now();
    const exit = await child.stop({ onKill: (c) => killed.push(c.name) });
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitStatus(exit)).toBe(137);
    expect(killed).toEqual(['stubborn']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('reports a child that exits before it is ready, with its last stderr lines', async () => {
    const child = group().start(
      node(
        'early',
        `for (let i = 1; i <= 30; i++) console.error('line ' + i); console.error('Error: port taken'); process.exit(3);`,
      ),
    );
    const error = await waitForLine(child, /^READY/).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ChildNotReadyError);
    const message = (error as Error).message;
    expect(message.split('\n')[0]).toBe('early exited (code 3) before it was ready; its last lines on stderr:');
    expect(message).toContain('  Error: port taken');
    expect(message).toContain('  line 30');
    expect(message).not.toContain('line 10\n'); // only the last 20 lines are kept
    expect(child.lastStderr()).toHaveLength(20);
  });

  it('gives up at the deadline, or when told to stop waiting', async () => {
    const children = group();
    const silent = children.start(node('silent', `setInterval(() => {}, 1000)`));
    await expect(waitForLine(silent, /^READY/, { deadlineMs: 200 })).rejects.toThrow(
      /^silent: a line matching \/\^READY\/ not seen within 0.2s$/,
    );
    const abort = new AbortController();
    const waiting = waitForLine(silent, /^READY/, { signal: abort.signal });
    abort.abort();
    await expect(waiting).rejects.toThrow('silent: stopped waiting for a line matching /^READY/');
    expect(silent.running).toBe(true);
  });

  it('signals the whole process group, so what a child started stops with it', async () => {
    // The child starts a grandchild that prints its pid and runs until signalled.
    const child = group().start(
      node(
        'parent',
        `const c = require('node:child_process').spawn(process.execPath, ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] });
         c.stdout.on('data', (d) => console.log('grandchild ' + String(d).trim()));
         process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`,
        { stopTimeoutMs: 500 },
      ),
    );
    const line = await waitForLine(child, /^grandchild \d+$/);
    const grandchild = Number(line.split(' ')[1]);
    expect(alive(grandchild)).toBe(true);
    await child.stop();
    await expect.poll(() => alive(grandchild), { timeout: 5_000 }).toBe(false);
  });

  it('a command that cannot start is reported, not thrown', async () => {
    const child = startChild({ name: 'missing', command: path.join(tmp(), 'no-such-binary'), args: [], quiet: true });
    const error = await waitForLine(child, /x/).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(/^missing exited \(code 127\) before it was ready; .*could not start/s);
  });
});
