import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import { NON_RETRYABLE_NOTICE_FAILURE } from '../activities/contract';

// How a composed message leaves: over SMTP (SMTP_URL), or as an .eml file in DATA_DIR/outbox when no SMTP
// server is configured. Both give back what was accepted; SMTP failures are sorted into permanent ones
// (NoticeUndeliverable: retrying cannot help) and the rest, which the activity's retry policy retries.

export interface SentMessage {
  /** The SMTP server's reply, or the outbox file written. */
  deliveredAs: string;
  accepted: string[];
  rejected: string[];
}

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** `fileName`: a safe, deterministic base name for the outbox. */
  send(message: SendMailOptions, fileName: string, signal?: AbortSignal): Promise<SentMessage>;
  close(): Promise<void>;
}

export interface SmtpTimeouts {
  /** To open the TCP (or TLS) connection. */
  connectionMs: number;
  /** From connecting to the server's 220 greeting. */
  greetingMs: number;
  /** Of silence on the connection at any later point, e.g. waiting for the reply to the message. */
  socketMs: number;
  /** The whole send, after which it is abandoned (the activity's startToClose is 1 minute). */
  totalMs: number;
}

/** Well inside the notification activity's startToCloseTimeout (1 minute), so a hung server fails the attempt, not the activity's budget. */
export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = {
  connectionMs: 10_000,
  greetingMs: 10_000,
  socketMs: 30_000,
  totalMs: 50_000,
};

export function smtpTransport(smtpUrl: string, timeouts: SmtpTimeouts = DEFAULT_SMTP_TIMEOUTS): MailTransport {
  // One connection per message (no pool): notices are few, and a fresh connection cannot be a stale one.
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    dnsTimeout: timeouts.connectionMs,
  });
  return {
    kind: 'smtp',
    async send(message, _fileName, signal) {
      const deadline = AbortSignal.timeout(timeouts.totalMs);
      try {
        const info = await transporter.sendMail({
          ...message,
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        });
        return {
          deliveredAs: `smtp: ${withoutAddresses(info.response)}`,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
        };
      } catch (err) {
        throw smtpFailure(err as NodemailerError);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * A permanent refusal (a 5xx reply to the recipients or to the message, e.g. 550 no such user) is non-retryable;
 * anything else (connection refused or dropped, timeouts, 4xx, authentication) is retried with backoff.
 *
 * Its message and details name no recipient (issue 14): mail servers quote the address they refuse ("550 5.1.1
 * <pat@example.org>: no such user"), and the failure goes where personal data must not: the worker's log line for the
 * failed activity, the complaint's `notification-failed` entry (kept in the register after an erasure) and Temporal's
 * history. So every address in the server's words is replaced, the refused recipients are counted, not listed, and
 * nodemailer's error (which lists them) is not kept as the cause.
 */
export function smtpFailure(err: NodemailerError): ApplicationFailure {
  const reply = err.responseCode ? ` (${err.command ?? 'SMTP'}: ${err.response ?? err.responseCode})` : '';
  const permanent = isPermanentRefusal(err);
  const message = permanent
    ? `the mail server refused the message for good: ${err.message}`
    : `${describeTransientFailure(err)}${reply}`;
  return ApplicationFailure.create({
    message: withoutAddresses(message),
    type: permanent ? NON_RETRYABLE_NOTICE_FAILURE : 'SmtpUnavailable',
    nonRetryable: permanent,
    details: [
      {
        code: err.code ?? null,
        responseCode: err.responseCode ?? null,
        command: err.command ?? null,
        rejected: err.rejected?.length ?? 0,
      },
    ],
  });
}

/** `text` with every e-mail address in it replaced by `<address>` (a mail server's reply quoting a recipient). */
export function withoutAddresses(text: string): string {
  return text.replace(/<?[^\s<>()@,;:"]+@[^\s<>()@,;:"]+>?/g, '<address>');
}

function isPermanentRefusal(err: NodemailerError): boolean {
  if (err.code !== 'EENVELOPE' && err.code !== 'EMESSAGE') return false;
  const replies = err.rejectedErrors && err.rejectedErrors.length > 0 ? err.rejectedErrors : [err];
  return replies.every((reply) => reply.permanent === true);
}

function describeTransientFailure(err: NodemailerError): string {
  if (err.code === 'ETIMEDOUT' || err.name === 'TimeoutError')
    return `the mail server did not answer in time (${err.timeoutType ?? 'whole send'}); a retry sends the same Message-ID`;
  if (err.code === 'EABORT' || err.name === 'AbortError')
    return 'sending was abandoned (activity cancelled or out of time); a retry sends the same Message-ID';
  if (err.originalCode === 'ECONNREFUSED' || err.code === 'ECONNREFUSED')
    return `the mail server refused the connection: ${err.message}`;
  return `could not send the e-mail: ${err.message}`;
}

/** Writes each message as `<dir>/<fileName>.eml` (RFC 822, openable in any mail client) instead of sending it. */
export function outboxTransport(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(message, fileName) {
      const info = await composer.sendMail(message);
      const file = path.join(dir, `${fileName}.eml`);
      await mkdir(dir, { recursive: true });
      // Written whole or not at all: a reader never sees half a message.
      const partial = `${file}.${process.pid}.tmp`;
      await writeFile(partial, info.message as Buffer);
      await rename(partial, file);
      const recipients = [...info.envelope.to];
      return { deliveredAs: `outbox: ${file}`, accepted: recipients, rejected: [] };
    },
    async close() {
      composer.close();
    },
  };
}

/** A file name from any text: letters, digits, dots and dashes only. */
export function safeFileName(...parts: string[]): string {
  return parts
    .map((part) => part.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('_')
    .slice(0, 180);
}
