import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { PayloadKeyRing } from '../platform/payload-keys';
import { ComplaintsWorker, complaintWorkflowCodeOptions } from '../worker/workflow-options';
import { eventId, eventTime, eventType, type ComplaintHistory } from './histories';

// Replays complaint histories against the current workflow code with the SDK's replayer, configured exactly as the
// real worker (worker/workflow-options.ts: same code, interceptors, data converter). A history replays only if
// today's code issues the same commands, in the same order, as the code that wrote it.

export type ReplayStatus = 'ok' | 'non-deterministic' | 'failed';

export interface ReplayOutcome {
  workflowId: string;
  runId: string;
  source: string;
  events: number;
  ok: boolean;
  status: ReplayStatus;
  /** What went wrong, in the replayer's words. */
  reason?: string;
  /** The history event where replay and code parted, when the replayer names it. */
  event?: { id: number; type: string; at?: string };
  /** One line naming the complaint, the event and the reason. */
  message: string;
}

export interface ReplayOptions {
  /** A workflow bundle already built (tests, the recording script); default: as the worker gets its code. */
  workflowBundle?: WorkflowBundleOption;
  /** The key ring the histories' payloads were encrypted with (platform/payload-keys.ts); absent: plain payloads only. */
  payloadKeys?: PayloadKeyRing;
}

/** Replays each history in turn (one replay worker for all), yielding one outcome per history. */
export async function* replayComplaintHistories(
  histories: Iterable<ComplaintHistory> | AsyncIterable<ComplaintHistory>,
  options: ReplayOptions = {},
): AsyncGenerator<ReplayOutcome> {
  const inFlight: ComplaintHistory[] = [];
  async function* feed(): AsyncGenerator<HistoryAndWorkflowId> {
    for await (const item of histories) {
      inFlight.push(item);
      yield { workflowId: item.workflowId, history: item.history };
    }
  }
  const replayOptions = {
    ...complaintWorkflowCodeOptions(options.workflowBundle, options.payloadKeys),
    replayName: 'complaints-audit',
  };
  for await (const result of ComplaintsWorker.runReplayHistories(replayOptions, feed())) {
    const item = inFlight.shift();
    if (!item) throw new Error(`Replay result for ${result.workflowId} with no history to match it`);
    const outcome = outcomeOf(item, result.error);
    if (outcome.status === 'non-deterministic' && !outcome.event) {
      // The replayer did not say where: find the first workflow task whose commands the history contradicts.
      const event = await locateDivergence(item, result.error?.message ?? '', replayOptions);
      yield event ? outcomeOf(item, result.error, event) : outcome;
    } else {
      yield outcome;
    }
  }
}

export function outcomeOf(
  item: ComplaintHistory,
  error: Error | undefined,
  located?: ReplayOutcome['event'],
): ReplayOutcome {
  const base = {
    workflowId: item.workflowId,
    runId: item.runId,
    source: item.source,
    events: item.history.events?.length ?? 0,
  };
  if (!error) {
    return {
      ...base,
      ok: true,
      status: 'ok',
      message: `${'ok'.padEnd(18)} ${item.workflowId} (${base.events} events) [run ${item.runId}, ${item.source}]`,
    };
  }
  const status: ReplayStatus = error.name === 'DeterminismViolationError' ? 'non-deterministic' : 'failed';
  const reason = cleanReason(error.message);
  const event = located ?? namedEvent(item, error.message);
  const where = event ? ` at event ${event.id} ${event.type}${event.at ? ` (${event.at})` : ''}` : '';
  return {
    ...base,
    ok: false,
    status,
    reason,
    ...(event ? { event } : {}),
    message: `${status.padEnd(18)} ${item.workflowId}${where}: ${reason} [run ${item.runId}, ${item.source}]`,
  };
}

/** Events that record a workflow command: where a changed workflow shows up first. */
const COMMAND_EVENTS = new Set([
  'ActivityTaskScheduled',
  'ActivityTaskCancelRequested',
  'TimerStarted',
  'TimerCanceled',
  'MarkerRecorded',
  'UpsertWorkflowSearchAttributes',
  'WorkflowPropertiesModified',
  'StartChildWorkflowExecutionInitiated',
  'SignalExternalWorkflowExecutionInitiated',
  'RequestCancelExternalWorkflowExecutionInitiated',
  'WorkflowExecutionCompleted',
  'WorkflowExecutionFailed',
  'WorkflowExecutionContinuedAsNew',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionUpdateAccepted',
  'WorkflowExecutionUpdateRejected',
  'WorkflowExecutionUpdateCompleted',
  'NexusOperationScheduled',
]);

/**
 * Core does not always say which event it tripped on. This replays prefixes of the history (each ending where a
 * workflow task starts), bisecting for the first workflow task whose commands the history contradicts, then names
 * the first command event of that task that fits the replayer's complaint (e.g. the ActivityTaskScheduled of the
 * activity type it names).
 */
async function locateDivergence(
  item: ComplaintHistory,
  message: string,
  replayOptions: Parameters<typeof Worker.runReplayHistories>[0],
): Promise<ReplayOutcome['event'] | undefined> {
  const events = item.history.events ?? [];
  const starts = events.flatMap((event, index) => (event.workflowTaskStartedEventAttributes ? [index] : []));
  if (starts.length === 0) return undefined;
  // Invariant: the prefix ending at starts[lo] replays; the one ending at starts[hi] (or, hi = length, the whole history) does not.
  let lo = 0;
  let hi = starts.length;
  let probe = 0;
  async function* prefixes(): AsyncGenerator<HistoryAndWorkflowId> {
    while (hi - lo > 1) {
      probe = Math.floor((lo + hi) / 2);
      // The replayer asks for the next prefix only after it has reported this one's result (read below).
      yield { workflowId: item.workflowId, history: { events: events.slice(0, (starts[probe] ?? 0) + 1) } };
    }
  }
  for await (const result of ComplaintsWorker.runReplayHistories(replayOptions, prefixes())) {
    if (result.error) hi = probe;
    else lo = probe;
  }
  // The task started at starts[hi - 1] issued the commands the history contradicts: they follow its completion.
  const windowStart = starts[hi - 1] ?? 0;
  const windowEnd = hi < starts.length ? (starts[hi] ?? events.length) : events.length;
  const window = events.slice(windowStart + 1, windowEnd).filter((event) => COMMAND_EVENTS.has(eventType(event)));
  const activityType = /scheduled event '([^']+)'/.exec(message)?.[1];
  const event =
    (activityType &&
      window.find(
        (candidate) => candidate.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
      )) ||
    window[0];
  if (!event) return undefined;
  const at = eventTime(event);
  return { id: eventId(event), type: eventType(event), ...(at ? { at } : {}) };
}

/** The replayer's message without its boilerplate preamble. */
function cleanReason(message: string): string {
  // Core wraps its own words in a Rust debug dump: `... Failure { failure: Some(Failure { message: "[TMPRL1100] ..."`.
  const inner = /message: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  if (inner) return inner.replace(/\\"/g, '"');
  return message
    .replace(
      /^Replay failed with a nondeterminism error\. This means that the workflow code as written is not compatible with the history that was fed in\. Details: /,
      '',
    )
    .replace(/^Replay failed due workflow task failure\. Details: /, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Core names the event as `HistoryEvent(id: 12, ActivityTaskScheduled)` or `event_id: 12` / `event 12`. */
function namedEvent(item: ComplaintHistory, message: string): ReplayOutcome['event'] | undefined {
  const match =
    /HistoryEvent\(\s*id:\s*(\d+)/.exec(message) ??
    /event[_ ]id[:= ]\s*(\d+)/i.exec(message) ??
    /\bevent (\d+)\b/i.exec(message);
  if (!match?.[1]) return undefined;
  const id = Number(match[1]);
  const event = item.history.events?.find((candidate) => eventId(candidate) === id);
  if (!event) return { id, type: 'unknown' };
  const at = eventTime(event);
  return { id, type: eventType(event), ...(at ? { at } : {}) };
}

export interface ReplaySummary {
  total: number;
  ok: number;
  nonDeterministic: number;
  failed: number;
}

export function summarise(outcomes: readonly ReplayOutcome[]): ReplaySummary {
  return {
    total: outcomes.length,
    ok: outcomes.filter((outcome) => outcome.status === 'ok').length,
    nonDeterministic: outcomes.filter((outcome) => outcome.status === 'non-deterministic').length,
    failed: outcomes.filter((outcome) => outcome.status === 'failed').length,
  };
}
