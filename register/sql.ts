import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { repoRoot } from '../platform/repo-root';

// The two stores the register runs on, behind one small interface: PostgreSQL through `pg`, or PGlite (PostgreSQL
// compiled to WebAssembly, in this process) when no DATABASE_URL is configured. Same SQL for both.

export interface SqlQueryable {
  query<T extends object>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Inside a transaction: queries, and scripts of several statements (migrations). */
export interface SqlTransaction extends SqlQueryable {
  exec(sql: string): Promise<void>;
}

export interface SqlStore extends SqlQueryable {
  /** What it is, for messages: "PostgreSQL at host:port/db" or "PGlite at <dir>". */
  readonly description: string;
  /** Whether the database keeps its planner's statistics itself (PostgreSQL's autovacuum; PGlite: no, see statistics.ts). */
  readonly autovacuum: boolean;
  /**
   * Whether this process is the database's only writer while the store is open: PGlite opened by its owner (its lock
   * file keeps others out) or in memory; not PostgreSQL, nor PGlite opened in turns (openSharedPglite).
   */
  readonly exclusive: boolean;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------- failures

/**
 * A statement the database refused, told without its parameters. PGlite's errors carry the statement's parameters
 * (`params`) and PostgreSQL's `detail` and `where` quote values (`Key (ref)=(...)`), and whoever logs the error
 * (the API's error handler, the worker's activity log) prints every property: the parameters are complainants'
 * names and notes. So a refused statement is rethrown as this: the SQLSTATE code, the table and the schema object
 * involved, and the message names them. The original is not kept as the cause, since loggers print causes too.
 */
export class RegisterQueryError extends Error {
  override readonly name = 'RegisterQueryError';
  constructor(
    /** The SQLSTATE, e.g. 22021 (invalid byte sequence), 23505 (unique violation). */
    readonly code: string,
    readonly table: string | undefined,
    readonly constraint: string | undefined,
    readonly column: string | undefined,
  ) {
    const where = [table && `on ${table}`, column && `column ${column}`, constraint && `constraint ${constraint}`];
    const named = where.filter(Boolean).join(', ');
    super(`The register refused a statement${named ? ` ${named}` : ''} (SQLSTATE ${code})`);
  }
}

/**
 * The register cannot be reached or is not taking statements now (a lost connection, the server shutting down or
 * starting up, too many connections): nothing in the statement was wrong, and the same statement may succeed shortly.
 * The API answers it as a 503 (api/errors.ts), activities retry it. `reason` names what happened, never a value.
 */
export class RegisterUnavailableError extends Error {
  override readonly name = 'RegisterUnavailableError';
  constructor(readonly reason: string) {
    super(`The register is not answering (${reason}); try again shortly`);
  }
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** SQLSTATEs of a server that cannot take statements now: class 08 (connection), 57P01-57P03 (shutting down,
 * crashed, starting up), 53300 (too many connections). */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
/** Socket-level failures, and pg's and PGlite's words for a connection that is gone. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|PGlite is closed)/;

function unavailability(error: unknown): RegisterUnavailableError | undefined {
  const fields = error as { code?: unknown; message?: unknown } | null;
  const code = typeof fields?.code === 'string' ? fields.code : undefined;
  if (code && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
    return new RegisterUnavailableError(code);
  const message = typeof fields?.message === 'string' ? fields.message : '';
  if (UNAVAILABLE_MESSAGE.test(message)) return new RegisterUnavailableError(message.split(/[:(]/)[0]!.trim());
  return undefined;
}
const TABLE_OF_STATEMENT = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|FROM)\s+([A-Za-z_][A-Za-z0-9_]*)/i;

/**
 * A database's refusal as a RegisterQueryError, a register that cannot be reached as a RegisterUnavailableError;
 * anything else unchanged.
 */
export function withoutParameters(error: unknown, sql: string): unknown {
  const unavailable = unavailability(error);
  if (unavailable) return unavailable;
  const fields = error as {
    severity?: unknown;
    code?: unknown;
    table?: unknown;
    constraint?: unknown;
    column?: unknown;
  } | null;
  // Both drivers' DatabaseError carry a severity and a SQLSTATE; a socket error's code (EPIPE) is no SQLSTATE.
  const refusal = error instanceof Error && typeof fields?.severity === 'string' && typeof fields.code === 'string';
  if (!refusal || !SQLSTATE.test(fields.code as string)) return error;
  const name = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const table = name(fields.table) ?? TABLE_OF_STATEMENT.exec(sql)?.[1];
  return new RegisterQueryError(fields.code as string, table, name(fields.constraint), name(fields.column));
}

/** `query` with a refusal rethrown without its parameters. */
function guarded<T>(sql: string, run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    throw withoutParameters(error, sql);
  });
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
    throw new Error(`Cannot reach the register's ${description}: ${(err as Error).message}`, { cause: err });
  }
  return {
    description,
    autovacuum: true,
    exclusive: false,
    async query<T extends object>(sql: string, params: unknown[] = []) {
      return guarded(sql, async () => (await pool.query(sql, params)).rows as T[]);
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
      const client = await guarded('BEGIN', () => pool.connect());
      // The pool watches idle clients only: a checked-out client whose connection drops (the server restarting)
      // emits 'error', which unheard ends the process (found by tests/faults/postgres.test.ts). The transaction's
      // next query fails with it; the broken client is given back as broken, so the pool discards it.
      let broken: Error | undefined;
      const onError = (err: Error) => (broken = err);
      client.on('error', onError);
      try {
        await guarded('BEGIN', () => client.query('BEGIN'));
        const result = await work({
          query: <R extends object>(sql: string, params: unknown[] = []) =>
            guarded(sql, async () => (await client.query(sql, params)).rows as R[]),
          // Without parameters pg sends the simple query protocol, which takes several statements.
          exec: async (sql: string) => void (await client.query(sql)),
        });
        await guarded('COMMIT', () => client.query('COMMIT'));
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
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
 * message. For one process that owns the register: tests, the scenario replay's temporary register, and, named by
 * `owner` (e.g. "npm start: the worker and the API"), the process that runs the worker and the API together over the
 * embedded register (scripts/worker-and-api.ts). The lock file names the owner, so that a process opening the
 * register on demand (`openSharedPglite`: `npm run report`, `npm run reconcile`) is told at once, rather than after
 * waiting for a lock that is never released.
 */
export async function openPglite(dir: string, options: { owner?: string } = {}): Promise<SqlStore> {
  mkdirSync(dir, { recursive: true });
  const lockFile = `${dir}.lock`;
  const holder = tryLock(lockFile, options.owner);
  if (holder !== undefined) {
    if (holder.owner) throw new RegisterOwnedElsewhere(dir, holder);
    throw new Error(
      `The embedded register (PGlite at ${dir}) is already open in process ${holder.pid}${holder.pid === process.pid ? ' (this one)' : ''}; PGlite allows one opener. ` +
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
 * The embedded register is kept open by a process that owns it (`npm start` over PGlite) and another process tried
 * to open it. Its stack is its message: the command-line tools print what they throw, and a stack trace would bury
 * the one line that says what to do.
 */
export class RegisterOwnedElsewhere extends Error {
  override readonly name = 'RegisterOwnedElsewhere';
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded register (PGlite at ${dir}) is kept open by process ${holder.pid} (${holder.owner ?? 'its owner'}) while it runs, ` +
        'and PGlite allows one opener. Stop that process first (Ctrl-C where it runs) and run this again, ' +
        'or set DATABASE_URL to a PostgreSQL database that every process shares. While it runs, its API serves the reports (GET /reports/...) ' +
        'and its worker runs the daily reconciliation (the Schedule "register-reconciliation"; `temporal schedule trigger --schedule-id register-reconciliation` runs it now).',
    );
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * PGlite in `dir` shared by the processes of one machine that each open it now and then (`npm run report`,
 * `npm run reconcile`, a test beside the fault drill's processes): each process opens the files only while it has
 * work, under the lock file, and closes them after `idleCloseMs` without any; the others wait for the lock meanwhile
 * (opening takes about 0.3 s, so two busy processes sharing it spend much of their time re-opening it: `npm start`
 * runs the worker and the API in one process that owns it instead, `openPglite` with an owner). A lock held by an
 * owner fails at once (`RegisterOwnedElsewhere`). For a developer's machine; production uses PostgreSQL (DATABASE_URL).
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
          // An owner never lets go while it runs: waiting for it would only delay the same answer.
          if (holder.owner) throw new RegisterOwnedElsewhere(dir, holder);
          if (Date.now() > deadline) {
            throw new Error(
              `The embedded register (PGlite at ${dir}) stayed busy in process ${holder.pid} for ${lockWaitMs / 1000} s; set DATABASE_URL to a PostgreSQL database for concurrent use`,
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
    autovacuum: false,
    exclusive: false,
    query: <T extends object>(sql: string, params: unknown[] = []) =>
      using((open) => guarded(sql, async () => (await open.query<T>(sql, params)).rows)),
    exec: (sql: string) => using(async (open) => void (await open.exec(sql))),
    transaction: <T>(work: (tx: SqlTransaction) => Promise<T>) =>
      using((open) => open.transaction((tx) => work(pgliteTransaction(tx)))),
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

function pgliteTransaction(tx: Transaction): SqlTransaction {
  return {
    query: <R extends object>(sql: string, params: unknown[] = []) =>
      guarded(sql, async () => (await tx.query<R>(sql, params)).rows),
    exec: async (sql: string) => void (await tx.exec(sql)),
  };
}

function wrapPglite(db: PGlite, description: string, release: () => void): SqlStore {
  return {
    description,
    autovacuum: false,
    exclusive: true,
    async query<T extends object>(sql: string, params: unknown[] = []) {
      return guarded(sql, async () => (await db.query<T>(sql, params)).rows);
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
      return db.transaction((tx) => work(pgliteTransaction(tx)));
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

/** Who holds a register's lock file: a process, and what it is when it owns the register for as long as it runs. */
export interface LockHolder {
  pid: number;
  owner?: string;
}

/** The lock file's text: the pid, then the owner's name if any, on one line. */
function readLockHolder(text: string): LockHolder {
  const [pid = '', ...owner] = text.trim().split(' ');
  return { pid: Number(pid), ...(owner.length ? { owner: owner.join(' ') } : {}) };
}

/**
 * Takes the lock file (naming `owner`, if given); undefined when taken, else the live process holding it (a dead
 * one's is taken over).
 */
function tryLock(lockFile: string, owner?: string): LockHolder | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockFile, owner ? `${process.pid} ${owner.replace(/\s+/g, ' ')}` : String(process.pid), {
        flag: 'wx',
      });
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: LockHolder;
      try {
        holder = readLockHolder(readFileSync(lockFile, 'utf8'));
      } catch {
        continue; // removed meanwhile: try again
      }
      if (Number.isInteger(holder.pid) && holder.pid > 0 && processAlive(holder.pid)) return holder;
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

/** postgrator's table of applied migrations (version, name, md5, run_at). */
export const MIGRATIONS_TABLE = 'register_schema_version';
/** The table of the runner the register had before postgrator (id `NNN_name`, applied_at); kept, never written. */
const OLD_MIGRATIONS_TABLE = 'register_migrations';

/**
 * Applies the migrations not yet applied (`NNN.do.name.sql` files, postgrator's naming) with postgrator, in one
 * transaction (all or none: PostgreSQL's DDL is transactional), with postgrator's table and its checksums (an edited
 * applied migration is an error, not silently skipped). Concurrent starters (two workers on one PostgreSQL) are
 * serialised by an advisory lock, which postgrator does not take itself; PGlite has one opener anyway. Returns the
 * names of the migrations applied, e.g. ["001.do.register"].
 */
export async function migrate(store: SqlStore, dir: string = migrationsDir()): Promise<string[]> {
  // postgrator is an ES module; this project is CommonJS, so it is loaded with import().
  const { default: Postgrator } = await import('postgrator');
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(738201)');
    const [{ schema } = { schema: 'public' }] = await tx.query<{ schema: string }>('SELECT current_schema() AS schema');
    const postgrator = new Postgrator({
      driver: 'pg',
      schemaTable: MIGRATIONS_TABLE,
      // Without it postgrator looks for its table in every schema of the database.
      currentSchema: schema,
      migrationPattern: `${dir.split(path.sep).join('/')}/*.sql`,
      execQuery: async (sql) => ({ rows: await tx.query(sql) }),
      execSqlScript: (sql) => tx.exec(sql),
    });
    // postgrator finds files with a glob, so a missing folder would look like "nothing to apply".
    if ((await postgrator.getMigrations()).length === 0) throw new Error(`No register migrations in ${dir}`);
    await handOverFromOldRunner(tx, postgrator);
    const applied = await postgrator.migrate();
    return applied.map((m) => path.basename(m.filename, '.sql'));
  });
}

/**
 * A register made before postgrator has the old runner's table and none of postgrator's: postgrator's is made as
 * postgrator makes it, with the migrations the old runner applied (`001_register` = version 1) recorded as applied
 * under the files' current checksums. The old table stays, so code from before the change still opens the register.
 */
async function handOverFromOldRunner(
  tx: SqlTransaction,
  postgrator: { getMigrations(): Promise<Array<{ version: number; action: string; name: string; md5: string }>> },
): Promise<void> {
  const exists = async (table: string) =>
    (await tx.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]))[0]?.t != null;
  if (!(await exists(OLD_MIGRATIONS_TABLE)) || (await exists(MIGRATIONS_TABLE))) return;
  const old = await tx.query<{ id: string; applied_at: Date | string }>(
    `SELECT id, applied_at FROM ${OLD_MIGRATIONS_TABLE}`,
  );
  const appliedAt = new Map(old.map((row) => [row.id, row.applied_at]));
  await tx.query(
    `CREATE TABLE ${MIGRATIONS_TABLE} (version BIGINT PRIMARY KEY, name TEXT, md5 TEXT, run_at TIMESTAMP WITH TIME ZONE)`,
  );
  await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (version) VALUES (0)`);
  for (const m of await postgrator.getMigrations()) {
    const oldId = `${String(m.version).padStart(3, '0')}_${m.name}`;
    if (m.action !== 'do' || !appliedAt.has(oldId)) continue;
    await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, md5, run_at) VALUES ($1, $2, $3, $4)`, [
      m.version,
      m.name,
      m.md5,
      appliedAt.get(oldId),
    ]);
  }
}
