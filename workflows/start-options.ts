import type { SearchAttributePair } from '@temporalio/common';
import type { WorkflowStartOptions } from '@temporalio/client';
import { procedureKey, startStage } from '../domain/procedure';
import { getProcedure } from '../domain/procedures';
import type { complaintWorkflow, ComplaintWorkflowInput } from './complaint';
import {
  complaintCategoryKey,
  complaintProcedureKey,
  complaintReceivedAtKey,
  complaintServiceAreaKey,
  complaintStageKey,
  complaintStatusKey,
  complaintOverdueKey,
} from './search-attributes';

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
  const firstStage = startStage(getProcedure(input.procedure), input.details.serious);
  const searchAttributes: SearchAttributePair[] = [
    { key: complaintStatusKey, value: 'open' },
    { key: complaintStageKey, value: firstStage },
    { key: complaintServiceAreaKey, value: input.details.serviceArea },
    { key: complaintCategoryKey, value: input.details.category },
    { key: complaintProcedureKey, value: procedureKey(input.procedure) },
    { key: complaintReceivedAtKey, value: new Date(input.receivedAt) },
    { key: complaintOverdueKey, value: false },
  ];
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
