// The drip run: find who is due, claim each one, send their next lesson at most once, record it and
// schedule the next. The same function runs in the drip Lambda, the local ticker, tests and the bench.
//
// Per subscriber (each step a single conditional DynamoDB write, so overlapping runs cannot both win):
//   claim   still active, still on the due entry we read, no live claim  → lost: skip
//   check   one consistent read of the lesson's send record and the address's suppression item:
//           a `sent` record for this lesson already exists (a run died before advancing) → advance only;
//           the address is suppressed (bounced, complained, erased) → held, nothing sent
//   send    paced under the rate at the SES call, bounded concurrency, throttling/5xx retried with backoff + jitter (each
//           retry first re-reads the claim: someone who left during the backoff gets nothing)
//   record  SEND#nn written with a condition; then advance (next lesson + due time, or completed)
//
// The SES window: SendRawEmail has no idempotency key, so a process that dies after SES accepted a
// message and before the send record is written leaves only its claim behind. The claim expires and
// the next run sends that lesson again: at most one duplicate per such crash, never a lost lesson.
// The run that takes over an expired claim logs `drip.possible_duplicate` so an operator can see it.
import { randomUUID } from 'node:crypto';
import type { SendRecord, Subscriber } from './model.js';
import { noMetrics, SendError, type Clock, type DripSummary, type Log, type Mailer, type Metrics } from './ports.js';
import { Pacer } from './pacer.js';
import { withRetry } from './retry.js';
import { mapWithConcurrency } from './concurrency.js';
import { nextSendTime } from './schedule.js';
import type { Tokens } from './tokens.js';
import { ValidationError } from './errors.js';
import type { CompiledCourse } from '../email/compiled-course.js';
import { renderLesson } from '../email/personalise.js';
import { composeMessage, listIdFor } from '../email/mime.js';

/** One entry of the due index: who, and the exact sort key read (the claim checks it is unchanged). */
export interface DueEntry {
  id: string;
  /** The index sort key `<nextSendAt ISO>#<id>`. */
  dueAt: string;
}

export interface Claimed {
  /** The subscriber as stored when the claim was won. */
  subscriber: Subscriber;
  /** An earlier run's claim had expired: that run died holding this lesson, maybe mid-send. */
  tookOverExpiredClaim: boolean;
}

/** How a subscriber moves on after a lesson: due again at `nextSendAt`, or done. */
export interface Advance {
  claimId: string;
  /** The lesson just handled (0-based); the write is conditional on it still being the next one. */
  lesson: number;
  /** When that lesson went out (ISO). */
  sentAt: string;
  next: { nextSendAt: string } | 'completed';
}

/** What the drip needs from storage. Reads throw when they cannot answer: the drip never sends on doubt. */
export interface DripStore {
  /** Everyone due at or before `now`, across all shards of the due index, oldest first. */
  findDue(now: Date): Promise<DueEntry[]>;
  /**
   * Claim one due subscriber for a while: wins only if they are still active, still at the due entry
   * read (so still on the same lesson) and hold no live claim. Undefined when the condition is lost.
   */
  claim(entry: DueEntry, claim: { claimId: string; now: Date; until: Date }): Promise<Claimed | undefined>;
  /**
   * True while `claimId` is still this subscriber's claim and they are still active (read
   * consistently): checked again before a send that waited out a backoff, as the person may have
   * unsubscribed, bounced or complained in the meantime.
   */
  holdsClaim(subscriberId: string, claimId: string): Promise<boolean>;
  /**
   * What to do with this lesson, from two consistent reads made together before every send:
   * - `sendRecord`: the record of (subscriber, lesson), if any; a `sent` one means a run sent it and
   *   died before advancing;
   * - `suppressed`: the address has a suppression item (bounced, complained, or erased). Feedback
   *   normally stops the subscriber too; this catches a notification that could not be tied to one
   *   (no tags), so a suppressed address is never mailed whatever path suppressed it.
   * Throws when either cannot be read.
   */
  checkBeforeSend(subscriberId: string, lesson: number, email: string): Promise<{ sendRecord?: SendRecord; suppressed: boolean }>;
  /**
   * Write the send record unless one says `sent` already (a `failed` one may be replaced by a retry).
   * False when the condition is lost.
   */
  recordSend(record: SendRecord): Promise<boolean>;
  /** Move on to the next lesson (or complete) and drop the claim. False when the claim was lost. */
  advance(subscriberId: string, advance: Advance): Promise<boolean>;
  /**
   * Stop mailing a subscriber whose lesson SES refused for good: out of the due index (status stays
   * active, nothing skipped), with the reason, until an operator puts them back. False when the claim was lost.
   */
  hold(subscriberId: string, hold: { claimId: string; lesson: number; at: string; reason: string }): Promise<boolean>;
  /** Give the claim up (work left for the next run). A lost condition is ignored. */
  release(subscriberId: string, claimId: string): Promise<void>;
}

/** SES account limits (AWS only): the send rate and what is left of the 24-hour quota. */
export interface SendQuota {
  maxSendRate: number;
  /** Messages still allowed in the rolling 24 hours; undefined when unlimited. */
  remaining24h?: number;
}

export interface DripSettings {
  /** Base of every link, without a trailing slash. */
  publicUrl: string;
  /** The From address when it is not the manifest's `sender.email` (in AWS: the deploy's verified address). */
  fromAddress?: string;
  /** Emails per second (paced 2 % under it, see pacer.ts); lowered to SES's MaxSendRate when that is smaller. */
  maxSendRate: number;
  /** SES calls in flight at once. */
  sendConcurrency: number;
  /** How long a claim lasts; must outlast one send with its retries. Default 5 minutes. */
  claimTtlMs?: number;
  /** No new subscriber is started later than this before the deadline. Default 20 s. */
  sendReserveMs?: number;
  /** Retries of a throttled or transient send. Default 4. */
  retries?: number;
  /** First backoff cap; doubles per retry up to retryMaxMs. Defaults 200 ms and 5 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Permanent rejections in a row (no success between) that stop the run. Default 3. */
  maxRejectionsInARow?: number;
}

export interface DripDeps {
  store: DripStore;
  mailer: Mailer;
  /** Wall time: claims, the deadline, durations, rate limiting. */
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  course: CompiledCourse;
  tokens: Pick<Tokens, 'sign'>;
  settings: DripSettings;
  /** SES GetSendQuota (AWS only); the local stack and tests leave it out. */
  sendQuota?: () => Promise<SendQuota>;
  newClaimId?: () => string;
  random?: () => number;
  /** The log port (an object per entry); default console.log of the object. */
  log?: Log;
  /** The metrics port: the summary's counts and duration, once per run; default none. */
  metrics?: Metrics;
}

export const DEFAULT_CLAIM_TTL_MS = 5 * 60_000;
const DEFAULT_SEND_RESERVE_MS = 20_000;
/**
 * The next lesson is scheduled from the due time of the one just sent, so a send that drains late
 * from a long queue (09:00 due, out at 10:40) keeps the weekly 09:00 rhythm; but never from earlier
 * than this before it actually went out, so after an outage the next lesson still comes at least one
 * cadence minus half a day after the late one.
 */
export const LATE_SEND_TOLERANCE_MS = 12 * 60 * 60_000;

type Outcome = 'sent' | 'skipped' | 'failed';

/** Thrown out of a worker to stop starting new sends; not an error of the run. */
class StopRun extends Error {}

/** The claim was gone (or the person left) when a retry was about to send: nothing is sent. */
class ClaimLost extends Error {}

/** One drip tick as if the calendar read `now`; starts no send it could not finish before `deadline`. */
export async function runDrip(deps: DripDeps, { now, deadline }: { now: Date; deadline: Date }): Promise<DripSummary> {
  const { store, mailer, clock, course: compiled, settings } = deps;
  const course = compiled.course;
  const log: Log = deps.log ?? ((entry) => console.log(entry));
  const claimTtlMs = settings.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  const reserveMs = settings.sendReserveMs ?? DEFAULT_SEND_RESERVE_MS;
  const retryMaxMs = settings.retryMaxMs ?? 5_000;
  const maxRejections = settings.maxRejectionsInARow ?? 3;
  const newClaimId = deps.newClaimId ?? randomUUID;
  const listId = listIdFor(course, settings.fromAddress);

  const startedMs = clock.now().getTime();
  // The run's calendar time: `now` moved on by the wall time spent (equal to the clock in Lambda; a
  // simulated week in tests and `POST /__local/drip`).
  const calendarNow = () => new Date(now.getTime() + (clock.now().getTime() - startedMs));
  const counts = { due: 0, claimed: 0, sent: 0, skipped: 0, failed: 0, held: 0, possibleDuplicates: 0 };
  let stoppedEarly = false;
  let stopReason: string | undefined;
  let runError: Error | undefined;
  let rejectionsInARow = 0;
  let started = 0;

  const stop = (reason: string): never => {
    stoppedEarly = true;
    stopReason ??= reason;
    throw new StopRun(reason);
  };

  try {
    let rate = settings.maxSendRate;
    let allowance = Number.POSITIVE_INFINITY;
    if (deps.sendQuota) {
      const quota = await deps.sendQuota();
      rate = Math.min(rate, quota.maxSendRate);
      allowance = quota.remaining24h ?? allowance;
    }
    // Evenly spaced SES calls, a little under the rate: no one-second window at SES holds more than `rate`.
    const pacer = new Pacer({ ratePerSecond: rate, clock: () => clock.now().getTime(), sleep: deps.sleep });
    const outOfTime = () => clock.now().getTime() + reserveMs > deadline.getTime();

    const due = await store.findDue(now);
    counts.due = due.length;

    const scheduleAfter = (s: Subscriber, lesson: number, sentAt: Date): Advance['next'] => {
      if (lesson + 1 >= compiled.lessons.length) return 'completed';
      const dueMs = s.nextSendAt === undefined ? sentAt.getTime() : new Date(s.nextSendAt).getTime();
      const after = new Date(Math.max(dueMs, sentAt.getTime() - LATE_SEND_TOLERANCE_MS));
      const next = nextSendTime({ after, cadenceDays: course.cadenceDays, sendHour: course.sendHour, timezone: s.timezone, defaultTimezone: course.defaultTimezone });
      return { nextSendAt: next.toISOString() };
    };

    const advance = async (s: Subscriber, claimId: string, lesson: number, sentAt: Date) => {
      const moved = await store.advance(s.id, { claimId, lesson, sentAt: sentAt.toISOString(), next: scheduleAfter(s, lesson, sentAt) });
      // Lost: they left during the send (or our claim expired). Drop our claim so that a later
      // return to the list does not look like a run that died holding them.
      if (!moved) await store.release(s.id, claimId);
    };

    const send = async (s: Subscriber, claimId: string, lesson: number): Promise<Outcome> => {
      let raw: Uint8Array;
      try {
        const issuedAt = calendarNow();
        const unsubscribeUrl = `${settings.publicUrl}/unsubscribe?token=${deps.tokens.sign({ subscriberId: s.id, purpose: 'unsubscribe', issuedAt })}`;
        const email = renderLesson(compiled, lesson, { name: s.name, unsubscribeUrl });
        raw = await composeMessage({
          from: { name: course.sender.name, address: settings.fromAddress ?? course.sender.email },
          to: s.email,
          subject: email.subject,
          html: email.html,
          text: email.text,
          unsubscribeUrl,
          listId,
        });
      } catch (e: unknown) {
        // A stored address the composer refuses can never be sent: the same as SES refusing it.
        if (e instanceof ValidationError) return reject(s, claimId, lesson, e);
        throw e;
      }

      // Paced right before the SES call, not before the claim: the claim and the reads take varying
      // time, and it is the spacing of the calls SES receives that must hold the rate.
      await pacer.take();
      if (outOfTime()) {
        // The wait used up the time: the claim goes back for the next run.
        await store.release(s.id, claimId);
        stop('deadline');
      }

      const tags = { course: course.slug, lesson: String(lesson + 1), subscriber: s.id };
      let messageId: string;
      try {
        ({ messageId } = await withRetry(
          async (attempt) => {
            if (attempt > 0) {
              await pacer.take();
              // The backoff took seconds: look again, so nobody who left meanwhile gets the lesson.
              // A read that fails throws (not a SendError, so not retried): the run fails closed.
              if (!(await store.holdsClaim(s.id, claimId))) throw new ClaimLost();
            }
            return mailer.sendRaw({ raw, to: s.email, tags });
          },
          {
            retries: settings.retries ?? 4,
            baseMs: settings.retryBaseMs ?? 200,
            maxMs: retryMaxMs,
            // A backoff that would run into the deadline is not started: the claim goes back instead.
            shouldRetry: (e) => e instanceof SendError && e.kind !== 'permanent' && clock.now().getTime() + retryMaxMs < deadline.getTime(),
            sleep: deps.sleep,
            random: deps.random,
          },
        ));
      } catch (e: unknown) {
        if (e instanceof ClaimLost) {
          await store.release(s.id, claimId);
          log({ msg: 'drip.left_during_retry', subscriber: s.id, lesson: lesson + 1 });
          return 'skipped';
        }
        if (!(e instanceof SendError)) throw e; // unknown: stop as a crash would, the claim expires
        if (e.kind === 'permanent') return reject(s, claimId, lesson, e);
        // Still throttled (or SES still failing) after the retries: nothing is dropped. The claim goes
        // back for the next run, and this run starts nothing new, since SES is asking us to slow down.
        await store.release(s.id, claimId);
        log({ msg: 'drip.send_deferred', level: 'warn', subscriber: s.id, lesson: lesson + 1, kind: e.kind, error: e.message });
        counts.skipped++;
        return stop(`ses_${e.kind}`);
      }

      rejectionsInARow = 0;
      const sentAt = calendarNow();
      const recorded = await store.recordSend({ subscriberId: s.id, lesson, status: 'sent', at: sentAt.toISOString(), messageId });
      if (!recorded) {
        // Only possible when our claim expired mid-send and another run sent and recorded it first.
        counts.possibleDuplicates++;
        log({ msg: 'drip.possible_duplicate', level: 'warn', subscriber: s.id, lesson: lesson + 1, why: 'claim expired during the send' });
      }
      await advance(s, claimId, lesson, sentAt);
      return 'sent';
    };

    const reject = async (s: Subscriber, claimId: string, lesson: number, e: Error): Promise<Outcome> => {
      const at = calendarNow().toISOString();
      const reason = e.message.slice(0, 500);
      await store.recordSend({ subscriberId: s.id, lesson, status: 'failed', at, error: reason });
      await store.hold(s.id, { claimId, lesson, at, reason });
      counts.held++;
      log({ msg: 'drip.send_rejected', level: 'warn', subscriber: s.id, lesson: lesson + 1, error: reason, action: 'held: out of the due index until an operator requeues' });
      rejectionsInARow++;
      return 'failed';
    };

    const deliver = async (entry: DueEntry): Promise<Outcome> => {
      const claimId = newClaimId();
      const wallNow = clock.now();
      const claimed = await store.claim(entry, { claimId, now: wallNow, until: new Date(wallNow.getTime() + claimTtlMs) });
      if (claimed === undefined) return 'skipped';
      counts.claimed++;
      const s = claimed.subscriber;
      const lesson = s.nextLesson;

      if (!Number.isInteger(lesson) || lesson < 0) {
        await store.release(s.id, claimId);
        log({ msg: 'drip.bad_subscriber', level: 'error', subscriber: s.id, nextLesson: lesson });
        return 'failed';
      }
      if (lesson >= compiled.lessons.length) {
        // The course got shorter than this person's place in it: nothing left to send (the schedule
        // answers `completed`; a lost advance gives the claim back like any other).
        await advance(s, claimId, lesson, calendarNow());
        return 'skipped';
      }

      const { sendRecord: record, suppressed } = await store.checkBeforeSend(s.id, lesson, s.email);
      if (record?.status === 'sent') {
        // A run sent and recorded it, then died before advancing: finish its work, send nothing.
        // The schedule counts from when it really went out: a record older than the due time (the
        // subscriber item was lost to TTL and the address signed up again under the same id) must
        // not push each lesson already sent, and so the next unsent one, a whole cadence later.
        const sentAt = new Date(record.at);
        const asSent = s.nextSendAt !== undefined && new Date(s.nextSendAt) > sentAt ? { ...s, nextSendAt: record.at } : s;
        await advance(asSent, claimId, lesson, sentAt);
        return 'skipped';
      }
      if (suppressed) {
        // Out of the due index with the reason, like a refused send: nothing sent, no lesson passed over.
        await store.hold(s.id, { claimId, lesson, at: calendarNow().toISOString(), reason: 'address suppressed (bounced, complained or erased)' });
        counts.held++;
        log({ msg: 'drip.suppressed', subscriber: s.id, lesson: lesson + 1, action: 'held: out of the due index' });
        return 'skipped';
      }
      if (claimed.tookOverExpiredClaim) {
        counts.possibleDuplicates++;
        log({ msg: 'drip.possible_duplicate', level: 'warn', subscriber: s.id, lesson: lesson + 1, why: 'an earlier run died holding this lesson; sending it again' });
      }
      return send(s, claimId, lesson);
    };

    await mapWithConcurrency(due, Math.max(1, settings.sendConcurrency), async (entry) => {
      try {
        if (stoppedEarly) {
          counts.skipped++;
          return;
        }
        if (rejectionsInARow >= maxRejections) stop('rejections_in_a_row');
        if (started >= allowance) stop('daily_quota');
        if (outOfTime()) stop('deadline');
        // Counted before the first await, so concurrent workers cannot all pass the quota check.
        started++;
        counts[await deliver(entry)]++;
      } catch (e: unknown) {
        if (e instanceof StopRun) {
          // The deferred send counted itself; an entry never started is work left for the next run.
          if (e.message !== 'ses_throttled' && e.message !== 'ses_transient') counts.skipped++;
          return;
        }
        throw e;
      }
    });
  } catch (e: unknown) {
    runError = e instanceof Error ? e : new Error(String(e));
  }

  const durationMs = Math.max(0, clock.now().getTime() - startedMs);
  const summary: DripSummary = {
    ...counts,
    durationMs,
    emailsPerSecond: durationMs === 0 ? 0 : Math.round((counts.sent / (durationMs / 1000)) * 100) / 100,
    stoppedEarly,
  };
  log({
    msg: 'drip.summary',
    level: runError === undefined ? 'info' : 'error',
    at: now.toISOString(),
    ...summary,
    ...(stopReason === undefined ? {} : { stopReason }),
    ...(runError === undefined ? {} : { error: `${runError.name}: ${runError.message}` }),
  });
  emitMetrics(deps.metrics ?? noMetrics, summary);
  if (runError !== undefined) throw runError;
  return summary;
}

/** The run's summary as metrics (zeros included, so graphs and alarms see quiet runs as 0, not gaps). */
function emitMetrics(metrics: Metrics, summary: DripSummary): void {
  metrics.add('sent', summary.sent);
  metrics.add('failed', summary.failed);
  metrics.add('skipped', summary.skipped);
  metrics.add('held', summary.held);
  metrics.add('possibleDuplicates', summary.possibleDuplicates);
  metrics.add('stoppedEarly', summary.stoppedEarly ? 1 : 0);
  metrics.add('duration', summary.durationMs);
}
