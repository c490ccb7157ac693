// Spaces the drip's SES calls under the send rate (the configured one, lowered to SES's MaxSendRate
// in AWS, or a sender's share of it when a run fans out). Two rules, both needed:
//
// 1. A grid. Starts go one interval apart: a start that wakes a little late (timers fire late, the
//    event loop is busy) keeps the grid, so lateness does not pile up into a lower rate; after an idle
//    gap the grid starts again from now, so there is never a burst to catch up. Pacing 2 % under R
//    keeps the achieved rate within 2 % of R.
// 2. A window guard on what really happened. The grid alone holds R starts per second, but what SES
//    counts is when each request arrives, somewhere between our start and the answer we get back. On a
//    busy machine a stalled event loop wakes several queued starts at once, and a request can sit
//    unsent for a while after its start, so arrivals bunch (21 in one second at a cap of 20 was
//    measured under CPU contention). So call j may start only after call j − n has ended (n = ⌊R⌋,
//    the calls allowed in one second) and a second has passed since the latest end among calls
//    ≤ j − n. Any n + 1 calls then include two, i and j ≥ i + n, with
//        arrival_j ≥ start_j ≥ end_i + 1 s ≥ arrival_i + 1 s,
//    so no one-second window [t, t + 1 s) holds more than n arrivals, however late timers fire or
//    requests sit. The cost is one request's latency per n calls (≈ 1–3 % at 50 ms in AWS).
export const DEFAULT_RATE_HEADROOM = 0.02;
/** Added to the guard's second: clocks of different processes and whole-millisecond clocks round. */
const GUARD_MARGIN_MS = 5;

export interface PacerOptions {
  /** Starts per second at most; > 0. */
  ratePerSecond: number;
  /** Fraction under the rate to pace at (0 ≤ h < 1); default 0.02. */
  headroom?: number;
  /** Milliseconds from any fixed origin (e.g. `performance.now` or `Date.now` at the edge). */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Permission for one call; `done()` when the call has ended (answered or failed), exactly as it ended. */
export interface PacerTicket {
  /** Idempotent. A ticket never marked done holds back the ticket n places after it. */
  done(): void;
}

export class Pacer {
  /** Milliseconds between grid slots: 1000 / (rate × (1 − headroom)). */
  readonly intervalMs: number;
  /** Calls allowed in any one second: ⌊rate⌋, at least 1. */
  readonly perSecond: number;
  private nextSlot: number | undefined;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The previous caller's turn: callers are served in the order they called take(). */
  private queue: Promise<void> = Promise.resolve();
  /** End times of the last `perSecond` tickets, by ticket number mod perSecond. */
  private readonly ends: Promise<number>[] = [];
  private issued = 0;
  /** Latest end among tickets at least `perSecond` places back. */
  private latestEnd = Number.NEGATIVE_INFINITY;

  constructor(p: PacerOptions) {
    if (!(Number.isFinite(p.ratePerSecond) && p.ratePerSecond > 0)) throw new Error(`ratePerSecond must be > 0, got ${p.ratePerSecond}`);
    const headroom = p.headroom ?? DEFAULT_RATE_HEADROOM;
    if (!(headroom >= 0 && headroom < 1)) throw new Error(`headroom must be in [0, 1), got ${headroom}`);
    this.intervalMs = 1000 / (p.ratePerSecond * (1 - headroom));
    this.perSecond = Math.max(1, Math.floor(p.ratePerSecond));
    this.clock = p.clock;
    this.sleep = p.sleep;
  }

  /** Resolves when the caller may start one call; the caller must call `done()` on the ticket when it ends. */
  take(): Promise<PacerTicket> {
    const turn = this.queue.then(() => this.acquire());
    // A failed sleep must not block everyone queued behind it.
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async acquire(): Promise<PacerTicket> {
    const now = this.clock();
    let slot = this.nextSlot ?? now;
    // More than one interval behind the grid means nobody was waiting (idle): start afresh, no burst.
    if (slot < now - this.intervalMs) slot = now;
    this.nextSlot = slot + this.intervalMs;
    await this.until(slot);

    const n = this.perSecond;
    const j = this.issued++;
    if (j >= n) {
      // Call j − n must have ended, and a second passed since the latest end of calls ≤ j − n.
      this.latestEnd = Math.max(this.latestEnd, await this.ends[j % n]!);
      await this.until(this.latestEnd + 1000 + GUARD_MARGIN_MS);
    }
    let end!: (at: number) => void;
    this.ends[j % n] = new Promise<number>((resolve) => (end = resolve));
    let ended = false;
    return {
      done: () => {
        if (ended) return;
        ended = true;
        end(this.clock());
      },
    };
  }

  private async until(at: number): Promise<void> {
    // Whole milliseconds, so the loop does not spin on sub-millisecond remainders.
    for (let wait = at - this.clock(); wait > 0; wait = at - this.clock()) await this.sleep(Math.ceil(wait));
  }
}
