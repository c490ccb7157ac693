// Keeps the send rate at or under a maximum (the configured rate, lowered to SES's MaxSendRate in
// AWS): a token bucket whose clock and sleep are passed in, so tests run on a fake clock.

export interface TokenBucketOptions {
  /** Tokens per second on average; > 0. */
  ratePerSecond: number;
  /** Most tokens that can be taken at once after a pause; default max(1, floor(ratePerSecond)). */
  burst?: number;
  /** Milliseconds from any fixed origin (e.g. `performance.now` or `Date.now` at the edge). */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Over any window of T seconds at most `burst + rate × T` takes complete. Callers are served in the
 * order they called `take()`, so concurrent senders share the rate fairly.
 */
export class TokenBucket {
  private rate: number;
  private burst: number;
  private readonly burstGiven: boolean;
  private tokens: number;
  private refilledAt: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The previous caller's turn: each take waits for it, which serialises the waiting. */
  private queue: Promise<void> = Promise.resolve();

  constructor(p: TokenBucketOptions) {
    assertRate(p.ratePerSecond);
    if (p.burst !== undefined && !(Number.isFinite(p.burst) && p.burst >= 1)) {
      throw new Error(`burst must be ≥ 1, got ${p.burst}`);
    }
    this.rate = p.ratePerSecond;
    this.burstGiven = p.burst !== undefined;
    this.burst = p.burst ?? defaultBurst(p.ratePerSecond);
    this.clock = p.clock;
    this.sleep = p.sleep;
    this.tokens = this.burst;
    this.refilledAt = this.clock();
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /** Resolves when the caller may send one message. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.acquire());
    // A failed sleep must not block everyone queued behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Changes the rate from now on (e.g. to SES GetSendQuota's MaxSendRate when it is lower than the
   * configured one). Tokens already earned are kept, up to the (possibly smaller) burst.
   */
  setRate(ratePerSecond: number): void {
    assertRate(ratePerSecond);
    this.refill();
    this.rate = ratePerSecond;
    if (!this.burstGiven) this.burst = defaultBurst(ratePerSecond);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  private async acquire(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      // Rounded up so the loop does not spin on sub-millisecond remainders; the loop re-checks because
      // setRate may have lowered the rate while we slept.
      await this.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
    }
  }

  private refill(): void {
    const now = this.clock();
    // A clock that steps backwards earns nothing rather than taking tokens away.
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
    this.refilledAt = now;
  }
}

function defaultBurst(rate: number): number {
  return Math.max(1, Math.floor(rate));
}

function assertRate(rate: number): void {
  if (!(Number.isFinite(rate) && rate > 0)) throw new Error(`ratePerSecond must be > 0, got ${rate}`);
}
