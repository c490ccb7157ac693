// Small statistics for the benchmark figures.

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0–100) of a non-empty list; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  if (p === 50 && s.length % 2 === 0) return (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}

/** The most events in any window [t, t + windowMs) over sorted or unsorted times (ms). */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < s.length; end++) {
    while (s[end]! - s[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Average events per second between the first and the last event (n events, n − 1 gaps). */
export function achievedRate(times: readonly number[]): number {
  if (times.length < 2) return Number.NaN;
  const s = [...times].sort((a, b) => a - b);
  return (s.length - 1) / ((s[s.length - 1]! - s[0]!) / 1000);
}
