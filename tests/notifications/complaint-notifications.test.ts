// Notices from the real complaint workflow, through the real worker and the real notification activity, to a
// real SMTP server in this process; time moves on the time-skipping server.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activityInfo } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/complaint-activities';
import type { NoticeDelivery } from '../../activities/contract';
import type { Notice } from '../../domain/notices';
import { createNoticeDelivery, noticeMessageId } from '../../notifications';
import { ukDate } from '../../notifications/messages';
import { loadConfig } from '../../platform/config';
import { repoRoot } from '../../platform/repo-root';
import { createComplaintsWorker } from '../../worker/create-worker';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { ComplaintHarness, DAY_MS, HOUR_MS } from '../support/complaint-harness';
import { TestMailServer, type ReceivedMail } from '../support/mail-server';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';
import { executeUpdateForState } from '../../platform/complaint-actions';

const MAIL_FROM = 'Complaints <complaints@council.example>';
const SAM = 'sam.jones@council.example';
const ALEX = 'alex.brown@council.example';
const TEAM = 'community-care.complaints@council.example';
const PAT = 'pat@example.org';

let env: TestWorkflowEnvironment;
let h: ComplaintHarness;
let worker: Worker;
let running: Promise<void>;
let closeDelivery: () => Promise<void>;
const mail = new TestMailServer();

/** Every call of the activity's delivery: which notice, which attempt, how it ended. */
const attempts: { notice: Notice; attempt: number; error?: string }[] = [];
/** Runs after a successful delivery, inside the activity (a test may make the attempt fail there). */
let afterDelivery: ((notice: Notice, attempt: number) => void) | undefined;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  h = new ComplaintHarness(env);
  await mail.start();
  const config = loadConfig({
    SMTP_URL: mail.url,
    MAIL_FROM,
    STAFF_DIRECTORY_PATH: path.join(repoRoot(), 'config', 'staff-directory.example.yaml'),
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'complaint-notices-')),
  });
  // Short SMTP timeouts: the server's late reply below need only be 1.5 s late.
  const delivery = await createNoticeDelivery(config, {
    smtpTimeouts: { connectionMs: 1_000, greetingMs: 1_000, socketMs: 500, totalMs: 5_000 },
    log: () => undefined,
  });
  closeDelivery = () => delivery.close();
  const observed: NoticeDelivery = {
    async deliver(notice) {
      const { attempt } = activityInfo();
      try {
        const receipt = await delivery.deliver(notice);
        afterDelivery?.(notice, attempt);
        attempts.push({ notice, attempt });
        return receipt;
      } catch (err) {
        attempts.push({ notice, attempt, error: (err as Error).message });
        throw err;
      }
    },
  };
  worker = await createComplaintsWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: h.taskQueue,
    activities: createActivities({ register: h.recorded, delivery: observed }),
    workflowBundle: await bundleComplaintWorkflows(),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await closeDelivery?.();
  await mail.stop();
  await env?.teardown();
});

const officerJones = { id: 'officer.jones', name: 'Sam Jones' };
const clerk = { id: 'intake.smith', name: 'Jo Smith' };

type Handle = Awaited<ReturnType<ComplaintHarness['startComplaint']>>;
const assign = (handle: Handle) =>
  executeUpdateForState(handle, actionUpdates.assign, {
    args: [{ actor: { ...clerk, role: 'manager' }, officer: officerJones }],
  });
const acknowledge = (handle: Handle) =>
  executeUpdateForState(handle, actionUpdates.acknowledge, { args: [{ actor: officerJones }] });
const recordOutcome = (handle: Handle, outcome: 'upheld' | 'partially-upheld' | 'not-upheld') =>
  executeUpdateForState(handle, actionUpdates['record-outcome'], {
    args: [{ actor: officerJones, outcome, findings: 'The visits were missed because of a rota error.' }],
  });

const isNotice = (m: ReceivedMail, ref: string, kind: Notice['kind']) =>
  m.parsed.headers.get('x-complaint-reference') === ref &&
  String(m.parsed.headers.get('x-complaint-notice')).split('/')[1] === kind;
/** SMTP transactions carrying notices of this kind about this complaint (a retried send counts again). */
const mailOf = (ref: string, kind: Notice['kind']): ReceivedMail[] =>
  mail.transactions.filter((m) => isNotice(m, ref, kind));
const attemptsAt = (ref: string, kind: Notice['kind']) =>
  attempts.filter((a) => a.notice.ref === ref && a.notice.kind === kind);
const waitForMail = (ref: string, kind: Notice['kind'], count = 1) =>
  mail.waitFor(() => mailOf(ref, kind).length >= count, 20_000, `${count} × ${kind} for ${ref}`);

/** The one message of a kind for a complaint, checked to carry its notice's deterministic Message-ID. */
async function theMail(ref: string, kind: Notice['kind']): Promise<ReceivedMail> {
  await waitForMail(ref, kind);
  const received = mailOf(ref, kind);
  expect(received, kind).toHaveLength(1);
  const message = received[0]!;
  expect(message.messageId).toBe(noticeMessageId(String(message.parsed.headers.get('x-complaint-notice')), MAIL_FROM));
  return message;
}

const failuresOf = async (handle: Handle) =>
  (await handle.query(complaintStateQuery)).timeline.flatMap((entry) =>
    entry.type === 'notification-failed' ? [entry] : [],
  );

afterEach(() => {
  afterDelivery = undefined;
  mail.unknownRecipients.clear();
  mail.delayedReplies = 0;
});

describe('each notice reaches the right people', () => {
  it('a Level 1 complaint: team mailbox before assignment, then the officer (manager copied on the response breach), and the complainant', async () => {
    const handle = await h.startComplaint(await h.input());
    const ref = handle.workflowId;
    const { stages } = await handle.query(complaintStateQuery);
    const ackDue = ukDate(Date.parse(stages[0]!.acknowledgement!.dueAt));
    const responseDue = ukDate(Date.parse(stages[0]!.response.dueAt));

    // No case officer yet: the acknowledgement reminder (day 4) and breach (day 5) go to the service area's team.
    await env.sleep(5 * DAY_MS + HOUR_MS);
    expect(await theMail(ref, 'acknowledgement-reminder')).toMatchObject({
      rcptTo: [TEAM],
      subject: `Reminder: acknowledge complaint ${ref} by ${ackDue}`,
    });
    const ackOverdue = await theMail(ref, 'acknowledgement-overdue');
    expect(ackOverdue).toMatchObject({
      rcptTo: [TEAM],
      subject: `Overdue: complaint ${ref} was not acknowledged by ${ackDue}`,
    });
    expect(ackOverdue.text).toContain('Dear Community Care complaints team,');

    await assign(handle);
    expect(await theMail(ref, 'case-assigned')).toMatchObject({
      rcptTo: [SAM],
      to: [SAM],
      subject: `Complaint ${ref} assigned to Sam Jones`,
    });

    await acknowledge(handle);
    const acknowledgement = await theMail(ref, 'complaint-acknowledged');
    expect(acknowledgement).toMatchObject({
      rcptTo: [PAT],
      replyTo: [TEAM],
      subject: `Your complaint ${ref}: we have received it`,
    });
    expect(acknowledgement.text).toContain(`Your complaint reference is ${ref}.`);
    expect(acknowledgement.text).toContain(
      'Your complaint is being dealt with at Level 1 of our Social Work complaints procedure',
    );
    expect(acknowledgement.text).toContain(`We will send you our response by ${responseDue}.`);

    // Response reminder 72 hours before day 14, breach at day 14: the officer, and their manager on the breach.
    await env.sleep(9 * DAY_MS);
    expect(await theMail(ref, 'response-reminder')).toMatchObject({
      rcptTo: [SAM],
      cc: [],
      subject: `Reminder: response to complaint ${ref} due by ${responseDue}`,
    });
    const responseOverdue = await theMail(ref, 'response-overdue');
    expect(responseOverdue).toMatchObject({
      rcptTo: [SAM, ALEX],
      to: [SAM],
      cc: [ALEX],
      subject: `Overdue: response to complaint ${ref} was due by ${responseDue}`,
    });
    expect(responseOverdue.text).toContain('A copy goes to Alex Brown.');

    const afterOutcome = await recordOutcome(handle, 'partially-upheld');
    const escalateBy = ukDate(Date.parse(afterOutcome.stages[0]!.escalationWindowEndsAt!));
    const letter = await theMail(ref, 'outcome-letter');
    expect(letter).toMatchObject({
      rcptTo: [PAT],
      replyTo: [TEAM],
      subject: `Your complaint ${ref}: our response at Level 1`,
    });
    expect(letter.text).toContain('Our decision: your complaint is partially upheld.');
    expect(letter.text).toContain(
      `you can ask for your complaint to be considered at the next stage, Level 2. You must ask by ${escalateBy}.`,
    );
    expect(letter.html).toContain(`<strong>${escalateBy}</strong>`);

    expect(mail.transactions.filter((m) => m.parsed.headers.get('x-complaint-reference') === ref)).toHaveLength(7);
    expect(await failuresOf(handle)).toEqual([]);
  });

  it('after the final stage the outcome letter explains how to go to the Ombudsman, and by when', async () => {
    const handle = await h.startComplaint(await h.input({ details: { serious: true } }));
    const ref = handle.workflowId;
    await assign(handle);
    await acknowledge(handle);
    await recordOutcome(handle, 'not-upheld');
    await executeUpdateForState(handle, actionUpdates['request-escalation'], {
      args: [{ actor: clerk, bypass: true }],
    });
    await acknowledge(handle);
    const final = await recordOutcome(handle, 'upheld');
    const referBy = ukDate(Date.parse(final.stages[1]!.escalationWindowEndsAt!));

    await waitForMail(ref, 'complaint-acknowledged', 2);
    expect(mailOf(ref, 'complaint-acknowledged').map((m) => /dealt with at (.+?) of our/.exec(m.text)?.[1])).toEqual([
      'Level 2',
      'Complaints Review Committee',
    ]);
    await waitForMail(ref, 'outcome-letter', 2);
    const [level2, committee] = mailOf(ref, 'outcome-letter');
    expect(level2!.text).toContain('at the next stage, Review by the Director');
    expect(committee!.subject).toBe(`Your complaint ${ref}: our response at Complaints Review Committee`);
    expect(committee!.text).toContain(
      'This is our final response to your complaint. If you remain dissatisfied, you can ask the Scottish Public Services Ombudsman to look at it.',
    );
    expect(committee!.text).toContain(`You must contact them by ${referBy}: see https://www.spso.org.uk`);
    expect(new Set(mailOf(ref, 'outcome-letter').map((m) => m.messageId)).size).toBe(2);
  });
});

describe('when delivery goes wrong', () => {
  it('SMTP refusing connections for a while, then recovering: retried with backoff, delivered exactly once', async () => {
    const handle = await h.startComplaint(await h.input());
    const ref = handle.workflowId;
    await mail.refuseConnections();
    await assign(handle);
    // The workflow's retry policy: 5 s, then doubling. A minute of server time is four attempts.
    await env.sleep(60_000);
    const failed = attemptsAt(ref, 'case-assigned');
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.every((a) => /refused the connection/.test(a.error ?? ''))).toBe(true);
    expect(mailOf(ref, 'case-assigned')).toEqual([]);

    await mail.resume();
    await env.sleep(5 * 60_000);
    expect(await theMail(ref, 'case-assigned')).toMatchObject({ rcptTo: [SAM] });
    expect(attemptsAt(ref, 'case-assigned').filter((a) => !a.error)).toHaveLength(1);
    expect(await failuresOf(handle)).toEqual([]);
  });

  it('an address the mail server does not know: recorded as a failed notification at once; the deadlines still fire on time', async () => {
    mail.unknownRecipients.add(SAM);
    const handle = await h.startComplaint(await h.input());
    const ref = handle.workflowId;
    await assign(handle);
    await env.sleep(15 * DAY_MS);

    const state = await handle.query(complaintStateQuery);
    const failures = await failuresOf(handle);
    expect(failures.map((f) => f.notice.split('/')[1])).toEqual([
      'case-assigned',
      'acknowledgement-reminder',
      'acknowledgement-overdue',
      'response-reminder',
    ]);
    for (const failure of failures) {
      // The timeline (kept in the register, after an erasure too) names no address (issue 14).
      expect(failure.reason).toMatch(
        /refused the message for good: .*550 5\.1\.1 <address>: Recipient address rejected/,
      );
      expect(failure.reason).not.toContain('@');
      expect(failure.actor.id).toBe('system');
    }
    // Non-retryable: one attempt each.
    expect(attemptsAt(ref, 'case-assigned')).toHaveLength(1);
    // The response breach still reached the manager copied on it.
    expect(await theMail(ref, 'response-overdue')).toMatchObject({ rcptTo: [ALEX], cc: [ALEX] });

    // The complaint's own clock is untouched: every reminder and breach at its time, to the second.
    const received = Date.parse(state.receivedAt);
    const timers = state.timeline.filter((e) => e.type === 'reminder-issued' || e.type === 'deadline-breached');
    expect(
      timers.map((e) => {
        const due = Date.parse(e.dueAt) - (e.type === 'reminder-issued' ? e.hoursBefore * HOUR_MS : 0);
        expect(Date.parse(e.at) - due).toBeLessThan(1_000);
        return [e.type, e.deadline, (due - received) / DAY_MS];
      }),
    ).toEqual([
      ['reminder-issued', 'acknowledgement', 4],
      ['deadline-breached', 'acknowledgement', 5],
      ['reminder-issued', 'response', 11],
      ['deadline-breached', 'response', 14],
    ]);
    expect(state.status).toBe('open');
  });

  it('one deadline yields one notice even when the first attempt timed out after the server accepted it', async () => {
    const handle = await h.startComplaint(await h.input());
    const ref = handle.workflowId;
    await assign(handle);
    await theMail(ref, 'case-assigned');
    // The next message is taken in whole, but the 250 comes 1.5 s later: after the client's 0.5 s socket timeout.
    mail.replyDelayMs = 1_500;
    mail.delayedReplies = 1;
    await env.sleep(4 * DAY_MS + HOUR_MS);
    await waitForMail(ref, 'acknowledgement-reminder', 2);

    // The activity saw a timeout, then succeeded on its retry: nothing recorded as failed.
    const tries = attemptsAt(ref, 'acknowledgement-reminder');
    expect(tries.map((a) => a.attempt)).toEqual([1, 2]);
    expect(tries[0]!.error).toMatch(/^the mail server did not answer in time/);
    expect(tries[1]!.error).toBeUndefined();
    const state = await handle.query(complaintStateQuery);
    expect(state.timeline.filter((e) => e.type === 'reminder-issued')).toHaveLength(1);
    expect(await failuresOf(handle)).toEqual([]);

    // The server has the message twice, as the same message: one Message-ID, derived from the one notice.
    const sent = mailOf(ref, 'acknowledgement-reminder');
    const noticeId = String(sent[0]!.parsed.headers.get('x-complaint-notice'));
    expect(sent.map((m) => m.messageId)).toEqual([
      noticeMessageId(noticeId, MAIL_FROM),
      noticeMessageId(noticeId, MAIL_FROM),
    ]);
    expect(sent[1]!.text).toBe(sent[0]!.text);
    // What the officer's mailbox shows (one message per Message-ID, as Gmail or Exchange do): one reminder.
    expect(mail.mailFor(SAM).filter((m) => isNotice(m, ref, 'acknowledgement-reminder'))).toHaveLength(1);
  });

  it('an attempt that fails after the server accepted the message (e.g. the worker died before reporting) is not sent again', async () => {
    const handle = await h.startComplaint(await h.input());
    const ref = handle.workflowId;
    afterDelivery = (notice, attempt) => {
      if (notice.ref === ref && attempt === 1) throw new Error('worker stopped before reporting the delivery');
    };
    await assign(handle);
    await env.sleep(60_000);
    expect(attemptsAt(ref, 'case-assigned').map((a) => [a.attempt, a.error ?? 'ok'])).toEqual([
      [1, 'worker stopped before reporting the delivery'],
      [2, 'ok'],
    ]);
    expect(mailOf(ref, 'case-assigned')).toHaveLength(1);
    expect(await failuresOf(handle)).toEqual([]);
  });
});
