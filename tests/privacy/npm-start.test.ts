// Personal data through `npm start` itself (scripts/start.ts, as a council would run it on one machine: the dev
// server with its SQLite file and its Web UI pointed at the codec server, the worker and the API with their real
// activities, SMTP, letters and register, development keys made at first start), on the embedded register (one
// engine process) and on PostgreSQL (a server of the test's own, whose data directory it can read; worker and API
// two processes). Unique markers in EVERY personal field and every free text a person writes: the complainant's and
// representative's name, e-mail, phone, address and relationship, the summary, notes, an extension's, a procedure
// move's, a withdrawal's and an erasure's reasons, the outcome's texts, letters, an improvement action and its
// evidence, a compliment; an e-mail address the mail server refuses (the notice's error path), bad requests and
// refused actions carrying markers. Then: the markers are present to an authorised role through the API and through
// the codec server (`temporal workflow show --codec-endpoint`), until the erasure; absent from the dev server's
// SQLite files, from `temporal workflow list|show --output json` without the codec (histories, memos, search
// attributes, failures, every workflow: complaints, letters, improvement actions, intake claims), from the
// register's files (PGlite's directory; PostgreSQL's data directory, its WAL and its log), from everything else under
// DATA_DIR (the sent log), and from every line `npm start` printed (dev server, worker, API) at LOG_LEVEL=debug.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../api/auth';
import { type Child, httpOk, startChild, waitForProbe } from '../../devtools/child-processes';
import {
  postgresBinaries,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../../devtools/fault-drill/private-postgres';
import { findTemporalBinary } from '../../devtools/temporal/binaries';
import { londonDate } from '../../domain/calendar';
import { ERASED_TEXT } from '../../domain/personal-fields';
import { configVariableNames } from '../../platform/config';
import { unusedLoopbackPort } from '../../platform/ports';
import { repoRoot } from '../../platform/repo-root';
import { TestMailServer } from '../support/mail-server';

const run = promisify(execFile);

/** A's markers: erased at the end. */
const A = {
  name: 'Zqjaname Kowalczyk',
  email: 'zqjaemail@example.org',
  phone: '07700 900461',
  address: 'Zqjaaddress 4 Perth Road',
  repName: 'Zqjarepname Duff',
  repRelationship: 'Zqjarelationship',
  repEmail: 'zqjarepemail@example.org',
  repPhone: '07700 900462',
  summary: 'Zqjasummary day centre closed',
  ackNote: 'Zqjaacknote spoke to the family',
  note: 'Zqjanote visited the day centre',
  extension: 'Zqjaextension awaiting care records',
  findings: 'Zqjafindings transport was cancelled',
  actionsTaken: 'Zqjaactions new transport contract',
  improvement: 'Zqjaimprovement check transport weekly',
  evidence: 'Zqjaevidence weekly checks since May',
};
/** B's: the mail server refuses its e-mail address; moved to another procedure, then withdrawn. Kept. */
const B = {
  name: 'Zqjbname Abernethy',
  email: 'zqjbemail@example.org',
  summary: 'Zqjbsummary respite refused',
  migration: 'Zqjbmigration social work procedure applies',
  withdrawal: 'Zqjbwithdrawal resolved informally',
};
/** C's: no e-mail address, so its letters are printed to post. Kept. */
const C = { name: 'Zqjcname Moncur', address: 'Zqjcaddress 9 Hilltown', summary: 'Zqjcsummary meals late' };
const OTHER = {
  compliment: 'Zqjcompliment the carer was kind',
  erasure: 'Zqjerasure request under article 17',
  refusedNote: 'Zqjrefusednote after the erasure',
  badEmail: 'Zqjbadaddress at nowhere',
  query: 'Zqjquerysearch',
};
const ALL = { ...A, ...B, ...C, ...OTHER };
/** A word of every marker, in case a store splits or lower-cases them (the blind index). */
const WORDS = Object.values(ALL)
  .flatMap((marker) => marker.toLowerCase().split(/[^a-z0-9]+/))
  .filter((word) => word.startsWith('zqj'));

const PEOPLE = {
  intake: { id: 'intake.smith', roles: ['intake'] },
  officer: { id: 'officer.jones', roles: ['case-officer'] },
  manager: { id: 'manager.brown', roles: ['manager'] },
  auditor: { id: 'auditor.grey', roles: ['auditor'] },
} as const;
type Who = keyof typeof PEOPLE;
const token = (who: Who) => `zqj-token-${who}`;

const inDays = (days: number) => londonDate(Date.now() + days * 86_400_000);

/** Every file under `root`, recursively (none when it does not exist). */
function filesUnder(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/** The markers (and their words) found in `text`, each with where. */
function markersIn(text: string, where: string): string[] {
  const lower = text.toLowerCase();
  return [
    ...Object.entries(ALL)
      .filter(([, marker]) => text.includes(marker))
      .map(([field]) => `${field} in ${where}`),
    ...WORDS.filter((word) => lower.includes(word)).map((word) => `"${word}" in ${where}`),
  ];
}

/** Every payload's data in the CLI's JSON (base64 there) also read as text. */
function withPayloadsRead(json: string): string {
  const data = [...json.matchAll(/"data":\s*"([A-Za-z0-9+/=]*)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [json, ...data].join('\n');
}

/** The fields of the API's answers this test reads. */
interface Answer {
  ref: string;
  timeline: Array<{ type: string }>;
  letters: unknown[];
  details: { complainant: { name: string } };
  items: unknown[];
}

interface Store {
  name: string;
  start(): Promise<{
    /** DATABASE_URL for npm start (undefined: the embedded register). */
    databaseUrl?: string;
    /** What the database keeps on disk, written out (none: PGlite's, under DATA_DIR). */
    files: () => Promise<string[]>;
    /** Its tables' files, apart (after `files`). */
    tableFiles?: () => string[];
    /** A complaint's wrapped data key, read beside npm start (PostgreSQL only: PGlite has one opener). */
    wrappedKeyOf?: (ref: string) => Promise<string>;
    stop(): Promise<void>;
  }>;
}

async function queryOnce<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const pgBin = postgresBinaries();
const stores: Store[] = [
  {
    name: 'PGlite',
    start: async () => ({ files: async () => [], stop: async () => undefined }),
  },
  ...(pgBin
    ? [
        {
          name: 'PostgreSQL',
          start: async () => {
            const server: PrivatePostgres = await startPrivatePostgres(pgBin);
            return {
              databaseUrl: server.url,
              // Everything it wrote out: tables and indexes, the WAL, its log.
              files: async () => {
                await queryOnce(server.url, 'CHECKPOINT');
                return [...filesUnder(server.dataDir), server.logFile];
              },
              tableFiles: () => filesUnder(path.join(server.dataDir, 'base')),
              wrappedKeyOf: async (ref: string) =>
                (
                  await queryOnce<{ wrapped_key: string }>(
                    server.url,
                    'SELECT wrapped_key FROM personal_data_keys WHERE key_ref = $1',
                    [ref],
                  )
                )[0]!.wrapped_key,
              stop: () => server.stop(),
            };
          },
        },
      ]
    : []),
];

describe.each(stores)('personal data through `npm start` (register: $name)', (store) => {
  let tmp: string;
  let dataDir: string;
  let mail: TestMailServer;
  let database: Awaited<ReturnType<Store['start']>>;
  let start: Child;
  let output = '';
  let apiUrl: string;
  let temporalAddress: string;
  let uiPort: number;
  const refs = { a: '', b: '', c: '' };
  let wrappedKeyOfA: string | undefined;

  async function api(who: Who | 'nobody', method: string, url: string, body?: unknown) {
    const response = await fetch(`${apiUrl}${url}`, {
      method,
      headers: {
        ...(who === 'nobody' ? {} : { authorization: `Bearer ${token(who)}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Answer };
  }

  async function ok(who: Who, method: string, url: string, body?: unknown, status = 200) {
    const response = await api(who, method, url, body);
    expect(response.status, `${method} ${url}: ${response.text}`).toBe(status);
    return response;
  }

  async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const cli = () => {
    const found = findTemporalBinary('cli');
    if (!found) throw new Error('no temporal CLI (npm run setup:temporal)');
    return found;
  };
  const temporal = async (output: 'json' | 'jsonl', ...args: string[]) =>
    (await run(cli(), [...args, '--address', temporalAddress, '--output', output], { maxBuffer: 256 * 1024 * 1024 }))
      .stdout;
  const show = (workflowId: string, ...codec: string[]) =>
    temporal('json', 'workflow', 'show', '--workflow-id', workflowId, ...codec);
  const withCodec = (who: Who) => ['--codec-endpoint', `${apiUrl}/codec`, '--codec-auth', `Bearer ${token(who)}`];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'privacy-npm-start-'));
    dataDir = path.join(tmp, 'data');
    mail = new TestMailServer();
    await mail.start();
    mail.unknownRecipients.add(B.email);
    database = await store.start();
    const [temporalPort, ui, apiPort] = [
      await unusedLoopbackPort(),
      await unusedLoopbackPort(),
      await unusedLoopbackPort(),
    ];
    uiPort = ui;
    temporalAddress = `127.0.0.1:${temporalPort}`;
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of configVariableNames) delete env[name];
    Object.assign(env, {
      DATA_DIR: dataDir,
      TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
      LOG_LEVEL: 'debug',
      API_TOKENS: JSON.stringify({
        tokens: (Object.keys(PEOPLE) as Who[]).map((who) => ({
          sha256: hashToken(token(who)),
          person: { id: PEOPLE[who].id },
          roles: [...PEOPLE[who].roles],
        })),
      }),
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    });
    start = startChild({
      name: 'npm-start',
      command: process.execPath,
      args: ['--import', 'tsx', path.join(repoRoot(), 'scripts', 'start.ts')],
      env,
      cwd: repoRoot(),
      quiet: true,
      stopTimeoutMs: 60_000,
      keepLines: 40,
    });
    start.onLine((line) => (output += `${line}\n`));
    await waitForProbe(start, 'a healthy /health', httpOk(`${apiUrl}/health`));
    await eventually('the worker polling', async () => (output.includes('Worker polling') ? true : undefined), 240_000);
  }, 300_000);

  afterAll(async () => {
    await start?.stop();
    await database?.stop();
    await mail?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it('takes every personal field through a lifecycle, its error paths too; an authorised role reads them all', async () => {
    const procedure = { id: 'dundee-swd-2011', version: 2 };
    const base = { serviceArea: 'community-care', category: 'service-standards', channel: 'letter', procedure };
    const intake = async (complainant: object, summary: string, representative?: object) =>
      (await ok('intake', 'POST', '/complaints', { ...base, complainant, summary, representative }, 201)).json().ref;
    refs.a = await intake({ name: A.name, email: A.email, phone: A.phone, address: A.address }, A.summary, {
      name: A.repName,
      relationship: A.repRelationship,
      email: A.repEmail,
      phone: A.repPhone,
      consentGiven: true,
    });
    refs.b = await intake({ name: B.name, email: B.email }, B.summary);
    refs.c = await intake({ name: C.name, address: C.address }, C.summary);
    const { a, b, c } = refs;

    await ok('officer', 'POST', `/complaints/${a}/acknowledge`, { note: A.ackNote });
    await ok('officer', 'POST', `/complaints/${a}/notes`, { text: A.note });
    await ok('manager', 'POST', `/complaints/${a}/extensions`, {
      days: 5,
      reason: A.extension,
      agreedWithComplainant: true,
    });
    await ok('officer', 'POST', `/complaints/${a}/outcome`, {
      outcome: 'partially-upheld',
      findings: A.findings,
      actionsTaken: A.actionsTaken,
    });
    const action = await fetch(`${apiUrl}/complaints/${a}/improvement-actions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token('officer')}`,
        'content-type': 'application/json',
        'idempotency-key': 'zqj-improvement-1',
      },
      body: JSON.stringify({ what: A.improvement, owner: 'officer.jones', dueDate: inDays(30) }),
    });
    expect(action.status, await action.clone().text()).toBe(201);
    const actionId = ((await action.json()) as { id: string }).id;
    await ok('officer', 'POST', `/improvement-actions/${actionId}/completion`, { evidence: A.evidence });

    await ok('officer', 'POST', `/complaints/${b}/acknowledge`, {});
    await ok('manager', 'POST', `/complaints/${b}/procedure`, { to: 'spso-social-work-2017@1', reason: B.migration });
    await ok('officer', 'POST', `/complaints/${b}/withdraw`, { reason: B.withdrawal });
    await ok('officer', 'POST', `/complaints/${c}/acknowledge`, {});
    await ok(
      'intake',
      'POST',
      '/compliments',
      {
        serviceArea: 'community-care',
        team: 'home care',
        receivedAt: inDays(0),
        summary: OTHER.compliment,
      },
      201,
    );

    // Refused, with markers in what was refused: a bad address, an unknown complaint, a search, a subject access.
    expect(
      (await api('intake', 'POST', '/complaints', { ...base, complainant: { name: A.name, email: OTHER.badEmail } }))
        .status,
    ).toBe(400);
    expect((await api('officer', 'POST', '/complaints/SW-2020-999999/notes', { text: OTHER.query })).status).toBe(404);
    expect((await api('officer', 'GET', `/complaints?q=${encodeURIComponent(OTHER.query)}`)).status).toBe(200);
    expect((await api('officer', 'GET', `/complaints?status=${encodeURIComponent(OTHER.query)}`)).status).toBe(400);
    expect((await api('officer', 'GET', `/subject-access?email=${encodeURIComponent(B.email)}`)).status).toBe(403);

    // The notice to B's refused address failed (the error path), and says so without the address.
    const bState = await eventually('the failed notice of B', async () => {
      const read = await ok('officer', 'GET', `/complaints/${b}`);
      const types = (read.json().timeline as Array<{ type: string }>).map((entry) => entry.type);
      return types.includes('notification-failed') ? read : undefined;
    });
    // C's letter, printed to post.
    const letters = await eventually('the letter of C', async () => {
      const read = await ok('officer', 'GET', `/complaints/${c}/letters`);
      return (read.json().letters as unknown[]).length > 0 ? read : undefined;
    });

    // Authorised roles read everything: the complaint, its actions, letters, compliments, a subject access.
    const aState = await ok('officer', 'GET', `/complaints/${a}`);
    for (const field of Object.keys(A).filter((f) => !['improvement', 'evidence'].includes(f)))
      expect(aState.text, field).toContain(A[field as keyof typeof A]);
    const actions = await ok('auditor', 'GET', `/complaints/${a}/improvement-actions`);
    for (const marker of [A.improvement, A.evidence]) expect(actions.text).toContain(marker);
    for (const marker of [B.name, B.email, B.summary, B.migration, B.withdrawal]) expect(bState.text).toContain(marker);
    for (const marker of [C.name, C.address]) expect(letters.text).toContain(marker);
    expect((await ok('manager', 'GET', `/compliments?from=${inDays(-1)}&to=${inDays(2)}`)).text).toContain(
      OTHER.compliment,
    );
    const subject = await ok('manager', 'GET', `/subject-access?email=${encodeURIComponent(B.email)}`);
    for (const marker of [B.name, B.summary, B.withdrawal]) expect(subject.text).toContain(marker);
  }, 300_000);

  it('made its development key ring at first start, sent the notices, and gave the Web UI the codec server', async () => {
    expect(existsSync(path.join(dataDir, 'encryption-keys.dev.yaml'))).toBe(true);
    // A's notices went to A's address; B's was refused (the failure above).
    await eventually('a notice to A', async () =>
      mail.transactions.some((t) => t.rcptTo.includes(A.email)) ? true : undefined,
    );
    expect(mail.transactions.some((t) => t.rcptTo.includes(B.email))).toBe(false);
    const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    expect(settings.Codec?.Endpoint).toBe(`${apiUrl}/codec`);
  }, 120_000);

  it('the codec server shows them to an auditor in the history; without it, no workflow shows any', async () => {
    const decoded = withPayloadsRead(await show(refs.a, ...withCodec('auditor')));
    for (const field of Object.keys(A).filter((f) => !['improvement', 'evidence'].includes(f)))
      expect(decoded, field).toContain(A[field as keyof typeof A]);
    expect(withPayloadsRead(await show(refs.b, ...withCodec('auditor')))).toContain(B.withdrawal);
  }, 120_000);

  it('erases A: through the API and the codec server its markers are gone; the reason is for managers', async () => {
    wrappedKeyOfA = await database.wrappedKeyOf?.(refs.a);
    await ok('manager', 'POST', `/complaints/${refs.a}/erasure`, { reason: OTHER.erasure });
    expect((await api('officer', 'POST', `/complaints/${refs.a}/notes`, { text: OTHER.refusedNote })).status).toBe(409);
    const erased = await ok('auditor', 'GET', `/complaints/${refs.a}`);
    expect(erased.json().details.complainant.name).toBe(ERASED_TEXT);
    const actions = await ok('auditor', 'GET', `/complaints/${refs.a}/improvement-actions`);
    const decoded = withPayloadsRead(await show(refs.a, ...withCodec('auditor')));
    for (const field of Object.keys(A)) {
      expect(erased.text, field).not.toContain(A[field as keyof typeof A]);
      expect(actions.text, field).not.toContain(A[field as keyof typeof A]);
      expect(decoded, field).not.toContain(A[field as keyof typeof A]);
    }
    const log = await ok('manager', 'GET', '/destruction-log');
    expect(log.json().items).toEqual([
      expect.objectContaining({ ref: refs.a, rule: 'request', reason: OTHER.erasure }),
    ]);
  }, 120_000);

  it('no marker in anything Temporal holds, read without the codec: every workflow, its memo, search attributes, history', async () => {
    const listed = await temporal('jsonl', 'workflow', 'list', '--limit', '1000');
    const workflows = listed
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { execution: { workflowId: string } });
    const ids = new Set(workflows.map((w) => w.execution.workflowId));
    // Complaints, an improvement action, a letter's posting reminder (C's), and the intake claims if any.
    for (const ref of Object.values(refs)) expect(ids.has(ref), ref).toBe(true);
    expect([...ids].some((id) => id.startsWith('improvement-action-'))).toBe(true);
    expect([...ids].some((id) => id.startsWith('letter-'))).toBe(true);
    const found = markersIn(withPayloadsRead(listed), 'workflow list');
    for (const id of ids) found.push(...markersIn(withPayloadsRead(await show(id)), `workflow show ${id}`));
    expect(found).toEqual([]);
  }, 180_000);

  it('stops; no marker in the SQLite files, the register files, DATA_DIR or any line it printed', async () => {
    expect(await start.stop()).toEqual({ code: 0, signal: null });
    const files = [...filesUnder(dataDir), ...(await database.files())];
    expect(files.some((file) => path.basename(file).startsWith('temporal.db'))).toBe(true);
    const found: string[] = [];
    let sawRef = false;
    for (const file of files) {
      if (!statSync(file).isFile()) continue;
      const text = readFileSync(file).toString('latin1');
      sawRef ||= text.includes(refs.a);
      found.push(...markersIn(text, path.relative(tmp, file)));
    }
    expect(sawRef).toBe(true);
    // The destroyed key's old row version is pruned from the tables' files (its WAL record stays: README "Erasure").
    if (wrappedKeyOfA) {
      expect(files.some((file) => readFileSync(file).toString('latin1').includes(wrappedKeyOfA!))).toBe(true);
      const tables = database.tableFiles!();
      expect(tables.filter((file) => readFileSync(file).toString('latin1').includes(wrappedKeyOfA!))).toEqual([]);
    }
    expect(output).toContain(refs.a);
    found.push(...markersIn(output, 'npm start output'));
    expect(found).toEqual([]);
  }, 180_000);
});
