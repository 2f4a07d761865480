import { describe, expect, it } from 'vitest';
import { COARSE_POINTS, FINE_POINTS, UsageSeries } from '../src/monitor/series.js';

describe('UsageSeries', () => {
  it('keeps 10 min at 1 s and 24 h at 1 min, in a size fixed at construction and under 100 KB per app', () => {
    const series = new UsageSeries();
    const size = series.bytes;
    expect(size).toBeLessThan(100 * 1024);
    const start = Date.UTC(2026, 0, 1);
    // Two days of 1 s samples: far past both windows.
    for (let s = 0; s < 2 * 86_400; s++) series.add(start + s * 1000, s % 100, (100 + (s % 7)) * 1024 * 1024);
    expect(series.bytes).toBe(size);
    const seconds = series.seconds();
    expect(seconds).toHaveLength(FINE_POINTS);
    expect(seconds.at(-1)!.t).toBe(start + (2 * 86_400 - 1) * 1000);
    const minutes = series.minutes();
    expect(minutes).toHaveLength(COARSE_POINTS + 1); // plus the minute in progress
    expect(minutes.at(-1)!.t).toBe(start + (2 * 86_400 - 60) * 1000);
    expect(minutes[0]!.memoryMax).toBe(106 * 1024 * 1024);
  });

  it('costs what it says in real memory: 200 series grow the ArrayBuffer total by under 100 KB each', () => {
    const before = process.memoryUsage().arrayBuffers;
    const many = Array.from({ length: 200 }, () => new UsageSeries());
    const perApp = (process.memoryUsage().arrayBuffers - before) / many.length;
    expect(perApp).toBeGreaterThanOrEqual(many[0]!.bytes * 0.9);
    expect(perApp).toBeLessThan(100 * 1024);
  });

  it('averages a minute and keeps its peak memory', () => {
    const series = new UsageSeries();
    const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
    series.add(t0, 10, 1024 * 1024);
    series.add(t0 + 1000, 30, 3 * 1024 * 1024);
    series.add(t0 + 60_000, 50, 2 * 1024 * 1024);
    expect(series.minutes()[0]).toEqual({ t: t0, cpu: 20, memory: 2 * 1024 * 1024, memoryMax: 3 * 1024 * 1024 });
    expect(series.seconds(t0 + 1000).map((p) => p.cpu)).toEqual([30, 50]);
  });
});
