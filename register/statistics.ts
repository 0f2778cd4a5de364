import type { SqlStore } from './sql';

// The planner's statistics for a store that does not keep them itself. PostgreSQL's autovacuum runs ANALYZE as the
// tables change; PGlite (the embedded register, `npm start`) runs no background workers, so its planner never learns
// the tables' sizes or their columns' values (and no VACUUM marks pages all-visible) and plans every list as for an empty register: a bitmap over every
// complaint and a sort instead of the order's index (the worklist's tabs took 0.1-0.5 s at 10,000 complaints,
// bench/results/web-pages-2026-12-02T17-12-26Z-pglite-before.md). So the register analyses such a store itself, by
// autovacuum's default rule: when opened, then after 50 + 10% of the complaints' count of writes since the last time.
// In the background: a write never waits for it to start, but PGlite runs one statement at a time, so a write
// meanwhile waits its turn (ANALYZE of every table took 3 s at 10,000 complaints on a loaded 2-core machine; these
// two tables are less).

const BASE_THRESHOLD = 50;
const SCALE_FACTOR = 0.1;

export class PlannerStatistics {
  private writes = 0;
  private threshold = BASE_THRESHOLD;
  private running: Promise<void> | undefined;

  constructor(private readonly store: Pick<SqlStore, 'autovacuum' | 'exec' | 'query'>) {}

  /** The register was opened: analyse now (in the background). */
  opened(): void {
    if (!this.store.autovacuum) this.start();
  }

  /** A batch was written. */
  written(): void {
    if (this.store.autovacuum) return;
    this.writes += 1;
    if (this.writes >= this.threshold && !this.running) this.start();
  }

  /** The analysis under way, if any, finished (before the store closes). */
  async settled(): Promise<void> {
    await this.running;
  }

  private start(): void {
    this.writes = 0;
    this.running = this.analyze()
      .catch(() => undefined) // statistics are an optimisation: a failure leaves the old ones, the next write retries
      .finally(() => {
        this.running = undefined;
      });
  }

  private async analyze(): Promise<void> {
    // The tables the lists plan over (not the timelines: read by key only, and the largest); VACUUM too, so that
    // the visibility map lets the team page's counts read the index alone (migration 010), as autovacuum would.
    await this.store.exec('VACUUM (ANALYZE) complaints, complaint_search_words');
    const [row] = await this.store.query<{ n: unknown }>('SELECT count(*) AS n FROM complaints');
    this.threshold = BASE_THRESHOLD + SCALE_FACTOR * Number(row?.n ?? 0);
  }
}
