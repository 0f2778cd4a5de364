import * as wf from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { actionNames } from '../domain/action-names';
import type { ComplaintState } from '../domain/complaint';
import type { ActionAnswer } from './messages';
import { ComplaintRun, type ComplaintWorkflowInput } from './complaint-run';
import { actionSignals, actionUpdates, complaintStateQuery } from './messages';

// One execution per complaint, id = the complaint's reference. The workflow only waits, times and records: every
// rule is a pure function in domain/complaint.ts, and what the workflow does with them is ComplaintRun's
// (complaint-run.ts). Here only the wiring: each action is an Update (with a validator) and a Signal of the same
// name, both handled by the run; the query answers its state.

export { type ComplaintWorkflowInput } from './complaint-run';
export { ASSIGNMENT_BY_ROLE, REGISTER_AS_LOCAL_ACTIVITY } from './patches';

export async function complaintWorkflow(input: ComplaintWorkflowInput): Promise<ComplaintState> {
  const run = new ComplaintRun(input);
  for (const action of actionNames) {
    // Payloads are typed for callers, but other systems may send anything: the run parses them.
    wf.setHandler(
      actionUpdates[action] as UpdateDefinition<ActionAnswer, [unknown]>,
      (payload: unknown) => run.update(action, payload),
      { validator: (payload: unknown) => run.validate(action, payload) },
    );
    wf.setHandler(actionSignals[action] as SignalDefinition<[unknown]>, (payload: unknown) =>
      run.signal(action, payload),
    );
  }
  wf.setHandler(complaintStateQuery, () => run.state);
  return await run.run();
}
