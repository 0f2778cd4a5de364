import { describe, expect, it } from 'vitest';
import { openPgliteInMemory, registerOver } from '../../register';
import { PlannerStatistics } from '../../register/statistics';

// PGlite keeps no planner statistics itself (no autovacuum): the register runs ANALYZE by autovacuum's default rule.

function fakeStore(autovacuum: boolean, complaints: number) {
  const analyses: string[] = [];
  return {
    analyses,
    store: {
      autovacuum,
      exec: async (sql: string) => void analyses.push(sql),
      query: async <T extends object>() => [{ n: String(complaints) }] as unknown as T[],
    },
  };
}

describe('the planner statistics of a store without autovacuum', () => {
  it('are made when the register opens, then after 50 + 10% of the complaints in writes', async () => {
    const { analyses, store } = fakeStore(false, 1_000);
    const statistics = new PlannerStatistics(store);
    statistics.opened();
    await statistics.settled();
    expect(analyses).toEqual(['VACUUM (ANALYZE) complaints, complaint_search_words']);
    for (let i = 0; i < 149; i += 1) statistics.written();
    await statistics.settled();
    expect(analyses).toHaveLength(1);
    statistics.written();
    await statistics.settled();
    expect(analyses).toHaveLength(2);
  });

  it('are left to PostgreSQL where it keeps them', async () => {
    const { analyses, store } = fakeStore(true, 1_000);
    const statistics = new PlannerStatistics(store);
    statistics.opened();
    for (let i = 0; i < 500; i += 1) statistics.written();
    await statistics.settled();
    expect(analyses).toEqual([]);
  });

  it('reach PGlite: its planner knows the complaints table soon after the register opens', async () => {
    const store = await openPgliteInMemory();
    const register = await registerOver(store);
    // reltuples is -1 for a table never analysed (PostgreSQL 14 on); ANALYZE of an empty one sets 0.
    const reltuples = async () =>
      Number(
        (await store.query<{ r: unknown }>("SELECT reltuples AS r FROM pg_class WHERE relname = 'complaints'"))[0]?.r,
      );
    let seen = await reltuples();
    for (let i = 0; i < 100 && seen < 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await reltuples();
    }
    expect(seen).toBe(0);
    await register.close();
  });
});
