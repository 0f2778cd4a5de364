// The access log (issue 14) on a real API, worker and register (PostgreSQL at TEST_DATABASE_URL, else PGlite): a read
// that discloses a complaint's personal data is recorded (who, when, which complaint, which route), a read by a role
// that may not see it is not; auditors read the log, page by page; other roles get 403; the writer's queue is
// written out on a clean shutdown, kept across a failed write, and bounded.
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessRecorder } from '../../api/access-recorder';
import { ComplaintReads } from '../../api/complaint-reads';
import { letterPrinterFromConfig } from '../../notifications/letter-printer';
import { loadConfig } from '../../platform/config';
import { repoRoot } from '../../platform/repo-root';
import type { Register } from '../../register';
import type { AccessRecord } from '../../register/access-log';
import { caller, eventually, intakeBody, people, startApiStack, type ApiStack } from '../support/api';
import { startDevServer } from '../support/temporal';
import { openTestRegister, type TestRegister } from '../support/test-register';

let env: TestWorkflowEnvironment;
let testRegister: TestRegister;
let register: Register;
let stack: ApiStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  env = await startDevServer();
  testRegister = await openTestRegister('access_log_test');
  register = testRegister.register;
  const config = loadConfig({
    STAFF_DIRECTORY_PATH: path.join(repoRoot(), 'config', 'staff-directory.example.yaml'),
    COUNCIL_NAME: 'Dundee City Council',
  });
  stack = await startApiStack(env, { register, letterPrinter: letterPrinterFromConfig(config) });
  call = caller(stack.app);
});

afterAll(async () => {
  await stack?.close();
  await testRegister?.drop();
  await env?.teardown();
});

async function newComplaint(): Promise<string> {
  const response = await call('intake', 'POST', '/complaints', { body: intakeBody() });
  expect(response.status, response.text).toBe(201);
  const ref = response.json().ref as string;
  // In the register (the list reads it from there).
  await eventually(async () =>
    expect((await call('case-officer', 'GET', `/complaints/${ref}?atLeastRevision=1`)).status).toBe(200),
  );
  return ref;
}

const accessLog = async (ref: string, query = '') => {
  const response = await call('auditor', 'GET', `/complaints/${ref}/access-log${query}`);
  expect(response.status, response.text).toBe(200);
  return response.json() as {
    items: Array<{ at: string; viewer: { id: string; roles: string[] }; route: string }>;
    nextCursor: string | null;
  };
};

describe('what is logged', () => {
  it("records a case officer's read of the complaint: who, when, which complaint, which route", async () => {
    const ref = await newComplaint();
    const before = (await accessLog(ref)).items.length;
    const startedAt = Date.now();
    const read = await call('case-officer', 'GET', `/complaints/${ref}`);
    expect(read.status).toBe(200);
    const { items } = await accessLog(ref);
    expect(items).toHaveLength(before + 1);
    const [newest] = items;
    expect(newest).toMatchObject({
      viewer: { id: people['case-officer'].id, roles: ['case-officer'] },
      route: 'GET /complaints/:ref',
    });
    expect(Date.parse(newest!.at)).toBeGreaterThanOrEqual(startedAt - 1_000);
  });

  it("records the list showing names, an action's answer and a letter preview, intake's preview too", async () => {
    const ref = await newComplaint();
    const before = (await accessLog(ref)).items.length;
    // Intake may not read the complaint (nothing disclosed, nothing logged), but a letter preview names the
    // complainant and their address: logged whatever the role.
    expect((await call('intake', 'GET', `/complaints/${ref}`)).status).toBe(403);
    expect((await accessLog(ref)).items).toHaveLength(before);
    const intakePreview = await call('intake', 'POST', `/complaints/${ref}/letters/preview`, {
      body: { action: 'acknowledge' },
    });
    expect(intakePreview.status, intakePreview.text).toBe(200);
    expect(intakePreview.text).toContain('Pat Complainant');
    await eventually(async () =>
      expect((await accessLog(ref)).items.map((item) => `${item.viewer.id} ${item.route}`)[0]).toBe(
        `${people.intake.id} POST /complaints/:ref/letters/preview`,
      ),
    );

    const list = await call('manager', 'GET', `/complaints?sort=-received&limit=100`);
    expect(list.json().items.map((item: { ref: string }) => item.ref)).toContain(ref);
    const preview = await call('case-officer', 'POST', `/complaints/${ref}/letters/preview`, {
      body: { action: 'acknowledge' },
    });
    expect(preview.status, preview.text).toBe(200);
    const acknowledged = await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`);
    expect(acknowledged.status, acknowledged.text).toBe(200);
    const routes = (await accessLog(ref)).items.map((item) => `${item.viewer.id} ${item.route}`);
    expect(routes.slice(0, 3)).toEqual([
      `${people['case-officer'].id} POST /complaints/:ref/acknowledge`,
      `${people['case-officer'].id} POST /complaints/:ref/letters/preview`,
      `${people.manager.id} GET /complaints`,
    ]);
  });

  it('records a letter read by any role (intake posts letters: it reads names and addresses too)', async () => {
    const ref = await newComplaint();
    const letter = await register.letters.keep({
      id: `L-${'0'.repeat(12)}${Date.now().toString(16).padStart(12, '0').slice(-12)}`,
      noticeId: `notice-${ref}`,
      ref,
      kind: 'acknowledgement',
      channel: 'email',
      recipientName: 'Pat Example',
      recipientEmail: 'pat@example.org',
      subject: 'Your complaint',
      body: 'We have your complaint.',
      createdAt: new Date().toISOString(),
    });
    expect((await call('intake', 'GET', `/letters/${letter.id}`)).status).toBe(200);
    expect((await call('case-officer', 'GET', `/letters/${letter.id}`)).status).toBe(200);
    expect((await call('case-officer', 'GET', `/complaints/${ref}/letters`)).status).toBe(200);
    await eventually(async () => {
      const routes = (await accessLog(ref)).items.map((item) => `${item.viewer.id} ${item.route}`);
      expect(routes.slice(0, 3)).toEqual([
        `${people['case-officer'].id} GET /complaints/:ref/letters`,
        `${people['case-officer'].id} GET /letters/:id`,
        `${people.intake.id} GET /letters/:id`,
      ]);
    });
  });

  it("records intake's look-up of earlier complaints by a name: it tells who complained", async () => {
    const ref = await newComplaint();
    const recorder = new AccessRecorder({ store: register.accessLog, flushAfterMs: 10 });
    const reads = new ComplaintReads(stack.complaints, register, recorder);
    const viewer = { id: people.intake.id, roles: [...people.intake.roles] };
    const found = await reads.earlierContacts('Pat Complainant', 100, { viewer, route: 'GET /record' });
    expect(found.map((contact) => contact.ref)).toContain(ref);
    expect(found.every((contact) => contact.complainantName === 'Pat Complainant')).toBe(true);
    await recorder.close();
    const lookups = async () => (await accessLog(ref)).items.filter((item) => item.route === 'GET /record');
    expect(await lookups()).toEqual([expect.objectContaining({ viewer })]);
    // Without a reader (the look-up's tests), nothing is recorded.
    await reads.earlierContacts('Pat Complainant', 100);
    await recorder.close();
    expect(await lookups()).toHaveLength(1);
  });
});

describe('GET /complaints/{ref}/access-log', () => {
  it('is for auditors only (403 for every other role, 401 without a token)', async () => {
    const ref = await newComplaint();
    for (const who of ['intake', 'case-officer', 'manager'] as const) {
      const response = await call(who, 'GET', `/complaints/${ref}/access-log`);
      expect(response.status, who).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
    expect((await call('nobody', 'GET', `/complaints/${ref}/access-log`)).status).toBe(401);
  });

  it('pages newest first with nextCursor; a bad cursor or limit is a 400 in the one shape', async () => {
    const ref = await newComplaint();
    for (let i = 0; i < 5; i++) expect((await call('manager', 'GET', `/complaints/${ref}`)).status).toBe(200);
    const all = (await accessLog(ref, '?limit=100')).items;
    const first = await accessLog(ref, '?limit=2');
    expect(first.items).toEqual(all.slice(0, 2));
    const second = await accessLog(ref, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toEqual(all.slice(2, 4));
    let cursor = second.nextCursor;
    const rest = [];
    while (cursor) {
      const page = await accessLog(ref, `?limit=2&cursor=${cursor}`);
      rest.push(...page.items);
      cursor = page.nextCursor;
    }
    expect([...first.items, ...second.items, ...rest]).toEqual(all);
    for (const query of ['?cursor=abc', '?limit=0', '?limit=101', '?other=1']) {
      const bad = await call('auditor', 'GET', `/complaints/${ref}/access-log${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.json().error.code).toBeTypeOf('string');
    }
  });
});

describe('the writer (api/access-recorder.ts)', () => {
  const viewer = { id: 'officer.jones', roles: ['case-officer'] as const };

  it('writes what is queued when closed (a clean shutdown), and nothing for a role without personal data', async () => {
    const ref = `SW-2026-${String(Date.now()).slice(-6)}`;
    const recorder = new AccessRecorder({ store: register.accessLog, flushAfterMs: 60_000 });
    await recorder.record(viewer, 'GET /complaints/:ref', [ref]);
    await recorder.record({ id: 'intake.smith', roles: ['intake'] }, 'GET /letters/:id', [ref]);
    expect(recorder.waiting).toBe(1);
    expect(await register.accessLog.forComplaint(ref, { limit: 10 })).toEqual([]);
    await recorder.close();
    expect(await register.accessLog.forComplaint(ref, { limit: 10 })).toMatchObject([
      { ref, viewer: { id: 'officer.jones' }, route: 'GET /complaints/:ref' },
    ]);
  });

  it('keeps the records across a failed write; at its bound a read waits, and is refused (503) while writes fail', async () => {
    const written: AccessRecord[] = [];
    let failing = true;
    const errors: number[] = [];
    const recorder = new AccessRecorder({
      store: {
        append: async (records) => {
          if (failing) throw new Error('register down');
          written.push(...records);
        },
      },
      flushAfterMs: 60_000,
      maxPending: 3,
      onError: (_error, pending) => errors.push(pending),
    });
    await recorder.record(viewer, 'GET /complaints', ['A', 'B']);
    await expect(recorder.flush()).rejects.toThrow('register down');
    expect(recorder.waiting).toBe(2);
    // The third record reaches the bound: the read waits for the write, which fails: refused, nothing dropped.
    await expect(recorder.record(viewer, 'GET /complaints/:ref', ['C'])).rejects.toMatchObject({
      statusCode: 503,
      code: 'access-log-unavailable',
    });
    expect(recorder.waiting).toBe(3);
    await expect(recorder.close()).rejects.toThrow('register down');
    expect(errors).toEqual([3]);
    failing = false;
    await recorder.record(viewer, 'GET /complaints/:ref', ['D']);
    expect(written.map((record) => record.ref)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('the app writes out its queue when it closes', async () => {
    const ref = await newComplaint();
    const before = (await accessLog(ref, '?limit=100')).items.length; // (written out by the log's read)
    expect((await call('case-officer', 'GET', `/complaints/${ref}`)).status).toBe(200);
    await stack.app.close();
    expect(await register.accessLog.forComplaint(ref, { limit: 100 })).toHaveLength(before + 1);
  });
});
