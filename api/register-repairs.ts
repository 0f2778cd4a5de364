import type { Counter } from 'prom-client';
import type { ReconcileReport } from '../register/reconcile';

// Read repair: the register rewritten from Temporal as soon as a read shows it holding an entry Temporal does not
// have, rather than at the next daily reconciliation (03:00). The one known way in: the Temporal server restarts
// while a workflow task is in flight; the worker has already written that task's register batch (a local activity
// runs before the task is durable), the server loses the task, and sdk-core, handed the server's new task for the
// same run, logs "Trying to send a new WFT for a run which already has one!" and goes on: the action is recorded
// again by the new task, at a later time, and the lost task's entry can stay in the register
// (tests/faults/drill.test.ts saw it in 2 of about 10 loaded runs). An action's answer names the entries Temporal
// recorded (ComplaintReads.at), so the difference shows there first: the caller is answered from the workflow, and
// this rewrites the complaint in the background (register/reconcile.ts, that complaint only; its write order makes
// a batch the workflow writes meanwhile win).

export interface RepairLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export class RegisterRepairs {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    /** Reconciles and repairs one complaint (register/reconcile.ts `reconcile` with `repair`). */
    private readonly repairOne: (ref: string) => Promise<ReconcileReport>,
    private readonly log: RepairLog,
    private readonly repaired?: Pick<Counter, 'inc'>,
  ) {}

  /** Repairs `ref` in the background (once at a time per complaint); a failure is logged, the daily run remains. */
  request(ref: string): void {
    if (this.running.has(ref)) return;
    const run = this.repairOne(ref)
      .then(
        (report) => {
          if (report.repaired.length === 0) return;
          this.repaired?.inc();
          const kinds = [...new Set(report.differences.map((difference) => difference.kind))];
          this.log.info({ ref, differences: report.differences.length, kinds }, 'register repaired from Temporal');
        },
        (error: unknown) =>
          this.log.warn(
            { ref, reason: (error as Error).message },
            'register repair failed; the daily reconciliation remains',
          ),
      )
      .finally(() => this.running.delete(ref));
    this.running.set(ref, run);
  }

  /** Waits for the repairs under way (the app's close, before the register closes). */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }
}
