// The cluster's databases, on the machine's PostgreSQL (scripts/test-postgres.sh installs and starts it when
// needed): a role of its own (temporal_cluster), and for each run fresh databases: Temporal's two, created and
// given their schema by the server's own SQL tool (temporal-sql-tool, postgres12 plugin: create-database,
// setup-schema -v 0.0, update-schema -d <the module's versioned folder>), and the complaints register's, which
// the register migrates itself when it opens. Needs root (the role is created through `runuser -u postgres`).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { repoRoot } from '../../platform/repo-root';
import type { ServerBuild } from './build';
import type { ClusterDatabase } from './config';

export const CLUSTER_ROLE = 'temporal_cluster';
// A loopback-only test database made for this run; the password is not a secret.
const CLUSTER_PASSWORD = 'temporal_cluster';

export interface ClusterDatabases extends ClusterDatabase {
  /** The complaints register (DATABASE_URL of the worker and the API). */
  registerUrl: string;
}

function run(command: string, args: string[], what: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: '/tmp', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** The machine's PostgreSQL port, the server started if needed (by the register tests' script). */
function machinePostgresPort(): number {
  const url = run('bash', [path.join(repoRoot(), 'scripts', 'test-postgres.sh')], 'scripts/test-postgres.sh');
  return Number(new URL(url).port || 5432);
}

function psqlAdmin(port: number, sql: string): void {
  run(
    'runuser',
    ['-u', 'postgres', '--', 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-p', String(port), '-c', sql],
    'psql',
  );
}

/** The role (CREATEDB), then the run's databases, dropped first if a run of the same name left them. */
export async function prepareDatabases(build: ServerBuild, runId: string): Promise<ClusterDatabases> {
  const port = machinePostgresPort();
  psqlAdmin(
    port,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${CLUSTER_ROLE}') THEN
         CREATE ROLE ${CLUSTER_ROLE} LOGIN CREATEDB PASSWORD '${CLUSTER_PASSWORD}';
       END IF;
     END $$;`,
  );
  const db: ClusterDatabases = {
    host: '127.0.0.1',
    port,
    user: CLUSTER_ROLE,
    password: CLUSTER_PASSWORD,
    temporal: `temporal_${runId}`,
    visibility: `temporal_visibility_${runId}`,
    registerUrl: `postgres://${CLUSTER_ROLE}:${CLUSTER_PASSWORD}@127.0.0.1:${port}/complaints_${runId}`,
  };
  const sqlTool = (database: string, ...args: string[]) =>
    run(
      build.sqlTool,
      [
        '--plugin',
        'postgres12',
        '--ep',
        db.host,
        '-p',
        String(port),
        '-u',
        db.user,
        '--pw',
        db.password,
        '--db',
        database,
        ...args,
      ],
      `temporal-sql-tool ${args[0]} (${database})`,
    );
  for (const [database, folder] of [
    [db.temporal, 'temporal'],
    [db.visibility, 'visibility'],
  ] as const) {
    sqlTool(database, 'drop-database', '--force');
    sqlTool(database, 'create-database');
    sqlTool(database, 'setup-schema', '-v', '0.0');
    sqlTool(database, 'update-schema', '-d', path.join(build.schemaDir, folder, 'versioned'));
  }
  const admin = new pg.Client({ host: db.host, port, user: db.user, password: db.password, database: 'postgres' });
  await admin.connect();
  try {
    const name = `complaints_${runId}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return db;
}

/** Drops the run's databases (the role stays, for the next run). */
export async function dropDatabases(db: ClusterDatabases): Promise<void> {
  const admin = new pg.Client({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    for (const name of [db.temporal, db.visibility, new URL(db.registerUrl).pathname.slice(1)])
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
