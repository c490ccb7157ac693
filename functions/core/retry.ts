// Retries with exponential backoff, one helper for every policy: the drip's sends (SES throttling,
// a 5xx), and what a DynamoDB batch call hands back unprocessed. Sleep and randomness are passed in,
// so tests need no real waiting. The jitter choices are those of the AWS Architecture Blog's
// "Exponential Backoff And Jitter".

/** How many times to try again and how long to wait before each. */
export interface BackoffPolicy {
  /** Retries after the first try (so at most retries + 1 calls). */
  retries: number;
  /** The backoff cap before the first retry; doubles each retry. */
  baseMs: number;
  /** The largest backoff cap. */
  maxMs: number;
  /**
   * How the wait is drawn under the cap: `full` (the default) anywhere in [0, cap), which spreads
   * competing callers apart best; `equal` in [cap/2, cap), never short; `none` exactly the cap.
   */
  jitter?: 'full' | 'equal' | 'none';
}

export interface RetryOptions extends BackoffPolicy {
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
 * the retries are used up; then rethrows that last error. Before retry n (1-based) it sleeps a time
 * drawn under the cap min(maxMs, baseMs × 2^(n-1)) as `jitter` says, whole milliseconds.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, p: RetryOptions): Promise<T> {
  if (!Number.isInteger(p.retries) || p.retries < 0) throw new Error(`retries must be a whole number ≥ 0, got ${p.retries}`);
  const random = p.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e: unknown) {
      if (attempt >= p.retries || !p.shouldRetry(e)) throw e;
      const cap = backoffCap(attempt + 1, p.baseMs, p.maxMs);
      const jitter = p.jitter ?? 'full';
      const delayMs = Math.floor(jitter === 'none' ? cap : jitter === 'equal' ? cap / 2 + random() * (cap / 2) : random() * cap);
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

/** Items a batch call still left unprocessed after every retry of the policy. */
export class LeftoverError extends Error {
  override name = 'LeftoverError';
  constructor(
    /** How many were left. */
    readonly left: number,
    tries: number,
  ) {
    super(`${left} still unprocessed after ${tries} tries`);
  }
}

/**
 * Sends `items` with `send`, which answers the items it left unprocessed, then sends those again
 * after a backoff until none are left. DynamoDB's batch calls work this way: BatchWriteItem and
 * BatchGetItem answer UnprocessedItems / UnprocessedKeys under throttling, to be retried with
 * exponential backoff (Amazon DynamoDB API Reference, BatchWriteItem). Throws LeftoverError when
 * some are still left after `retries`; an error `send` throws is rethrown at once.
 */
export async function sendUntilNoneLeft<T>(
  items: readonly T[],
  send: (items: T[]) => Promise<T[]>,
  options: BackoffPolicy & Pick<RetryOptions, 'sleep' | 'random'>,
): Promise<void> {
  if (items.length === 0) return;
  let left = [...items];
  await withRetry(
    async (attempt) => {
      left = await send(left);
      if (left.length > 0) throw new LeftoverError(left.length, attempt + 1);
    },
    { ...options, shouldRetry: (e) => e instanceof LeftoverError },
  );
}
