import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Register } from '../register';
import { reconcile } from '../register/reconcile';
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
      const report = await reconcile(await client(), register, { ...resolvePeriod(from, to), open }, { repair });
      const byKind: Record<string, number> = {};
      for (const d of report.differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
      const differing = [...new Set(report.differences.map((d) => d.ref))].sort();
      const summary: ReconciliationSummary = {
        checked: report.checked,
        differences: report.differences.length,
        complaintsDiffering: differing.length,
        repaired: report.repaired.length,
        unreadable: report.unreadable.length,
        byKind,
      };
      // The alert: a difference means something wrote the register that Temporal does not hold, or lost a write.
      // Refs and counts only (the entries' details may carry personal data).
      const log = Context.current().log;
      if (summary.differences > 0 || summary.unreadable > 0)
        log.warn('Register differs from Temporal', {
          ...summary,
          refs: differing,
          unreadableRefs: report.unreadable.map((u) => u.ref),
        });
      else log.info('Register equals Temporal', { checked: summary.checked });
      return summary;
    },
  };
}
