import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { repoRoot } from '../platform/repo-root';

// The two stores the register runs on, behind one small interface: PostgreSQL through `pg`, or PGlite (PostgreSQL
// compiled to WebAssembly, in this process) when no DATABASE_URL is configured. Same SQL for both.

export interface SqlQueryable {
  query<T extends object>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlStore extends SqlQueryable {
  /** What it is, for messages: "PostgreSQL at host:port/db" or "PGlite at <dir>". */
  readonly description: string;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** A pool over DATABASE_URL; fails fast with one line when the server cannot be reached. */
export async function openPostgres(
  url: string,
  options: { max?: number; connectTimeoutMs?: number } = {},
): Promise<SqlStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 5,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const description = describePostgresUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot reach the register's ${description}: ${(err as Error).message}`);
  }
  return {
    description,
    async query<T extends object>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <R extends object>(sql: string, params: unknown[] = []) =>
            (await client.query(sql, params)).rows as R[],
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------- PGlite

/**
 * PGlite in `dir` (created if missing), held by this process until closed. PGlite is one connection in one
 * process: a lock file next to the folder stops a second opener (which would corrupt the files) with a clear
 * message. For one process that owns the register (tests, the scenario replay's temporary register).
 */
export async function openPglite(dir: string): Promise<SqlStore> {
  mkdirSync(dir, { recursive: true });
  const lockFile = `${dir}.lock`;
  const holder = tryLock(lockFile);
  if (holder !== undefined) {
    throw new Error(
      `The embedded register (PGlite at ${dir}) is already open in process ${holder}${holder === process.pid ? ' (this one)' : ''}; PGlite allows one opener. ` +
        'Stop that process, or set DATABASE_URL to a PostgreSQL database shared by all processes.',
    );
  }
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
  } catch (err) {
    rmSync(lockFile, { force: true });
    throw err;
  }
  return wrapPglite(db, `PGlite at ${dir}`, () => rmSync(lockFile, { force: true }));
}

/**
 * PGlite in `dir` shared by the processes of one machine (`npm start` runs the worker and the API apart, and
 * `npm run report` may run beside them): each process opens the files only while it has work, under the lock
 * file, and closes them after `idleCloseMs` without any; the others wait for the lock meanwhile (opening takes
 * about 0.3 s). For a developer's machine; production uses PostgreSQL (DATABASE_URL).
 */
export function openSharedPglite(dir: string, options: { idleCloseMs?: number; lockWaitMs?: number } = {}): SqlStore {
  const idleCloseMs = options.idleCloseMs ?? 300;
  const lockWaitMs = options.lockWaitMs ?? 60_000;
  const lockFile = `${dir}.lock`;
  let db: PGlite | undefined;
  let opening: Promise<PGlite> | undefined;
  let active = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const closeNow = async () => {
    const open = db;
    db = undefined;
    opening = undefined;
    if (open) {
      try {
        await open.close();
      } finally {
        rmSync(lockFile, { force: true });
      }
    }
  };

  const acquire = async (): Promise<PGlite> => {
    if (closed) throw new Error(`The register (PGlite at ${dir}) is closed`);
    active += 1;
    clearTimeout(idleTimer);
    try {
      opening ??= (async () => {
        mkdirSync(dir, { recursive: true });
        const deadline = Date.now() + lockWaitMs;
        for (let holder = tryLock(lockFile); holder !== undefined; holder = tryLock(lockFile)) {
          if (Date.now() > deadline) {
            throw new Error(
              `The embedded register (PGlite at ${dir}) stayed busy in process ${holder} for ${lockWaitMs / 1000} s; set DATABASE_URL to a PostgreSQL database for concurrent use`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        try {
          db = await PGlite.create(dir);
          return db;
        } catch (err) {
          rmSync(lockFile, { force: true });
          throw err;
        }
      })();
      return await opening;
    } catch (err) {
      opening = undefined;
      active -= 1;
      throw err;
    }
  };
  const release = () => {
    active -= 1;
    if (active === 0) {
      idleTimer = setTimeout(() => void closeNow(), idleCloseMs);
      idleTimer.unref();
    }
  };
  const using = async <T>(work: (open: PGlite) => Promise<T>): Promise<T> => {
    const open = await acquire();
    try {
      return await work(open);
    } finally {
      release();
    }
  };

  return {
    description: `PGlite at ${dir}`,
    query: <T extends object>(sql: string, params: unknown[] = []) =>
      using(async (open) => (await open.query<T>(sql, params)).rows),
    exec: (sql: string) => using(async (open) => void (await open.exec(sql))),
    transaction: <T>(work: (tx: SqlQueryable) => Promise<T>) =>
      using((open) =>
        open.transaction((tx) =>
          work({
            query: async <R extends object>(sql: string, params: unknown[] = []) =>
              (await tx.query<R>(sql, params)).rows,
          }),
        ),
      ),
    async close() {
      closed = true;
      clearTimeout(idleTimer);
      await closeNow();
    },
  };
}

/** PGlite in memory (tests). */
export async function openPgliteInMemory(): Promise<SqlStore> {
  return wrapPglite(await PGlite.create(), 'PGlite in memory', () => undefined);
}

function wrapPglite(db: PGlite, description: string, release: () => void): SqlStore {
  return {
    description,
    async query<T extends object>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) =>
        work({
          query: async <R extends object>(sql: string, params: unknown[] = []) => (await tx.query<R>(sql, params)).rows,
        }),
      );
    },
    async close() {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock file; undefined when taken, else the pid of the live process holding it (a dead one's is taken over). */
function tryLock(lockFile: string): number | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(lockFile, 'utf8').trim());
      } catch {
        continue; // removed meanwhile: try again
      }
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) return holder;
      // Left by a process that has gone: take it over.
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockFile}`);
}

// ---------------------------------------------------------------------------------------------- migrations

/**
 * The folder of migration files: beside this module (under tsx, or compiled with the .sql files copied beside
 * it), else register/migrations in the project (compiled code run from a checkout: tsc does not copy .sql).
 */
export function migrationsDir(): string {
  const beside = path.join(__dirname, 'migrations');
  return existsSync(beside) ? beside : path.join(repoRoot(), 'register', 'migrations');
}

export interface Migration {
  id: string;
  sql: string;
}

/** `NNN_name.sql` files, in name order. */
export function readMigrations(dir: string = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ id: file.replace(/\.sql$/, ''), sql: readFileSync(path.join(dir, file), 'utf8') }));
}

/**
 * Applies the migrations not yet recorded in `register_migrations`, in order, in one transaction (all or none).
 * Concurrent starters (two workers on one PostgreSQL) are serialised by an advisory lock.
 */
export async function migrate(store: SqlStore, migrations: readonly Migration[] = readMigrations()): Promise<string[]> {
  await store.exec(
    'CREATE TABLE IF NOT EXISTS register_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: string[] = [];
  await store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(738201)');
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM register_migrations')).map((row) => row.id));
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO register_migrations (id) VALUES ($1)', [migration.id]);
      applied.push(migration.id);
    }
  });
  return applied;
}

/** Statements of a migration file (split on `;` at line ends; comments dropped). Migrations keep to that. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
