// Send: a claimed, checked page, with bounded concurrency. Each lesson is composed with its own
// signed unsubscribe link, then sent: room under the crash bound, a pacer slot right before the SES
// call, throttling and 5xx retried with backoff and jitter while the deadline allows (each retry first
// re-reads the claim, so someone who left during the backoff gets nothing).
//   accepted by SES                          → queued for the send log (the record step writes it)
//   refused for good (SES, or the composer)  → held (hold.ts, via run.ts)
//   still throttled or failing after retries → claim given back, the run starts no new send
//   the person left during a backoff         → claim given back, nothing sent
//
// Its promise: each claimed lesson is sent at most once by this run, no send is started once the run
// has stopped, no retry goes to someone who left, and SES never sees calls faster than the rate.
import { learnUrlOf } from '../learner-links.js';
import { roundOf, type Subscriber } from '../model.js';
import { SendError, type MessageTags, type ServedCourse } from '../ports.js';
import { withRetry } from '../retry.js';
import { mapWithConcurrency } from '../concurrency.js';
import { ValidationError } from '../errors.js';
import {
  calendarNow,
  ClaimLost,
  dueOf,
  limitReached,
  outOfTime,
  roundField,
  stopped,
  stopRun,
  StopRun,
  type Claim,
  type HoldRefused,
  type Moving,
  type Page,
  type PageResult,
  type Run,
} from './state.js';

/**
 * Send a claimed, checked page with bounded concurrency, filling `result` as sends finish; a refused
 * lesson is held through `hold` (hold.ts's holdRefused). Throws what no send step handles (a store that
 * cannot be read, a bug), as a crash would end the run.
 */
export async function sendPage(run: Run, page: Page, result: PageResult, hold: HoldRefused): Promise<void> {
  const { state } = run;
  const concurrency = Math.max(1, Math.min(run.deps.settings.sendConcurrency, state.pageSize));
  await mapWithConcurrency(page.toSend, concurrency, async (claim) => {
    try {
      if (stopped(state)) {
        result.unused.push(claim.subscriber.id);
        state.counts.skipped++;
        return;
      }
      const limit = state.rejectionsInARow >= run.maxRejections ? 'rejections_in_a_row' : limitReached(run);
      if (limit !== undefined) stopRun(state, limit);
      // Counted before the first await, so concurrent workers cannot all pass the quota check.
      state.started++;
      const sent = await sendLesson(run, claim, page.claimId, hold);
      if (sent !== undefined) {
        result.sent.push(sent);
        state.counts.sent++;
      }
    } catch (e: unknown) {
      if (!(e instanceof StopRun)) throw e;
      // A deferred send counted itself and gave its claim back; one never started is work left for the next run.
      if (!e.claimGivenBack) {
        result.unused.push(claim.subscriber.id);
        state.counts.skipped++;
      }
    }
  });
}

/** One subscriber's next lesson: composed, sent (paced, retried), queued for the send log. Undefined when not sent. */
async function sendLesson(run: Run, { subscriber: s, course }: Claim, claimId: string, hold: HoldRefused): Promise<Moving | undefined> {
  const lesson = s.nextLesson;
  let raw: Uint8Array;
  try {
    raw = await composeLesson(run, s, course, lesson);
  } catch (e: unknown) {
    // A stored address the composer refuses can never be sent: the same as SES refusing it.
    if (e instanceof ValidationError) return hold(run, s, claimId, lesson, e);
    throw e;
  }
  let messageId: string;
  try {
    // `round` from the second round on (a restart): SES's events then find that round's send record.
    const round = roundOf(s);
    const tags = {
      course: course.course.slug,
      lesson: String(lesson + 1),
      subscriber: s.id,
      ...(round === 1 ? {} : { round: String(round) }),
    };
    ({ messageId } = await deliver(run, { subscriber: s, claimId, raw, tags }));
  } catch (e: unknown) {
    return notDelivered(run, s, claimId, lesson, e, hold);
  }
  run.state.rejectionsInARow = 0;
  const sentAt = calendarNow(run);
  run.sendLog.sent({ subscriberId: s.id, lesson, ...roundField(s), status: 'sent', at: sentAt.toISOString(), messageId });
  return { subscriber: s, course, lesson, sentAt, dueAt: dueOf(s) };
}

/** The lesson as raw MIME, with its own signed unsubscribe link and the learner's course page link. */
async function composeLesson(run: Run, s: Subscriber, course: ServedCourse, lesson: number): Promise<Uint8Array> {
  const { settings, tokens, composer } = run.deps;
  const token = tokens.sign({ subscriberId: s.id, purpose: 'unsubscribe', issuedAt: calendarNow(run) });
  const unsubscribeUrl = `${settings.publicUrl}/unsubscribe?token=${token}`;
  const learnUrl = learnUrlOf(settings.publicUrl, tokens.sign({ subscriberId: s.id, purpose: 'learn', issuedAt: calendarNow(run) }));
  return await composer.lesson(course, lesson, {
    email: s.email,
    name: s.name,
    unsubscribeUrl,
    learnUrl,
    fromAddress: settings.fromAddress,
  });
}

/**
 * The SES call: room under the crash bound, then a pacer slot, then the send; throttling and 5xx
 * retried with backoff while the deadline allows. Throws ClaimLost when the person left during a
 * backoff, StopRun when the wait for a slot used up the time, the SendError when retries are spent.
 */
async function deliver(
  run: Run,
  m: { subscriber: Subscriber; claimId: string; raw: Uint8Array; tags: MessageTags },
): Promise<{ messageId: string }> {
  const { deps, sendLog, pacer, deadline } = run;
  return withRetry(
    async (attempt) => {
      // Room under the crash bound first, then the pacer: waiting after the pacer would lose the slot.
      await sendLog.beforeSend();
      let accepted = false;
      try {
        // Paced right before the SES call, not before the claim: the claim and the reads take
        // varying time, and it is the spacing of the calls SES receives that must hold the rate.
        const ticket = await pacer.take();
        try {
          if (attempt === 0 && outOfTime(run)) stopRun(run.state, 'deadline'); // the wait used up the time: the claim goes back
          // The backoff took seconds: look again, so nobody who left meanwhile gets the lesson.
          // A read that fails throws (not a SendError, so not retried): the run fails closed.
          if (attempt > 0 && !(await deps.store.holdsClaim(m.subscriber.id, m.claimId))) throw new ClaimLost();
          const out = await deps.mailer.sendRaw({ raw: m.raw, to: m.subscriber.email, tags: m.tags });
          accepted = true;
          return out;
        } finally {
          ticket.done();
        }
      } finally {
        if (!accepted) sendLog.notSent();
      }
    },
    {
      retries: deps.settings.retries ?? 4,
      baseMs: deps.settings.retryBaseMs ?? 200,
      maxMs: run.retryMaxMs,
      // A backoff that would run into the deadline is not started: the claim goes back instead.
      shouldRetry: (e) =>
        e instanceof SendError && e.kind !== 'permanent' && deps.clock.now().getTime() + run.retryMaxMs < deadline.getTime(),
      sleep: deps.sleep,
      random: deps.random,
    },
  );
}

/** A send that did not go: the person left (skipped), SES refused it (held), or SES asks us to slow down (deferred, run stops). */
async function notDelivered(run: Run, s: Subscriber, claimId: string, lesson: number, e: unknown, hold: HoldRefused): Promise<undefined> {
  const { deps, state } = run;
  if (e instanceof ClaimLost) {
    await deps.store.release([s.id], claimId);
    run.log({ msg: 'drip.left_during_retry', subscriber: s.id, lesson: lesson + 1 });
    state.counts.skipped++;
    return undefined;
  }
  if (!(e instanceof SendError)) throw e; // StopRun, or unknown: stop as a crash would, the claim expires
  if (e.kind === 'permanent') return hold(run, s, claimId, lesson, e);
  // Still throttled (or SES still failing) after the retries: nothing is dropped. The claim goes
  // back for the next run, and this run starts nothing new, since SES is asking us to slow down.
  await deps.store.release([s.id], claimId);
  run.log({ msg: 'drip.send_deferred', level: 'warn', subscriber: s.id, lesson: lesson + 1, kind: e.kind, error: e.message });
  state.counts.skipped++;
  return stopRun(state, `ses_${e.kind}`, true);
}
