// The benchmark's baseline: the least a workflow can do for the same conversation as a complaint's lifecycle
// (started, then two Updates that change its state and answer it), with no API, no rules, no activities, no
// search attributes. Bundled on its own (bench/run.ts) and run by a worker with the same settings as the
// complaints worker, on the same server, so the difference in throughput is what the product adds.
import * as wf from '@temporalio/workflow';

export interface BaselineState {
  id: string;
  acknowledged: boolean;
  outcome: string | null;
}

export const baselineAcknowledge = wf.defineUpdate<BaselineState, [{ note?: string }]>('acknowledge');
export const baselineOutcome = wf.defineUpdate<BaselineState, [{ outcome: string }]>('record-outcome');
export const baselineStateQuery = wf.defineQuery<BaselineState>('baselineState');

export async function baselineWorkflow(id: string): Promise<BaselineState> {
  const state: BaselineState = { id, acknowledged: false, outcome: null };
  wf.setHandler(baselineAcknowledge, () => {
    state.acknowledged = true;
    return state;
  });
  wf.setHandler(baselineOutcome, ({ outcome }) => {
    state.outcome = outcome;
    return state;
  });
  wf.setHandler(baselineStateQuery, () => state);
  // Like a complaint after its outcome, it stays open (a complaint waits out its escalation window).
  await wf.condition(() => false);
  return state;
}

/**
 * The baseline of the reminder burst: a workflow that only waits for a timer due at `dueAtMs` and returns the workflow
 * time of the task it fired in (what a complaint's reminder entry records), so that its lateness, in a burst of the
 * same size on the same server and the same Worker settings, is the least the product's can be.
 */
export async function baselineTimerWorkflow(dueAtMs: number): Promise<number> {
  await wf.sleep(Math.max(1, dueAtMs - Date.now()));
  return Date.now();
}
