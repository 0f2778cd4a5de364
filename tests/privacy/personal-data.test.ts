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
import { deliverOpened, NOT_SENT_ERASED } from '../../activities/complaint-activities';
import { replayComplaintHistories } from '../../audit/replay';
import { ERASED_TEXT } from '../../domain/personal-fields';
import { openPglite, registerOver, type Register } from '../../register';
import { type ApiStack, caller, intakeBody, startApiStack } from '../support/api';
import { testPayloadKeys } from '../support/payload-keys';
import { bundleComplaintWorkflows, startDevServer } from '../support/temporal';

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
});

describe('erasure', () => {
  const year = () => new Date().getUTCFullYear();
  const annual = async () =>
    (await call('auditor', 'GET', `/reports/annual?from=${year()}-01-01&to=${year()}-12-31`)).json();
  let before: Record<string, unknown>;
  let erasedAnswer: Awaited<ReturnType<typeof call>>;

  beforeAll(async () => {
    before = await annual();
    // A notice the workflow asked to send (its fields sealed): opened to send before the erasure.
    const notice = stack.recorded.notices.find((n) => n.ref === ref && n.audience === 'complainant');
    expect(notice).toBeDefined();
    expect(JSON.stringify(notice)).not.toContain(markers.name);
    const opened = await deliverOpened(notice!, register.personalData, async (n) => {
      expect(n.complainant.name).toBe(markers.name);
      return { noticeId: n.id, deliveredAs: 'test', recipients: [] };
    });
    expect(opened.deliveredAs).toBe('test');
    const body = { reason: 'request under UK GDPR article 17' };
    expect((await call('case-officer', 'POST', `/complaints/${ref}/erasure`, { body })).status).toBe(403);
    expect((await call('manager', 'POST', `/complaints/${ref}/erasure`, { body: {} })).status).toBe(400);
    erasedAnswer = await call('manager', 'POST', `/complaints/${ref}/erasure`, {
      body,
      headers: { 'idempotency-key': 'erase-1' },
    });
  }, 60_000);

  it('answers the complaint with its personal fields erased and its timeline kept, who erased it and why', async () => {
    expect(erasedAnswer.status, erasedAnswer.text).toBe(200);
    for (const answer of [erasedAnswer, await call('case-officer', 'GET', `/complaints/${ref}`)]) {
      for (const marker of Object.values(markers)) expect(answer.text).not.toContain(marker);
      const state = answer.json();
      expect(state.details.complainant).toEqual({
        name: ERASED_TEXT,
        email: ERASED_TEXT,
        phone: ERASED_TEXT,
        address: ERASED_TEXT,
      });
      expect(state.details.summary).toBe(ERASED_TEXT);
      expect(state.erasure).toMatchObject({ by: { id: 'manager.brown' }, reason: 'request under UK GDPR article 17' });
      const types = state.timeline.map((entry: { type: string }) => entry.type);
      expect(types.slice(0, 4)).toEqual(['complaint-received', 'acknowledged', 'note-added', 'outcome-recorded']);
      expect(types.at(-1)).toBe('personal-data-erased');
    }
    // The same request again answers the same; without the key, a second erasure is refused.
    const again = await call('manager', 'POST', `/complaints/${ref}/erasure`, {
      body: { reason: 'request under UK GDPR article 17' },
      headers: { 'idempotency-key': 'erase-1' },
    });
    expect(again.status).toBe(200);
    const twice = await call('manager', 'POST', `/complaints/${ref}/erasure`, { body: { reason: 'once more please' } });
    expect(twice.status).toBe(409);
    expect(twice.json().error.code).toBe('already-erased');
    // More text cannot be sealed under a destroyed key.
    const note = await call('case-officer', 'POST', `/complaints/${ref}/notes`, { body: { text: 'more text' } });
    expect(note.status).toBe(409);
  });

  it("keeps the complaint's figures in the report", async () => {
    expect(await annual()).toEqual(before);
  });

  it('stops its notices: not sent, not retried', async () => {
    const notice = stack.recorded.notices.find((n) => n.ref === ref && n.audience === 'complainant')!;
    const receipt = await deliverOpened(notice, register.personalData, () => {
      throw new Error('must not be sent');
    });
    expect(receipt.deliveredAs).toBe(NOT_SENT_ERASED);
  });

  it('leaves no marker in the history, even through the codec server; the history still replays', async () => {
    const decoded = await workflowShow('--codec-endpoint', `${apiUrl}/codec`, '--codec-auth', 'Bearer token-auditor');
    for (const marker of Object.values(markers)) expect(withPayloadsRead(decoded)).not.toContain(marker);
    expect(withPayloadsRead(decoded)).toContain(ERASED_TEXT);
    const history = await stack.complaints.client.workflow.getHandle(ref).fetchHistory();
    const outcomes = [];
    const histories = [{ workflowId: ref, runId: '', source: 'temporal:default', history }];
    for await (const outcome of replayComplaintHistories(histories, {
      workflowBundle: await bundleComplaintWorkflows(),
      payloadKeys: testPayloadKeys(),
    }))
      outcomes.push(outcome);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['ok']);
  });

  it('is in the destruction log, for managers', async () => {
    expect((await call('case-officer', 'GET', '/destruction-log')).status).toBe(403);
    const log = await call('manager', 'GET', '/destruction-log');
    expect(log.status).toBe(200);
    expect(log.json().items).toEqual([
      expect.objectContaining({
        ref,
        rule: 'request',
        reason: 'request under UK GDPR article 17',
        workflowDeletedAt: null,
      }),
    ]);
  });
});

// Last: it closes the register to read its files.
describe('the register files after the erasure', () => {
  it('no marker in the register database files (PGlite), nor a search word', async () => {
    // Closed first, so everything it holds is in its files (checkpointed); the API before it, since closing the API
    // writes out its access log.
    await stack.close();
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
    // With the key ring itself, what the files hold opens to nothing: the complaint's data key is gone.
    const reopened = await registerOver(await openPglite(path.join(dir, 'register')), { keys: testPayloadKeys() });
    try {
      const held = await reopened.readComplaint(ref);
      const opened = await reopened.personalData.open({ details: held!.snapshot.details, entries: held!.entries });
      for (const marker of Object.values(markers)) expect(JSON.stringify(opened)).not.toContain(marker);
      expect(opened.details.complainant.name).toBe(ERASED_TEXT);
    } finally {
      await reopened.close();
    }
  });
});
