// The drip run: find who is due, claim them, send each their next lesson at most once, log it and
// schedule the next. The same function runs in the drip Lambda (alone, or as one of K fanned-out
// senders), the local ticker, tests and the bench.
//
// Page by page (every step batched across the page, each conditional write still standing alone, so
// overlapping runs cannot both win a subscriber and one lost condition never undoes another):
//   claim   still active, still on the due entry we read, no live claim  → lost: skip
//   check   one consistent read of each lesson's send log record and each address's suppression item:
//           a `sent` record for this lesson already exists (a run died before advancing) → advance only;
//           the address is suppressed (bounced, complained, erased) → held, nothing sent
//   send    paced under the rate at the SES call, bounded concurrency, throttling/5xx retried with backoff + jitter (each
//           retry first re-reads the claim: someone who left during the backoff gets nothing)
//   log     the page's `sent` records in one batch write; then advance (next lesson + due time, or
//           completed), conditional on our claim and the lesson: that update is what makes a lesson once
//
// The SES window: SendRawEmail has no idempotency key, so a process that dies after SES accepted a
// message and before its send log record is written leaves only its claim behind. The claim expires
// and the next run sends that lesson again: never a lost lesson, and at most one page of duplicates
// per crash (pageSize, ≤ 50; see runDrip). The run that takes over an expired claim logs
// `drip.possible_duplicate` so an operator can see it.
import { randomUUID } from 'node:crypto';
import type { SendRecord, Subscriber } from './model.js';
import { noMetrics, SendError, type Clock, type DripSummary, type Log, type Mailer, type Metrics } from './ports.js';
import { Pacer } from './pacer.js';
import { SendLog } from './send-log.js';
import { withRetry } from './retry.js';
import { mapWithConcurrency } from './concurrency.js';
import { nextSendTime } from './schedule.js';
import type { Tokens } from './tokens.js';
import { ValidationError } from './errors.js';
import type { CompiledCourse, CourseCatalog } from '../email/compiled-course.js';
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

/**
 * One advance's answer: moved on; `lost` (they left, or our claim expired and nobody moved them); or
 * `overtaken` (another run moved them past this lesson: it went out twice, the documented SES window).
 */
export type AdvanceOutcome = 'advanced' | 'lost' | 'overtaken';

/** What the two reads before a send found for one subscriber. */
export interface SendCheck {
  /** The log's record of (subscriber, lesson), if any; `sent` means a run sent it and died before advancing. */
  sendRecord?: SendRecord;
  /**
   * The address has a suppression item (bounced, complained, or erased). Feedback normally stops the
   * subscriber too; this catches a notification that could not be tied to one (no tags), so a
   * suppressed address is never mailed whatever path suppressed it.
   */
  suppressed: boolean;
}

/**
 * What the drip needs from storage, a page of due subscribers at a time (at most PAGE_MAX). Each
 * conditional write still stands alone (one subscriber's lost condition never undoes another's), and
 * reads throw when they cannot answer: the drip never sends on doubt.
 */
export interface DripStore {
  /** Everyone due at or before `now` in the given shards of the due index (default all), oldest first. */
  findDue(now: Date, shards?: readonly string[]): Promise<DueEntry[]>;
  /**
   * Claim a page of due subscribers for a while, each on its own condition: still active, still at the
   * due entry read (so still on the same lesson), no live claim. Answers the claims won, in page order;
   * a lost condition leaves that one out.
   */
  claim(entries: DueEntry[], claim: { claimId: string; now: Date; until: Date }): Promise<Claimed[]>;
  /**
   * True while `claimId` is still this subscriber's claim and they are still active (read
   * consistently): checked again before a send that waited out a backoff, as the person may have
   * unsubscribed, bounced or complained in the meantime.
   */
  holdsClaim(subscriberId: string, claimId: string): Promise<boolean>;
  /** The send log and suppression reads for a page, consistent, in one go; answers in the same order. Throws when any cannot be read. */
  checkBeforeSend(items: { subscriberId: string; lesson: number; email: string }[]): Promise<SendCheck[]>;
  /** Write `sent` records to the send log (no condition: the advance is what makes a lesson once). */
  logSends(records: SendRecord[]): Promise<void>;
  /** Write one record unless one says `sent` already (a refused send's `failed` record). False when the condition is lost. */
  recordSend(record: SendRecord): Promise<boolean>;
  /** Move each on to the next lesson (or complete) and drop the claim, each on its own condition; answers in the same order. */
  advance(items: { subscriberId: string; advance: Advance }[]): Promise<AdvanceOutcome[]>;
  /**
   * Stop mailing a subscriber whose lesson SES refused for good: out of the due index (status stays
   * active, nothing skipped), with the reason, until an operator puts them back. False when the claim was lost.
   */
  hold(subscriberId: string, hold: { claimId: string; lesson: number; at: string; reason: string }): Promise<boolean>;
  /** Give claims up (work left for the next run). A lost condition is ignored. */
  release(subscriberIds: string[], claimId: string): Promise<void>;
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
  /** Subscribers per page (1..PAGE_MAX); default pageSizeFor(rate): the crash bound, see runDrip. */
  pageSize?: number;
}

export interface DripDeps {
  store: DripStore;
  mailer: Mailer;
  /** Wall time: claims, the deadline, durations, rate limiting. */
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  course: CompiledCourse;
  /** Every course: each subscriber gets their own course's lessons (absent: `course` is the only one). */
  courses?: CourseCatalog;
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
/** The most subscribers in one page: what one consistent BatchGetItem can check (100 keys, 2 each). */
export const PAGE_MAX = 50;
/** A page holds about this many seconds of sending at the rate, so claims stay young and a crash's duplicates few at low rates. */
const PAGE_SECONDS = 5;

/**
 * Subscribers per page at `ratePerSecond`: ⌊5 s × rate⌋ within 1..50 (1/s → 5, 10/s and up → 50).
 * It is also the crash bound: at most this many emails are ever accepted by SES and not yet in the
 * send log, so a crash sends at most this many again (each once).
 */
export function pageSizeFor(ratePerSecond: number): number {
  return Math.min(PAGE_MAX, Math.max(1, Math.floor(ratePerSecond * PAGE_SECONDS)));
}

/** The part of the due index and of the rate one sender of a fanned-out run has (see fan-out.ts). */
export interface SenderShare {
  /** This sender's number, 0-based, and how many there are. */
  sender: number;
  senders: number;
  /** The due-index shards this sender queries (no other sender has them). */
  shards: string[];
  /** This sender's part of the account's rate; the shares add up to at most the rate. */
  maxSendRate: number;
  /** This sender's part of what is left of SES's 24-hour quota; undefined when unlimited. */
  remaining24h?: number;
}

export interface DripRun {
  /** The calendar time the run acts at. */
  now: Date;
  /** No send is started that could not finish before this. */
  deadline: Date;
  /** Fanned out: this sender's shards and rate (SES's quota was read by the planner). */
  share?: SenderShare;
}

type Outcome = 'sent' | 'skipped' | 'failed';
type Sent = { s: Subscriber; lesson: number; sentAt: Date; messageId: string };

/** A page claimed and checked, ready to send. */
interface Prepared {
  claimId: string;
  /** To send, oldest due first. */
  toSend: Claimed[];
  /** Already sent by a run that died before advancing (or past the course's end): advance only. */
  advanceOnly: { s: Subscriber; lesson: number; sentAt: Date }[];
}

/** Thrown out of a worker to stop starting new sends; not an error of the run. */
class StopRun extends Error {}

/** The claim was gone (or the person left) when a retry was about to send: nothing is sent. */
class ClaimLost extends Error {}

function pagesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One drip tick as if the calendar read `now`; starts no send it could not finish before `deadline`.
 *
 * Page by page (pageSizeFor the rate, ≤ 50): claim the page (one batch read, conditional claims in
 * batches), read its send records and suppression items (one batch read), send each email paced and
 * with bounded concurrency, write the page's send log (one batch write), then advance the page
 * (conditional updates in batches). The next page is claimed and checked while this one sends. A page
 * sends nothing until the page before it is in the send log, so at most one page of emails is ever
 * accepted by SES and not yet logged: a crash sends at most `pageSize` emails again, each once
 * (logged per run as `maxUnrecorded`, and by the run that takes over as `drip.possible_duplicate`).
 */
export async function runDrip(deps: DripDeps, { now, deadline, share }: DripRun): Promise<DripSummary> {
  const { store, mailer, clock, settings } = deps;
  // One run sends every course's lessons: each subscriber's item names its course (slug). Without a
  // catalog the one course is everyone's, as before there were several.
  const courseOf = (slug: string): CompiledCourse | undefined => (deps.courses ? deps.courses.get(slug) : deps.course);
  /** The course of a subscriber that passed `prepare` (which set aside those of a course not served). */
  const courseFor = (s: Subscriber): CompiledCourse => courseOf(s.course) ?? deps.course;
  const log: Log = deps.log ?? ((entry) => console.log(entry));
  const claimTtlMs = settings.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  const reserveMs = settings.sendReserveMs ?? DEFAULT_SEND_RESERVE_MS;
  const retryMaxMs = settings.retryMaxMs ?? 5_000;
  const maxRejections = settings.maxRejectionsInARow ?? 3;
  const newClaimId = deps.newClaimId ?? randomUUID;
  const listIds = new Map<string, string>();
  const listIdOf = (c: CompiledCourse) =>
    listIds.get(c.course.slug) ?? listIds.set(c.course.slug, listIdFor(c.course, settings.fromAddress)).get(c.course.slug)!;

  const startedMs = clock.now().getTime();
  // The run's calendar time: `now` moved on by the wall time spent (equal to the clock in Lambda; a
  // simulated week in tests and `POST /__local/drip`).
  const calendarNow = () => new Date(now.getTime() + (clock.now().getTime() - startedMs));
  const counts = { due: 0, claimed: 0, sent: 0, skipped: 0, failed: 0, held: 0, possibleDuplicates: 0 };
  let sendLog: SendLog | undefined;
  let pageSize = 0;
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
    if (share !== undefined) {
      // The planner read SES's quota once for all senders and gave each its part.
      rate = Math.min(rate, share.maxSendRate);
      allowance = share.remaining24h ?? allowance;
    } else if (deps.sendQuota) {
      const quota = await deps.sendQuota();
      rate = Math.min(rate, quota.maxSendRate);
      allowance = quota.remaining24h ?? allowance;
    }
    pageSize = Math.min(PAGE_MAX, Math.max(1, Math.floor(settings.pageSize ?? pageSizeFor(rate))));
    // No more than a page of emails in SES calls or accepted and not yet logged: the crash bound.
    const log_ = new SendLog((records) => store.logSends(records), pageSize);
    sendLog = log_;
    // Evenly spaced SES calls, a little under the rate, and never more than ⌊rate⌋ in any one-second window at SES.
    const pacer = new Pacer({ ratePerSecond: rate, clock: () => clock.now().getTime(), sleep: deps.sleep });
    const outOfTime = () => clock.now().getTime() + reserveMs > deadline.getTime();

    const due = await store.findDue(now, share?.shards);
    counts.due = due.length;

    const scheduleAfter = (s: Subscriber, lesson: number, sentAt: Date): Advance['next'] => {
      const compiled = courseFor(s);
      const course = compiled.course;
      if (lesson + 1 >= compiled.lessons.length) return 'completed';
      const dueMs = s.nextSendAt === undefined ? sentAt.getTime() : new Date(s.nextSendAt).getTime();
      const after = new Date(Math.max(dueMs, sentAt.getTime() - LATE_SEND_TOLERANCE_MS));
      const next = nextSendTime({
        after,
        cadenceDays: course.cadenceDays,
        sendHour: course.sendHour,
        timezone: s.timezone,
        defaultTimezone: course.defaultTimezone,
      });
      return { nextSendAt: next.toISOString() };
    };

    /** Claim a page and read what it needs before sending; holds and odd cases are settled here. */
    const prepare = async (entries: DueEntry[]): Promise<Prepared> => {
      const claimId = newClaimId();
      const wallNow = clock.now();
      const claimed = await store.claim(entries, { claimId, now: wallNow, until: new Date(wallNow.getTime() + claimTtlMs) });
      counts.claimed += claimed.length;
      // A lost condition: someone else has it, or the person left.
      counts.skipped += entries.length - claimed.length;
      const page: Prepared = { claimId, toSend: [], advanceOnly: [] };
      const toCheck: Claimed[] = [];
      const bad: string[] = [];
      for (const c of claimed) {
        const lesson = c.subscriber.nextLesson;
        const compiled = courseOf(c.subscriber.course);
        if (compiled === undefined) {
          // A course this deployment does not serve (removed from the courses folder): nothing is
          // sent and nothing changes; they wait, due, until the course is deployed again.
          bad.push(c.subscriber.id);
          log({ msg: 'drip.unknown_course', level: 'warn', subscriber: c.subscriber.id, course: c.subscriber.course });
          counts.skipped++;
        } else if (!Number.isInteger(lesson) || lesson < 0) {
          bad.push(c.subscriber.id);
          log({ msg: 'drip.bad_subscriber', level: 'error', subscriber: c.subscriber.id, nextLesson: lesson });
          counts.failed++;
        } else if (lesson >= compiled.lessons.length) {
          // The course got shorter than this person's place in it: nothing left to send (the
          // schedule answers `completed`; a lost advance gives the claim back like any other).
          page.advanceOnly.push({ s: c.subscriber, lesson, sentAt: calendarNow() });
          counts.skipped++;
        } else toCheck.push(c);
      }
      if (bad.length > 0) await store.release(bad, claimId);
      const checks = await store.checkBeforeSend(
        toCheck.map((c) => ({ subscriberId: c.subscriber.id, lesson: c.subscriber.nextLesson, email: c.subscriber.email })),
      );
      for (const [i, c] of toCheck.entries()) {
        const s = c.subscriber;
        const { sendRecord: record, suppressed } = checks[i] ?? { suppressed: true };
        if (record?.status === 'sent') {
          // A run sent and logged it, then died before advancing: finish its work, send nothing.
          // The schedule counts from when it really went out: a record older than the due time (the
          // subscriber item was lost to TTL and the address signed up again under the same id) must
          // not push each lesson already sent, and so the next unsent one, a whole cadence later.
          const sentAt = new Date(record.at);
          page.advanceOnly.push({
            s: s.nextSendAt !== undefined && new Date(s.nextSendAt) > sentAt ? { ...s, nextSendAt: record.at } : s,
            lesson: s.nextLesson,
            sentAt,
          });
          counts.skipped++;
        } else if (suppressed) {
          // Out of the due index with the reason, like a refused send: nothing sent, no lesson passed over.
          await store.hold(s.id, {
            claimId,
            lesson: s.nextLesson,
            at: calendarNow().toISOString(),
            reason: 'address suppressed (bounced, complained or erased)',
          });
          counts.held++;
          log({ msg: 'drip.suppressed', subscriber: s.id, lesson: s.nextLesson + 1, action: 'held: out of the due index' });
          counts.skipped++;
        } else {
          if (c.tookOverExpiredClaim) {
            counts.possibleDuplicates++;
            log({
              msg: 'drip.possible_duplicate',
              level: 'warn',
              subscriber: s.id,
              lesson: s.nextLesson + 1,
              why: 'an earlier run died holding this lesson; sending it again',
              bound: pageSize,
            });
          }
          page.toSend.push(c);
        }
      }
      return page;
    };

    const send = async (s: Subscriber, claimId: string, lesson: number): Promise<Outcome | Sent> => {
      const compiled = courseFor(s);
      const course = compiled.course;
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
          listId: listIdOf(compiled),
        });
      } catch (e: unknown) {
        // A stored address the composer refuses can never be sent: the same as SES refusing it.
        if (e instanceof ValidationError) return reject(s, claimId, lesson, e);
        throw e;
      }

      const tags = { course: course.slug, lesson: String(lesson + 1), subscriber: s.id };
      let messageId: string;
      try {
        ({ messageId } = await withRetry(
          async (attempt) => {
            // Room under the crash bound first, then the pacer: waiting after the pacer would lose the slot.
            await log_.beforeSend();
            let accepted = false;
            try {
              // Paced right before the SES call, not before the claim: the claim and the reads take
              // varying time, and it is the spacing of the calls SES receives that must hold the rate.
              const ticket = await pacer.take();
              try {
                if (attempt === 0 && outOfTime()) stop('deadline'); // the wait used up the time: the claim goes back
                // The backoff took seconds: look again, so nobody who left meanwhile gets the lesson.
                // A read that fails throws (not a SendError, so not retried): the run fails closed.
                if (attempt > 0 && !(await store.holdsClaim(s.id, claimId))) throw new ClaimLost();
                const out = await mailer.sendRaw({ raw, to: s.email, tags });
                accepted = true;
                return out;
              } finally {
                ticket.done();
              }
            } finally {
              if (!accepted) log_.notSent();
            }
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
          await store.release([s.id], claimId);
          log({ msg: 'drip.left_during_retry', subscriber: s.id, lesson: lesson + 1 });
          return 'skipped';
        }
        if (!(e instanceof SendError)) throw e; // StopRun, or unknown: stop as a crash would, the claim expires
        if (e.kind === 'permanent') return reject(s, claimId, lesson, e);
        // Still throttled (or SES still failing) after the retries: nothing is dropped. The claim goes
        // back for the next run, and this run starts nothing new, since SES is asking us to slow down.
        await store.release([s.id], claimId);
        log({ msg: 'drip.send_deferred', level: 'warn', subscriber: s.id, lesson: lesson + 1, kind: e.kind, error: e.message });
        counts.skipped++;
        return stop(`ses_${e.kind}`);
      }
      rejectionsInARow = 0;
      const sentAt = calendarNow();
      log_.sent({ subscriberId: s.id, lesson, status: 'sent', at: sentAt.toISOString(), messageId });
      return { s, lesson, sentAt, messageId };
    };

    const reject = async (s: Subscriber, claimId: string, lesson: number, e: Error): Promise<Outcome> => {
      const at = calendarNow().toISOString();
      const reason = e.message.slice(0, 500);
      await store.recordSend({ subscriberId: s.id, lesson, status: 'failed', at, error: reason });
      await store.hold(s.id, { claimId, lesson, at, reason });
      counts.held++;
      log({
        msg: 'drip.send_rejected',
        level: 'warn',
        subscriber: s.id,
        lesson: lesson + 1,
        error: reason,
        action: 'held: out of the due index until an operator requeues',
      });
      rejectionsInARow++;
      return 'failed';
    };

    /** Send a prepared page: answers what SES accepted, and the claims never used (to give back). */
    const sendPage = async (page: Prepared, sent: Sent[], unused: string[]): Promise<void> => {
      await mapWithConcurrency(page.toSend, Math.max(1, Math.min(settings.sendConcurrency, pageSize)), async ({ subscriber: s }) => {
        try {
          if (stoppedEarly) {
            unused.push(s.id);
            counts.skipped++;
            return;
          }
          if (rejectionsInARow >= maxRejections) stop('rejections_in_a_row');
          if (started >= allowance) stop('daily_quota');
          if (outOfTime()) stop('deadline');
          // Counted before the first await, so concurrent workers cannot all pass the quota check.
          started++;
          const outcome = await send(s, page.claimId, s.nextLesson);
          if (typeof outcome === 'string') counts[outcome]++;
          else {
            sent.push(outcome);
            counts.sent++;
          }
        } catch (e: unknown) {
          if (!(e instanceof StopRun)) throw e;
          // The deferred send counted itself and gave its claim back; one never started is work left for the next run.
          if (e.message !== 'ses_throttled' && e.message !== 'ses_transient') {
            unused.push(s.id);
            counts.skipped++;
          }
        }
      });
    };

    /** The page's send log first, then the advances: a crash between them leaves the log to say "sent". */
    const finishPage = async (page: Prepared, sent: Sent[], unused: string[]): Promise<void> => {
      if (sent.length > 0) await log_.drain();
      const moving = [...sent, ...page.advanceOnly];
      const outcomes = await store.advance(
        moving.map((x) => ({
          subscriberId: x.s.id,
          advance: {
            claimId: page.claimId,
            lesson: x.lesson,
            sentAt: x.sentAt.toISOString(),
            next: scheduleAfter(x.s, x.lesson, x.sentAt),
          },
        })),
      );
      // Lost: they left during the send (or our claim expired). Our claim is dropped so that a later
      // return to the list does not look like a run that died holding them.
      const drop = [...unused];
      outcomes.forEach((o, i) => {
        const x = moving[i]!;
        if (o === 'advanced') return;
        drop.push(x.s.id);
        // Only possible when our claim expired mid-send and another run sent it and moved them on first.
        if (o === 'overtaken') {
          counts.possibleDuplicates++;
          log({
            msg: 'drip.possible_duplicate',
            level: 'warn',
            subscriber: x.s.id,
            lesson: x.lesson + 1,
            why: 'claim expired during the send',
          });
        }
      });
      if (drop.length > 0) await store.release(drop, page.claimId);
    };

    const pages = pagesOf(due, pageSize);
    let next: Promise<Prepared> | undefined;
    // Each page is finished (logged, advanced) while the next one sends; finishes run in page order.
    let finishing: Promise<void> = Promise.resolve();
    let finishFailure: { error: unknown } | undefined;
    let failing = true;
    try {
      for (const [i, entries] of pages.entries()) {
        if (finishFailure) throw finishFailure.error;
        if (!stoppedEarly && (started >= allowance || outOfTime())) {
          stoppedEarly = true;
          stopReason ??= started >= allowance ? 'daily_quota' : 'deadline';
        }
        if (stoppedEarly && next === undefined) {
          counts.skipped += entries.length; // never claimed: work left for the next run
          continue;
        }
        const page = await (next ?? prepare(entries));
        // The next page is claimed and checked while this one sends.
        next = !stoppedEarly && i + 1 < pages.length ? prepare(pages[i + 1]!) : undefined;
        const sent: Sent[] = [];
        const unused: string[] = [];
        try {
          await sendPage(page, sent, unused);
        } catch (e: unknown) {
          // Stopping as a crash would (unknown error): what SES accepted is still logged and advanced.
          await finishing.catch(() => undefined);
          await finishPage(page, sent, []).catch(() => undefined);
          throw e;
        }
        finishing = finishing.then(() => finishPage(page, sent, unused));
        finishing.catch((e: unknown) => {
          finishFailure ??= { error: e };
        });
      }
      await finishing;
      failing = false;
    } finally {
      // A page claimed ahead but never sent (the run stopped): its claims go back.
      const left = next;
      if (left !== undefined) {
        next = undefined;
        const giveBack = left.then(async (page) => {
          counts.skipped += page.toSend.length;
          await finishPage(
            page,
            [],
            page.toSend.map((c) => c.subscriber.id),
          );
        });
        // When the run is already failing, that error is the one to report; the claims then expire.
        await (failing ? giveBack.catch(() => undefined) : giveBack);
      }
    }
  } catch (e: unknown) {
    runError = e instanceof Error ? e : new Error(String(e));
  }

  const durationMs = Math.max(0, clock.now().getTime() - startedMs);
  const summary: DripSummary = {
    ...counts,
    durationMs,
    emailsPerSecond: durationMs === 0 ? 0 : Math.round((counts.sent / (durationMs / 1000)) * 100) / 100,
    stoppedEarly,
    pageSize,
    maxUnrecorded: sendLog?.maxAtRisk ?? 0,
  };
  log({
    msg: 'drip.summary',
    level: runError === undefined ? 'info' : 'error',
    at: now.toISOString(),
    ...(share === undefined ? {} : { sender: share.sender, senders: share.senders, shards: share.shards.length, rate: share.maxSendRate }),
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
