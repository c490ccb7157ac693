// Retries an operation that failed for a passing reason (SES throttling, a 5xx) with exponential
// backoff and full jitter; sleep and randomness are passed in so tests need no real waiting.

export interface RetryOptions {
  /** Retries after the first try (so at most retries + 1 calls). */
  retries: number;
  /** The backoff cap before the first retry; doubles each retry. */
  baseMs: number;
  /** The largest backoff cap. */
  maxMs: number;
  /** False for errors that another try cannot fix (e.g. SES MessageRejected): rethrown at once. */
  shouldRetry: (e: unknown) => boolean;
  sleep: (ms: number) => Promise<void>;
  /** [0, 1); default Math.random. */
  random?: () => number;
  /** Called before each backoff (for a log line or a counter). */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

/**
 * Calls `fn(attempt)` (attempt 0 is the first try) until it succeeds, an error is not retryable, or
 * the retries are used up; then rethrows that last error. Before retry n (1-based) it sleeps a random
 * time in [0, min(maxMs, baseMs × 2^(n-1))) ("full jitter", which spreads competing senders apart
 * better than a fixed doubling).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, p: RetryOptions): Promise<T> {
  if (!Number.isInteger(p.retries) || p.retries < 0) throw new Error(`retries must be a whole number ≥ 0, got ${p.retries}`);
  const random = p.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e: unknown) {
      if (attempt >= p.retries || !p.shouldRetry(e)) throw e;
      const delayMs = Math.floor(random() * backoffCap(attempt + 1, p.baseMs, p.maxMs));
      p.onRetry?.({ error: e, attempt, delayMs });
      await p.sleep(delayMs);
    }
  }
}

/** The upper bound of the wait before retry `n` (1-based). */
export function backoffCap(n: number, baseMs: number, maxMs: number): number {
  // 2 ** n overflows to Infinity long before it matters; min() keeps it at maxMs.
  return Math.min(maxMs, baseMs * 2 ** (n - 1));
}
