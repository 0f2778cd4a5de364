import {
  NON_RETRYABLE_NOTICE_FAILURE,
  type ComplaintActivities,
  type ComplaintRegisterWriter,
  type LetterActivities,
  type LetterPostingRequest,
  type NoticeDelivery,
  type RegisterBatch,
} from '../../activities/contract';
import { createActivities } from '../../activities/complaint-activities';
import type { TimelineEntry } from '../../domain/complaint';
import type { Notice, NoticeKind } from '../../domain/notices';
import { RegisterQueryError } from '../../register/sql';

/**
 * The one test double of the worker's activities: a register and a delivery that remember what the workflow asked
 * of them, and can be told to fail. Used by the workflow and API tests (timing and transitions rather than SMTP or
 * SQL, which have their own tests against real servers), the history recorder (devtools/history-recorder: what it
 * answers is in the recorded histories, so its answers and failure messages must stay as they are) and the scenario
 * replay (devtools/scenario-replay: writes through to a real register, and can fail after that register committed).
 */
export class RecordingActivities implements ComplaintRegisterWriter, NoticeDelivery {
  readonly notices: Notice[] = [];
  readonly entries = new Map<string, TimelineEntry[]>();
  readonly batches: RegisterBatch[] = [];
  /** Notice kinds whose delivery fails permanently (recorded by the workflow as `notification-failed`). */
  readonly undeliverable = new Set<NoticeKind>();
  /** How many of the next register writes fail (as a database that is down would). */
  registerFailuresLeft = 0;
  /** How many of the next register writes the database refuses for what they hold (SQLSTATE 22P05, as for a NUL). */
  registerRefusalsLeft = 0;
  /** How many of the next register writes never answer (as a database that hangs would); released by `stop`. */
  registerHangsLeft = 0;
  /**
   * How many of the next register writes fail AFTER `writeThrough` committed them: what a worker that dies between
   * writing and reporting back looks like to Temporal, which then retries the same batch.
   */
  failuresAfterCommitLeft = 0;
  /** Writes that failed after their commit so far. */
  failedAfterCommit = 0;
  private readonly hanging: Array<() => void> = [];

  /** Letters to post marked posted (by letter id): the letter-posting reminder finds them posted. */
  readonly postedLetters = new Set<string>();
  /** What the letter-posting workflow asked, and what it was answered. */
  readonly letterReminders: Array<LetterPostingRequest & { answer: 'posted' | 'reminded' }> = [];

  readonly activities: ComplaintActivities & LetterActivities = {
    ...createActivities({ register: this, delivery: this }),
    remindIfLetterNotPosted: async (request) => {
      const answer = this.postedLetters.has(request.letterId) ? 'posted' : 'reminded';
      this.letterReminders.push({ ...request, answer });
      return answer;
    },
  };

  /** `writeThrough`: a real register that every write also goes to (the scenario replay reports from it). */
  constructor(private readonly writeThrough?: ComplaintRegisterWriter) {}

  async record(batch: RegisterBatch): Promise<void> {
    if (this.registerRefusalsLeft > 0) {
      this.registerRefusalsLeft -= 1;
      throw new RegisterQueryError('22P05', 'complaint_entries', undefined, undefined);
    }
    if (this.registerFailuresLeft > 0) {
      this.registerFailuresLeft -= 1;
      throw new Error('the register is not answering (simulated)');
    }
    if (this.registerHangsLeft > 0) {
      this.registerHangsLeft -= 1;
      await new Promise<void>((resolve) => this.hanging.push(resolve));
      throw new Error('the register answered too late (simulated)');
    }
    await this.writeThrough?.record(batch);
    this.batches.push(batch);
    const known = this.entries.get(batch.ref) ?? [];
    for (const entry of batch.entries) if (!known.some((existing) => existing.seq === entry.seq)) known.push(entry);
    this.entries.set(batch.ref, known);
    if (this.failuresAfterCommitLeft > 0) {
      this.failuresAfterCommitLeft -= 1;
      this.failedAfterCommit += 1;
      throw new Error('worker lost after the register committed (simulated)');
    }
  }

  async deliver(notice: Notice) {
    if (this.undeliverable.has(notice.kind)) {
      // Loaded here, not at the top: @temporalio/common is the only Temporal package this double needs.
      const { ApplicationFailure } = await import('@temporalio/common');
      throw ApplicationFailure.nonRetryable(
        `no mailbox accepts ${notice.kind} for ${notice.ref}`,
        NON_RETRYABLE_NOTICE_FAILURE,
      );
    }
    this.notices.push(notice);
    const to =
      notice.audience === 'complainant'
        ? (notice.complainant.email ?? 'post')
        : (notice.caseOfficer?.email ?? 'complaints-team@council.example');
    return { noticeId: notice.id, deliveredAs: `memory:${notice.id}`, recipients: [to] };
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
