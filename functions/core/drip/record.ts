// Record and advance: the page's `sent` records go to the send log in one batch write first, then
// each subscriber moves on (the next lesson and its due time from schedule.ts, or completed), each on
// its own condition (our claim, and the lesson still the next one). Claims not used, and advances lost,
// are given back. The per-lesson `sent` counters (`course stats`) are tallied and written a few times
// a run.
//
// Its promise: the advance is what makes a lesson once. The log is written before it, so a crash
// between them leaves the log to say "sent" and the next run advances without sending; an advance
// overtaken by another run (our claim expired mid-send) is logged as `drip.possible_duplicate`.
import { lessonNumber, publishEvents, subscriptionEvent, type SubscriptionEvent } from '../events.js';
import { nextSendTimeAfter, paceOf } from '../schedule.js';
import type { Advance } from './ports.js';
import { roundOf } from '../model.js';
import type { Moving, Page, PageResult, Run } from './state.js';

/** The page's send log first, then the advances: a crash between them leaves the log to say "sent". */
export async function recordAndAdvance(run: Run, page: Page, { sent, unused }: PageResult): Promise<void> {
  const { store } = run.deps;
  if (sent.length > 0) {
    await run.sendLog.drain();
    await countSent(run, sent);
  }
  const moving = [...sent, ...page.advanceOnly];
  const outcomes = await store.advance(
    moving.map((m) => ({
      subscriberId: m.subscriber.id,
      advance: {
        claimId: page.claimId,
        lesson: m.lesson,
        round: roundOf(m.subscriber),
        sentAt: m.sentAt.toISOString(),
        next: nextAfter(m),
      },
    })),
  );
  // Lost: they left during the send (or our claim expired). Our claim is dropped so that a later
  // return to the list does not look like a run that died holding them.
  const drop = [...unused];
  outcomes.forEach((outcome, i) => {
    const m = moving[i]!;
    if (outcome === 'advanced') return;
    drop.push(m.subscriber.id);
    // Only possible when our claim expired mid-send and another run sent it and moved them on first.
    if (outcome === 'overtaken') {
      run.state.counts.possibleDuplicates++;
      run.log({
        msg: 'drip.possible_duplicate',
        level: 'warn',
        subscriber: m.subscriber.id,
        lesson: m.lesson + 1,
        why: 'claim expired during the send',
      });
    }
  });
  if (drop.length > 0) await store.release(drop, page.claimId);
  await publishAdvanced(run, moving, outcomes);
}

/**
 * lesson_sent and completed for each subscriber this page moved on, after the advance (the write that
 * makes the lesson once): a lesson found sent by a run that died before advancing is published here too.
 */
async function publishAdvanced(run: Run, moving: Moving[], outcomes: readonly string[]): Promise<void> {
  if (run.deps.events === undefined) return;
  const events: SubscriptionEvent[] = [];
  moving.forEach((m, i) => {
    if (outcomes[i] !== 'advanced') return;
    const round = roundOf(m.subscriber);
    if (m.lesson < m.course.lessons.length)
      events.push(subscriptionEvent('lesson_sent', m.subscriber, m.sentAt, { lesson: lessonNumber(m.lesson), round }));
    if (m.lesson + 1 >= m.course.lessons.length)
      events.push(subscriptionEvent('completed', m.subscriber, m.sentAt, { round, lessons: m.course.lessons.length }));
  });
  await publishEvents(run.deps.events, events, run.log);
}

/** Written to the `sent` counters at least this often (sends), and at the end of every run. */
const COUNT_FLUSH_SENDS = 500;

/**
 * The page's sends, once they are in the send log, added to the run's tally of `sent` per lesson; the
 * tally is written (one atomic ADD per lesson) every COUNT_FLUSH_SENDS sends and when the run ends, so
 * the counters cost a few writes a run, not one per page. A send is counted at most once (a process
 * killed before a flush leaves its tally uncounted); a lesson sent again after a crash is counted
 * again, as it went out again.
 */
async function countSent(run: Run, sent: Moving[]): Promise<void> {
  const { uncounted } = run.state;
  for (const m of sent) {
    const course = m.course.course.slug;
    const key = `${course}\n${m.lesson}`;
    const entry = uncounted.get(key) ?? { course, lesson: m.lesson, sent: 0 };
    entry.sent++;
    uncounted.set(key, entry);
  }
  let pending = 0;
  for (const c of uncounted.values()) pending += c.sent;
  if (pending >= COUNT_FLUSH_SENDS) await flushSentCounts(run);
}

/** Writes the tally to the counters. Counters are statistics: a failed write is logged and the run goes on. */
export async function flushSentCounts(run: Run): Promise<void> {
  const counts = [...run.state.uncounted.values()];
  run.state.uncounted.clear();
  if (counts.length === 0) return;
  try {
    await run.deps.store.countSent(counts);
  } catch (e: unknown) {
    const sent = counts.reduce((n, c) => n + c.sent, 0);
    run.log({ msg: 'drip.count_failed', level: 'error', sent, error: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * After `lesson`: completed at the course's end, else due at the next send time (schedule.ts) on the
 * learner's own pace (their cadence, send hour, weekday and zone where they chose them).
 */
function nextAfter({ subscriber, course: served, lesson, sentAt, dueAt }: Moving): Advance['next'] {
  if (lesson + 1 >= served.lessons.length) return 'completed';
  const next = nextSendTimeAfter({ dueAt, sentAt }, paceOf(subscriber, served.course));
  return { nextSendAt: next.toISOString() };
}
