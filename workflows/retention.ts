// The daily retention run (issue 14), started by the Schedule `retention` (platform/schedules.ts): erases the
// personal data of closed complaints whose retention period has ended (domain/retention.ts, RETENTION_SCHEDULE_PATH)
// and deletes their workflow executions from Temporal, then erases the texts of compliments whose period after receipt
// has ended (patch COMPLIMENT_RETENTION), each logged in the destruction log. Thin: pages of what is
// due, one activity per complaint; continues as new after a few pages so its history stays small.
import { continueAsNew, patched, proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../activities/contract';
import { COMPLIMENT_RETENTION } from './patches';

const { complaintsDueForRetention, applyRetention, applyComplimentRetention } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 10 },
});

const PAGE = 200;
const PAGES_PER_RUN = 10;

export interface RetentionRunInput {
  /** Carried across continue-as-new: the day it judges by, where it got to, and how many it applied. */
  asOf?: string;
  afterRef?: string;
  applied?: number;
}

export async function retentionWorkflow(input: RetentionRunInput = {}): Promise<{ applied: number }> {
  const asOf = input.asOf ?? new Date(Date.now()).toISOString();
  let afterRef = input.afterRef;
  let applied = input.applied ?? 0;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const { due, lastRef } = await complaintsDueForRetention({ asOf, ...(afterRef ? { afterRef } : {}), limit: PAGE });
    for (const item of due) {
      await applyRetention(item);
      applied += 1;
    }
    if (lastRef === null) {
      if (patched(COMPLIMENT_RETENTION)) applied += await complimentRetention(asOf);
      return { applied };
    }
    afterRef = lastRef;
  }
  return continueAsNew<typeof retentionWorkflow>({ asOf, ...(afterRef ? { afterRef } : {}), applied });
}

/**
 * The compliments whose period ended, oldest first, a page at a time, until a page erases none (the rest are younger)
 * or PAGES_PER_RUN pages (the next day's run goes on: what it erased is no longer held).
 */
async function complimentRetention(asOf: string): Promise<number> {
  let erased = 0;
  let after: { receivedAt: string; id: string } | undefined;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const result = await applyComplimentRetention({ asOf, ...(after ? { after } : {}), limit: PAGE });
    erased += result.erased;
    if (result.erased === 0 || result.last === null) break;
    after = result.last;
  }
  return erased;
}
