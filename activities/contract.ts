import type { ActivityOptions } from '@temporalio/common';
import {
  isOverdue,
  nextDeadline,
  type ComplaintState,
  type NextDeadline,
  type TimelineEntry,
} from '../domain/complaint';
import type { Notice } from '../domain/notices';
import type { Procedure } from '../domain/procedure';
import type { Actor } from '../domain/vocabulary';

// What the complaint workflow asks of the outside world. Workflows import this as a type only;
// the worker registers implementations built by `createActivities`.

/** The complaint as it stands after the batch, without its timeline (the entries carry that). */
export type ComplaintSnapshot = Omit<ComplaintState, 'timeline'> & {
  lastSeq: number;
  nextDeadline: NextDeadline | null;
  overdue: boolean;
};

/**
 * The snapshot of a complaint as the register stores it: the workflow's batches and the reconciliation's repair
 * (register/reconcile.ts) make it the same way. Pure (the workflow bundle includes it); a deep copy of the state.
 */
export function registerSnapshot(state: ComplaintState, procedure: Procedure): ComplaintSnapshot {
  const { timeline, ...rest } = state;
  return {
    ...(JSON.parse(JSON.stringify(rest)) as typeof rest),
    lastSeq: timeline.length,
    nextDeadline: nextDeadline(state, procedure) ?? null,
    overdue: isOverdue(state),
  };
}

export interface RegisterBatch {
  ref: string;
  /** New timeline entries in seq order; a retried or replayed batch repeats entries already written. */
  entries: TimelineEntry[];
  snapshot: ComplaintSnapshot;
  /**
   * The workflow time (ms) of the task that made the batch: it orders the register's writes (register/index.ts
   * `record`). Not the worker's clock when a write begins: a lost task's local activity may still be retried, and so
   * begin, after the task that replaced it wrote the same seqs (found by the fault drill). Absent in batches made
   * before it was added (their write's start is used).
   */
  madeAtMs?: number;
}

/**
 * What the register confirms having written: the batch's entries. Returned so that the complaint's history holds
 * them (the register is written by a local activity, whose result the history records but not its input); the
 * audit (audit/timeline.ts) reads the timeline from it.
 */
export interface RegisterReceipt {
  ref: string;
  entries: TimelineEntry[];
}

export interface NoticeReceipt {
  noticeId: string;
  /** How it went out: an SMTP message id, or the outbox file written. */
  deliveredAs: string;
  recipients: string[];
}

export interface ComplaintActivities {
  /**
   * Writes the entries and the snapshot to the register, idempotently by (ref, seq): a later write replaces what a
   * lost workflow task's earlier one left, an older delayed one is refused (register/index.ts `record`).
   */
  recordInRegister(batch: RegisterBatch): Promise<RegisterReceipt>;
  /** Delivers one notice to the people it concerns; the same notice id is never delivered twice. */
  sendNotice(notice: Notice): Promise<NoticeReceipt>;
}

export const NON_RETRYABLE_NOTICE_FAILURE = 'NoticeUndeliverable';

/**
 * How a workflow calls what tells people (notices, the letter-posting reminder): never holding the complaint up, they
 * retry for a day with backoff, then the failure is recorded; an undeliverable one is not retried.
 */
export const NOTICE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 minutes',
    nonRetryableErrorTypes: [NON_RETRYABLE_NOTICE_FAILURE],
  },
};

/** What the letter-posting workflow (workflows/letter-posting.ts) asks when a letter to post is due to be posted. */
export interface LetterPostingRequest {
  letterId: string;
  /** The letter's notice (the reminder to staff is made from it: domain/notices.ts letterNotPostedNotice). */
  notice: Notice;
  /** When it should have been posted by (ISO instant). */
  postBy: string;
}

export interface LetterActivities {
  /** Sends the staff a reminder unless the letter has been marked posted; says which it found. */
  remindIfLetterNotPosted(request: LetterPostingRequest): Promise<'posted' | 'reminded'>;
}

/**
 * The register refused a batch for what it holds (a data or integrity refusal, SQLSTATE class 22 or 23) on the
 * ordinary activity's REGISTER_REFUSAL_ATTEMPTS-th try: the same batch would be refused for ever, so it is not retried.
 * The workflow logs it and keeps the entries pending (they go with its next batch); `npm run reconcile` shows and
 * repairs what the register then lacks.
 */
export const NON_RETRYABLE_REGISTER_REFUSAL = 'RegisterRefusedBatch';
export const REGISTER_REFUSAL_ATTEMPTS = 3;

/**
 * Which write of the register this is: its place in the order of writes (ms: the batch's `madeAtMs`, else when the
 * write began on the worker's clock; see register/index.ts `record`), and who made it (for the entries' provenance,
 * e.g. `<runId>/local-3#1`).
 */
export interface RegisterWriteOrigin {
  startedAtMs: number;
  by?: string;
}

export type RegisterWriteOutcome = 'written' | 'superseded';

/** The register side of the activities (implemented in register/). */
export interface ComplaintRegisterWriter {
  /** 'superseded': a newer write already holds the complaint, so this one changed nothing (test doubles: void). */
  record(batch: RegisterBatch, origin?: RegisterWriteOrigin): Promise<RegisterWriteOutcome | void>;
}

/** The delivery side of the activities (implemented in notifications/). */
export interface NoticeDelivery {
  deliver(notice: Notice): Promise<NoticeReceipt>;
}

/** What the daily reconciliation (workflows/register-reconciliation.ts) asks: register/reconcile.ts's selection. */
export interface ReconciliationRequest {
  /** Dates (whole London days, `to` inclusive) or instants, as `npm run report` takes them. */
  from: string;
  to: string;
  /** Also every open complaint. */
  open: boolean;
  repair: boolean;
}

/** The reconciliation's outcome in counts only (a workflow result is kept in the history: no personal data). */
export interface ReconciliationSummary {
  checked: number;
  differences: number;
  /** Complaints with at least one difference. */
  complaintsDiffering: number;
  repaired: number;
  unreadable: number;
  /** Differences by kind (missing, extra, different, snapshot-behind, not-in-temporal). */
  byKind: Record<string, number>;
}

/** The activity the reconciliation workflow calls (activities/reconciliation.ts); it holds a Temporal client. */
export interface ReconciliationActivities {
  reconcileRegister(request: ReconciliationRequest): Promise<ReconciliationSummary>;
}

/** A closed complaint whose retention period has ended (activities/retention.ts). */
export interface RetentionDue {
  ref: string;
  closedAt: string;
  /** The rule applied, as the destruction log records it (domain/retention.ts retentionRuleFor). */
  rule: string;
}

/** The retention workflow's activities (workflows/retention.ts): a page of what is due, and applying it to one. */
export interface RetentionActivities {
  /** Closed complaints after `afterRef` (by ref) whose retention ended by `asOf`; `lastRef` null on the last page. */
  complaintsDueForRetention(request: {
    asOf: string;
    afterRef?: string;
    limit: number;
  }): Promise<{ due: RetentionDue[]; lastRef: string | null }>;
  /** Erases its personal data (destroys its key, logged) and deletes its workflow executions from Temporal. */
  applyRetention(due: RetentionDue): Promise<{ runsDeleted: number }>;
  /**
   * One page of the compliments whose text is still held, oldest first after `after`: those whose period ended by
   * `asOf` erased (each key destroyed, logged). `last` null on the last page; `erased` 0 once the page's oldest are
   * not due (the rest are younger).
   */
  applyComplimentRetention(request: {
    asOf: string;
    after?: { receivedAt: string; id: string };
    limit: number;
  }): Promise<{ erased: number; last: { receivedAt: string; id: string } | null }>;
}

/** A change to the council's calendar, told to every open complaint (workflows/calendar-change.ts). */
export interface CalendarChange {
  /** Names the change: the batch's workflow id and each complaint's Update id derive from it. */
  id: string;
  /** Days (YYYY-MM-DD, Europe/London) the council is closed, and days it works after all. */
  add: string[];
  remove: string[];
  /** Who made the change (recorded on each complaint's calendar-updated event). */
  actor: Actor;
}

/** One page of open complaints; the token (base64) asks for the next, null after the last. */
export interface OpenComplaintsPage {
  refs: string[];
  nextPageToken: string | null;
}

/**
 * What a calendar change did, in counts (and the refs that failed: references only, no personal data).
 * retimed: a pending deadline moved; calendarOnly: the calendar changed but no deadline moved (none pending, or all
 * passed); untouched: the complaint's calendar already was as asked, or it closed meanwhile; failed: refused otherwise.
 */
export interface CalendarChangeCounts {
  complaints: number;
  retimed: number;
  calendarOnly: number;
  untouched: number;
  failed: number;
  failedRefs: string[];
}

/** The activities of a calendar change; they hold a Temporal client (activities/calendar-change.ts). */
export interface CalendarChangeActivities {
  listOpenComplaints(request: { pageSize: number; pageToken: string | null }): Promise<OpenComplaintsPage>;
  retimeComplaints(request: { change: CalendarChange; refs: string[] }): Promise<CalendarChangeCounts>;
}

/** References of the failed complaints kept in the counts (the rest are counted only). */
export const MAX_FAILED_REFS = 50;

export function emptyCounts(): CalendarChangeCounts {
  return { complaints: 0, retimed: 0, calendarOnly: 0, untouched: 0, failed: 0, failedRefs: [] };
}

export function addCounts(total: CalendarChangeCounts, page: CalendarChangeCounts): CalendarChangeCounts {
  return {
    complaints: total.complaints + page.complaints,
    retimed: total.retimed + page.retimed,
    calendarOnly: total.calendarOnly + page.calendarOnly,
    untouched: total.untouched + page.untouched,
    failed: total.failed + page.failed,
    failedRefs: [...total.failedRefs, ...page.failedRefs].slice(0, MAX_FAILED_REFS),
  };
}

/** An improvement action's owner reminders (workflows/improvement-action.ts), worked out when it was agreed. */
export interface ImprovementActionWorkflowInput {
  actionId: string;
  ref: string;
  /** In order (domain/improvement-actions.ts improvementReminders under the council's calendar then). */
  reminders: { kind: 'before-due' | 'due'; at: string }[];
}

/** What the improvement action's workflow asks (activities/improvement-actions.ts). */
export interface ImprovementActionActivities {
  /**
   * Reminds the owner, unless the register holds the action completed (or no longer holds it, or its complaint's
   * personal data was erased); records the reminder in the action's timeline. Says which it found.
   */
  remindImprovementActionOwner(request: {
    actionId: string;
    kind: 'before-due' | 'due';
    at: string;
  }): Promise<'reminded' | 'completed' | 'not-sent'>;
}
