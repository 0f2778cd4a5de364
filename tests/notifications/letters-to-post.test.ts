// Letters by post end to end, on the time-skipping server: the real complaint workflow, the real notice delivery
// (each letter printed as an A4 PDF and kept in the register's queue, read back here with pdf-parse) and a real SMTP
// server in this process for the staff's reminder. Dates are fixed on the Scottish calendar of 2031 so that every
// date a letter gives can be checked by hand: the Early May bank holiday is Monday 5 May, the Summer one Monday 4
// August. The server's clock only moves forward (and skips on while a test waits for a workflow's result), so the
// tests run in the order of their dates.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/complaint-activities';
import { LetterService } from '../../api/letter-service';
import { scottishPublicHolidays } from '../../domain/scottish-holidays';
import { createNoticeDelivery, type ClosableNoticeDelivery } from '../../notifications';
import { letterPrinterFromConfig } from '../../notifications/letter-printer';
import type { LetterRecord } from '../../register/letters';
import { createComplaintsWorker } from '../../worker/create-worker';
import { complaintWorkflow } from '../../workflows';
import { letterPostingWorkflowId, type letterPostingWorkflow } from '../../workflows/letter-posting';
import { actionUpdates } from '../../workflows/messages';
import { complaintStartOptions } from '../../workflows/start-options';
import { complaintDetails, intakeClerk, manager, officer, uniqueRef } from '../support/complaint-harness';
import { councilMailConfig, TestMailServer } from '../support/mail-server';
import { pdfText } from '../support/pdf-text';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';
import { openTestRegister, type TestRegister } from '../support/test-register';

const mail = new TestMailServer();
const taskQueue = `letters-to-post-${process.pid}`;
const HOLIDAYS = scottishPublicHolidays(2031, 2032);
const MORAG = { name: 'Morag Brown', address: '12 High Street\nDundee\nDD1 1AA' };
let env: TestWorkflowEnvironment;
let register: TestRegister;
let delivery: ClosableNoticeDelivery;
let letters: LetterService;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  await mail.start();
  register = await openTestRegister('letters_to_post');
  const config = councilMailConfig(mail, 'letters-to-post');
  delivery = await createNoticeDelivery(config, { letters: register.register.letters, log: () => undefined });
  letters = new LetterService({
    letters: register.register.letters,
    printer: letterPrinterFromConfig(config),
    complaintState: () => Promise.reject(new Error('not used here')),
  });
  worker = await createComplaintsWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: {
      ...createActivities({ register: register.register, delivery }),
      remindIfLetterNotPosted: (request: Parameters<typeof delivery.remindIfLetterNotPosted>[0]) =>
        delivery.remindIfLetterNotPosted(request),
    },
    workflowBundle: await bundleComplaintWorkflows(),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await delivery?.close();
  await register?.drop();
  await mail.stop();
  await env?.teardown();
});

const JULY_30 = '2031-07-30T09:00:00Z';

/**
 * Moves the server's clock to `iso` unless it is there already (within the hour, so that the dates hold). The last
 * two tests share a day and close their complaints, and nothing skips time after them: on the time-skipping server
 * (1.40.0) a sleep past the end of a letter's posting reminder (an abandoned child) whose complaint has closed waits in
 * real time (seen after a referral and after a withdrawal by post; by e-mail, with no reminder, the same sleep skips).
 */
async function skipTo(iso: string): Promise<void> {
  const wait = Date.parse(iso) - (await env.currentTimeMs());
  expect(wait, `the server's clock is already past ${iso}`).toBeGreaterThan(-3_600_000);
  if (wait > 0) await env.sleep(wait);
}

async function receive(procedure: { id: string; version: number }) {
  const input = {
    ref: uniqueRef('POST'),
    procedure,
    details: complaintDetails({ complainant: MORAG }),
    receivedAt: new Date(await env.currentTimeMs()).toISOString(),
    holidays: HOLIDAYS,
    actor: intakeClerk,
  };
  return env.client.workflow.start(complaintWorkflow, complaintStartOptions(input, { taskQueue, indexed: false }));
}

/** The complaint's letters kept in the register, once there are `count`, oldest first. */
async function lettersOf(ref: string, count: number): Promise<LetterRecord[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const kept = await letters.lettersOf(ref);
    if (kept.length >= count) return kept;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${ref}: ${count} letters were not kept (have ${(await letters.lettersOf(ref)).length})`);
}

/** A letter's PDF as one line of text (lines wrap where the page ends them). */
async function printed(letter: LetterRecord): Promise<string> {
  expect(letter).toMatchObject({ channel: 'post', status: 'to-post', hasPdf: true });
  return (await pdfText(await letters.letterPdf(letter.id))).text.replace(/\s+/g, ' ');
}

/** Every printed letter: the window address, no e-mail wording and no internal procedure label. */
function expectPostedLetter(text: string, ref: string): void {
  for (const line of ['Dundee City Council', 'Morag Brown', '12 High Street', 'DD1 1AA', `Our reference: ${ref}`])
    expect(text).toContain(line);
  expect(text).not.toMatch(/dundee-swd|spso-mchp|spso-social|@\d|reply to this e-mail/);
}

const notPostedReminders = () => mail.mailbox().filter((m) => m.subject.startsWith('Letter to post:'));

describe('letters to post', () => {
  it('are reminded to staff at the end of the next working day when not posted, and not when posted', async () => {
    // Friday 2 May 2031, 10:00 London: the next working day is Tuesday 6 May (Monday 5 is a bank holiday).
    await skipTo('2031-05-02T09:00:00Z');
    const unposted = await receive({ id: 'dundee-swd-2011', version: 1 });
    const posted = await receive({ id: 'dundee-swd-2011', version: 1 });
    for (const handle of [unposted, posted])
      await handle.executeUpdate(actionUpdates.acknowledge, { args: [{ actor: officer }] });
    const [letter] = await lettersOf(unposted.workflowId, 1);
    const [other] = await lettersOf(posted.workflowId, 1);
    expect(letter).toMatchObject({ kind: 'complaint-acknowledged', postBy: '2031-05-06T22:59:59.999Z', posted: null });
    expect(letter!.addressLines).toEqual(['Morag Brown', '12 High Street', 'Dundee', 'DD1 1AA']);
    const text = await printed(letter!);
    expectPostedLetter(text, unposted.workflowId);
    expect(text).toContain('We have received your complaint about Community Care');
    expect(text).toContain('at Level 1 of our Social Work complaints procedure (2011, four stages)');
    expect(text).toContain('write to us or telephone us');
    await letters.markPosted(other!.id, officer, new Date(await env.currentTimeMs()));

    // Tuesday 6 May, 23:00 London: the day is not over, nobody is reminded yet.
    await skipTo('2031-05-06T22:00:00Z');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(notPostedReminders()).toEqual([]);

    await skipTo('2031-05-06T23:01:00Z');
    const outcome = (letterId: string) =>
      env.client.workflow.getHandle<typeof letterPostingWorkflow>(letterPostingWorkflowId(letterId)).result();
    expect(await outcome(letter!.id)).toBe('reminded');
    expect(await outcome(other!.id)).toBe('posted');
    const [reminder, ...more] = notPostedReminders();
    expect(more).toEqual([]);
    expect(reminder!.subject).toBe(`Letter to post: complaint ${unposted.workflowId} not posted by Tuesday 6 May 2031`);
    expect(reminder!.rcptTo).toEqual(['community-care.complaints@council.example']);
    expect(reminder!.text).toContain(`Please print it from the letters to post (letter ${letter!.id})`);
    expect((await letters.letter(letter!.id)).remindedAt).not.toBeNull();
    expect((await letters.letter(other!.id)).remindedAt).toBeNull();
    expect((await letters.lettersToPost()).map((l) => l.id)).toEqual([letter!.id]);
  });

  it('Stage 2 after the front line passed it on, an extension, the outcome and the referral: each a PDF', async () => {
    // Wednesday 30 July 2031, 10:00 London, under the 2020 model procedure (the receipt day is day 1).
    await skipTo(JULY_30);
    const handle = await receive({ id: 'spso-mchp-2020', version: 1 });
    const act = async (name: keyof typeof actionUpdates, body: Record<string, unknown>, actor = officer) =>
      handle.executeUpdate(actionUpdates[name], { args: [{ ...body, actor } as never] });
    await act('request-escalation', {});
    await act('acknowledge', {});
    await act(
      'grant-extension',
      { days: 10, reason: 'Two more staff to interview', agreedWithComplainant: true },
      manager,
    );
    await act('record-outcome', { outcome: 'partially-upheld', findings: 'Two visits were missed.' });
    await act('refer-to-ombudsman', { reference: 'SPSO-31-0001' });
    const kept = await lettersOf(handle.workflowId, 4);
    expect(kept.map((letter) => letter.kind)).toEqual([
      'complaint-acknowledged',
      'extension-agreed',
      'outcome-letter',
      'ombudsman-referral-noted',
    ]);
    const [acknowledgement, extension, outcome, referral] = await Promise.all(kept.map(printed));
    for (const text of [acknowledgement, extension, outcome, referral]) expectPostedLetter(text!, handle.workflowId);
    // Stage 2 counts from the escalation, Wednesday 30 July = day 1; Monday 4 August is a holiday: day 20 is
    // Wednesday 27 August.
    expect(acknowledgement).toContain(
      'We could not resolve your complaint about Community Care at Stage 1: frontline response, so it has moved to the next stage, Stage 2: investigation',
    );
    expect(acknowledgement).toContain(
      'at Stage 2: investigation of our Model complaints handling procedure (SPSO, revised 2020)',
    );
    expect(acknowledgement).toContain('We will send you our response by Wednesday 27 August 2031');
    expect(acknowledgement).not.toContain('We have received your complaint');
    // Ten working days more: 28 and 29 August, 1-5 and 8-10 September.
    expect(extension).toContain('We said we would respond by Wednesday 27 August 2031');
    expect(extension).toContain('We will now send you our response by Wednesday 10 September 2031');
    expect(outcome).toContain('Our decision: your complaint is partially upheld.');
    expect(outcome).toContain('This is our final response to your complaint.');
    expect(outcome).toContain('you can ask the Scottish Public Services Ombudsman to look at it');
    expect(referral).toContain('has been referred to the Ombudsman (their reference SPSO-31-0001)');
  });

  it('a change of procedure names both procedures by their public names and gives the new date; then a withdrawal', async () => {
    // The same day as the test before (no skip: see skipTo).
    await skipTo(JULY_30);
    const handle = await receive({ id: 'dundee-swd-2011', version: 1 });
    const act = async (name: keyof typeof actionUpdates, body: Record<string, unknown>) =>
      handle.executeUpdate(actionUpdates[name], { args: [{ ...body, actor: manager } as never] });
    await act('migrate-procedure', { to: 'spso-mchp@1', reason: 'The council adopted the SPSO procedure' });
    await act('withdraw', { reason: 'Sorted out on the phone' });
    const kept = await lettersOf(handle.workflowId, 2);
    expect(kept.map((letter) => letter.kind)).toEqual(['procedure-changed', 'withdrawal-confirmed']);
    const [changed, withdrawn] = await Promise.all(kept.map(printed));
    for (const text of [changed, withdrawn]) expectPostedLetter(text!, handle.workflowId);
    expect(changed).toContain(
      'Your complaint was handled under our Social Work complaints procedure (2011, four stages).',
    );
    expect(changed).toContain(
      'The council now handles complaints under the SPSO model complaints handling procedure (two stages)',
    );
    expect(changed).toContain('It is now at Stage 1: frontline response.');
    // Counted afresh from the move under the 2016 model's first rule: day 1 is Thursday 31 July; Monday 4 August is
    // a holiday, so day 5 is Thursday 7 August.
    expect(changed).toContain('We will send you our response by Thursday 7 August 2031');
    expect(withdrawn).toContain('we have withdrawn your complaint about Community Care');
    expect(withdrawn).toContain('on Wednesday 30 July 2031');
  });
});
