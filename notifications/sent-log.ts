import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { NoticeReceipt } from '../activities/contract';

// The notices this host has handed over for good (SMTP 250 reply, or outbox file written), by notice id, in an
// append-only JSON-lines file under DATA_DIR. A retried activity whose earlier attempt was accepted (the worker
// died, or the activity timed out, after the server's 250) answers from here instead of sending again.
// It cannot know about an attempt whose 250 never arrived: that message is sent again, with the same
// Message-ID, so that a lost reply costs at most a duplicate the receiving side recognises, never a lost notice.

export interface SentRecord extends NoticeReceipt {
  messageId: string;
  /** When this host recorded the delivery (wall clock). */
  at: string;
}

export class SentLog {
  private readonly records = new Map<string, SentRecord>();
  private readBytes = 0;

  private constructor(readonly file: string) {}

  /** Opens (creating the folder) and reads the log. */
  static open(file: string): SentLog {
    mkdirSync(path.dirname(file), { recursive: true });
    const log = new SentLog(file);
    log.refresh();
    return log;
  }

  /** The recorded delivery of a notice, if any (re-reading lines another process on this host appended). */
  find(noticeId: string): SentRecord | undefined {
    const known = this.records.get(noticeId);
    if (known) return known;
    this.refresh();
    return this.records.get(noticeId);
  }

  /** Appends and flushes one record to disk before the activity reports success. */
  async record(record: SentRecord): Promise<void> {
    const handle = await open(this.file, 'a');
    try {
      await handle.appendFile(`${JSON.stringify(record)}\n`, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.records.set(record.noticeId, record);
  }

  private refresh(): void {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return;
    }
    if (size <= this.readBytes) return;
    const text = readFileSync(this.file).subarray(this.readBytes, size).toString('utf8');
    // Only whole lines: a line being appended right now is read next time.
    const end = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(0, end).split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as SentRecord;
        if (typeof record.noticeId === 'string') this.records.set(record.noticeId, record);
      } catch {
        // A torn line from a crash mid-append: that notice was not confirmed, so it may be sent again.
      }
    }
    this.readBytes += Buffer.byteLength(text.slice(0, end), 'utf8');
  }
}
