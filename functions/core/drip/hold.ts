// Hold: a subscriber the drip must stop mailing leaves the due index with the reason (status stays
// active, no lesson passed over) until an operator puts them back. Two ways in: SES (or the composer)
// refused their lesson for good (a `failed` send log record too, and a rejection counted toward
// maxRejectionsInARow), or their address is suppressed (bounced, complained, erased).
//
// Its promise: a held subscriber is mailed nothing more until an operator puts them back, and no
// lesson is passed over (their next lesson stays the one held).
import type { Subscriber } from '../model.js';
import { calendarNow, roundField, type Run } from './state.js';

/** SES (or the composer) refused the lesson for good: a `failed` record, and the subscriber held with the reason. */
export async function holdRefused(run: Run, s: Subscriber, claimId: string, lesson: number, e: Error): Promise<undefined> {
  const { deps, state } = run;
  const at = calendarNow(run).toISOString();
  const reason = e.message.slice(0, 500);
  await deps.store.recordSend({ subscriberId: s.id, lesson, ...roundField(s), status: 'failed', at, error: reason });
  await deps.store.hold(s.id, { claimId, lesson, at, reason });
  state.counts.held++;
  run.log({
    msg: 'drip.send_rejected',
    level: 'warn',
    subscriber: s.id,
    lesson: lesson + 1,
    error: reason,
    action: 'held: out of the due index until an operator requeues',
  });
  state.rejectionsInARow++;
  state.counts.failed++;
  return undefined;
}

/** Out of the due index with the reason, like a refused send: nothing sent, no lesson passed over. */
export async function holdSuppressed(run: Run, s: Subscriber, claimId: string): Promise<void> {
  await run.deps.store.hold(s.id, {
    claimId,
    lesson: s.nextLesson,
    at: calendarNow(run).toISOString(),
    reason: 'address suppressed (bounced, complained or erased)',
  });
  run.state.counts.held++;
  run.log({ msg: 'drip.suppressed', subscriber: s.id, lesson: s.nextLesson + 1, action: 'held: out of the due index' });
  run.state.counts.skipped++;
}
