import { createRequire } from 'node:module';
import { temporal } from '@temporalio/proto';

// History <-> JSON in the format of `temporal workflow show --output json` (ProtoJSON: camelCase fields, enum
// names, int64 as strings, payload data base64). The SDK has historyFromJSON/historyToJSON for this, but they
// throw "type must be a Type" whenever npm installs more than one copy of protobufjs (as it does here: grpc's
// proto-loader needs protobufjs 7, the SDK packages 8, and each SDK package gets its own copy), because they mix
// the reflection types of @temporalio/proto with the ProtoJSON code of @temporalio/common's copy. These use
// @temporalio/proto's own copy for both, whatever npm's layout; the enum fix-ups are the SDK's.

export type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
  toJson(type: unknown, message: unknown): unknown;
}

let protojson: ProtoJson | undefined;

/** protobufjs's ProtoJSON extension of the copy @temporalio/proto uses (its types are that copy's reflection types). */
function protoJson(): ProtoJson {
  protojson ??= createRequire(require.resolve('@temporalio/proto/package.json'))(
    'protobufjs/ext/protojson',
  ) as ProtoJson;
  return protojson;
}

const HistoryMessage = temporal.api.history.v1.History;

/** A History from its ProtoJSON form (unknown fields ignored, as histories from newer servers may have some). */
export function historyFromJson(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('expected an object with an array of events');
  }
  const fixed = { events: (json as { events: Array<Record<string, unknown>> }).events.map(fixHistoryEvent) };
  const history = protoJson().fromJson(HistoryMessage, fixed, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a history');
  return history as History;
}

/** The ProtoJSON text of a History, as `temporal workflow show --output json` prints it. */
export function historyToJson(history: History): string {
  return JSON.stringify(protoJson().toJson(HistoryMessage, HistoryMessage.fromObject(history)), null, 2);
}

// Older tools wrote some enums in PascalCase ("WorkflowExecutionStarted"); ProtoJSON wants EVENT_TYPE_... names.
function pascalToConstant(value: string): string {
  return value.replace(/[^\b][A-Z]/g, (m) => `${m[0]}_${m[1]}`).toUpperCase();
}

function fixEnum(obj: Record<string, unknown>, attr: string, prefix: string): Record<string, unknown> | undefined {
  const value = obj[attr];
  if (typeof value !== 'string') return undefined;
  return { [attr]: value.startsWith(prefix) ? value : `${prefix}_${pascalToConstant(value)}` };
}

function fixHistoryEvent(event: Record<string, unknown>): Record<string, unknown> {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes'));
  if (!key) throw new TypeError(`history event ${String(event.eventId)} has no attributes`);
  const attributes = event[key] as Record<string, unknown>;
  const taskQueue = attributes.taskQueue as Record<string, unknown> | undefined;
  const childFailure = attributes.childWorkflowExecutionFailureInfo as Record<string, unknown> | undefined;
  return {
    ...event,
    ...fixEnum(event, 'eventType', 'EVENT_TYPE'),
    [key]: {
      ...attributes,
      ...(taskQueue ? { taskQueue: { ...taskQueue, ...fixEnum(taskQueue, 'kind', 'TASK_QUEUE_KIND') } } : {}),
      ...fixEnum(attributes, 'parentClosePolicy', 'PARENT_CLOSE_POLICY'),
      ...fixEnum(attributes, 'workflowIdReusePolicy', 'WORKFLOW_ID_REUSE_POLICY'),
      ...fixEnum(attributes, 'initiator', 'CONTINUE_AS_NEW_INITIATOR'),
      ...fixEnum(attributes, 'retryState', 'RETRY_STATE'),
      ...(childFailure
        ? {
            childWorkflowExecutionFailureInfo: {
              ...childFailure,
              ...fixEnum(childFailure, 'retryState', 'RETRY_STATE'),
            },
          }
        : {}),
    },
  };
}
