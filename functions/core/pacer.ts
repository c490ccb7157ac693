// Spaces the drip's SES calls under the send rate (the configured one, lowered to SES's MaxSendRate
// in AWS, or a sender's share of it when a run fans out). Two rules, both needed:
//
// 1. A grid at the rate. Starts go one interval apart. A start that wakes late (timers fire late, the
//    event loop was stalled, the window guard below held it) keeps the grid while callers were
//    waiting, so lateness does not pile up into a lower rate: the starts that fell behind go as soon
//    as they may, up to one second's worth (CATCH_UP_MS). Only when nobody was waiting (the caller
//    asked after its slot had passed: an idle gap) does the grid start again from the request, so an
//    idle pacer never bursts to catch up.
// 2. A window guard on what really happened. The grid alone holds R starts per second, but what SES
//    counts is when each request arrives, somewhere between our start and the answer we get back. On a
//    busy machine a stalled event loop wakes several queued starts at once, and a request can sit
//    unsent for a while after its start, so arrivals bunch (21 in one second at a cap of 20 was
//    measured under CPU contention). So a call may start only while fewer than n (= ⌊R⌋, the calls
//    allowed in one second) earlier calls are "recent": still in flight, or ended less than a second
//    ago. Suppose a window [t, t + 1 s) held n + 1 arrivals; let j be the last of those calls to
//    start. Every other one, i, has end_i ≥ arrival_i ≥ t > arrival_j − 1 s ≥ start_j − 1 s, so all n
//    were recent when j started, which the guard forbids. No one-second window at SES holds more than
//    n arrivals, however late timers fire or requests sit. (An earlier form made call j wait for the
//    latest end among calls ≤ j − n: one late answer then held back every later call.) The guard keeps
//    the window, so the grid needs no headroom under R (it had 2 %, which capped the rate at 98 %).
//    Its cost: each call counts for a second plus its own latency, so the most a pacer reaches is
//    n ÷ (1 s + latency + GUARD_MARGIN_MS): about 0.5–1 % against a local endpoint, 1–5 % at 10–50 ms
//    in AWS. That is the price of knowing only when our calls started and ended, not when SES saw them.
export const DEFAULT_RATE_HEADROOM = 0;
/** The most a grid that fell behind (stalls, late timers) catches up at once: one second of slots. */
const CATCH_UP_MS = 1000;
/** Added to the guard's second: clocks of different processes and whole-millisecond clocks round. */
const GUARD_MARGIN_MS = 5;

export interface PacerOptions {
  /** Starts per second at most; > 0. */
  ratePerSecond: number;
  /** Fraction under the rate to pace the grid at (0 ≤ h < 1); default 0 (the window guard keeps the window). */
  headroom?: number;
  /** Milliseconds from any fixed origin (e.g. `performance.now` or `Date.now` at the edge). */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Permission for one call; `done()` when the call has ended (answered or failed), exactly as it ended. */
export interface PacerTicket {
  /** Idempotent. A ticket never marked done counts as recent for good (one of the n a second). */
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
  /** Tickets not yet done. */
  private inFlight = 0;
  /** End times of done tickets that may still be recent, ascending. */
  private readonly ends: number[] = [];
  /** Resolves the wait for the next done(), if anyone waits. */
  private onDone: (() => void) | undefined;

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
    const askedAt = this.clock();
    const turn = this.queue.then(() => this.acquire(askedAt));
    // A failed sleep must not block everyone queued behind it.
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async acquire(askedAt: number): Promise<PacerTicket> {
    let slot = this.nextSlot ?? askedAt;
    // Asked after its slot had passed: nobody was waiting (idle), so start afresh, no burst. A caller
    // that was already waiting keeps the grid: its lateness is the machine's, and is caught up.
    if (askedAt > slot) slot = askedAt;
    // Caught up at most one second's worth at once (the window guard holds the window anyway).
    slot = Math.max(slot, this.clock() - CATCH_UP_MS);
    this.nextSlot = slot + this.intervalMs;
    await this.until(slot);

    // Fewer than n recent calls (in flight, or ended less than a second ago) before this one starts.
    for (;;) {
      const old = this.clock() - 1000 - GUARD_MARGIN_MS;
      let out = 0;
      while (out < this.ends.length && this.ends[out]! <= old) out++;
      if (out > 0) this.ends.splice(0, out);
      if (this.inFlight + this.ends.length < this.perSecond) break;
      if (this.ends.length > 0) await this.until(this.ends[0]! + 1000 + GUARD_MARGIN_MS);
      else await new Promise<void>((resolve) => (this.onDone = resolve));
    }
    this.inFlight++;
    let ended = false;
    return {
      done: () => {
        if (ended) return;
        ended = true;
        this.inFlight--;
        const at = this.clock();
        let i = this.ends.length;
        while (i > 0 && this.ends[i - 1]! > at) i--;
        this.ends.splice(i, 0, at);
        const wake = this.onDone;
        this.onDone = undefined;
        wake?.();
      },
    };
  }

  private async until(at: number): Promise<void> {
    // Whole milliseconds, so the loop does not spin on sub-millisecond remainders.
    for (let wait = at - this.clock(); wait > 0; wait = at - this.clock()) await this.sleep(Math.ceil(wait));
  }
}
