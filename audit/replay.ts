import type { HistoryAndWorkflowId } from '@temporalio/client';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { complaintWorkflowCodeOptions } from '../worker/workflow-options';
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
  const replayOptions = { ...complaintWorkflowCodeOptions(options.workflowBundle), replayName: 'complaints-audit' };
  for await (const result of Worker.runReplayHistories(replayOptions, feed())) {
    const item = inFlight.shift();
    if (!item) throw new Error(`Replay result for ${result.workflowId} with no history to match it`);
    yield outcomeOf(item, result.error);
  }
}

export function outcomeOf(item: ComplaintHistory, error: Error | undefined): ReplayOutcome {
  const base = { workflowId: item.workflowId, runId: item.runId, source: item.source, events: item.history.events?.length ?? 0 };
  if (!error) {
    return { ...base, ok: true, status: 'ok', message: `ok                 ${item.workflowId} (${base.events} events)` };
  }
  const status: ReplayStatus = error.name === 'DeterminismViolationError' ? 'non-deterministic' : 'failed';
  const reason = cleanReason(error.message);
  const event = namedEvent(item, error.message);
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

/** The replayer's message without its boilerplate preamble. */
function cleanReason(message: string): string {
  return message
    .replace(/^Replay failed with a nondeterminism error\. This means that the workflow code as written is not compatible with the history that was fed in\. Details: /, '')
    .replace(/^Replay failed due workflow task failure\. Details: /, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Core names the event as `HistoryEvent(id: 12, ActivityTaskScheduled)` or `event_id: 12` / `event 12`. */
function namedEvent(item: ComplaintHistory, message: string): ReplayOutcome['event'] | undefined {
  const match = /HistoryEvent\(\s*id:\s*(\d+)/.exec(message) ?? /event[_ ]id[:= ]\s*(\d+)/i.exec(message) ?? /\bevent (\d+)\b/i.exec(message);
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
