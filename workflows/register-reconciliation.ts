// The daily register reconciliation (issue 18), started by the Schedule `register-reconciliation`
// (platform/schedules.ts). Thin: it names the day before and asks one activity to compare the register with Temporal
// for that day's complaints and the open ones, repairing what differs. Only types and pure day arithmetic here.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconciliationActivities, ReconciliationSummary } from '../activities/contract';
import { londonDate, shiftIsoDate } from '../domain/calendar';

const { reconcileRegister } = proxyActivities<ReconciliationActivities>({
  // A whole register's open complaints are read one by one; a retry starts the comparison again (it is idempotent).
  startToCloseTimeout: '1 hour',
  retry: { maximumAttempts: 3 },
});

export async function registerReconciliationWorkflow(): Promise<ReconciliationSummary> {
  // The day before the time the Schedule meant (a caught-up run late after an outage still checks that day),
  // else, when started by hand, the day before the workflow's start.
  const scheduled = workflowInfo().searchAttributes?.['TemporalScheduledStartTime']?.[0];
  const meantMs = scheduled instanceof Date ? scheduled.getTime() : workflowInfo().startTime.getTime();
  const dayBefore = shiftIsoDate(londonDate(meantMs), -1);
  // Dates as `npm run report` takes them: whole London days, `to` inclusive.
  return reconcileRegister({ from: dayBefore, to: dayBefore, open: true, repair: true });
}
