import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { type History, historyFromJson, historyToJson } from './history-json';
import { COMPLAINT_WORKFLOW_TYPE } from '../workflows/start-options';

// Where complaint histories come from: exported JSON files (the format of `temporal workflow show --output json`,
// of the SDK's historyToJSON and of the API's /history), or the Temporal server (by reference or visibility query).

export type HistoryEvent = NonNullable<History['events']>[number];

export interface ComplaintHistory {
  /** The workflow id, which is the complaint's reference. */
  workflowId: string;
  runId: string;
  /** Where it came from: a file path or `temporal:<namespace>`. */
  source: string;
  history: History;
}

/** The workflow type every complaint runs as. */

// ------------------------------------------------------------------------------------------------ events

/** An event's type from its attributes, e.g. `ActivityTaskScheduled` (no enum tables needed). */
export function eventType(event: HistoryEvent): string {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventAttributes') && value)
      return key.charAt(0).toUpperCase() + key.slice(1, -'EventAttributes'.length);
  }
  return `Unknown(${String(event.eventType)})`;
}

export function eventId(event: HistoryEvent): number {
  return Number(String(event.eventId ?? 0));
}

/** The event's time at millisecond precision (the workflow clock's precision), ISO. */
export function eventTime(event: HistoryEvent): string | undefined {
  const time = event.eventTime;
  if (!time) return undefined;
  // int64 seconds arrive as Long, number or string depending on how the history was decoded.
  return new Date(Number(String(time.seconds ?? 0)) * 1000 + Math.floor((time.nanos ?? 0) / 1_000_000)).toISOString();
}

export function startedAttributes(history: History) {
  const attributes = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!attributes) throw new Error('The history does not begin with WorkflowExecutionStarted');
  return attributes;
}

// ------------------------------------------------------------------------------------------------ files

/**
 * Parses an exported history: `{ "events": [...] }` as the Temporal CLI and historyToJSON write it, or a wrapper
 * holding it under `history` (with `workflowId`/`ref`/`runId` beside it). The workflow id, which histories do not
 * carry, comes from the wrapper or else from the complaint's reference in the workflow input.
 */
export function parseHistoryJson(text: string, source: string): ComplaintHistory {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const wrapper = (
    isObject(parsed) && !Array.isArray(parsed.events) && isObject(parsed.history) ? parsed : undefined
  ) as { history: unknown; workflowId?: unknown; ref?: unknown; runId?: unknown } | undefined;
  const raw = wrapper ? wrapper.history : parsed;
  if (!isObject(raw) || !Array.isArray(raw.events) || raw.events.length === 0) {
    throw new Error(`${source}: not a workflow history (expected an object with a non-empty "events" array)`);
  }
  let history: History;
  try {
    history = historyFromJson(restoreShorthandPayloads(raw));
  } catch (err) {
    throw new Error(`${source}: not a readable workflow history (${(err as Error).message})`, { cause: err });
  }
  const started = startedAttributes(history);
  const workflowId =
    stringOr(wrapper?.workflowId) ??
    stringOr(wrapper?.ref) ??
    refFromInput(started.input?.payloads?.[0]) ??
    path.basename(source).replace(/\.json$/i, '');
  const runId = stringOr(wrapper?.runId) ?? started.originalExecutionRunId ?? 'unknown';
  return { workflowId, runId, source, history };
}

export async function readHistoryFile(file: string): Promise<ComplaintHistory> {
  return parseHistoryJson(await readFile(file, 'utf8'), file);
}

/** The JSON an auditor takes away: the same format as `temporal workflow show --output json`. */
export function historyJson(history: History): string {
  return `${historyToJson(history)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function refFromInput(payload: { data?: Uint8Array | null } | undefined): string | undefined {
  try {
    const input = payload?.data
      ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as { ref?: unknown })
      : undefined;
    return stringOr(input?.ref);
  } catch {
    return undefined;
  }
}

const JSON_PLAIN = Buffer.from('json/plain').toString('base64');

function isRawPayload(value: unknown): boolean {
  return isObject(value) && isObject(value.metadata) && (typeof value.data === 'string' || value.data === undefined);
}

/**
 * Some tools print payloads "shorthand", as the JSON value they hold rather than `{metadata, data}`. Payload lists
 * (`payloads: [...]`) written that way are turned back into json/plain payloads so the history can be replayed;
 * raw payloads are left exactly as they are.
 */
function restoreShorthandPayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restoreShorthandPayloads);
  if (!isObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'payloads' && Array.isArray(child)) {
      result[key] = child.map((item) =>
        isRawPayload(item)
          ? item
          : { metadata: { encoding: JSON_PLAIN }, data: Buffer.from(JSON.stringify(item)).toString('base64') },
      );
    } else {
      result[key] = restoreShorthandPayloads(child);
    }
  }
  return result;
}

// ------------------------------------------------------------------------------------------------ server

export interface HistorySelection {
  /** Complaint references (workflow ids): every run of each, oldest first. */
  refs?: string[];
  /** A visibility query, e.g. `ComplaintStatus = 'open'`; each matching complaint execution. */
  query?: string;
}

/** How many executions the selection names, for a progress bar (refs count once each, whatever their runs). */
export async function countSelection(client: Client, selection: HistorySelection): Promise<number> {
  const fromQuery =
    selection.query !== undefined ? Number((await client.workflow.count(queryFor(selection.query))).count) : 0;
  return (selection.refs?.length ?? 0) + fromQuery;
}

function queryFor(query: string): string {
  return query.trim() ? query : `WorkflowType = '${COMPLAINT_WORKFLOW_TYPE}'`;
}

/** Histories from the server, one execution (run) at a time. */
export async function* fetchComplaintHistories(
  client: Client,
  selection: HistorySelection,
): AsyncGenerator<ComplaintHistory> {
  const source = `temporal:${client.options.namespace}`;
  for (const ref of selection.refs ?? []) {
    // A complaint that continued as new has several runs: the latest, and before it each run it continued from.
    const runs: ComplaintHistory[] = [];
    let runId: string | undefined;
    for (;;) {
      const handle = client.workflow.getHandle(ref, runId);
      const history = await handle.fetchHistory();
      const started = startedAttributes(history);
      runs.unshift({ workflowId: ref, runId: runId ?? (await handle.describe()).runId, source, history });
      runId = started.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    yield* runs;
  }
  if (selection.query !== undefined) {
    for await (const execution of client.workflow.list({ query: queryFor(selection.query) })) {
      if (execution.type !== COMPLAINT_WORKFLOW_TYPE) continue;
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      yield { workflowId: execution.workflowId, runId: execution.runId, source, history };
    }
  }
}
