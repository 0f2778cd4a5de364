import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { actionNames, type ActionName } from '../domain/action-names';
import type { ActionInput } from '../domain/actions';
import type { ComplaintState, TimelineEntry } from '../domain/complaint';

// The complaint workflow's messages, shared by the workflow and every client (API, scenario runner, audit).
// Each action is both an Update (validated and answered) and a Signal of the same name (fire-and-forget,
// for other systems; an invalid one is recorded as rejected).

export const complaintStateQuery = defineQuery<ComplaintState>('complaintState');

type ActionUpdates = { [A in ActionName]: ReturnType<typeof defineUpdate<ActionAnswer, [ActionInput<A>], A>> };
type ActionSignals = { [A in ActionName]: ReturnType<typeof defineSignal<[ActionInput<A>], A>> };

export const actionUpdates = Object.fromEntries(actionNames.map((name) => [name, defineUpdate(name)])) as ActionUpdates;
export const actionSignals = Object.fromEntries(actionNames.map((name) => [name, defineSignal(name)])) as ActionSignals;

/**
 * What an action's Update answers since the patch COMPACT_HISTORY (patches.ts): the complaint's revision after
 * it (its timeline's last seq) and the entries the action recorded (for a keyed repeat handled in an earlier run, the
 * last of them), instead of the whole state, which made a complaint's history grow with the square of its actions.
 * Clients rebuild the state from the register or the query (api/complaint-reads.ts, platform/complaint-actions.ts).
 */
export interface ActionOutcome {
  revision: number;
  recorded: TimelineEntry[];
}

/** An Update's answer: the compact outcome, or (a run from before the patch, an old worker) the whole state. */
export type ActionAnswer = ComplaintState | ActionOutcome;

export function isWholeState(answer: ActionAnswer): answer is ComplaintState {
  return 'timeline' in answer;
}

/** ApplicationFailure types a client can tell apart. */
export const ACTION_REJECTED = 'ComplaintActionRejected';
export const INVALID_ACTION = 'InvalidComplaintAction';

/** A refusal of another body under a key the complaint handled in an earlier run (the API answers it as a 409). */
export const IDEMPOTENCY_KEY_REUSED = 'idempotency-key-reused';

/**
 * The Update id of a request made with an Idempotency-Key: scoped to the action and the person (the same key from
 * two people is two requests). The workflow treats Updates with such an id as keyed (remembered, refusals included,
 * across continue-as-new); any other id (the client's random one) is not.
 */
export function keyedUpdateId(action: ActionName, actorId: string, key: string): string {
  return `${action}:${actorId}:${key}`;
}

export function isKeyedUpdateId(action: ActionName, updateId: string | undefined): updateId is string {
  return updateId !== undefined && updateId.startsWith(`${action}:`);
}
