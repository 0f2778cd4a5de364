// Logs carry references, never personal data: the API's log lines (pino through Fastify, at debug level so that
// every line is there) for a complaint with marker strings in its personal fields, read, searched and refused, hold
// the complaint's reference and none of the markers. (The worker's notice lines: tests/notifications/delivery.test.ts.)
import { Writable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pathWithQueryNames } from '../../api/app';
import { type ApiStack, caller, intakeBody, startApiStack } from '../support/api';
import { testPayloadKeys } from '../support/payload-keys';
import { startTimeSkippingServer } from '../support/temporal';

const markers = {
  name: 'Qwvlogname Abernethy',
  email: 'qwvlogemail@example.org',
  phone: '01382 434000',
  summary: 'Qwvlogsummary respite care refused',
  note: 'Qwvlognote phoned the family',
};

const lines: string[] = [];
let env: TestWorkflowEnvironment;
let stack: ApiStack;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  stack = await startApiStack(env, { payloadKeys: testPayloadKeys(), logger: { level: 'debug', stream } });
});
afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

it('the API logs the reference and the route, never a personal field, a search term or a token', async () => {
  const call = caller(stack.app);
  const intake = await call('intake', 'POST', '/complaints', {
    body: intakeBody({
      complainant: { name: markers.name, email: markers.email, phone: markers.phone },
      summary: markers.summary,
    }),
  });
  expect(intake.status).toBe(201);
  const ref = intake.json().ref as string;
  expect(
    (await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: markers.note } })).status,
  ).toBe(200);
  expect((await call('case-officer', 'GET', `/complaints/${ref}`)).status).toBe(200);
  // Refused: a body that fails validation, and a query naming a person.
  const refused = await call('intake', 'POST', '/complaints', {
    body: intakeBody({ complainant: { name: markers.name, email: 'not-an-address ' + markers.email } }),
  });
  expect(refused.status).toBe(400);
  await call('case-officer', 'GET', `/complaints?officer=${encodeURIComponent(markers.email)}`);

  const log = lines.join('\n');
  expect(log).toContain(ref);
  expect(log).toContain('/complaints?officer=…');
  for (const marker of [...Object.values(markers), encodeURIComponent(markers.email), 'token-intake', 'token-officer'])
    expect(log).not.toContain(marker);
});

it('a logged URL keeps its query parameter names only', () => {
  expect(pathWithQueryNames('/subject-access?email=pat%40example.org&format=html')).toBe(
    '/subject-access?email=…&format=…',
  );
  expect(pathWithQueryNames('/complaints/SW-2026-000001')).toBe('/complaints/SW-2026-000001');
});
