// Every error in the one shape `{ error: { code, message, details? } }`, including what Node's HTTP parser answers
// before Fastify sees a request (431, 408, not HTTP), over a real socket; a body shorter than its Content-Length
// does not hold a connection open; and the OpenAPI document lists every error each route can answer. No Temporal
// is needed (a lazy connection to a closed port, as in temporal-down.test.ts).
import { connect } from 'node:net';
import type { Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { caller, people, testTokens, unreachableTemporal } from '../support/api';

const REQUEST_TIMEOUT_MS = 600;

let app: FastifyInstance;
let connection: Connection;
let port: number;

beforeAll(async () => {
  const unreachable = await unreachableTemporal();
  connection = unreachable.connection;
  app = await buildApp({
    complaints: unreachable.complaints,
    tokens: testTokens(),
    // Short, so that the slow-body test waits well under a second or two.
    timeouts: { requestMs: REQUEST_TIMEOUT_MS, headersMs: REQUEST_TIMEOUT_MS, checkIntervalMs: 100 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app?.close();
  await connection?.close();
});

interface RawAnswer {
  status: number | undefined;
  headers: string;
  body: string;
  /** The server closed the connection within the wait. */
  closed: boolean;
  elapsedMs: number;
}

/** Writes `request` on a fresh connection and reads until the server closes it or `waitMs` passes. */
function rawExchange(request: string, waitMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve({
        status: status ? Number(status) : undefined,
        headers: head,
        body,
        closed,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('close', () => finish(true));
    socket.on('error', (error) => (received ? finish(true) : reject(error)));
    socket.write(request);
  });
}

function expectErrorShape(text: string, code: string): void {
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  const error = body.error as Record<string, unknown>;
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  for (const key of Object.keys(error)) expect(['code', 'message', 'details']).toContain(key);
}

describe('errors Node answers before Fastify', () => {
  it('a header over 16 KB: 431 in the one shape', async () => {
    const answer = await rawExchange(
      `GET /complaints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${people.auditor.token}\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
      5_000,
    );
    expect(answer.status, answer.headers).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expectErrorShape(answer.body, 'headers-too-large');
  });

  it('bytes that are not HTTP: 400 in the one shape', async () => {
    const answer = await rawExchange('HELLO THERE\r\n\r\n', 5_000);
    expect(answer.status).toBe(400);
    expectErrorShape(answer.body, 'bad-request');
  });

  it('a body shorter than its Content-Length: 408 in the one shape, and the connection closed, within the timeout', async () => {
    const partial = '{"complainant":';
    const answer = await rawExchange(
      'POST /complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${people.intake.token}\r\nContent-Length: 500\r\n\r\n${partial}`,
      REQUEST_TIMEOUT_MS + 3_000,
    );
    expect(answer.closed, 'the server kept the connection open').toBe(true);
    expect(answer.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(answer.status).toBe(408);
    expectErrorShape(answer.body, 'request-timeout');
  });

  it('headers that never end: closed within the timeout', async () => {
    const answer = await rawExchange('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ', REQUEST_TIMEOUT_MS + 3_000);
    expect(answer.closed).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    if (answer.status !== undefined) expectErrorShape(answer.body, 'request-timeout');
  });
});

describe('framework errors over HTTP', () => {
  it('bad JSON, wrong content type, body too large, unknown route, wrong method: the one shape', async () => {
    const call = caller(app);
    const cases = [
      [
        400,
        'invalid-json',
        call('intake', 'POST', '/complaints', { raw: '{', headers: { 'content-type': 'application/json' } }),
      ],
      [
        415,
        'unsupported-media-type',
        call('intake', 'POST', '/complaints', { raw: '<a/>', headers: { 'content-type': 'application/xml' } }),
      ],
      [413, 'body-too-large', call('intake', 'POST', '/complaints', { body: { summary: 'x'.repeat(300 * 1024) } })],
      [404, 'not-found', call('nobody', 'GET', '/nowhere')],
      [404, 'not-found', call('manager', 'PUT', '/complaints')],
    ] as const;
    for (const [status, code, pending] of cases) {
      const response = await pending;
      expect(response.status, response.text).toBe(status);
      expectErrorShape(response.text, code);
    }
  });
});

describe('the OpenAPI document', () => {
  it('lists for every route the errors its configuration implies', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    interface Operation {
      security?: unknown[];
      parameters?: Array<{ in: string }>;
      requestBody?: unknown;
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    }
    const missing: string[] = [];
    let operations = 0;
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations++;
        // What the route's configuration says it can answer: derived from the document's own description of it.
        const expected = [408, 431];
        if (operation.security?.length) expected.push(401, 403);
        if (operation.parameters?.length || operation.requestBody) expected.push(400);
        if (path.includes('{')) expected.push(404);
        if (operation.requestBody) expected.push(413, 415);
        for (const status of expected) {
          const response = operation.responses[String(status)];
          if (!response) missing.push(`${method.toUpperCase()} ${path}: ${status}`);
          else if (!response.content?.['application/json'])
            missing.push(`${method.toUpperCase()} ${path}: ${status} has no JSON error body`);
        }
      }
    }
    expect(operations).toBeGreaterThan(10);
    expect(missing).toEqual([]);
    // The routes' own statuses stay: the actions' 409 and 503, intake's 202.
    expect(Object.keys(spec.paths['/complaints/{ref}/notes']!.post!.responses)).toEqual(
      expect.arrayContaining(['200', '409', '503']),
    );
    expect(spec.paths['/metrics']!.get!.responses['401']).toBeDefined();
  });
});
