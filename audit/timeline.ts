import { isDeepStrictEqual } from 'node:util';
import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import type { NoticeReceipt, RegisterBatch, RegisterReceipt } from '../activities/contract';
import { actionNames, type ActionName } from '../domain/action-names';
import { parseCommand } from '../domain/actions';
import {
  SYSTEM_ACTOR,
  applyEvent,
  decide,
  explainedState,
  initialState,
  nextScheduledEvent,
  replayTimeline,
  type ComplaintEvent,
  type ComplaintState,
  type DeadlineRecord,
  type RejectionCode,
  type TimelineEntry,
  type StageOpening,
  type StageRecord,
} from '../domain/complaint';
import type { DeadlineWorking } from '../domain/calendar';
import { explainDeadline } from '../domain/deadline-explanation';
import type { Notice } from '../domain/notices';
import type { Procedure } from '../domain/procedure';
import { isSealedText } from '../domain/personal-fields';
import { findProcedure } from '../domain/procedures';
import { ActorSchema, type Actor } from '../domain/vocabulary';
import {
  categoryWords,
  channelWords,
  closureReasonWords,
  deadlineModeWords,
  deadlineWords,
  serviceAreaWords,
  standingWords,
  statusWords,
} from '../domain/words';
import type { PayloadKeyRing } from '../platform/payload-keys';
import { complaintWorkflowCodeOptions } from '../worker/workflow-options';
import type { ComplaintWorkflowInput } from '../workflows/complaint';
import {
  ASSIGNMENT_BY_ROLE,
  CALENDAR_EXPLAINS_DEADLINES,
  CALENDAR_KEEPS_PASSED_DEADLINES,
  MIGRATION_COUNTS_BY_TARGET,
} from '../workflows/patches';
import { eventId, eventTime, type ComplaintHistory, type HistoryEvent } from './histories';

// A complaint's timeline reconstructed from its workflow history alone: no worker, no query, no register.
//
// Where the recorded events come from. The workflow records every event as a numbered TimelineEntry (seq, time,
// actor) and the history carries those rows, in the workflow's own words, in several places: the batches it sends
// to the register (ActivityTaskScheduled recordInRegister inputs; since the register became a local activity, the
// entries its result confirms, in the local-activity marker), the state each accepted Update returns
// (WorkflowExecutionUpdateCompleted), the final state (WorkflowExecutionCompleted) and, across continue-as-new, the
// state carried into the next run. Those rows are the most faithful source: they are what the workflow decided,
// not a re-derivation that could drift from the rules. All sources are merged by seq and must agree exactly.
//
// Why they can be trusted. Each row is then checked against the raw inputs the history also holds, which nothing
// in the workflow could forge: a row someone did must be exactly what the domain's `decide` makes of an accepted
// Update or a Signal (its payload, actor and the time of the workflow task that handled it) for the complaint as
// the earlier rows make it; a reminder, breach or window closure must be what `nextScheduledEvent` had next, at or
// after its time; a notification failure must match a failed sendNotice. Notices come from the sendNotice activities
// and their results (who received what, when). Deadlines, and whether each was met, come from folding the rows with
// the domain's own applyEvent, as the register and the workflow do.

export interface NoticeRecord {
  id: string;
  kind: Notice['kind'];
  audience: Notice['audience'];
  stage: string;
  /** When the workflow asked for it (history time). */
  requestedAt?: string;
  /** When delivery completed, and to whom. */
  deliveredAt?: string;
  recipients?: string[];
  failedAt?: string;
  failure?: string;
  /** Still being attempted when the history was taken. */
  pending?: boolean;
}

export interface AuditFinding {
  /** `error`: the history contradicts itself or the rules; `note`: worth knowing, not wrong. */
  level: 'error' | 'note';
  message: string;
}

export interface AuditTimeline {
  ref: string;
  runIds: string[];
  procedure: { id: string; version: number; name: string };
  /** Workflow execution status from the history's last event. */
  execution: 'running' | 'completed' | 'continued-as-new' | 'failed' | 'terminated' | 'canceled' | 'timed-out';
  historyEvents: number;
  /** The recorded events, seq order. */
  entries: TimelineEntry[];
  /** The complaint as the recorded events make it (domain applyEvent). */
  state: ComplaintState;
  notices: NoticeRecord[];
  /** Each entry's corroborating history event (by seq). */
  causes: Record<number, string>;
  findings: AuditFinding[];
}

/** A failure as the history holds it. */
type FailureProto = NonNullable<NonNullable<HistoryEvent['activityTaskFailedEventAttributes']>['failure']>;

type Decoder = (payload: Payload | null | undefined) => Promise<unknown>;

/** Decodes payloads as the worker does (its data converter: worker/workflow-options.ts, with the same keys). */
export function payloadDecoder(payloadKeys?: PayloadKeyRing): Decoder {
  const dataConverter = complaintWorkflowCodeOptions(undefined, payloadKeys).dataConverter;
  const converterPath = dataConverter?.payloadConverterPath;
  let converter: Promise<PayloadConverter> | undefined;
  const codecs = [...(dataConverter?.payloadCodecs ?? [])].reverse();
  return async (payload) => {
    if (!payload) return undefined;
    converter ??= converterPath
      ? import(converterPath).then((module: { payloadConverter: PayloadConverter }) => module.payloadConverter)
      : Promise.resolve(defaultPayloadConverter);
    let payloads: Payload[] = [payload];
    for (const codec of codecs) payloads = await codec.decode(payloads);
    return payloads[0] ? (await converter).fromPayload(payloads[0]) : undefined;
  };
}

/** The marker the SDK records for a completed local activity: `data` says which one, `result` what it returned. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
/** The marker `patched(id)` records the first time a run takes the patched path: `patch-data` holds `{ id }`. */
const PATCH_MARKER = 'core_patch';

interface Cause {
  kind: 'update' | 'signal';
  action: string;
  /** The Update's argument or the Signal's input, as the workflow received it. */
  payload: unknown;
  /** Workflow time at which the workflow handled it (the start of that workflow task), ms precision. */
  handledAt: string | undefined;
  event: HistoryEvent;
  /** An Update's id (a keyed one is refused after acceptance when the rules refuse it). */
  updateId?: string;
}

type FailedNotice = { id: string; at: string | undefined };

/** What a reading of the history has gathered so far, across the complaint's runs. */
class HistoryReading {
  readonly findings: AuditFinding[] = [];
  readonly bySeq = new Map<number, { entry: TimelineEntry; from: string }>();
  readonly notices = new Map<string, NoticeRecord>();
  readonly causes: Cause[] = [];
  readonly failedNotices: FailedNotice[] = [];
  /** The patches the workflow took (their markers), so the audit decides as the workflow of the time did. */
  readonly patches = new Set<string>();
  input: ComplaintWorkflowInput | undefined;
  execution: AuditTimeline['execution'] = 'running';
  historyEvents = 0;
  /** The keyed Updates the current run's input carried from earlier runs. */
  private carriedUpdateIds = new Set<string>();

  constructor(private readonly decode: Decoder) {}

  /** Entries from one source; every source must agree exactly on each seq. */
  addEntries(entries: readonly TimelineEntry[] | undefined, from: string): void {
    for (const entry of entries ?? []) {
      const known = this.bySeq.get(entry.seq);
      if (!known) this.bySeq.set(entry.seq, { entry, from });
      else if (!isDeepStrictEqual(known.entry, entry)) {
        this.findings.push({
          level: 'error',
          message: `event #${entry.seq} differs between ${known.from} and ${from}`,
        });
      }
    }
  }

  async readRun(run: ComplaintHistory): Promise<void> {
    const events = run.history.events ?? [];
    this.historyEvents += events.length;
    const byId = new Map(events.map((event) => [eventId(event), event]));
    const scheduled = new Map<number, { type: string; input: unknown }>();
    let lastTaskStartedAt: string | undefined;
    let lastCompletedTaskStartedAt: string | undefined;
    const awaitingNextTask: Cause[] = [];
    for (const event of events) {
      if (event.workflowTaskStartedEventAttributes) {
        lastTaskStartedAt = eventTime(event);
        for (const cause of awaitingNextTask.splice(0)) cause.handledAt = lastTaskStartedAt;
      } else if (event.workflowTaskCompletedEventAttributes) {
        // The task's own WorkflowTaskStarted (the time-skipping test server leaves startedEventId out: the latest one).
        const started = byId.get(Number(String(event.workflowTaskCompletedEventAttributes.startedEventId ?? 0)));
        lastCompletedTaskStartedAt = started ? eventTime(started) : lastTaskStartedAt;
      } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
        const request = event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
        const updateId = request?.meta?.updateId ?? undefined;
        // A keyed Update handled in an earlier run is answered from what that run carried: it records nothing.
        if (updateId && this.carriedUpdateIds.has(updateId)) continue;
        const payload = await this.decode(request?.input?.args?.payloads?.[0]);
        const action = request?.input?.name ?? '?';
        const handledAt = lastCompletedTaskStartedAt;
        this.causes.push({ kind: 'update', action, payload, handledAt, event, ...(updateId ? { updateId } : {}) });
      } else if (event.workflowExecutionUpdateCompletedEventAttributes?.outcome?.failure) {
        // Refused after acceptance (a keyed action the rules refused, workflows/complaint-run.ts): nothing recorded.
        const updateId = event.workflowExecutionUpdateCompletedEventAttributes.meta?.updateId;
        const index = this.causes.findIndex((cause) => cause.kind === 'update' && cause.updateId === updateId);
        if (index >= 0) this.causes.splice(index, 1);
      } else if (event.workflowExecutionSignaledEventAttributes) {
        const attributes = event.workflowExecutionSignaledEventAttributes;
        const payload = await this.decode(attributes.input?.payloads?.[0]);
        const cause: Cause = {
          kind: 'signal',
          action: attributes.signalName ?? '?',
          payload,
          handledAt: undefined,
          event,
        };
        this.causes.push(cause);
        awaitingNextTask.push(cause);
      } else if (!(await this.readActivityEvent(event, scheduled))) await this.readExecutionEvent(event, run);
    }
  }

  /** Register batches and notices: activity tasks and local-activity markers. False when the event is neither. */
  private async readActivityEvent(
    event: HistoryEvent,
    scheduled: Map<number, { type: string; input: unknown }>,
  ): Promise<boolean> {
    const id = eventId(event);
    const at = eventTime(event);
    if (event.activityTaskScheduledEventAttributes) {
      const attributes = event.activityTaskScheduledEventAttributes;
      const type = attributes.activityType?.name ?? '?';
      const activityInput = await this.decode(attributes.input?.payloads?.[0]);
      scheduled.set(id, { type, input: activityInput });
      if (type === 'recordInRegister')
        this.addEntries((activityInput as RegisterBatch).entries, `the register batch at event ${id}`);
      if (type === 'sendNotice') {
        const notice = activityInput as Notice;
        this.notices.set(notice.id, {
          id: notice.id,
          kind: notice.kind,
          audience: notice.audience,
          stage: notice.stage.name,
          ...(at ? { requestedAt: at } : {}),
          pending: true,
        });
      }
    } else if (event.markerRecordedEventAttributes?.markerName === PATCH_MARKER) {
      const details = event.markerRecordedEventAttributes.details ?? {};
      const patch = (await this.decode(details['patch-data']?.payloads?.[0])) as { id?: string } | undefined;
      if (patch?.id) this.patches.add(patch.id);
    } else if (event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
      const details = event.markerRecordedEventAttributes.details ?? {};
      const marker = (await this.decode(details.data?.payloads?.[0])) as { activity_type?: string } | undefined;
      if (marker?.activity_type === 'recordInRegister') {
        const receipt = (await this.decode(details.result?.payloads?.[0])) as RegisterReceipt | undefined;
        this.addEntries(receipt?.entries, `the register write at event ${id}`);
      }
    } else if (event.activityTaskCompletedEventAttributes) {
      const attributes = event.activityTaskCompletedEventAttributes;
      const activity = scheduled.get(Number(String(attributes.scheduledEventId ?? 0)));
      if (activity?.type === 'sendNotice') {
        const receipt = (await this.decode(attributes.result?.payloads?.[0])) as NoticeReceipt;
        const record = this.notices.get((activity.input as Notice).id);
        if (record) Object.assign(record, { deliveredAt: at, recipients: receipt.recipients, pending: false });
      }
    } else if (event.activityTaskFailedEventAttributes || event.activityTaskTimedOutEventAttributes) {
      const attributes = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
      const activity = scheduled.get(Number(String(attributes?.scheduledEventId ?? 0)));
      if (activity?.type === 'sendNotice') {
        const noticeId = (activity.input as Notice).id;
        const record = this.notices.get(noticeId);
        const failure =
          (await this.failureMessage(attributes?.failure?.cause)) ??
          (await this.failureMessage(attributes?.failure)) ??
          'failed';
        if (record) Object.assign(record, { failedAt: at, failure, pending: false });
        this.failedNotices.push({ id: noticeId, at });
      }
    } else return false;
    return true;
  }

  /** A failure's message; an encoded one (workflows/failure-converter.cjs) from its encoded attributes. */
  private async failureMessage(failure: FailureProto | null | undefined): Promise<string | undefined> {
    if (!failure) return undefined;
    if (failure.encodedAttributes) {
      const attributes = (await this.decode(failure.encodedAttributes)) as { message?: unknown } | undefined;
      if (typeof attributes?.message === 'string') return attributes.message;
    }
    return failure.message ?? undefined;
  }

  /** The run's input, the states Updates return, and how the run ended. */
  private async readExecutionEvent(event: HistoryEvent, run: ComplaintHistory): Promise<void> {
    if (event.workflowExecutionStartedEventAttributes) {
      const attributes = event.workflowExecutionStartedEventAttributes;
      const runInput = (await this.decode(attributes.input?.payloads?.[0])) as ComplaintWorkflowInput;
      this.input ??= runInput;
      this.carriedUpdateIds = new Set((runInput.resume?.handledUpdates ?? []).map((handled) => handled.id));
      if (runInput.resume) this.addEntries(runInput.resume.state.timeline, `run ${run.runId} input (continued as new)`);
    } else if (event.workflowExecutionUpdateCompletedEventAttributes) {
      const outcome = event.workflowExecutionUpdateCompletedEventAttributes.outcome;
      const state = (await this.decode(outcome?.success?.payloads?.[0])) as ComplaintState | undefined;
      this.addEntries(state?.timeline, `the result of the Update at event ${eventId(event)}`);
    } else if (event.workflowExecutionCompletedEventAttributes) {
      this.execution = 'completed';
      const state = (await this.decode(event.workflowExecutionCompletedEventAttributes.result?.payloads?.[0])) as
        ComplaintState | undefined;
      this.addEntries(state?.timeline, 'the workflow result');
    } else if (event.workflowExecutionContinuedAsNewEventAttributes) {
      this.execution = 'continued-as-new';
      const next = (await this.decode(event.workflowExecutionContinuedAsNewEventAttributes.input?.payloads?.[0])) as
        ComplaintWorkflowInput | undefined;
      this.addEntries(next?.resume?.state.timeline, 'the state carried into the next run');
    } else if (event.workflowExecutionFailedEventAttributes) this.execution = 'failed';
    else if (event.workflowExecutionTerminatedEventAttributes) this.execution = 'terminated';
    else if (event.workflowExecutionCanceledEventAttributes) this.execution = 'canceled';
    else if (event.workflowExecutionTimedOutEventAttributes) this.execution = 'timed-out';
  }

  /** The recorded events in seq order; a gap is a finding. */
  entries(): TimelineEntry[] {
    const entries = [...this.bySeq.values()].map(({ entry }) => entry).sort((a, b) => a.seq - b.seq);
    entries.forEach((entry, index) => {
      if (entry.seq !== index + 1)
        this.findings.push({
          level: 'error',
          message: `event #${index + 1} is missing from the history (next recorded: #${entry.seq})`,
        });
    });
    return entries;
  }
}

/** Reconstructs the timeline from one complaint's runs (oldest first; usually one). */
export async function reconstructTimeline(
  runs: readonly ComplaintHistory[],
  decode: Decoder = payloadDecoder(),
): Promise<AuditTimeline> {
  const first = runs[0];
  if (!first) throw new Error('No history to reconstruct a timeline from');
  const reading = new HistoryReading(decode);
  for (const run of runs) await reading.readRun(run);
  const { input, findings, notices } = reading;
  if (!input) throw new Error('The history has no complaint input');
  const entries = reading.entries();
  if (!entries[0]) throw new Error(`The history of ${first.workflowId} holds no recorded events`);
  const state = replayTimeline(entries);
  const procedure = findProcedure(input.procedure.id, input.procedure.version);
  if (!procedure)
    findings.push({
      level: 'error',
      message: `procedure ${input.procedure.id}@${input.procedure.version} is not known to this code`,
    });
  const linked = procedure
    ? new Corroboration(entries, procedure, findings, reading.patches).run(reading.causes, reading.failedNotices, input)
    : {};
  if (reading.execution === 'running' && [...notices.values()].some((notice) => notice.pending)) {
    findings.push({ level: 'note', message: 'some notices were still being delivered when the history was taken' });
  }
  return {
    ref: state.ref,
    runIds: runs.map((run) => run.runId),
    procedure: state.procedure,
    execution: reading.execution,
    historyEvents: reading.historyEvents,
    entries,
    state,
    notices: [...notices.values()],
    causes: linked,
    findings,
  };
}

const withoutRecording = ({ seq: _seq, at: _at, actor: _actor, ...event }: TimelineEntry) => event;

/**
 * Links each recorded event to what caused it in the history, and reports what does not fit. What an Update or
 * Signal records, and what the clock records when, are the domain's own answers (`decide`, `nextScheduledEvent`)
 * for the complaint as it stood just before the event: the audit restates no rule.
 */
class Corroboration {
  readonly linked: Record<number, string> = {};
  private readonly pending: Set<TimelineEntry>;

  constructor(
    private readonly entries: readonly TimelineEntry[],
    private readonly procedure: Procedure,
    private readonly findings: AuditFinding[],
    private readonly patches: ReadonlySet<string>,
  ) {
    this.pending = new Set(entries);
  }

  run(
    causes: readonly Cause[],
    failedNotices: readonly FailedNotice[],
    input: ComplaintWorkflowInput,
  ): Record<number, string> {
    this.linkStart(input);
    for (const cause of causes) this.linkCause(cause);
    for (const entry of this.pending) this.linkRest(entry, failedNotices);
    return this.linked;
  }

  /** The procedure the complaint followed at the time (another after a procedure-migrated event). */
  private procedureOf(state: ComplaintState): Procedure {
    return findProcedure(state.procedure.id, state.procedure.version) ?? this.procedure;
  }

  /** The complaint as the workflow held it when it recorded event `seq`. */
  private stateBefore(seq: number): ComplaintState {
    return replayTimeline(this.entries.filter((entry) => entry.seq < seq));
  }

  private link(entry: TimelineEntry, label: string): void {
    this.pending.delete(entry);
    this.linked[entry.seq] = label;
  }

  private problem(message: string): void {
    this.findings.push({ level: 'error', message });
  }

  private linkStart(input: ComplaintWorkflowInput): void {
    const [first] = this.entries;
    if (first && first.type === 'complaint-received' && !input.resume) {
      this.link(first, 'WorkflowExecutionStarted (event 1)');
      if (
        !isDeepStrictEqual(first.actor, input.actor) ||
        first.receivedAt !== new Date(Date.parse(input.receivedAt)).toISOString()
      )
        this.problem('the complaint-received event does not match the workflow input (actor or time)');
    } else if (input.resume) {
      // Events before this run were recorded by earlier runs: their causes are in those runs' histories.
      for (const entry of input.resume.state.timeline) {
        const carried = this.entries.find((candidate) => candidate.seq === entry.seq);
        if (carried && this.pending.has(carried)) this.link(carried, 'carried over from an earlier run');
      }
    }
  }

  /** What the workflow recorded for this message, as `decide` answers it for the state of the time. */
  private expectedEvents(
    cause: Cause,
    state: ComplaintState,
    nowMs: number,
  ): { actor: Actor; events: ComplaintEvent[] } {
    const action = cause.action as ActionName;
    const refused = (code: RejectionCode, reason: string): ComplaintEvent[] =>
      cause.kind === 'signal' ? [{ type: 'action-rejected', action, code, reason }] : [];
    if (!actionNames.includes(action)) return { actor: { id: 'unknown' }, events: [] };
    const parsed = parseCommand(action, cause.payload);
    if (!parsed.ok) {
      const claimed = ActorSchema.safeParse((cause.payload as { actor?: unknown } | null)?.actor);
      return {
        actor: claimed.success ? claimed.data : { id: 'unknown' },
        events: refused('invalid-message', parsed.reason),
      };
    }
    // A run that handled an assign before the patch existed never recorded its marker, and applied no role rule.
    const assignmentByRole = this.patches.has(ASSIGNMENT_BY_ROLE);
    // Likewise a calendar change before `calendar-keeps-passed-deadlines` moved passed deadlines too.
    const keepPassedDeadlines = this.patches.has(CALENDAR_KEEPS_PASSED_DEADLINES);
    const decision = decide(state, parsed.command, nowMs, this.procedureOf(state), {
      assignmentByRole,
      keepPassedDeadlines,
      calendarExplainsDeadlines: this.patches.has(CALENDAR_EXPLAINS_DEADLINES),
      migrationCountsByTarget: this.patches.has(MIGRATION_COUNTS_BY_TARGET),
    });
    return {
      actor: parsed.command.actor,
      events: decision.ok ? decision.events : refused(decision.code, decision.reason),
    };
  }

  private linkCause(cause: Cause): void {
    const label = `${cause.kind === 'update' ? 'Update' : 'Signal'} "${cause.action}" (event ${eventId(cause.event)})`;
    const claimed = (cause.payload as { actor?: Actor } | null | undefined)?.actor;
    for (const candidate of this.entries) {
      if (!this.pending.has(candidate) || candidate.at !== cause.handledAt) continue;
      const { actor, events } = this.expectedEvents(cause, this.stateBefore(candidate.seq), Date.parse(candidate.at));
      const recorded = this.entries.slice(candidate.seq - 1, candidate.seq - 1 + events.length);
      const matches =
        events.length > 0 &&
        recorded.length === events.length &&
        recorded.every(
          (entry, i) =>
            this.pending.has(entry) &&
            entry.at === candidate.at &&
            isDeepStrictEqual(entry.actor, actor) &&
            isDeepStrictEqual(withoutRecording(entry), events[i]),
        );
      if (matches) {
        for (const entry of recorded) this.link(entry, label);
        return;
      }
    }
    this.problem(`${label} by ${claimed?.id ?? 'unknown'} recorded nothing at ${cause.handledAt ?? 'an unknown time'}`);
  }

  /** Events no message caused: a failed delivery, or the clock. */
  private linkRest(entry: TimelineEntry, failedNotices: readonly FailedNotice[]): void {
    if (entry.type === 'notification-failed') {
      const failure = failedNotices.find(
        (candidate) => candidate.id === entry.notice && (!candidate.at || candidate.at <= entry.at),
      );
      if (failure) this.link(entry, `failed sendNotice ${entry.notice}`);
      else
        this.problem(
          `event #${entry.seq} says notice ${entry.notice} failed, but no failed delivery is in the history`,
        );
      return;
    }
    if (isDeepStrictEqual(entry.actor, SYSTEM_ACTOR)) {
      const nowMs = Date.parse(entry.at);
      const before = this.stateBefore(entry.seq);
      const scheduled = nextScheduledEvent(before, this.procedureOf(before), nowMs);
      if (scheduled && isDeepStrictEqual(withoutRecording(entry), scheduled.event)) {
        if (scheduled.atMs > nowMs)
          this.problem(
            `event #${entry.seq} (${entry.type}) at ${entry.at} came before it was due (${new Date(scheduled.atMs).toISOString()})`,
          );
        else this.link(entry, 'the workflow clock (due at or before this time)');
        return;
      }
    }
    this.problem(
      `event #${entry.seq} (${entry.type} by ${entry.actor.id} at ${entry.at}) matches no Update or Signal in the history`,
    );
  }
}

// ------------------------------------------------------------------------------------------------ text

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** `2026-03-01 09:30 GMT`: Europe/London, as the council reads it. */
export function londonTime(iso: string | undefined): string {
  if (!iso) return '-';
  const parts = Object.fromEntries(LONDON.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName === 'GMT+1' ? 'BST' : parts.timeZoneName}`;
}

function who(actor: Actor): string {
  if (actor.id === 'system') return 'system (clock)';
  return actor.name ? `${actor.name} (${actor.id}${actor.role ? `, ${actor.role}` : ''})` : actor.id;
}

/** A notice kind as words ("acknowledgement-reminder" → "acknowledgement reminder"): the kinds are already English. */
const noticeKindText = (kind: string) => kind.replace(/-/g, ' ');

/** A receipt's addresses; sealed ones (since the receipt is sealed under the complaint's key) as a count. */
function recipientsText(recipients: readonly string[]): string {
  if (recipients.length === 0) return '(no recipients)';
  const sealed = recipients.filter(isSealedText).length;
  const plain = recipients.filter((recipient) => !isSealedText(recipient));
  const counted = sealed > 0 ? [`${sealed} sealed address${sealed === 1 ? '' : 'es'}`] : [];
  return [...plain, ...counted].join(', ');
}

function metText(deadline: DeadlineRecord | null | undefined): string {
  if (!deadline) return '';
  return deadline.onTime === undefined
    ? ''
    : deadline.onTime
      ? ' - on time'
      : ` - LATE (was due ${londonTime(deadline.dueAt)})`;
}

/** One line per recorded event, in the order the workflow recorded them. */
export function describeEntries(
  timeline: AuditTimeline,
): Array<{ seq: number; at: string; who: string; what: string; cause?: string }> {
  // A complaint moved to another procedure names stages of both: the newest procedure that has the stage names it.
  const procedures: Procedure[] = [];
  const stageName = (id: string) => {
    for (const known of [...procedures].reverse()) {
      const stage = known.stages.find((candidate) => candidate.id === id);
      if (stage) return stage.name;
    }
    return id;
  };
  const rows: Array<{ seq: number; at: string; who: string; what: string; cause?: string }> = [];
  let state: ComplaintState | undefined;
  for (const entry of timeline.entries) {
    if (!state) state = initialState(entry);
    else applyEvent(state, entry);
    const known = findProcedure(state.procedure.id, state.procedure.version);
    if (known && procedures.at(-1) !== known) procedures.push(known);
    const procedure = known;
    const record = state.stages[state.stages.length - 1];
    // Deadlines the events did not explain (the first published versions), counted again (domain/complaint.ts).
    const explained = procedure ? explainedState(state, procedure).stages.at(-1) : undefined;
    let what: string;
    switch (entry.type) {
      case 'complaint-received':
        what =
          `Complaint received ${channelWords[entry.details.channel].received} from ${entry.details.complainant.name}` +
          `${entry.details.serious ? ' (serious)' : ''}: ${serviceAreaWords[entry.details.serviceArea].phrase} / ${categoryWords[entry.details.category].phrase}. ` +
          `Procedure: ${entry.procedure.name} (${entry.procedure.id}@${entry.procedure.version}). ${opening(entry.stage, explained)}`;
        break;
      case 'acknowledged':
        what = `${stageName(entry.stage)} acknowledged${metText(record?.acknowledgement)}${entry.note ? `. Note: ${entry.note}` : ''}`;
        break;
      case 'case-officer-assigned':
        what = `Case officer: ${entry.officer.name ?? entry.officer.id} (${entry.officer.id})${entry.previous ? `, replacing ${entry.previous.name ?? entry.previous.id}` : ''}`;
        break;
      case 'outcome-recorded': {
        const done = state.stages.find((stage) => stage.stage === entry.stage);
        what =
          `${stageName(entry.stage)} outcome: ${standingWords[entry.outcome].phrase.toUpperCase()}${metText(done?.response)}` +
          `${entry.findings ? `. Findings: ${entry.findings}` : ''}${entry.actionsTaken ? `. Actions: ${entry.actionsTaken}` : ''}` +
          `${entry.escalationWindowEndsAt ? `. The complainant may take it further until ${londonTime(entry.escalationWindowEndsAt)}` : ''}`;
        break;
      }
      case 'escalated':
        what = `Escalated from ${stageName(entry.from)} to ${stageName(entry.to)}${entry.withoutOutcome ? ' before it had an outcome (the frontline could not resolve it)' : ''}${entry.bypassed ? `, bypassing ${stageName(entry.bypassed)} at the complainant's request` : ''}. ${opening(entry.stage, explained)}`;
        break;
      case 'extension-granted':
        what =
          `${stageName(entry.stage)} response deadline extended from ${londonTime(entry.previousDueAt)} to ${londonTime(entry.dueAt)}` +
          `${entry.days !== undefined ? ` (+${entry.days} days)` : ''}, ${entry.agreedWithComplainant ? 'agreed with the complainant' : 'not agreed with the complainant'}. Reason: ${entry.reason}` +
          how(entry.working ?? explained?.response.extensions.at(-1)?.working, '. How it was worked out: ');
        break;
      case 'withdrawn':
        what = `Complaint withdrawn${entry.reason ? `: ${entry.reason}` : ''}`;
        break;
      case 'referred-to-ombudsman':
        what = `Referred to the ${procedure?.ombudsman.name ?? 'Ombudsman'}${entry.reference ? ` (reference ${entry.reference})` : ''}`;
        break;
      case 'note-added':
        what = `Note: ${entry.text}`;
        break;
      case 'reminder-issued':
        what = `Reminder: ${stageName(entry.stage)} ${deadlineWords[entry.deadline].phrase} due ${londonTime(entry.dueAt)} (${entry.hoursBefore} h before)`;
        break;
      case 'deadline-breached':
        what = `DEADLINE MISSED: ${stageName(entry.stage)} ${deadlineWords[entry.deadline].phrase} was due ${londonTime(entry.dueAt)}`;
        break;
      case 'calendar-updated':
        what =
          `Holiday calendar updated (${entry.holidays.length} holidays` +
          `${entry.added ? `; added ${entry.added.join(', ')}` : ''}${entry.removed ? `; removed ${entry.removed.join(', ')}` : ''})` +
          `${entry.acknowledgementDueAt ? `; acknowledgement now due ${londonTime(entry.acknowledgementDueAt)}${how(entry.acknowledgementWorking)}` : ''}` +
          `${entry.responseDueAt ? `; response now due ${londonTime(entry.responseDueAt)}${how(entry.responseWorking)}` : ''}`;
        break;
      case 'procedure-migrated':
        what =
          `Moved from ${entry.from.name} (${entry.from.id}@${entry.from.version}) to ${entry.to.name} ` +
          `(${entry.to.id}@${entry.to.version}): ${stageName(entry.fromStage)} becomes ${entry.stage.name}, ` +
          `${deadlineModeWords[entry.deadlines].phrase}. Reason: ${entry.reason}. ${opening(entry.stage)}`;
        break;
      case 'closed':
        what = `Complaint closed: ${closureReasonWords[entry.reason].phrase}${entry.outcome ? ` (outcome: ${standingWords[entry.outcome].phrase})` : ''}`;
        break;
      case 'action-rejected':
        what = `REFUSED "${entry.action}" (${entry.code}): ${entry.reason}`;
        break;
      case 'notification-failed':
        what = `Notice could not be delivered: ${entry.notice} (${entry.reason})`;
        break;
      case 'personal-data-erased':
        what = `Personal data erased (its data key destroyed). Reason: ${entry.reason}`;
        break;
    }
    const cause = timeline.causes[entry.seq];
    rows.push({ seq: entry.seq, at: entry.at, who: who(entry.actor), what, ...(cause ? { cause } : {}) });
  }
  return rows;

  /** How a deadline was worked out, in words (domain/deadline-explanation.ts); nothing when it cannot be told. */
  function how(working: DeadlineWorking | undefined, before = ' ('): string {
    if (!working) return '';
    return before === ' (' ? ` (${explainDeadline(working)})` : `${before}${explainDeadline(working)}`;
  }

  /** A stage's deadlines as it began: explained by the event, or counted again where the event did not record how. */
  function opening(stage: StageOpening, explained?: StageRecord): string {
    const ack = stage.acknowledgementWorking ?? explained?.acknowledgement?.working;
    const response = stage.responseWorking ?? explained?.response.working;
    return `${stage.name} begins: ${stage.acknowledgementDueAt ? `acknowledge by ${londonTime(stage.acknowledgementDueAt)}${how(ack)}, ` : ''}respond by ${londonTime(stage.responseDueAt)}${how(response)}`;
  }
}

/** The timeline as an auditor reads it. */
export function formatTimeline(timeline: AuditTimeline, source: string): string {
  const { state } = timeline;
  const lines: string[] = [];
  const status = state.closure
    ? `${statusWords[state.status].phrase} (${closureReasonWords[state.closure.reason].phrase}${state.closure.outcome ? `, outcome ${standingWords[state.closure.outcome].phrase}` : ''})`
    : statusWords[state.status].phrase;
  lines.push(`Complaint ${timeline.ref}: ${state.details.summary}`);
  lines.push(`Procedure: ${timeline.procedure.name} (${timeline.procedure.id}@${timeline.procedure.version})`);
  lines.push(
    `Status: ${status}; workflow ${timeline.execution}; ${timeline.historyEvents} history events in ${timeline.runIds.length} run(s); source: ${source}`,
  );
  lines.push('Times are Europe/London. Reconstructed from the workflow history alone.', '');

  lines.push('TIMELINE');
  const rows = describeEntries(timeline);
  const whoWidth = Math.min(48, Math.max(...rows.map((row) => row.who.length)));
  for (const row of rows) {
    lines.push(`${String(row.seq).padStart(3)}  ${londonTime(row.at)}  ${row.who.padEnd(whoWidth)}  ${row.what}`);
  }

  lines.push('', 'DEADLINES');
  for (const stage of state.stages) {
    lines.push(`  ${stage.name} (began ${londonTime(stage.startedAt)})`);
    if (stage.acknowledgement) lines.push(`    acknowledgement: ${deadlineLine(stage.acknowledgement)}`);
    else lines.push('    acknowledgement: no acknowledgement step');
    lines.push(`    response:        ${deadlineLine(stage.response)}`);
    for (const extension of stage.response.extensions) {
      lines.push(
        `      extended ${londonTime(extension.at)} by ${who(extension.by)} to ${londonTime(extension.dueAt)}: ${extension.reason}${extension.agreedWithComplainant ? ' (agreed with complainant)' : ''}`,
      );
    }
    if (stage.response.outcome) lines.push(`    outcome:         ${standingWords[stage.response.outcome].phrase}`);
    if (stage.escalatedAt) lines.push(`    escalated:       ${londonTime(stage.escalatedAt)}`);
    else if (stage.escalationWindowEndsAt)
      lines.push(`    may go further until ${londonTime(stage.escalationWindowEndsAt)}`);
  }

  lines.push('', 'NOTICES');
  if (timeline.notices.length === 0) lines.push('  none');
  for (const notice of timeline.notices) {
    const result = notice.deliveredAt
      ? `delivered ${londonTime(notice.deliveredAt)} to ${recipientsText(notice.recipients ?? [])}`
      : notice.failedAt
        ? `FAILED ${londonTime(notice.failedAt)}: ${notice.failure}`
        : 'still being delivered';
    lines.push(
      `  ${londonTime(notice.requestedAt)}  ${noticeKindText(notice.kind).padEnd(24)} to ${notice.audience.padEnd(11)} ${result}`,
    );
  }

  lines.push('', 'CHECKS');
  const errors = timeline.findings.filter((finding) => finding.level === 'error');
  if (errors.length === 0) {
    lines.push(
      `  ok: all ${timeline.entries.length} recorded events agree across the history and each matches the Update, Signal, timer or failure behind it`,
    );
  }
  for (const finding of timeline.findings)
    lines.push(`  ${finding.level === 'error' ? 'PROBLEM' : 'note'}: ${finding.message}`);
  return `${lines.join('\n')}\n`;
}

function deadlineLine(deadline: DeadlineRecord & { extensions?: unknown[] }): string {
  const due =
    deadline.dueAt === deadline.originalDueAt
      ? `due ${londonTime(deadline.dueAt)}`
      : `due ${londonTime(deadline.dueAt)} (originally ${londonTime(deadline.originalDueAt)})`;
  const met = deadline.metAt
    ? `met ${londonTime(deadline.metAt)} by ${deadline.metBy ? who(deadline.metBy) : '?'}${deadline.onTime ? ' - ON TIME' : ' - LATE'}`
    : 'not met';
  const reminders = deadline.remindersIssued.length ? `; ${deadline.remindersIssued.length} reminder(s)` : '';
  const breaches = deadline.breaches.length ? `; missed ${deadline.breaches.map(londonTime).join(', ')}` : '';
  return `${due}; ${met}${reminders}${breaches}`;
}
