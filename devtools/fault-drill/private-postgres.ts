// A PostgreSQL server of the drill's own (for "PostgreSQL down, then back"): initdb in a temporary folder, on a free
// loopback port, started and crashed with pg_ctl (`stop -m immediate`: the postmaster and its backends quit at once,
// with no checkpoint, as after a crash; the next start recovers from the WAL). Never the shared server on 5432 that
// other tests use. Run as the postgres user when this process is root (PostgreSQL refuses to run as root).
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { unusedLoopbackPort } from '../../platform/ports';
import type { FaultControl } from './drill';

const run = promisify(execFile);

/** The bin folder of the newest PostgreSQL installed the Debian way, or undefined. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')) && existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

export interface PrivatePostgres {
  url: string;
  /** Its data directory (tables, WAL) and its log file, for a test that reads what the server keeps on disk. */
  dataDir: string;
  logFile: string;
  /** kill: pg_ctl stop -m immediate; restart: pg_ctl start (waits until it accepts connections). */
  control: FaultControl;
  stop(): Promise<void>;
}

export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'complaints-faults-pg-'));
  const data = path.join(tmp, 'data');
  const root = process.getuid?.() === 0;
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(tmp, Number(stdout.trim()), Number(gid.trim()));
    chmodSync(tmp, 0o700);
  }
  const as = (command: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args])
      : run(path.join(bin, command), args);
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await unusedLoopbackPort();
  writeFileSync(
    path.join(tmp, 'settings.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${tmp}'`,
      'max_connections = 50',
    ].join('\n'),
  );
  if (root) await run('chown', ['postgres:postgres', path.join(tmp, 'settings.conf')]);
  await run('sh', [
    '-c',
    `echo "include '${path.join(tmp, 'settings.conf')}'" >> '${path.join(data, 'postgresql.conf')}'`,
  ]);
  const log = path.join(tmp, 'postgres.log');
  const start = () => as('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
  const stopWith = (mode: 'immediate' | 'fast') => as('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  await start();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE complaints');
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/complaints`,
    dataDir: data,
    logFile: log,
    control: {
      name: 'postgres',
      kill: async () => {
        await stopWith('immediate');
      },
      restart: async () => {
        await start();
      },
    },
    stop: async () => {
      await stopWith('fast').catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
