// The benchmark harness's percentiles (bench/lib/stats.ts): exact nearest-rank over every sample.
import { describe, expect, it } from 'vitest';
import { percentile, summarise } from '../../bench/lib/stats';

describe('bench percentiles', () => {
  it('are nearest-rank over the sorted samples', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarise sorts, and an empty run gives NaN rather than a made-up zero', () => {
    const summary = summarise([30, 10, 20]);
    expect(summary).toMatchObject({ count: 3, min: 10, p50: 20, p99: 30, max: 30, mean: 20 });
    expect(Number.isNaN(summarise([]).p99)).toBe(true);
  });
});
