import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config';
import { repoRoot } from '../../platform/repo-root';
import { createNoticeDelivery, noticeMessageId, type NoticeDeliveryOptions } from '../../notifications';
import { ERASED_TEXT, isSealedText } from '../../domain/personal-fields';
import { openPgliteInMemory, registerOver } from '../../register';
import { TestMailServer } from '../support/mail-server';
import { testPayloadKeys } from '../support/payload-keys';
import { noticeOfEachKind } from './notice-fixtures';

// The delivery on its own (no Temporal): SMTP against a real server in this process, and the outbox.

const STAFF_DIRECTORY_PATH = path.join(repoRoot(), 'config', 'staff-directory.example.yaml');
const MAIL_FROM = 'Complaints <complaints@council.example>';
const notices = noticeOfEachKind();
const fastTimeouts = { connectionMs: 1_000, greetingMs: 1_000, socketMs: 400, totalMs: 5_000 };

const server = new TestMailServer();
const opened: { close(): Promise<void> }[] = [];

beforeAll(() => server.start());
afterAll(() => server.stop());
afterEach(async () => {
  await Promise.all(opened.splice(0).map((delivery) => delivery.close()));
  server.transactions.length = 0;
  server.unknownRecipients.clear();
});

async function delivery(env: Record<string, string>, options: NoticeDeliveryOptions = {}) {
  const lines: string[] = [];
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'notices-'));
  const config = loadConfig({ MAIL_FROM, STAFF_DIRECTORY_PATH, ...env, DATA_DIR: dataDir });
  const created = await createNoticeDelivery(config, {
    smtpTimeouts: fastTimeouts,
    log: (line) => lines.push(line),
    ...options,
  });
  opened.push(created);
  return { delivery: created, lines, dataDir };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('over SMTP', () => {
  it('sends to the case officer, copies the manager, with the deterministic Message-ID and a 250 receipt', async () => {
    const { delivery: smtp, lines } = await delivery({ SMTP_URL: server.url });
    expect(smtp.transport).toBe('smtp');
    const notice = notices['response-overdue'];
    const receipt = await smtp.deliver(notice);

    expect(receipt).toEqual({
      noticeId: notice.id,
      deliveredAs: expect.stringMatching(/^smtp: 250 /),
      recipients: ['sam.jones@council.example', 'alex.brown@council.example'],
    });
    const [mail] = server.transactions;
    expect(server.transactions).toHaveLength(1);
    expect(mail!.mailFrom).toBe('complaints@council.example');
    expect(mail!.rcptTo).toEqual(['sam.jones@council.example', 'alex.brown@council.example']);
    expect(mail!.to).toEqual(['sam.jones@council.example']);
    expect(mail!.cc).toEqual(['alex.brown@council.example']);
    expect(mail!.messageId).toBe(noticeMessageId(notice.id, MAIL_FROM));
    expect(mail!.subject).toBe('Overdue: response to complaint SW-2026-000123 was due by Monday 16 March 2026');
    expect(mail!.parsed.date?.toISOString()).toBe(notice.occurredAt);
    expect(mail!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail!.parsed.headers.get('x-complaint-notice')).toBe(notice.id);
    expect(mail!.text).toContain('was due by Monday 16 March 2026 at 10:15');
    expect(mail!.html).toContain('<strong>Monday 16 March 2026 at 10:15</strong>');
    expect(lines.at(-1)).toMatch(
      /^\[notifications\] response-overdue for SW-2026-000123 → 2 recipients \(smtp: 250 .*\) <[0-9a-f]{64}@complaints\.council\.example>$/,
    );
  });

  it("replies to the complainant's letters go to the service area's team", async () => {
    const { delivery: smtp } = await delivery({ SMTP_URL: server.url });
    await smtp.deliver(notices['complaint-acknowledged']);
    expect(server.transactions[0]).toMatchObject({
      to: ['pat@example.org'],
      replyTo: ['community-care.complaints@council.example'],
      subject: 'Your complaint SW-2026-000123: we have received it',
    });
  });

  it('does not send a notice again once the server accepted it, also after a restart (sent log under DATA_DIR)', async () => {
    const first = await delivery({ SMTP_URL: server.url });
    const notice = notices['response-reminder'];
    const receipt = await first.delivery.deliver(notice);
    expect(await first.delivery.deliver(notice)).toEqual(receipt);
    await first.delivery.close();

    const restarted = await delivery({ SMTP_URL: server.url, DATA_DIR: first.dataDir });
    expect(await restarted.delivery.deliver(notice)).toEqual(receipt);
    expect(restarted.lines.at(-1)).toMatch(/already delivered .*not sent again/);
    expect(server.transactions).toHaveLength(1);
    expect(
      readFileSync(path.join(first.dataDir, 'notifications', 'sent.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1);
  });

  it('a recipient the server does not know (550) is a non-retryable NoticeUndeliverable', async () => {
    server.unknownRecipients.add('sam.jones@council.example');
    const { delivery: smtp } = await delivery({ SMTP_URL: server.url });
    const failure = await failureOf(smtp.deliver(notices['response-reminder']));
    expect(failure.type).toBe('NoticeUndeliverable');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(
      /refused the message for good: .*550 5\.1\.1 <address>: Recipient address rejected/,
    );
    // The refused address is in neither its message, its details nor a cause (the worker logs the failure, and the
    // complaint's timeline keeps its message after an erasure): counted, not named.
    expect(JSON.stringify([failure.message, failure.details, failure.cause ?? null])).not.toContain('@');
    expect(failure.details).toEqual([{ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', rejected: 1 }]);
    expect(server.transactions).toHaveLength(0);
  });

  it('a copied recipient refused while the main one is accepted: delivered to the one accepted, with a warning', async () => {
    server.unknownRecipients.add('alex.brown@council.example');
    const { delivery: smtp, lines } = await delivery({ SMTP_URL: server.url });
    const receipt = await smtp.deliver(notices['response-overdue']);
    expect(receipt.recipients).toEqual(['sam.jones@council.example']);
    expect(lines.some((line) => /WARNING .*refused 1 recipient; delivered to 1 recipient$/.test(line))).toBe(true);
    // Log lines name the complaint, never an address.
    expect(lines.join('\n')).not.toMatch(/@council\.example/);
  });

  it('a server that is down is a retryable failure', async () => {
    const down = new TestMailServer();
    await down.start();
    await down.stop();
    const { delivery: smtp } = await delivery({ SMTP_URL: down.url });
    const failure = await failureOf(smtp.deliver(notices['response-reminder']));
    expect(failure.type).toBe('SmtpUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/refused the connection/);
  });

  it('a reply that comes too late is a retryable failure; the retry is the same message', async () => {
    server.replyDelayMs = 1_500;
    server.delayedReplies = 1;
    const { delivery: smtp } = await delivery({ SMTP_URL: server.url });
    const notice = notices['acknowledgement-reminder'];
    const failure = await failureOf(smtp.deliver(notice));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/did not answer in time .*same Message-ID/);
    // The server took the message in all the same.
    expect(server.transactions).toHaveLength(1);

    await smtp.deliver(notice);
    expect(server.transactions).toHaveLength(2);
    expect(new Set(server.transactions.map((mail) => mail.messageId))).toEqual(
      new Set([noticeMessageId(notice.id, MAIL_FROM)]),
    );
    expect(server.transactions[0]!.text).toBe(server.transactions[1]!.text);
    expect(server.mailbox()).toHaveLength(1);
  });
});

describe('without SMTP_URL: the outbox', () => {
  it('writes each message as a readable .eml file under DATA_DIR/outbox and logs one line', async () => {
    const { delivery: outbox, lines, dataDir } = await delivery({});
    expect(outbox.transport).toBe('outbox');
    expect(lines[0]).toMatch(
      /no SMTP_URL: writing e-mail to .*outbox; staff directory: .*staff-directory\.example\.yaml/,
    );

    const receipt = await outbox.deliver(notices['outcome-letter']);
    const files = readdirSync(path.join(dataDir, 'outbox'));
    expect(files).toHaveLength(1);
    const file = path.join(dataDir, 'outbox', files[0]!);
    expect(files[0]).toMatch(/^20260318-101500_SW-2026-000123_outcome-letter_[0-9a-f]{12}\.eml$/);
    expect(receipt).toEqual({
      noticeId: notices['outcome-letter'].id,
      deliveredAs: `outbox: ${file}`,
      recipients: ['pat@example.org'],
    });
    expect(lines.at(-1)).toBe(
      `[notifications] outcome-letter for SW-2026-000123 → 1 recipient (outbox: ${file}) ${noticeMessageId(notices['outcome-letter'].id, MAIL_FROM)}`,
    );

    const raw = readFileSync(file);
    expect(raw.toString('utf8')).toMatch(/^Content-Type: multipart\/alternative/m);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe('Your complaint SW-2026-000123: our response at Level 1');
    expect(mail.from?.value).toEqual([{ name: 'Complaints', address: 'complaints@council.example' }]);
    expect(mail.messageId).toBe(noticeMessageId(notices['outcome-letter'].id, MAIL_FROM));
    expect(mail.text).toContain('You must ask by Wednesday 15 April 2026.');
    expect(mail.html).toContain('<strong>Wednesday 15 April 2026</strong>');

    await outbox.deliver(notices['outcome-letter']);
    expect(readdirSync(path.join(dataDir, 'outbox'))).toHaveLength(1);
  });

  it('uses the built-in directory without STAFF_DIRECTORY_PATH', async () => {
    const { delivery: outbox, lines, dataDir } = await delivery({ STAFF_DIRECTORY_PATH: '' });
    expect(lines[0]).toMatch(/staff directory: built-in/);
    await outbox.deliver(noticeOfEachKind({ withOfficer: false })['response-overdue']);
    const [file] = readdirSync(path.join(dataDir, 'outbox'));
    const mail = await simpleParser(readFileSync(path.join(dataDir, 'outbox', file!)));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((m) => m.address) : []).toEqual([
      'community-care.complaints@council.example',
    ]);
  });
});

describe("the receipt's addresses, sealed under the complaint's key (as the worker delivers)", () => {
  it('are in neither the receipt nor the sent log as text, open for the complaint, and unreadable once it is erased', async () => {
    const register = await registerOver(await openPgliteInMemory(), { keys: testPayloadKeys() });
    try {
      const notice = notices['complaint-acknowledged'];
      const address = notice.complainant.email!;
      const { delivery: outbox, dataDir } = await delivery(
        {},
        {
          sealRecipients: (ref, addresses) =>
            Promise.all(addresses.map((recipient) => register.personalData.seal(ref, recipient))),
        },
      );
      const receipt = await outbox.deliver(notice);
      expect(receipt.recipients.length).toBeGreaterThan(0);
      expect(receipt.recipients.every(isSealedText)).toBe(true);
      expect(JSON.stringify(receipt)).not.toContain(address);
      expect(await register.personalData.open(receipt.recipients)).toContain(address);
      const sentLog = readFileSync(path.join(dataDir, 'notifications', 'sent.jsonl'), 'utf8');
      expect(sentLog).not.toContain(address);
      // A repeat answers from the sent log: the same sealed receipt.
      expect(await outbox.deliver(notice)).toEqual(receipt);

      await register.personalData.erase(notice.ref, {
        at: new Date(),
        by: { id: 'manager.brown' },
        rule: 'request',
        reason: 'test',
      });
      expect(await register.personalData.open(receipt.recipients)).toEqual(receipt.recipients.map(() => ERASED_TEXT));
    } finally {
      await register.close();
    }
  });
});
