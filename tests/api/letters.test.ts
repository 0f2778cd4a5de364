// Letters through the API, the real worker and the real delivery: a complainant without e-mail gets PDFs queued to
// post (read back with pdf-parse), a person marks one posted; one with e-mail gets them through the in-process SMTP
// server, and a copy is kept; a preview of the letter an action would send; errors in the one shape.
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/complaint-activities';
import { buildApp } from '../../api/app';
import { createNoticeDelivery, type ClosableNoticeDelivery } from '../../notifications';
import { letterPrinterFromConfig } from '../../notifications/letter-printer';
import { openPgliteInMemory, openPostgres, registerOver, type Register } from '../../register';
import { createComplaintsWorker } from '../../worker/create-worker';
import { caller, eventually, intakeBody, testComplaintService, testTokens, type Person } from '../support/api';
import { councilMailConfig, TestMailServer } from '../support/mail-server';
import { pdfText } from '../support/pdf-text';
import { bundleComplaintWorkflows, startDevServer } from '../support/temporal';

const mail = new TestMailServer();
const databaseUrl = process.env.TEST_DATABASE_URL;
const schema = `letters_test_${process.pid}_${Date.now().toString(36)}`;
let env: TestWorkflowEnvironment;
let register: Register;
let delivery: ClosableNoticeDelivery;
let app: FastifyInstance;
let connection: Connection;
let stopWorker: () => Promise<void>;
let call: ReturnType<typeof caller>;

const MORAG = { name: 'Morag Brown', address: '12 High Street\nDundee\nDD1 1AA', phone: '01382 000000' };

async function openTestRegister(): Promise<Register> {
  if (!databaseUrl) return registerOver(await openPgliteInMemory());
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return registerOver(await openPostgres(url.toString()));
}

beforeAll(async () => {
  env = await startDevServer();
  await mail.start();
  register = await openTestRegister();
  const config = councilMailConfig(mail, 'letters-api');
  delivery = await createNoticeDelivery(config, { letters: register.letters, log: () => undefined });
  const taskQueue = `letters-api-${process.pid}`;
  const namespace = env.namespace ?? 'default';
  const worker = await createComplaintsWorker({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    activities: {
      ...createActivities({ register, delivery }),
      remindIfLetterNotPosted: (request: Parameters<typeof delivery.remindIfLetterNotPosted>[0]) =>
        delivery.remindIfLetterNotPosted(request),
    },
    workflowBundle: await bundleComplaintWorkflows(),
    workerOptions: { shutdownGraceTime: '1s' },
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
  };
  connection = await Connection.connect({ address: env.address });
  const complaints = testComplaintService(new Client({ connection, namespace }), { namespace, taskQueue });
  app = await buildApp({ complaints, tokens: testTokens(), register, letterPrinter: letterPrinterFromConfig(config) });
  await app.ready();
  call = caller(app);
});

afterAll(async () => {
  await app?.close();
  await stopWorker?.();
  await connection?.close();
  await delivery?.close();
  await register?.close();
  await mail.stop();
  await env?.teardown();
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});

async function newComplaint(complainant: Record<string, unknown>): Promise<string> {
  const created = await call('intake', 'POST', '/complaints', {
    body: intakeBody({ complainant, procedure: { id: 'dundee-swd-2011', version: 1 } }),
  });
  expect(created.status, created.text).toBe(201);
  return created.json().ref as string;
}

async function act(ref: string, route: string, body: Record<string, unknown> = {}, who: Person = 'case-officer') {
  const response = await call(who, 'POST', `/complaints/${ref}/${route}`, { body });
  expect(response.status, response.text).toBe(200);
}

const lettersOf = async (ref: string) => (await call('auditor', 'GET', `/complaints/${ref}/letters`)).json().letters;

describe('letters to post', () => {
  it('without e-mail: the acknowledgement is a PDF in the queue, marked posted by a person', async () => {
    const ref = await newComplaint(MORAG);
    await act(ref, 'acknowledge');
    const queued = await eventually(async () => {
      const list = (await call('intake', 'GET', '/letters?status=to-post')).json().letters as Array<
        Record<string, unknown>
      >;
      const mine = list.filter((letter) => letter.ref === ref);
      expect(mine).toHaveLength(1);
      return mine[0]!;
    });
    expect(queued).toMatchObject({
      kind: 'complaint-acknowledged',
      channel: 'post',
      status: 'to-post',
      recipientName: 'Morag Brown',
      addressLines: ['Morag Brown', '12 High Street', 'Dundee', 'DD1 1AA'],
      hasPdf: true,
      posted: null,
    });
    expect(Date.parse(queued.postBy as string)).toBeGreaterThan(Date.parse(queued.createdAt as string));

    const pdf = await call('intake', 'GET', `/letters/${queued.id as string}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    // Lines wrap where the page ends them: read the text as one line.
    const text = (await pdfText(pdf.raw)).text.replace(/\s+/g, ' ');
    for (const expected of [
      'Dundee City Council',
      'Morag Brown',
      'DD1 1AA',
      `Our reference: ${ref}`,
      'Dear Morag Brown,',
    ])
      expect(text).toContain(expected);
    expect(text).toContain('Social Work complaints procedure (2011, four stages)');
    expect(text).not.toContain('dundee-swd-2011');
    expect(text).not.toContain('reply to this e-mail');

    const posted = await call('intake', 'POST', `/letters/${queued.id as string}/posted`);
    expect(posted.status, posted.text).toBe(200);
    expect(posted.json()).toMatchObject({ status: 'posted', posted: { by: 'intake.smith' } });
    expect(
      (await call('intake', 'GET', '/letters?status=to-post')).json().letters.map((l: { ref: string }) => l.ref),
    ).not.toContain(ref);

    const again = await call('manager', 'POST', `/letters/${queued.id as string}/posted`);
    expect(again.status).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'letter-already-posted', message: expect.any(String) } });
  });

  it('an extension, a withdrawal and their letters are kept in the record', async () => {
    const ref = await newComplaint(MORAG);
    await act(
      ref,
      'extensions',
      { days: 10, reason: 'Waiting for the care provider', agreedWithComplainant: true },
      'manager',
    );
    await act(ref, 'withdraw', { reason: 'Sorted out on the phone' });
    const kept = await eventually(async () => {
      const letters = await lettersOf(ref);
      expect(letters.map((letter: { kind: string }) => letter.kind).sort()).toEqual([
        'extension-agreed',
        'withdrawal-confirmed',
      ]);
      return letters as Array<Record<string, string>>;
    });
    const extension = kept.find((letter) => letter.kind === 'extension-agreed')!;
    expect(extension.body).toContain('We will now send you our response by');
    const { text } = await pdfText((await call('auditor', 'GET', `/letters/${extension.id}/pdf`)).raw);
    expect(text).toContain('our new date for your response');
  });

  it('with e-mail: the acknowledgement goes by SMTP, and a copy is kept without a PDF', async () => {
    const ref = await newComplaint({ name: 'Pat Doe', email: 'pat.letters@example.org' });
    await act(ref, 'acknowledge');
    await mail.waitFor(() => mail.mailFor('pat.letters@example.org').length > 0);
    expect(mail.mailFor('pat.letters@example.org')[0]!.subject).toBe(`Your complaint ${ref}: we have received it`);
    const [kept] = await eventually(async () => {
      const letters = await lettersOf(ref);
      expect(letters).toHaveLength(1);
      return letters;
    });
    expect(kept).toMatchObject({
      channel: 'email',
      status: 'sent',
      recipientEmail: 'pat.letters@example.org',
      hasPdf: false,
    });
    const pdf = await call('auditor', 'GET', `/letters/${kept.id as string}/pdf`);
    expect(pdf.status).toBe(404);
    expect(pdf.json().error.code).toBe('letter-has-no-pdf');
    const posted = await call('intake', 'POST', `/letters/${kept.id as string}/posted`);
    expect(posted.status).toBe(409);
    expect(posted.json().error.code).toBe('letter-not-to-post');
  });
});

describe('letter preview', () => {
  it("previews a 2011 Level 2 outcome: the Director's review, or straight to the Committee; nothing is recorded", async () => {
    const ref = await newComplaint(MORAG);
    await act(ref, 'acknowledge');
    await act(ref, 'outcome', { outcome: 'not-upheld', findings: 'The visits took place as planned.' });
    await act(ref, 'escalation');
    await act(ref, 'acknowledge');
    const before = (await call('auditor', 'GET', `/complaints/${ref}`)).json().timeline.length as number;

    const preview = await call('case-officer', 'POST', `/complaints/${ref}/letters/preview`, {
      body: { action: 'record-outcome', body: { outcome: 'upheld', findings: 'Two visits were missed.' } },
    });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json()).toMatchObject({ kind: 'outcome-letter', channel: 'post' });
    const body = preview.json().body as string;
    expect(body).toContain('Review by the Director');
    expect(body).toContain('go straight to the Complaints Review Committee');

    const pdf = await call('case-officer', 'POST', `/complaints/${ref}/letters/preview?format=pdf`, {
      body: { action: 'record-outcome', body: { outcome: 'upheld', findings: 'Two visits were missed.' } },
    });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((await pdfText(pdf.raw)).text).toContain('Review by the Director');
    expect((await call('auditor', 'GET', `/complaints/${ref}`)).json().timeline.length).toBe(before);

    // The escalated stage's acknowledgement says it is the next stage.
    const acknowledgements = await eventually(async () => {
      const letters = (await lettersOf(ref)).filter(
        (letter: { kind: string }) => letter.kind === 'complaint-acknowledged',
      );
      expect(letters).toHaveLength(2);
      return letters as Array<{ body: string }>;
    });
    expect(acknowledgements[1]!.body).toContain('It has moved from Level 1 to the next stage, Level 2');
  });

  it('answers bad input in the one error shape', async () => {
    const ref = await newComplaint(MORAG);
    const refused = await call('case-officer', 'POST', `/complaints/${ref}/letters/preview`, {
      body: { action: 'record-outcome', body: { outcome: 'upheld' } },
    });
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('not-acknowledged');
    const invalid = await call('case-officer', 'POST', `/complaints/${ref}/letters/preview`, {
      body: { action: 'record-outcome', body: { outcome: 'splendid' } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json().error.code).toBe('invalid-request');
    const unknown = await call('case-officer', 'POST', `/complaints/${ref}/letters/preview`, {
      body: { action: 'dance' },
    });
    expect(unknown.status).toBe(400);
    expect((await call('auditor', 'GET', '/letters/L-000000000000000000000000')).status).toBe(404);
    expect((await call('auditor', 'GET', '/letters/not-a-letter')).status).toBe(400);
    expect((await call('auditor', 'GET', '/letters?status=lost')).status).toBe(400);
    expect((await call('auditor', 'POST', '/letters/L-000000000000000000000000/posted')).status).toBe(403);
    expect((await call('nobody', 'GET', '/letters')).status).toBe(401);
    const missing = await call('case-officer', 'POST', '/complaints/SW-NONE-1/letters/preview', {
      body: { action: 'acknowledge' },
    });
    expect(missing.status).toBe(404);
  });
});
