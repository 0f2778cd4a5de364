// `npm run test:cluster [-- --smoke-only] [--complaints N] [--keep] [--port-base P]`: the product on a
// production-shaped Temporal. Builds the server from its Go module if .tools/ does not have it (build.ts), makes
// the run's databases with the server's SQL tool (database.ts), starts two server processes sharing one cluster
// behind a front door (cluster.ts), registers the search attributes with `npm run
// temporal:register-search-attributes`, starts `npm run worker` and `npm run api` against it (app.ts), runs the
// fault drill with each server process SIGKILLed mid-run in turn (drill.ts) and the smoke check (smoke.ts), and writes the figures to
// bench/results/cluster-<date>.md. Not part of `npm test` (README: "On a production-shaped Temporal").
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { repoRoot } from '../../platform/repo-root';
import { ChildGroup, runAsMain } from '../child-processes';
import { type App, startApp } from './app';
import { ensureServerBuild } from './build';
import { type Cluster, NAMESPACE, startCluster } from './cluster';
import { dropDatabases, prepareDatabases } from './database';
import { runClusterDrill } from './drill';
import { writeResults, type ClusterRun } from './results';
import { smokeCheck } from './smoke';

const say = (message: string) =>
  process.stdout.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const USAGE =
  'usage: npm run test:cluster -- [--smoke-only] [--complaints N] [--concurrency N] [--faults servers[,worker]] [--keep] [--port-base P]';

function options() {
  const { values } = parseArgs({
    options: {
      'smoke-only': { type: 'boolean', default: false },
      complaints: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '16' },
      faults: { type: 'string', default: 'servers,worker' },
      keep: { type: 'boolean', default: false },
      'port-base': { type: 'string', default: '27000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const int = (name: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
  if (!['servers', 'servers,worker'].includes(values.faults))
    throw new Error('--faults must be "servers" or "servers,worker"');
  return {
    help: values.help === true,
    killWorker: values.faults === 'servers,worker',
    smokeOnly: values['smoke-only'],
    complaints: int('complaints', values.complaints, 1, 10_000),
    concurrency: int('concurrency', values.concurrency, 1, 200),
    keep: values.keep,
    portBase: int('port-base', values['port-base'], 1024, 64_000),
  };
}

/** The operator's command, run asynchronously: the front door lives in this process's event loop. */
async function registerSearchAttributes(address: string): Promise<void> {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'temporal:register-search-attributes'], {
    cwd: repoRoot(),
    env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: NAMESPACE },
    encoding: 'utf8',
  });
  say(stdout.trim());
}

async function main(): Promise<number> {
  const opts = options();
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  const build = ensureServerBuild(undefined, say);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'complaints-cluster-'));
  mkdirSync(path.join(dir, 'data'));
  say(`server ${build.version} at ${build.dir}; logs and configuration in ${dir}`);
  const runId = `c${process.pid}`;
  const db = await prepareDatabases(build, runId);
  say(
    `databases ${db.temporal}, ${db.visibility}, complaints_${runId} on 127.0.0.1:${db.port} (schema by temporal-sql-tool)`,
  );
  const children = new ChildGroup();
  let cluster: Cluster | undefined;
  let app: App | undefined;
  // Kept for a look when the run fails (the logs, the configuration, the databases).
  let failed = true;
  try {
    cluster = await startCluster({ build, db, children, dir, portBase: opts.portBase, say });
    await registerSearchAttributes(cluster.address);
    app = await startApp({ children, dir, temporalAddress: cluster.address, databaseUrl: db.registerUrl });
    say(`worker and API up (API ${app.apiUrl})`);
    // The drill first: it counts the complaint workflows started from a minute before it began as its own.
    const drill = opts.smokeOnly ? undefined : await runClusterDrill(cluster, app, { ...opts, say });
    const smoke = await smokeCheck(cluster, app, say);
    const run: ClusterRun = {
      build,
      cluster,
      smoke,
      drill,
      startedAt: new Date(started),
      totalSeconds: (Date.now() - started) / 1000,
      dir,
    };
    const file = writeResults(run);
    say(`figures written to ${path.relative(repoRoot(), file)}`);
    failed = drill !== undefined && drill.figures.problems.length > 0;
    return failed ? 1 : 0;
  } finally {
    // The worker and the API first (through the front door), then the servers, then our own connections.
    await children.close();
    await cluster?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (!opts.keep && !failed) {
      await dropDatabases(db).catch((err: unknown) => say(`could not drop the databases: ${(err as Error).message}`));
      rmSync(dir, { recursive: true, force: true });
    } else say(`kept ${dir} and the databases of run ${runId}`);
  }
}

runAsMain(main);
