import type { WorkflowStartOptions } from '@temporalio/client';
import { openComplaint } from '../domain/complaint';
import { getProcedure } from '../domain/procedures';
import type { complaintWorkflow, ComplaintWorkflowInput } from './complaint';
import { startSearchAttributes } from './search-attributes';

// How every client (API, scenario runner, tests) starts a complaint, so that they all agree.

/** The workflow type clients list and start complaints by (the name of `complaintWorkflow`). */
export const COMPLAINT_WORKFLOW_TYPE = 'complaintWorkflow';

export interface ComplaintStartSettings {
  taskQueue: string;
  /**
   * Whether the namespace has the complaint search attributes. When it has, the complaint starts with them and the
   * workflow keeps them up to date; when it has not (the time-skipping test server cannot register any), the
   * workflow sees none at start and never upserts.
   */
  indexed: boolean;
}

export function complaintStartOptions(
  input: ComplaintWorkflowInput,
  settings: ComplaintStartSettings,
): WorkflowStartOptions<typeof complaintWorkflow> {
  const procedure = getProcedure(input.procedure);
  // The state the workflow begins in, by the same domain function, so the values at start are the ones it upserts.
  const state = openComplaint(input, procedure, input.receivedAt);
  const searchAttributes = startSearchAttributes(state, procedure);
  return {
    args: [input],
    taskQueue: settings.taskQueue,
    workflowId: input.ref,
    // A reference names one complaint for ever: never a second workflow under it, even after closure.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
    ...(settings.indexed ? { typedSearchAttributes: searchAttributes } : {}),
  };
}
