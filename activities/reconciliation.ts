import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Register } from '../register';
import { reconcile, summarize } from '../register/reconcile';
import { resolvePeriod } from '../report/annual';
import type { ReconciliationActivities, ReconciliationSummary } from './contract';

export interface ReconciliationDependencies {
  /** The Temporal client, asked for only when the activity runs (the worker connects it lazily). */
  client: () => Promise<Client>;
  register: Register;
}

/** The daily reconciliation's activity: register/reconcile.ts over the worker's register and a Temporal client. */
export function createReconciliationActivities({
  client,
  register,
}: ReconciliationDependencies): ReconciliationActivities {
  return {
    reconcileRegister: async ({ from, to, open, repair }) => {
      const selection = { ...resolvePeriod(from, to), open };
      const report = await reconcile(await client(), register, selection, { repair, recordAs: 'schedule' });
      const summary: ReconciliationSummary = summarize(report);
      const differing = [...new Set(report.differences.map((d) => d.ref))].sort();
      // A difference means something wrote the register that Temporal does not hold, or lost a write: an error
      // (and the API's /metrics shows the counts: README, Operations, for the alert). Refs and counts only (the
      // entries' details may carry personal data).
      const log = Context.current().log;
      if (summary.differences > 0 || summary.unreadable > 0)
        log.error('Register differs from Temporal', {
          ...summary,
          refs: differing,
          unreadableRefs: report.unreadable.map((u) => u.ref),
        });
      else log.info('Register equals Temporal', { checked: summary.checked });
      return summary;
    },
  };
}
