// Spaces the drip's SES calls under the send rate (the configured one, lowered to SES's MaxSendRate
// in AWS). Starts go on a grid one interval apart: a start that wakes a little late (timers fire late,
// the event loop is busy) keeps the grid, so lateness does not pile up into a lower rate; after an idle
// gap the grid starts again from now, so there is never a burst to catch up.
//
// Why the headroom: the grid holds at most R starts in any one second, exactly. What SES sees is
// each start plus the time to sign and send the request, which varies by a few milliseconds; pacing
// 2 % under R leaves 1000·h/(1−h) ≈ 20 ms per second for that jitter, so no one-second window at SES
// holds more than R, and the achieved rate stays within 2 % of R.
export const DEFAULT_RATE_HEADROOM = 0.02;

export interface PacerOptions {
  /** Starts per second at most; > 0. */
  ratePerSecond: number;
  /** Fraction under the rate to pace at (0 ≤ h < 1); default 0.02. */
  headroom?: number;
  /** Milliseconds from any fixed origin (e.g. `performance.now` or `Date.now` at the edge). */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
}

export class Pacer {
  /** Milliseconds between grid slots: 1000 / (rate × (1 − headroom)). */
  readonly intervalMs: number;
  private nextSlot: number | undefined;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The previous caller's turn: callers are served in the order they called take(). */
  private queue: Promise<void> = Promise.resolve();

  constructor(p: PacerOptions) {
    if (!(Number.isFinite(p.ratePerSecond) && p.ratePerSecond > 0)) throw new Error(`ratePerSecond must be > 0, got ${p.ratePerSecond}`);
    const headroom = p.headroom ?? DEFAULT_RATE_HEADROOM;
    if (!(headroom >= 0 && headroom < 1)) throw new Error(`headroom must be in [0, 1), got ${headroom}`);
    this.intervalMs = 1000 / (p.ratePerSecond * (1 - headroom));
    this.clock = p.clock;
    this.sleep = p.sleep;
  }

  /** Resolves when the caller may start one send. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.acquire());
    // A failed sleep must not block everyone queued behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async acquire(): Promise<void> {
    const now = this.clock();
    let slot = this.nextSlot ?? now;
    // More than one interval behind the grid means nobody was waiting (idle): start afresh, no burst.
    if (slot < now - this.intervalMs) slot = now;
    this.nextSlot = slot + this.intervalMs;
    // Whole milliseconds, so the loop does not spin on sub-millisecond remainders.
    for (let wait = slot - this.clock(); wait > 0; wait = slot - this.clock()) await this.sleep(Math.ceil(wait));
  }
}
