// The drip's send log writer: `sent` records go to the store in batches (one BatchWriteItem of up to 25),
// and no more than `bound` emails are ever "at risk": started at SES (in flight) or accepted and not yet
// in the log. That number is what a crash can send twice (the next run finds no record and sends
// again), so the drip states it, logs the most it reached, and tests it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendRecord } from './model.js';

/** Records per flush at most: DynamoDB's BatchWriteItem takes 25 items. */
const FLUSH_MAX = 25;

export class SendLog {
  /** Emails started at SES or accepted and not yet logged. */
  private atRisk = 0;
  /** The most `atRisk` reached. */
  private most = 0;
  private pending: SendRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private readonly flushAt: number;

  /**
   * @param write writes records to the log (DripStore.logSends); throws when it cannot.
   * @param bound the most emails at risk at once (≥ 1): the crash bound.
   */
  constructor(
    private readonly write: (records: SendRecord[]) => Promise<void>,
    readonly bound: number,
  ) {
    if (!(Number.isInteger(bound) && bound >= 1)) throw new Error(`bound must be a whole number ≥ 1, got ${bound}`);
    // Half the bound (at most 25) per flush, so sends go on while one flush is being written.
    this.flushAt = Math.min(FLUSH_MAX, Math.max(1, Math.ceil(bound / 2)));
  }

  /** The most emails that were at risk at once so far (≤ bound). */
  get maxAtRisk(): number {
    return this.most;
  }

  /** Wait for room under the bound, then count one send as at risk; call before the SES call. */
  async beforeSend(): Promise<void> {
    while (this.atRisk >= this.bound) {
      this.throwIfFailed();
      if (this.pending.length > 0) this.flush();
      const oldest = this.inFlight.values().next().value;
      // Nothing pending and nothing in flight means the rest is in SES calls: wait for one to end.
      await (oldest ?? sleep(1));
    }
    this.throwIfFailed();
    this.atRisk++;
    this.most = Math.max(this.most, this.atRisk);
  }

  /** The send did not go (SES refused it, or it was never made): no longer at risk. */
  notSent(): void {
    this.atRisk--;
  }

  /** SES accepted it: the record is queued and written with the next flush. */
  sent(record: SendRecord): void {
    this.pending.push(record);
    if (this.pending.length >= this.flushAt) this.flush();
  }

  /** Write everything queued and wait until all of it, and any flush in flight, is in the log. */
  async drain(): Promise<void> {
    if (this.pending.length > 0) this.flush();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  private flush(): void {
    const batch = this.pending.splice(0, FLUSH_MAX);
    const done = this.write(batch).then(
      () => {
        this.atRisk -= batch.length;
      },
      (e: unknown) => {
        this.failure ??= { error: e };
      },
    );
    const tracked = done.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    if (this.pending.length > 0) this.flush();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
