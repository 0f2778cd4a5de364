import type { WorkflowHandle, WorkflowUpdateOptions } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { ActionInput } from '../domain/actions';
import type { ActionName } from '../domain/action-names';
import { stateAtRevision, type ComplaintState } from '../domain/complaint';
import { type ActionAnswer, actionUpdates, complaintStateQuery, isWholeState } from '../workflows/messages';

// For Temporal clients that want the complaint after an action (the commands, the tests): an action's Update answers
// its revision and the entries it recorded (workflows/messages.ts ActionOutcome), and this turns that into the
// complaint at that revision, from the workflow's query. The API reads it from the register instead
// (api/complaint-reads.ts ComplaintReads.afterAction).

/** The complaint exactly as it was just after the action that answered `answer`. */
export async function stateAfter(handle: WorkflowHandle, answer: ActionAnswer): Promise<ComplaintState> {
  if (isWholeState(answer)) return answer;
  return stateAtRevision(await handle.query(complaintStateQuery), answer.revision);
}

/** Executes the action's Update and answers the complaint just after it. */
export async function executeAction<A extends ActionName>(
  handle: WorkflowHandle,
  action: A,
  input: ActionInput<A>,
  options: { updateId?: string } = {},
): Promise<ComplaintState> {
  const update = actionUpdates[action];
  const answer = await handle.executeUpdate(update, { args: [input] as never, ...options });
  return stateAfter(handle, answer);
}

/** The last entry an action recorded (its answer's, or the whole state's last). */
export function lastRecorded(answer: ActionAnswer) {
  return isWholeState(answer) ? answer.timeline.at(-1) : answer.recorded.at(-1);
}

/** `handle.executeUpdate(update, options)` for an action's Update, answering the complaint just after it. */
export async function executeUpdateForState<Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  update: UpdateDefinition<ActionAnswer, Args>,
  options: WorkflowUpdateOptions & { args: Args },
): Promise<ComplaintState> {
  return stateAfter(handle, await handle.executeUpdate(update, options));
}
