import * as wf from '@temporalio/workflow';
import {
  NOTICE_ACTIVITY_OPTIONS,
  type ImprovementActionActivities,
  type ImprovementActionWorkflowInput,
} from '../activities/contract';

// An improvement action's reminders to its owner (issue 16): a durable timer to each reminder time, cut short by the
// completion Signal, which the API sends once the register holds the completion (api/improvement-actions.ts). Its
// own workflow, not events of the complaint's: an action outlives the complaint's closure, and its timers would
// otherwise keep a closed complaint's history growing. Started by the API; after the last reminder it waits for the
// completion, so that one running workflow per open action is what "open" means in Temporal too.

const actions = wf.proxyActivities<ImprovementActionActivities>(NOTICE_ACTIVITY_OPTIONS);

/** The Signal the API sends once the action's completion is recorded. */
export const improvementActionCompletedSignal = wf.defineSignal('improvement-action-completed');

/** The workflow id of an improvement action's reminders. */
export function improvementActionWorkflowId(actionId: string): string {
  return `improvement-action-${actionId}`;
}

export async function improvementActionWorkflow(
  input: ImprovementActionWorkflowInput,
): Promise<{ reminded: number; completed: boolean }> {
  let completed = false;
  wf.setHandler(improvementActionCompletedSignal, () => {
    completed = true;
  });
  let reminded = 0;
  for (const reminder of input.reminders) {
    const waitMs = Date.parse(reminder.at) - Date.now();
    if (waitMs > 0 && (await wf.condition(() => completed, waitMs))) break;
    if (completed) break;
    const found = await actions.remindImprovementActionOwner({ actionId: input.actionId, ...reminder });
    if (found === 'completed') return { reminded, completed: true };
    if (found === 'reminded') reminded += 1;
  }
  await wf.condition(() => completed);
  return { reminded, completed: true };
}
