// The API while its register (PostgreSQL) cannot be reached: every route that needs the register answers 503
// register-unavailable in the one error shape (found as 500s by tests/faults/postgres.test.ts), and answers again
// once the database is back; a transaction whose connection drops fails with the same error instead of ending the
// process (pg emits 'error' on a checked-out client, which unheard crashed the worker in that drill). A TCP relay of
// the test's own stands between the register and the real PostgreSQL at TEST_DATABASE_URL, so that the test can
// cut it; without TEST_DATABASE_URL, the embedded register closed under the API stands in.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { toApiError } from '../../api/errors';
import type { Register } from '../../register';
import { RegisterUnavailableError, type SqlStore } from '../../register/sql';
import { caller, intakeBody, testTokens, unreachableTemporal } from '../support/api';
import { testPayloadKeys } from '../support/payload-keys';
import { openTestRegister, type TestRegister } from '../support/test-register';
import { signInCookie, testDevUsers } from '../support/web';

const databaseUrl = process.env.TEST_DATABASE_URL;

/** A TCP relay to `target` that can be cut (every connection dropped, new ones refused) and restored. */
async function relayTo(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    port,
    cut: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
    restore: listen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

let app: FastifyInstance;
let connection: Connection;
let call: ReturnType<typeof caller>;
let register: Register;
let store: SqlStore;
let testRegister: TestRegister;
let relay: Awaited<ReturnType<typeof relayTo>> | undefined;

beforeAll(async () => {
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    relay = await relayTo({ host: url.hostname, port: Number(url.port || 5432) });
  }
  testRegister = await openTestRegister('register_down', {
    keys: testPayloadKeys(),
    ...(relay ? { throughPort: relay.port } : {}),
  });
  ({ register, store } = testRegister);
  const unreachable = await unreachableTemporal(1_000, { personalData: register.personalData });
  connection = unreachable.connection;
  app = await buildApp({
    complaints: unreachable.complaints,
    tokens: testTokens(),
    register,
    web: {
      council: { name: 'Test Council' },
      session: { key: randomBytes(32), idleMinutes: 30, secure: false },
      devUsers: testDevUsers(),
    },
  });
  call = caller(app);
});

afterAll(async () => {
  await app?.close().catch(() => undefined);
  await relay?.close();
  await testRegister?.drop();
  await connection?.close();
});

const registerRoutes = () => [
  call('intake', 'POST', '/complaints', { body: intakeBody() }),
  call('auditor', 'GET', '/complaints/SW-2026-000001'),
  call('auditor', 'GET', '/complaints?status=open'),
];

describe('the register unreachable', () => {
  it('answers 503 register-unavailable, never 500, on every route that needs it', async () => {
    expect((await call('auditor', 'GET', '/complaints?status=open')).status).toBe(200);
    if (relay) await relay.cut();
    else await store.close();
    for (const response of await Promise.all(registerRoutes())) {
      expect(response.status, response.text).toBe(503);
      expect(response.json()).toEqual({
        error: { code: 'register-unavailable', message: expect.stringMatching(/^The register /) },
      });
    }
  });

  it('shows a person the page the service is not available, 503, not an error of ours', async () => {
    const cookie = await signInCookie(app, 'case-officer');
    const page = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('The service is not available just now');
    expect(page.body).toContain('The register (the database) is not answering');
  });

  it.runIf(databaseUrl)('answers again once the database is back', async () => {
    await relay!.restore();
    const listed = await call('auditor', 'GET', '/complaints?status=open');
    expect(listed.status, listed.text).toBe(200);
  });

  it.runIf(databaseUrl)(
    'fails a transaction whose connection drops with that error, and the process lives on',
    async () => {
      const failed = store
        .transaction(async (tx) => {
          await tx.query('SELECT 1');
          await relay!.cut();
          // The dropped connection's 'error' event comes while the transaction holds the client.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.query('SELECT 1');
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      const error = await failed;
      expect(error).toBeInstanceOf(RegisterUnavailableError);
      expect(toApiError(error).code).toBe('register-unavailable');
      await relay!.restore();
      expect(await store.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    },
  );
});
