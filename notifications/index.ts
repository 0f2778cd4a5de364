import path from 'node:path';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  NON_RETRYABLE_NOTICE_FAILURE,
  type LetterPostingRequest,
  type NoticeDelivery,
  type NoticeReceipt,
} from '../activities/contract';
import { letterIdFor } from '../domain/digests';
import { letterChannel } from '../domain/letters';
import { letterNotPostedNotice, type Notice } from '../domain/notices';
import type { LetterStore } from '../register/letters';
import { letterSettingsFrom, printedLetter, type LetterSettings } from './letters';
import type { AppConfig } from '../platform/config';
import { composeNotice, letterText, loadNoticeTemplates, type NoticeTemplates } from './messages';
import { allAddresses, resolveRecipients, type Mailbox } from './recipients';
import { SentLog } from './sent-log';
import { staffDirectoryFor, type StaffDirectory } from './staff-directory';
import {
  DEFAULT_SMTP_TIMEOUTS,
  outboxTransport,
  safeFileName,
  smtpTransport,
  type MailTransport,
  type SmtpTimeouts,
} from './transports';

// The notification activity's delivery: a Notice (domain/notices.ts) → recipients (staff directory) → an e-mail
// from the templates → SMTP_URL, or DATA_DIR/outbox/*.eml when no SMTP server is configured.
// Once only, as far as SMTP allows: every attempt at a notice is the same message (Message-ID from the notice id),
// and a notice recorded as accepted in DATA_DIR/notifications/sent.jsonl is not sent again (see sent-log.ts).

export { resolveRecipients } from './recipients';
export { composeNotice, noticeMessageId } from './messages';
export { loadStaffDirectory, defaultStaffDirectory, parseStaffDirectory, StaffDirectoryError } from './staff-directory';
export type { StaffDirectory } from './staff-directory';

export interface NoticeDeliveryOptions {
  /** Instead of STAFF_DIRECTORY_PATH (tests). */
  directory?: StaffDirectory;
  /** Shorter SMTP timeouts (tests); defaults suit the activity's 1-minute startToCloseTimeout. */
  smtpTimeouts?: Partial<SmtpTimeouts>;
  templates?: NoticeTemplates;
  /** One line per delivery and per problem; default: console. */
  log?: (line: string) => void;
  /**
   * Where letters to complainants are kept (the register's): a letter to a complainant without an e-mail address is
   * queued there to post, and a copy of every e-mailed one is kept. Absent: complainant letters cannot go by post.
   */
  letters?: LetterStore;
  /**
   * The receipt's addresses sealed under the complaint's data key (the register's `PersonalData.seal`): the receipt
   * goes into Temporal's history and the sent log onto this host's disk, and an erased complaint's addresses must be
   * unreadable in both. Absent (tests of the delivery alone): addresses as sent.
   */
  sealRecipients?: (ref: string, addresses: readonly string[]) => Promise<string[]>;
}

export type ClosableNoticeDelivery = NoticeDelivery & {
  close(): Promise<void>;
  readonly transport: 'smtp' | 'outbox';
  /** The reminder to staff of a letter to post not marked posted by its date (the letter-posting workflow's activity). */
  remindIfLetterNotPosted(request: LetterPostingRequest): Promise<'posted' | 'reminded'>;
};

export async function createNoticeDelivery(
  config: AppConfig,
  options: NoticeDeliveryOptions = {},
): Promise<ClosableNoticeDelivery> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { directory, source } = options.directory
    ? { directory: options.directory, source: 'given' }
    : staffDirectoryFor(config.STAFF_DIRECTORY_PATH);
  const templates = options.templates ?? loadNoticeTemplates();
  const outboxDir = path.join(config.DATA_DIR, 'outbox');
  const transport: MailTransport = config.SMTP_URL
    ? smtpTransport(config.SMTP_URL, { ...DEFAULT_SMTP_TIMEOUTS, ...options.smtpTimeouts })
    : outboxTransport(outboxDir);
  const sentLog = SentLog.open(path.join(config.DATA_DIR, 'notifications', 'sent.jsonl'));
  const mailFrom = config.MAIL_FROM;

  log(
    `[notifications] ${transport.kind === 'smtp' ? `sending over SMTP (${redactedUrl(config.SMTP_URL!)})` : `no SMTP_URL: writing e-mail to ${outboxDir}`}; ` +
      `staff directory: ${source}`,
  );

  // Log lines carry the complaint's reference and the notice kind, never an address (the receipt, which the payload
  // codec encrypts in Temporal, names the recipients).
  const recipientCount = (n: number) => `${n} recipient${n === 1 ? '' : 's'}`;

  const settings: LetterSettings = letterSettingsFrom(config, directory);
  const letters = options.letters;

  /** A letter to a complainant without an e-mail address: printed, and queued in the register to post. */
  async function queueToPost(notice: Notice): Promise<NoticeReceipt> {
    if (!letters)
      throw ApplicationFailure.nonRetryable(
        `notice ${notice.id}: the complainant gave no e-mail address and no letter store is configured`,
        NON_RETRYABLE_NOTICE_FAILURE,
      );
    const printed = await printedLetter(notice, { directory, templates, settings });
    const kept = await letters.keep({
      id: letterIdFor(notice.id),
      noticeId: notice.id,
      ref: notice.ref,
      kind: notice.kind,
      channel: 'post',
      recipientName: notice.complainant.name,
      ...(notice.complainant.address ? { addressLines: printed.addressLines } : {}),
      subject: printed.subject,
      body: printed.body,
      pdf: printed.pdf,
      createdAt: notice.occurredAt,
      ...(notice.postBy ? { postBy: notice.postBy } : {}),
    });
    log(`[notifications] ${notice.kind} for ${notice.ref} queued to post as letter ${kept.id}`);
    return { noticeId: notice.id, deliveredAs: `letter-to-post:${kept.id}`, recipients: [] };
  }

  /** A copy of an e-mailed letter to the complainant, kept in the complaint's record. */
  async function keepCopy(notice: Notice): Promise<void> {
    if (!letters || notice.audience !== 'complainant') return;
    const { subject, body } = letterText(notice, { directory, templates });
    await letters.keep({
      id: letterIdFor(notice.id),
      noticeId: notice.id,
      ref: notice.ref,
      kind: notice.kind,
      channel: 'email',
      recipientName: notice.complainant.name,
      ...(notice.complainant.email ? { recipientEmail: notice.complainant.email } : {}),
      subject,
      body,
      createdAt: notice.occurredAt,
    });
  }

  async function remindIfLetterNotPosted(request: LetterPostingRequest): Promise<'posted' | 'reminded'> {
    const letter = await letters?.get(request.letterId);
    if (letter && letter.status !== 'to-post') return 'posted';
    await deliver(letterNotPostedNotice(request.notice, request.postBy, request.letterId));
    await letters?.markReminded(request.letterId, new Date());
    return 'reminded';
  }

  async function deliver(notice: Notice): Promise<NoticeReceipt> {
    if (letterChannel(notice) === 'post') return queueToPost(notice);
    const receipt = await deliverByEmail(notice);
    await keepCopy(notice);
    return receipt;
  }

  async function deliverByEmail(notice: Notice): Promise<NoticeReceipt> {
    const already = sentLog.find(notice.id);
    if (already) {
      log(
        `[notifications] ${notice.kind} for ${notice.ref} was already delivered (${already.deliveredAs}); not sent again`,
      );
      return { noticeId: already.noticeId, deliveredAs: already.deliveredAs, recipients: already.recipients };
    }

    const resolved = resolveRecipients(notice, directory);
    if (!resolved.ok)
      throw ApplicationFailure.nonRetryable(
        `notice ${notice.id} has no recipient: ${resolved.reason}`,
        NON_RETRYABLE_NOTICE_FAILURE,
      );
    const { recipients } = resolved;
    const message = composeNotice(notice, recipients, { directory, mailFrom, templates });

    const activity = asyncLocalStorage.getStore();
    const attempt = activity?.info.attempt ?? 1;
    if (attempt > 1 && transport.kind === 'smtp') {
      log(
        `[notifications] attempt ${attempt} at ${notice.kind} for ${notice.ref}: sending again as ${message.messageId} (an earlier attempt's outcome is unknown)`,
      );
    }

    const sent = await transport.send(
      {
        from: mailFrom,
        to: recipients.to.map(address),
        cc: recipients.cc.map(address),
        ...(recipients.replyTo ? { replyTo: address(recipients.replyTo) } : {}),
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        references: message.references,
        date: message.date,
        headers: message.headers,
      },
      safeFileName(compactInstant(notice.occurredAt), notice.ref, notice.kind, message.messageId.slice(1, 13)),
      activity?.cancellationSignal,
    );
    if (sent.rejected.length > 0) {
      log(
        `[notifications] WARNING ${notice.kind} for ${notice.ref}: the mail server refused ${recipientCount(sent.rejected.length)}; delivered to ${recipientCount(sent.accepted.length)}`,
      );
    }
    const addresses = sent.accepted.length > 0 ? sent.accepted : allAddresses(recipients);
    const receipt: NoticeReceipt = {
      noticeId: notice.id,
      deliveredAs: sent.deliveredAs,
      recipients: options.sealRecipients ? await options.sealRecipients(notice.ref, addresses) : addresses,
    };
    await sentLog.record({ ...receipt, messageId: message.messageId, at: new Date().toISOString() });
    log(
      `[notifications] ${notice.kind} for ${notice.ref} → ${recipientCount(receipt.recipients.length)} (${sent.deliveredAs}) ${message.messageId}`,
    );
    return receipt;
  }

  return {
    transport: transport.kind,
    deliver,
    remindIfLetterNotPosted,
    close: () => transport.close(),
  };
}

function address(mailbox: Mailbox): { name: string; address: string } | string {
  return mailbox.name ? { name: mailbox.name, address: mailbox.address } : mailbox.address;
}

/** 2026-03-18T10:15:00.000Z → 20260318-101500 (UTC), so outbox files sort by when their event happened. */
function compactInstant(instant: string): string {
  return instant.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'SMTP_URL';
  }
}
