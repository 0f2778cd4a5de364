// The API with no Temporal at all (a connection to a closed port, as api/main.ts makes it: lazy): every route
// that needs Temporal answers 503 in the one error shape within the deadline, while authentication,
// authorisation and validation still answer first, from the API alone; the list, read from the register (the read
// model), still answers.
import type { Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { openPgliteInMemory, registerOver, type Register } from '../../register';
import { caller, intakeBody, testTokens, unreachableTemporal } from '../support/api';

let app: FastifyInstance;
let connection: Connection;
let call: ReturnType<typeof caller>;
let register: Register;
const TIMEOUT_MS = 1_000;

beforeAll(async () => {
  const unreachable = await unreachableTemporal(TIMEOUT_MS);
  connection = unreachable.connection;
  register = await registerOver(await openPgliteInMemory());
  app = await buildApp({ complaints: unreachable.complaints, tokens: testTokens(), register });
  call = caller(app);
});

afterAll(async () => {
  await app?.close();
  await register?.close();
  await connection?.close();
});

describe('Temporal unreachable', () => {
  it('answers 503 temporal-unavailable on every route that needs it, within the deadline', async () => {
    const requests = [
      call('nobody', 'GET', '/health'),
      call('intake', 'POST', '/complaints', { body: intakeBody() }),
      call('intake', 'POST', '/complaints', {
        body: intakeBody({ ref: 'SW-2026-123456' }),
        headers: { 'idempotency-key': 'k-1' },
      }),
      call('auditor', 'GET', '/complaints/SW-2026-000001'),
      call('auditor', 'GET', '/complaints/SW-2026-000001/history'),
      call('case-officer', 'POST', '/complaints/SW-2026-000001/acknowledge'),
      call('manager', 'POST', '/complaints/SW-2026-000001/extensions', {
        body: { days: 5, reason: 'Records late', agreedWithComplainant: true },
      }),
    ];
    const started = Date.now();
    const responses = await Promise.all(requests);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 4);
    for (const response of responses) {
      expect(response.status, response.text).toBe(503);
      expect(response.json()).toEqual({
        error: { code: 'temporal-unavailable', message: expect.stringMatching(/^Temporal /) },
      });
    }
  });

  it('lists complaints from the register while Temporal is down', async () => {
    const listed = await call('auditor', 'GET', '/complaints?status=open');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.json()).toMatchObject({ items: [] });
  });

  it('still refuses bad tokens, roles and bodies itself (401, 403, 400), without waiting for Temporal', async () => {
    expect((await call('nobody', 'POST', '/complaints', { body: intakeBody() })).status).toBe(401);
    expect((await call('auditor', 'POST', '/complaints', { body: intakeBody() })).status).toBe(403);
    const invalid = await call('intake', 'POST', '/complaints', { body: intakeBody({ channel: 'pigeon' }) });
    expect(invalid.status).toBe(400);
    expect(invalid.json().error.details).toEqual([{ in: 'body', path: 'channel', message: expect.any(String) }]);
    expect((await call('auditor', 'GET', '/metrics')).status).toBe(200);
  });
});
