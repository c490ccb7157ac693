// The arithmetic behind the benchmark's rate-accuracy and latency figures.
import { describe, expect, it } from 'vitest';
import { achievedRate, busiestWindow, median, percentile } from '../../../bench/stats.js';

describe('bench statistics', () => {
  it('busiestWindow counts events in [t, t + window): one exactly a window later is outside', () => {
    expect(busiestWindow([0, 100, 999, 1000], 1000)).toBe(3);
    expect(busiestWindow([1000, 0, 999, 100], 1000)).toBe(3);
    expect(busiestWindow([], 1000)).toBe(0);
    // 50 evenly spaced at 20 ms: 50 in a second, never 51.
    const even = Array.from({ length: 500 }, (_, i) => i * 20);
    expect(busiestWindow(even, 1000)).toBe(50);
    // One arriving 1 ms early is what breaks a cap.
    expect(busiestWindow([...even.slice(0, 50), 999], 1000)).toBe(51);
  });

  it('achievedRate is n − 1 gaps over the span', () => {
    expect(achievedRate([0, 500, 1000])).toBe(2);
    expect(achievedRate(Array.from({ length: 51 }, (_, i) => i * 20))).toBe(50);
    expect(achievedRate([5])).toBeNaN();
  });

  it('percentiles: nearest rank, and the median of an even list averages the middle two', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(median(xs)).toBe(50.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });
});
