// A register for a test file: PostgreSQL at TEST_DATABASE_URL in a schema of its own (dropped by `drop`), else
// PGlite in memory.
import pg from 'pg';
import { openPgliteInMemory, openPostgres, registerOver, type Register } from '../../register';

export interface TestRegister {
  register: Register;
  /** Closes the register and drops its schema. */
  drop(): Promise<void>;
}

export async function openTestRegister(name: string): Promise<TestRegister> {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const register = await registerOver(await openPgliteInMemory());
    return { register, drop: () => register.close() };
  }
  const schema = `${name}_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const register = await registerOver(await openPostgres(url.toString()));
  return {
    register,
    drop: async () => {
      await register.close();
      await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}
