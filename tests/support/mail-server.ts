import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { loadConfig, type AppConfig } from '../../platform/config';
import { repoRoot } from '../../platform/repo-root';

// A real SMTP server in the test process (the smtp-server package) on 127.0.0.1, with the failures the
// notification tests need: refusing connections (not listening), refusing recipients (550), and accepting a
// message but answering too late. It keeps every SMTP transaction it accepted, and a mailbox view that, like
// Gmail or Exchange, shows a message once however often it arrives with the same Message-ID.

export interface ReceivedMail {
  /** The SMTP envelope. */
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
  messageId: string;
  subject: string;
  /** Addresses from the headers. */
  to: string[];
  cc: string[];
  replyTo: string[];
  text: string;
  html: string;
  /** When the server took the message in (before its 250 reply), epoch ms. */
  receivedAtMs: number;
}

export class TestMailServer {
  /** Every transaction whose message the server took in (answered 250 or not). */
  readonly transactions: ReceivedMail[] = [];
  /** Recipients answered with 550 5.1.1 at RCPT TO. */
  readonly unknownRecipients = new Set<string>();
  /** After taking in a message, wait this long before the 250 reply (the client may have given up by then). */
  replyDelayMs = 0;
  /** How many of the next messages get the delayed reply (then replies are prompt again). */
  delayedReplies = 0;
  connectionAttempts = 0;
  private server!: SMTPServer;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect: (_session, callback) => {
        this.connectionAttempts++;
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        if (this.unknownRecipients.has(address.address.toLowerCase())) {
          return callback(
            Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: no such user`), {
              responseCode: 550,
            }),
          );
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const receivedAtMs = Date.now();
          const envelope = {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          };
          void simpleParser(raw).then((parsed) => {
            this.transactions.push({ ...envelope, raw, parsed, ...summarise(parsed), receivedAtMs });
            this.notify();
            if (this.delayedReplies > 0) {
              this.delayedReplies--;
              setTimeout(() => callback(), this.replyDelayMs);
            } else {
              callback();
            }
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server.on('error', () => undefined);
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Stops listening: connections are refused until `resume()` listens on the same port again. */
  async refuseConnections(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async resume(): Promise<void> {
    await this.start(this.port);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** What a person's mailbox shows: one message per Message-ID. */
  mailbox(): ReceivedMail[] {
    const byId = new Map<string, ReceivedMail>();
    for (const mail of this.transactions) if (!byId.has(mail.messageId)) byId.set(mail.messageId, mail);
    return [...byId.values()];
  }

  /** Messages (one per Message-ID) addressed to `address` in To or Cc. */
  mailFor(address: string): ReceivedMail[] {
    const wanted = address.toLowerCase();
    return this.mailbox().filter((mail) => mail.rcptTo.some((rcpt) => rcpt.toLowerCase() === wanted));
  }

  /** Resolves when `check` holds after a message arrives (or at once); rejects after `timeoutMs` of real time. */
  waitFor(check: () => boolean, timeoutMs = 20_000, what = 'the expected e-mail'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `Timed out waiting for ${what}; received: ${this.transactions.map((m) => `${m.subject} → ${m.rcptTo.join(',')}`).join(' | ') || 'nothing'}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve();
      }
    }
  }
}

function summarise(
  parsed: ParsedMail,
): Pick<ReceivedMail, 'messageId' | 'subject' | 'to' | 'cc' | 'replyTo' | 'text' | 'html'> {
  const addresses = (field: ParsedMail['to'] | ParsedMail['replyTo']) =>
    (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) =>
      group.value.map((mailbox) => mailbox.address ?? ''),
    );
  return {
    messageId: parsed.messageId ?? '',
    subject: parsed.subject ?? '',
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
  };
}

/**
 * The configuration of a delivery that sends through `mail` as the council: the example staff directory, the
 * council's name on printed letters, a fresh DATA_DIR (sent log, outbox) under a temporary folder named `folder`.
 */
export function councilMailConfig(mail: TestMailServer, folder: string): AppConfig {
  return loadConfig({
    SMTP_URL: mail.url,
    MAIL_FROM: 'Complaints <complaints@council.example>',
    STAFF_DIRECTORY_PATH: path.join(repoRoot(), 'config', 'staff-directory.example.yaml'),
    COUNCIL_NAME: 'Dundee City Council',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), `${folder}-`)),
  });
}
