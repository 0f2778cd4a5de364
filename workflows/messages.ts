import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { actionNames, type ActionName } from '../domain/action-names';
import type { ActionInput } from '../domain/actions';
import type { ComplaintState } from '../domain/complaint';

// The complaint workflow's messages, shared by the workflow and every client (API, scenario runner, audit).
// Each action is both an Update (validated and answered) and a Signal of the same name (fire-and-forget,
// for other systems; an invalid one is recorded as rejected).

export const complaintStateQuery = defineQuery<ComplaintState>('complaintState');

type ActionUpdates = { [A in ActionName]: ReturnType<typeof defineUpdate<ComplaintState, [ActionInput<A>], A>> };
type ActionSignals = { [A in ActionName]: ReturnType<typeof defineSignal<[ActionInput<A>], A>> };

export const actionUpdates = Object.fromEntries(actionNames.map((name) => [name, defineUpdate(name)])) as ActionUpdates;
export const actionSignals = Object.fromEntries(actionNames.map((name) => [name, defineSignal(name)])) as ActionSignals;

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
