import {
  NON_RETRYABLE_NOTICE_FAILURE,
  type ComplaintActivities,
  type ComplaintRegisterWriter,
  type NoticeDelivery,
  type RegisterBatch,
} from '../../activities/contract';
import { createActivities } from '../../activities/complaint-activities';
import type { TimelineEntry } from '../../domain/complaint';
import type { Notice } from '../../domain/notices';

/**
 * In-memory register and delivery that remember what the workflow asked of them, for workflow tests that are
 * about timing and transitions rather than SMTP or SQL (those have their own tests against real servers).
 */
export class RecordingActivities implements ComplaintRegisterWriter, NoticeDelivery {
  readonly notices: Notice[] = [];
  readonly entries = new Map<string, TimelineEntry[]>();
  readonly batches: RegisterBatch[] = [];
  /** Notice ids whose delivery should fail permanently. */
  readonly undeliverable = new Set<string>();
  /** How many of the next register writes fail (as a database that is down would). */
  registerFailuresLeft = 0;
  /** How many of the next register writes never answer (as a database that hangs would); released by `stop`. */
  registerHangsLeft = 0;
  private readonly hanging: Array<() => void> = [];

  readonly activities: ComplaintActivities = createActivities({ register: this, delivery: this });

  async record(batch: RegisterBatch): Promise<void> {
    if (this.registerFailuresLeft > 0) {
      this.registerFailuresLeft -= 1;
      throw new Error('the register is not answering (simulated)');
    }
    if (this.registerHangsLeft > 0) {
      this.registerHangsLeft -= 1;
      await new Promise<void>((resolve) => this.hanging.push(resolve));
      throw new Error('the register answered too late (simulated)');
    }
    this.batches.push(batch);
    const known = this.entries.get(batch.ref) ?? [];
    for (const entry of batch.entries) if (!known.some((existing) => existing.seq === entry.seq)) known.push(entry);
    this.entries.set(batch.ref, known);
  }

  async deliver(notice: Notice) {
    if (this.undeliverable.has(notice.kind)) {
      const { ApplicationFailure } = await import('@temporalio/common');
      throw ApplicationFailure.nonRetryable(`no such mailbox for ${notice.kind}`, NON_RETRYABLE_NOTICE_FAILURE);
    }
    this.notices.push(notice);
    return { noticeId: notice.id, deliveredAs: `memory:${notice.id}`, recipients: ['test@example.org'] };
  }

  /** Lets writes that were made to hang finish (failing), so that a worker can shut down. */
  releaseHangingWrites(): void {
    for (const release of this.hanging.splice(0)) release();
  }

  noticesFor(ref: string): Notice[] {
    return this.notices.filter((notice) => notice.ref === ref);
  }

  /** Notices go out in the background after an update returns: wait (briefly, in real time) for them. */
  async waitForNotices(ref: string, count: number, timeoutMs = 10_000): Promise<Notice[]> {
    await this.waitFor(() => this.noticesFor(ref).length >= count, timeoutMs);
    return this.noticesFor(ref);
  }

  /** Waits (briefly, in real time) until `done` holds, for work the workflow does in the background. */
  async waitFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
