// Personal data is never readable in what Temporal or the register stores: unique markers in every personal field of a
// complaint driven through its lifecycle (intake, acknowledgement with a note, a note, the outcome, the escalation
// window) on the dev server with a database file, the register a PGlite directory with the complaints' data keys
// (issue 14: the API seals the fields with the complaint's own key before they reach Temporal). The markers are absent
// from the server's SQLite files, from `temporal workflow show --output json` without the codec and from the
// register's files; present through the API (an authorised role) and through the codec server (`--codec-endpoint`,
// auditor token), which opens the sealed fields too. The codec server's roles and CORS are checked too.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTemporalBinary } from '../../devtools/temporal/binaries';
import { openPglite, registerOver, type Register } from '../../register';
import { type ApiStack, caller, intakeBody, startApiStack } from '../support/api';
import { testPayloadKeys } from '../support/payload-keys';
import { startDevServer } from '../support/temporal';

const run = promisify(execFile);
const UI_ORIGIN = 'http://localhost:18233';

const markers = {
  name: 'Zxqmarkname Kovalenko',
  email: 'zxqmarkemail@example.org',
  phone: '0131 496 7788',
  address: 'Zxqmarkaddress 12 Seagate',
  representative: 'Zxqmarkrep Friend',
  repEmail: 'zxqmarkrepmail@example.org',
  summary: 'Zxqmarksummary home care missed',
  ackNote: 'Zxqmarkacknote spoke to daughter',
  note: 'Zxqmarknote visited at home',
  findings: 'Zxqmarkfindings carer was late',
  actions: 'Zxqmarkactions rota changed',
};

let dir: string;
let env: TestWorkflowEnvironment;
let stack: ApiStack;
let call: ReturnType<typeof caller>;
let apiUrl: string;
let ref: string;
let register: Register;
let registerClosed = false;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'personal-data-'));
  env = await startDevServer({ dbFilename: path.join(dir, 'temporal.db') });
  register = await registerOver(await openPglite(path.join(dir, 'register')), { keys: testPayloadKeys() });
  stack = await startApiStack(env, { payloadKeys: testPayloadKeys(), uiOrigin: UI_ORIGIN, register });
  call = caller(stack.app);
  apiUrl = await stack.app.listen({ host: '127.0.0.1', port: 0 });

  const intake = await call('intake', 'POST', '/complaints', {
    body: intakeBody({
      complainant: { name: markers.name, email: markers.email, phone: markers.phone, address: markers.address },
      representative: { name: markers.representative, email: markers.repEmail, consentGiven: true },
      summary: markers.summary,
    }),
  });
  expect(intake.status).toBe(201);
  ref = intake.json().ref as string;
  const act = async (action: string, body: object) =>
    expect((await call('case-officer', 'POST', `/complaints/${ref}/${action}`, { body })).status).toBe(200);
  await act('acknowledge', { note: markers.ackNote });
  await act('notes', { text: markers.note });
  await act('outcome', { outcome: 'partially-upheld', findings: markers.findings, actionsTaken: markers.actions });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (!registerClosed) await register?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const temporalCli = () => {
  const cli = findTemporalBinary('cli');
  if (!cli) throw new Error('no temporal CLI (npm run setup:temporal)');
  return cli;
};

async function workflowShow(...extra: string[]): Promise<string> {
  const { stdout } = await run(
    temporalCli(),
    ['workflow', 'show', '--workflow-id', ref, '--address', env.address, '--output', 'json', ...extra],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** The CLI's JSON with every payload's data (base64 there) also read as text. */
function withPayloadsRead(json: string): string {
  const data = [...json.matchAll(/"data":\s*"([A-Za-z0-9+/=]*)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [json, ...data].join('\n');
}

describe('personal data in what Temporal stores', () => {
  it('the API shows the markers to a case officer', async () => {
    const response = await call('case-officer', 'GET', `/complaints/${ref}`);
    expect(response.status).toBe(200);
    for (const marker of Object.values(markers)) expect(response.text).toContain(marker);
  });

  it('no marker in the dev server database files', async () => {
    // The server writes as it goes (WAL); read every file of the database (main, -wal, -shm).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const files = readdirSync(dir).filter((file) => file.startsWith('temporal.db'));
    expect(files).toContain('temporal.db');
    const bytes = files.map((file) => readFileSync(path.join(dir, file)));
    expect(bytes.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(0);
    for (const content of bytes) {
      const asText = content.toString('latin1');
      // Sanity: the file does hold the complaint (its reference is a plain workflow id).
      for (const marker of Object.values(markers)) expect(asText).not.toContain(marker);
    }
    expect(bytes.some((content) => content.toString('latin1').includes(ref))).toBe(true);
  });

  it('no marker in `temporal workflow show --output json` without the codec; all of them through the codec server', async () => {
    const plain = await workflowShow();
    expect(plain).toContain(Buffer.from('binary/encrypted').toString('base64'));
    for (const marker of Object.values(markers)) expect(withPayloadsRead(plain)).not.toContain(marker);

    const decoded = await workflowShow('--codec-endpoint', `${apiUrl}/codec`, '--codec-auth', 'Bearer token-auditor');
    for (const marker of Object.values(markers)) expect(withPayloadsRead(decoded)).toContain(marker);
  });
});

describe('the codec server', () => {
  const somePayloads = {
    payloads: [
      {
        metadata: { encoding: Buffer.from('json/plain').toString('base64') },
        data: Buffer.from('"x"').toString('base64'),
      },
    ],
  };

  it('auditors and managers only', async () => {
    expect((await call('nobody', 'POST', '/codec/decode', { body: somePayloads })).status).toBe(401);
    expect((await call('case-officer', 'POST', '/codec/decode', { body: somePayloads })).status).toBe(403);
    expect((await call('intake', 'POST', '/codec/encode', { body: somePayloads })).status).toBe(403);
    const encoded = await call('manager', 'POST', '/codec/encode', { body: somePayloads });
    expect(encoded.status).toBe(200);
    expect(encoded.text).not.toContain(Buffer.from('"x"').toString('base64'));
    const decoded = await call('auditor', 'POST', '/codec/decode', { body: encoded.json() });
    expect(decoded.json()).toEqual(somePayloads);
  });

  it('bad input is a 400 or 422 in the one error shape', async () => {
    const bad = await call('auditor', 'POST', '/codec/decode', { body: { payloads: [{ data: '***' }] } });
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBeTruthy();
    const foreign = {
      payloads: [
        {
          metadata: {
            encoding: Buffer.from('binary/encrypted').toString('base64'),
            'encryption-key-id': Buffer.from('someone-else').toString('base64'),
          },
          data: Buffer.alloc(40).toString('base64'),
        },
      ],
    };
    const unknown = await call('auditor', 'POST', '/codec/decode', { body: foreign });
    expect(unknown.status).toBe(422);
    expect(unknown.json().error.code).toBe('payload-not-decodable');
  });

  it('CORS: the Temporal UI origin only', async () => {
    const preflight = (origin: string) =>
      stack.app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // Other routes answer no CORS at all.
    const complaints = await call('case-officer', 'GET', `/complaints/${ref}`, { headers: { origin: UI_ORIGIN } });
    expect(complaints.headers['access-control-allow-origin']).toBeUndefined();
  });
});

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(root, entry.name)) : [path.join(root, entry.name)],
  );
}

// Last: it closes the register to read its files.
describe('personal data in the register', () => {
  it('the register holds the complaint, sealed: its list and search answer a case officer with the markers', async () => {
    const list = await call('case-officer', 'GET', `/complaints?q=${encodeURIComponent('Kovalenko')}`);
    expect(list.status).toBe(200);
    expect(list.json().items.map((item: { ref: string }) => item.ref)).toEqual([ref]);
    expect(list.text).toContain(markers.name);
    expect(list.text).toContain(markers.summary);
    const read = await call('case-officer', 'GET', `/complaints/${ref}`);
    expect(read.headers['complaint-read-from']).toBe('register');
  });

  it('no marker in the register database files (PGlite), nor a search word', async () => {
    // Closed first, so everything it holds is in its files (checkpointed).
    await stack.stopWorker();
    await register.close();
    registerClosed = true;
    const files = filesUnder(path.join(dir, 'register'));
    const bytes = files.map((file) => readFileSync(file).toString('latin1'));
    expect(bytes.some((content) => content.includes(ref))).toBe(true);
    const words = Object.values(markers).flatMap((marker) => marker.toLowerCase().split(/[^a-z0-9]+/));
    for (const content of bytes) {
      for (const marker of Object.values(markers)) expect(content).not.toContain(marker);
      for (const word of words.filter((w) => w.startsWith('zxq'))) expect(content).not.toContain(word);
    }
  });
});
