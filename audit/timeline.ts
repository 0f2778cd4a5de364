import { isDeepStrictEqual } from 'node:util';
import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import type { NoticeReceipt, RegisterBatch, RegisterReceipt } from '../activities/contract';
import type { ActionName } from '../domain/actions';
import {
  applyEvent,
  initialState,
  replayTimeline,
  type ComplaintState,
  type DeadlineRecord,
  type TimelineEntry,
} from '../domain/complaint';
import type { Notice } from '../domain/notices';
import { findProcedure } from '../domain/procedures';
import type { Actor } from '../domain/vocabulary';
import { complaintWorkflowCodeOptions } from '../worker/workflow-options';
import type { ComplaintWorkflowInput } from '../workflows/complaint';
import { eventId, eventTime, eventType, type ComplaintHistory, type HistoryEvent } from './histories';

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
// in the workflow could forge: a row someone did must match an accepted Update or a Signal of that action, by that
// actor, handled in the workflow task at that very time; a reminder, breach or window closure must not come before
// it was due; a notification failure must match a failed sendNotice. Notices come from the sendNotice activities
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

type Decoder = (payload: Payload | null | undefined) => Promise<unknown>;

/** Decodes payloads as the worker does (its data converter: worker/workflow-options.ts). */
export function payloadDecoder(): Decoder {
  const dataConverter = complaintWorkflowCodeOptions().dataConverter;
  const converter: PayloadConverter = dataConverter?.payloadConverterPath
    ? (require(dataConverter.payloadConverterPath) as { payloadConverter: PayloadConverter }).payloadConverter
    : defaultPayloadConverter;
  const codecs = [...(dataConverter?.payloadCodecs ?? [])].reverse();
  return async (payload) => {
    if (!payload) return undefined;
    let payloads: Payload[] = [payload];
    for (const codec of codecs) payloads = await codec.decode(payloads);
    return payloads[0] ? converter.fromPayload(payloads[0]) : undefined;
  };
}

/** Which recorded event types each action (Update or Signal of that name) can produce. */
const PRODUCES: Record<ActionName, readonly TimelineEntry['type'][]> = {
  acknowledge: ['acknowledged'],
  assign: ['case-officer-assigned'],
  'record-outcome': ['outcome-recorded', 'closed'],
  'request-escalation': ['escalated'],
  'grant-extension': ['extension-granted'],
  withdraw: ['withdrawn'],
  'refer-to-ombudsman': ['referred-to-ombudsman', 'closed'],
  'add-note': ['note-added'],
  'update-calendar': ['calendar-updated'],
};
/** The marker the SDK records for a completed local activity: `data` says which one, `result` what it returned. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
const CLOCK_TYPES = new Set<TimelineEntry['type']>(['reminder-issued', 'deadline-breached', 'closed']);

interface Cause {
  kind: 'update' | 'signal';
  action: string;
  actor: Actor | undefined;
  /** Workflow time at which the workflow handled it (the start of that workflow task), ms precision. */
  handledAt: string | undefined;
  event: HistoryEvent;
}

/** Reconstructs the timeline from one complaint's runs (oldest first; usually one). */
export async function reconstructTimeline(
  runs: readonly ComplaintHistory[],
  decode: Decoder = payloadDecoder(),
): Promise<AuditTimeline> {
  const first = runs[0];
  if (!first) throw new Error('No history to reconstruct a timeline from');
  const findings: AuditFinding[] = [];
  const bySeq = new Map<number, { entry: TimelineEntry; from: string }>();
  const notices = new Map<string, NoticeRecord>();
  const causes: Cause[] = [];
  const failedNotices: Array<{ id: string; at: string | undefined }> = [];
  let input: ComplaintWorkflowInput | undefined;
  let execution: AuditTimeline['execution'] = 'running';
  let historyEvents = 0;

  const addEntries = (entries: readonly TimelineEntry[] | undefined, from: string) => {
    for (const entry of entries ?? []) {
      const known = bySeq.get(entry.seq);
      if (!known) bySeq.set(entry.seq, { entry, from });
      else if (!isDeepStrictEqual(known.entry, entry)) {
        findings.push({ level: 'error', message: `event #${entry.seq} differs between ${known.from} and ${from}` });
      }
    }
  };

  for (const run of runs) {
    const events = run.history.events ?? [];
    historyEvents += events.length;
    const byId = new Map(events.map((event) => [eventId(event), event]));
    const scheduled = new Map<number, { type: string; input: unknown }>();
    let lastTaskStartedAt: string | undefined;
    let lastCompletedTaskStartedAt: string | undefined;
    const awaitingNextTask: Cause[] = [];

    for (const event of events) {
      const id = eventId(event);
      const at = eventTime(event);
      if (event.workflowTaskStartedEventAttributes) {
        lastTaskStartedAt = at;
        for (const cause of awaitingNextTask.splice(0)) cause.handledAt = lastTaskStartedAt;
      } else if (event.workflowTaskCompletedEventAttributes) {
        // The task's own WorkflowTaskStarted (the time-skipping test server leaves startedEventId out: the latest one).
        const started = byId.get(Number(String(event.workflowTaskCompletedEventAttributes.startedEventId ?? 0)));
        lastCompletedTaskStartedAt = started ? eventTime(started) : lastTaskStartedAt;
      } else if (event.workflowExecutionStartedEventAttributes) {
        const attributes = event.workflowExecutionStartedEventAttributes;
        const runInput = (await decode(attributes.input?.payloads?.[0])) as ComplaintWorkflowInput;
        input ??= runInput;
        if (runInput.resume) addEntries(runInput.resume.state.timeline, `run ${run.runId} input (continued as new)`);
      } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
        const request = event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
        const payload = (await decode(request?.input?.args?.payloads?.[0])) as { actor?: Actor } | undefined;
        causes.push({
          kind: 'update',
          action: request?.input?.name ?? '?',
          actor: payload?.actor,
          handledAt: lastCompletedTaskStartedAt,
          event,
        });
      } else if (event.workflowExecutionUpdateCompletedEventAttributes) {
        const outcome = event.workflowExecutionUpdateCompletedEventAttributes.outcome;
        const state = (await decode(outcome?.success?.payloads?.[0])) as ComplaintState | undefined;
        addEntries(state?.timeline, `the result of the Update at event ${id}`);
      } else if (event.workflowExecutionSignaledEventAttributes) {
        const attributes = event.workflowExecutionSignaledEventAttributes;
        const payload = (await decode(attributes.input?.payloads?.[0])) as { actor?: unknown } | undefined;
        const cause: Cause = {
          kind: 'signal',
          action: attributes.signalName ?? '?',
          actor: payload?.actor as Actor | undefined,
          handledAt: undefined,
          event,
        };
        causes.push(cause);
        awaitingNextTask.push(cause);
      } else if (event.activityTaskScheduledEventAttributes) {
        const attributes = event.activityTaskScheduledEventAttributes;
        const type = attributes.activityType?.name ?? '?';
        const activityInput = await decode(attributes.input?.payloads?.[0]);
        scheduled.set(id, { type, input: activityInput });
        if (type === 'recordInRegister')
          addEntries((activityInput as RegisterBatch).entries, `the register batch at event ${id}`);
        if (type === 'sendNotice') {
          const notice = activityInput as Notice;
          notices.set(notice.id, {
            id: notice.id,
            kind: notice.kind,
            audience: notice.audience,
            stage: notice.stage.name,
            ...(at ? { requestedAt: at } : {}),
            pending: true,
          });
        }
      } else if (event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
        const details = event.markerRecordedEventAttributes.details ?? {};
        const marker = (await decode(details.data?.payloads?.[0])) as { activity_type?: string } | undefined;
        if (marker?.activity_type === 'recordInRegister') {
          const receipt = (await decode(details.result?.payloads?.[0])) as RegisterReceipt | undefined;
          addEntries(receipt?.entries, `the register write at event ${id}`);
        }
      } else if (event.activityTaskCompletedEventAttributes) {
        const attributes = event.activityTaskCompletedEventAttributes;
        const activity = scheduled.get(Number(String(attributes.scheduledEventId ?? 0)));
        if (activity?.type === 'sendNotice') {
          const receipt = (await decode(attributes.result?.payloads?.[0])) as NoticeReceipt;
          const record = notices.get((activity.input as Notice).id);
          if (record) Object.assign(record, { deliveredAt: at, recipients: receipt.recipients, pending: false });
        }
      } else if (event.activityTaskFailedEventAttributes || event.activityTaskTimedOutEventAttributes) {
        const attributes = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
        const activity = scheduled.get(Number(String(attributes?.scheduledEventId ?? 0)));
        if (activity?.type === 'sendNotice') {
          const noticeId = (activity.input as Notice).id;
          const record = notices.get(noticeId);
          const failure = attributes?.failure?.cause?.message ?? attributes?.failure?.message ?? 'failed';
          if (record) Object.assign(record, { failedAt: at, failure, pending: false });
          failedNotices.push({ id: noticeId, at });
        }
      } else if (event.workflowExecutionCompletedEventAttributes) {
        execution = 'completed';
        const state = (await decode(event.workflowExecutionCompletedEventAttributes.result?.payloads?.[0])) as
          ComplaintState | undefined;
        addEntries(state?.timeline, 'the workflow result');
      } else if (event.workflowExecutionContinuedAsNewEventAttributes) {
        execution = 'continued-as-new';
        const next = (await decode(event.workflowExecutionContinuedAsNewEventAttributes.input?.payloads?.[0])) as
          ComplaintWorkflowInput | undefined;
        addEntries(next?.resume?.state.timeline, 'the state carried into the next run');
      } else if (event.workflowExecutionFailedEventAttributes) execution = 'failed';
      else if (event.workflowExecutionTerminatedEventAttributes) execution = 'terminated';
      else if (event.workflowExecutionCanceledEventAttributes) execution = 'canceled';
      else if (event.workflowExecutionTimedOutEventAttributes) execution = 'timed-out';
    }
  }

  if (!input) throw new Error('The history has no complaint input');
  const entries = [...bySeq.values()].map(({ entry }) => entry).sort((a, b) => a.seq - b.seq);
  entries.forEach((entry, index) => {
    if (entry.seq !== index + 1)
      findings.push({
        level: 'error',
        message: `event #${index + 1} is missing from the history (next recorded: #${entry.seq})`,
      });
  });
  const [firstEntry] = entries;
  if (!firstEntry) throw new Error(`The history of ${first.workflowId} holds no recorded events`);
  const state = replayTimeline(entries);
  const linked = corroborate(entries, causes, failedNotices, input, findings);
  const procedure = findProcedure(input.procedure.id, input.procedure.version);
  if (!procedure)
    findings.push({
      level: 'error',
      message: `procedure ${input.procedure.id}@${input.procedure.version} is not known to this code`,
    });
  if (execution === 'running' && [...notices.values()].some((notice) => notice.pending)) {
    findings.push({ level: 'note', message: 'some notices were still being delivered when the history was taken' });
  }

  return {
    ref: state.ref,
    runIds: runs.map((run) => run.runId),
    procedure: state.procedure,
    execution,
    historyEvents,
    entries,
    state,
    notices: [...notices.values()],
    causes: linked,
    findings,
  };
}

/** Links each recorded event to what caused it in the history, and reports what does not fit. */
function corroborate(
  entries: readonly TimelineEntry[],
  causes: readonly Cause[],
  failedNotices: ReadonlyArray<{ id: string; at: string | undefined }>,
  input: ComplaintWorkflowInput,
  findings: AuditFinding[],
): Record<number, string> {
  const linked: Record<number, string> = {};
  const pending = new Set(entries);
  const [first] = entries;
  if (first && first.type === 'complaint-received' && !input.resume) {
    pending.delete(first);
    linked[first.seq] = 'WorkflowExecutionStarted (event 1)';
    if (
      !isDeepStrictEqual(first.actor, input.actor) ||
      first.receivedAt !== new Date(Date.parse(input.receivedAt)).toISOString()
    ) {
      findings.push({
        level: 'error',
        message: 'the complaint-received event does not match the workflow input (actor or time)',
      });
    }
  } else if (input.resume) {
    // Events before this run were recorded by earlier runs: their causes are in those runs' histories.
    for (const entry of input.resume.state.timeline) {
      const carried = entries.find((candidate) => candidate.seq === entry.seq);
      if (carried && pending.delete(carried)) linked[carried.seq] = 'carried over from an earlier run';
    }
  }

  for (const cause of causes) {
    const label = `${cause.kind === 'update' ? 'Update' : 'Signal'} "${cause.action}" (event ${eventId(cause.event)})`;
    const candidates = [...pending].filter(
      (entry) => entry.at === cause.handledAt && isDeepStrictEqual(entry.actor, cause.actor ?? { id: 'unknown' }),
    );
    const produced = (PRODUCES as Record<string, readonly string[] | undefined>)[cause.action] ?? [];
    const firstMatch = candidates.find((entry) =>
      cause.kind === 'signal' && entry.type === 'action-rejected'
        ? entry.action === cause.action
        : produced[0] === entry.type || (entry.type !== 'closed' && produced.includes(entry.type)),
    );
    if (!firstMatch) {
      findings.push({
        level: 'error',
        message: `${label} by ${cause.actor?.id ?? 'unknown'} recorded nothing at ${cause.handledAt ?? 'an unknown time'}`,
      });
      continue;
    }
    pending.delete(firstMatch);
    linked[firstMatch.seq] = label;
    if (firstMatch.type === 'action-rejected') continue;
    // An action may record a second event (an outcome at the final stage closes the complaint).
    for (const entry of candidates) {
      if (
        entry.seq === firstMatch.seq + 1 &&
        entry.type === 'closed' &&
        produced.includes('closed') &&
        pending.delete(entry)
      )
        linked[entry.seq] = label;
    }
  }

  for (const entry of pending) {
    if (entry.type === 'notification-failed') {
      const failure = failedNotices.find(
        (candidate) => candidate.id === entry.notice && (!candidate.at || candidate.at <= entry.at),
      );
      if (failure) linked[entry.seq] = `failed sendNotice ${entry.notice}`;
      else
        findings.push({
          level: 'error',
          message: `event #${entry.seq} says notice ${entry.notice} failed, but no failed delivery is in the history`,
        });
    } else if (entry.actor.id === 'system' && CLOCK_TYPES.has(entry.type)) {
      const dueAt = clockDueAt(entry, entries);
      if (dueAt !== undefined && Date.parse(entry.at) < dueAt) {
        findings.push({
          level: 'error',
          message: `event #${entry.seq} (${entry.type}) at ${entry.at} came before it was due (${new Date(dueAt).toISOString()})`,
        });
      } else linked[entry.seq] = 'the workflow clock (due at or before this time)';
    } else {
      findings.push({
        level: 'error',
        message: `event #${entry.seq} (${entry.type} by ${entry.actor.id} at ${entry.at}) matches no Update or Signal in the history`,
      });
    }
  }
  return linked;
}

/** When a clock event was due: a reminder `hoursBefore` its deadline, a breach at it, a closure at the window's end. */
function clockDueAt(entry: TimelineEntry, entries: readonly TimelineEntry[]): number | undefined {
  if (entry.type === 'reminder-issued') return Date.parse(entry.dueAt) - entry.hoursBefore * 3_600_000;
  if (entry.type === 'deadline-breached') return Date.parse(entry.dueAt);
  if (entry.type === 'closed') {
    const before = replayTimeline(entries.filter((candidate) => candidate.seq < entry.seq));
    const window = before.stages[before.stages.length - 1]?.escalationWindowEndsAt;
    return window ? Date.parse(window) : undefined;
  }
  return undefined;
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

const words = (value: string) => value.replace(/-/g, ' ');

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
  const stageName = (id: string) =>
    findProcedure(timeline.procedure.id, timeline.procedure.version)?.stages.find((stage) => stage.id === id)?.name ??
    id;
  const rows: Array<{ seq: number; at: string; who: string; what: string; cause?: string }> = [];
  let state: ComplaintState | undefined;
  for (const entry of timeline.entries) {
    if (!state) state = initialState(entry);
    else applyEvent(state, entry);
    const record = state.stages[state.stages.length - 1];
    let what: string;
    switch (entry.type) {
      case 'complaint-received':
        what =
          `Complaint received by ${entry.details.channel} from ${entry.details.complainant.name}` +
          `${entry.details.serious ? ' (serious)' : ''}: ${words(entry.details.serviceArea)} / ${words(entry.details.category)}. ` +
          `Procedure: ${entry.procedure.name} (${entry.procedure.id}@${entry.procedure.version}). ${opening(entry.stage)}`;
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
          `${stageName(entry.stage)} outcome: ${words(entry.outcome).toUpperCase()}${metText(done?.response)}` +
          `${entry.findings ? `. Findings: ${entry.findings}` : ''}${entry.actionsTaken ? `. Actions: ${entry.actionsTaken}` : ''}` +
          `${entry.escalationWindowEndsAt ? `. The complainant may take it further until ${londonTime(entry.escalationWindowEndsAt)}` : ''}`;
        break;
      }
      case 'escalated':
        what = `Escalated from ${stageName(entry.from)} to ${stageName(entry.to)}${entry.bypassed ? `, bypassing ${stageName(entry.bypassed)} at the complainant's request` : ''}. ${opening(entry.stage)}`;
        break;
      case 'extension-granted':
        what =
          `${stageName(entry.stage)} response deadline extended from ${londonTime(entry.previousDueAt)} to ${londonTime(entry.dueAt)}` +
          `${entry.days !== undefined ? ` (+${entry.days} days)` : ''}, ${entry.agreedWithComplainant ? 'agreed with the complainant' : 'not agreed with the complainant'}. Reason: ${entry.reason}`;
        break;
      case 'withdrawn':
        what = `Complaint withdrawn${entry.reason ? `: ${entry.reason}` : ''}`;
        break;
      case 'referred-to-ombudsman':
        what = `Referred to the Scottish Public Services Ombudsman${entry.reference ? ` (reference ${entry.reference})` : ''}`;
        break;
      case 'note-added':
        what = `Note: ${entry.text}`;
        break;
      case 'reminder-issued':
        what = `Reminder: ${stageName(entry.stage)} ${entry.deadline} due ${londonTime(entry.dueAt)} (${entry.hoursBefore} h before)`;
        break;
      case 'deadline-breached':
        what = `DEADLINE MISSED: ${stageName(entry.stage)} ${entry.deadline} was due ${londonTime(entry.dueAt)}`;
        break;
      case 'calendar-updated':
        what =
          `Holiday calendar updated (${entry.holidays.length} holidays)` +
          `${entry.acknowledgementDueAt ? `; acknowledgement now due ${londonTime(entry.acknowledgementDueAt)}` : ''}` +
          `${entry.responseDueAt ? `; response now due ${londonTime(entry.responseDueAt)}` : ''}`;
        break;
      case 'closed':
        what = `Complaint closed: ${words(entry.reason)}${entry.outcome ? ` (outcome: ${words(entry.outcome)})` : ''}`;
        break;
      case 'action-rejected':
        what = `REFUSED "${entry.action}" (${entry.code}): ${entry.reason}`;
        break;
      case 'notification-failed':
        what = `Notice could not be delivered: ${entry.notice} (${entry.reason})`;
        break;
    }
    const cause = timeline.causes[entry.seq];
    rows.push({ seq: entry.seq, at: entry.at, who: who(entry.actor), what, ...(cause ? { cause } : {}) });
  }
  return rows;

  function opening(stage: { name: string; acknowledgementDueAt: string | null; responseDueAt: string }): string {
    return `${stage.name} begins: ${stage.acknowledgementDueAt ? `acknowledge by ${londonTime(stage.acknowledgementDueAt)}, ` : ''}respond by ${londonTime(stage.responseDueAt)}`;
  }
}

/** The timeline as an auditor reads it. */
export function formatTimeline(timeline: AuditTimeline, source: string): string {
  const { state } = timeline;
  const lines: string[] = [];
  const status = state.closure
    ? `${state.status} (${words(state.closure.reason)}${state.closure.outcome ? `, outcome ${words(state.closure.outcome)}` : ''})`
    : state.status;
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
    if (stage.response.outcome) lines.push(`    outcome:         ${words(stage.response.outcome)}`);
    if (stage.escalatedAt) lines.push(`    escalated:       ${londonTime(stage.escalatedAt)}`);
    else if (stage.escalationWindowEndsAt)
      lines.push(`    may go further until ${londonTime(stage.escalationWindowEndsAt)}`);
  }

  lines.push('', 'NOTICES');
  if (timeline.notices.length === 0) lines.push('  none');
  for (const notice of timeline.notices) {
    const result = notice.deliveredAt
      ? `delivered ${londonTime(notice.deliveredAt)} to ${(notice.recipients ?? []).join(', ') || '(no recipients)'}`
      : notice.failedAt
        ? `FAILED ${londonTime(notice.failedAt)}: ${notice.failure}`
        : 'still being delivered';
    lines.push(
      `  ${londonTime(notice.requestedAt)}  ${words(notice.kind).padEnd(24)} to ${notice.audience.padEnd(11)} ${result}`,
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
