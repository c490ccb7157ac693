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
//
// Reading order below: the ports and settings, then runDrip and its steps top to bottom (start,
// find due, the page pipeline, claim and check, send, hold, record and advance, the summary).
import { randomUUID } from 'node:crypto';
import type { SendRecord, Subscriber } from './model.js';
import {
  noMetrics,
  SendError,
  type Clock,
  type CourseCatalog,
  type DripSummary,
  type Log,
  type Mailer,
  type MessageComposer,
  type MessageTags,
  type Metrics,
  type ServedCourse,
} from './ports.js';
import { Pacer } from './pacer.js';
import { SendLog } from './send-log.js';
import { withRetry } from './retry.js';
import { chunks, mapWithConcurrency } from './concurrency.js';
import { nextSendTimeAfter } from './schedule.js';
import type { Tokens } from './tokens.js';
import { ValidationError } from './errors.js';

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
  /**
   * Add to the per-lesson `sent` counters (`course stats`), each an atomic ADD of `sent` emails to lesson
   * `lesson` (0-based) of `course`. The drip is where "sent" is known exactly: SES accepted the message
   * and the send log holds it.
   */
  countSent(counts: { course: string; lesson: number; sent: number }[]): Promise<void>;
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
  course: ServedCourse;
  /** Every course: each subscriber gets their own course's lessons (absent: `course` is the only one). */
  courses?: CourseCatalog;
  /** Renders and composes each lesson (functions/email/composer.ts). */
  composer: MessageComposer;
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

// --- One run's state ------------------------------------------------------------------------------

/**
 * Why a run stopped starting sends, logged as the summary's `stopReason`: its deadline (or the time a
 * send slot cost), SES's 24-hour quota, too many permanent rejections in a row (likely the account or
 * the message, not the addresses), or SES still throttling or failing after the retries.
 */
export type StopReason = 'deadline' | 'daily_quota' | 'rejections_in_a_row' | 'ses_throttled' | 'ses_transient';

/** What one run counts and decides as it goes; one object, read by every step and by the summary. */
interface RunState {
  /** Wall-clock ms at the start: the run's duration, and its calendar time moving on from `now`. */
  startedMs: number;
  counts: Pick<DripSummary, 'due' | 'claimed' | 'sent' | 'skipped' | 'failed' | 'held' | 'possibleDuplicates'>;
  /** Subscribers per page, once the rate is known (0 before). */
  pageSize: number;
  /** The crash bound's bookkeeping, once the page size is known. */
  sendLog?: SendLog;
  /** Sends in the send log not yet added to the `sent` counters, by `<course>\n<lesson>`. */
  uncounted: Map<string, { course: string; lesson: number; sent: number }>;
  /** Sends started: what SES's 24-hour quota counts. */
  started: number;
  /** Permanent rejections since the last accepted send. */
  rejectionsInARow: number;
  /** Set once the run starts no new send; the first reason wins. */
  stopReason?: StopReason;
  /** What ended the run as a crash would: thrown once the summary is logged. */
  error?: Error;
}

/** A run under way: its deps, its options, the limits worked out at its start, and its state. */
interface Run extends DripRun {
  deps: DripDeps;
  state: RunState;
  log: Log;
  sendLog: SendLog;
  /** Evenly spaced SES calls, a little under the rate. */
  pacer: Pacer;
  /** Sends this run may start (what is left of SES's 24-hour quota); infinite when unlimited. */
  allowance: number;
  claimTtlMs: number;
  reserveMs: number;
  retryMaxMs: number;
  maxRejections: number;
  newClaimId: () => string;
}

/** A claimed subscriber and the course they are on. */
interface Claim {
  subscriber: Subscriber;
  course: ServedCourse;
}

/** A subscriber moving on after `lesson`: sent by this run, or found sent (or past the course's end). */
interface Moving extends Claim {
  lesson: number;
  /** When the lesson went out. */
  sentAt: Date;
  /** The due time the next lesson's cadence counts from (schedule.ts's late-send rule); absent: sentAt. */
  dueAt?: Date;
}

/** A page claimed and checked, ready to send. */
interface Page {
  claimId: string;
  /** To send, oldest due first. */
  toSend: Claim[];
  /** Already sent by a run that died before advancing (or past the course's end): advance only. */
  advanceOnly: Moving[];
}

/** What sending a page left: the lessons SES accepted, and the claims never used (to give back). */
interface PageResult {
  sent: Moving[];
  unused: string[];
}

/** Thrown out of a send to stop starting new ones; not an error of the run. */
class StopRun extends Error {
  constructor(
    readonly reason: StopReason,
    /** The subscriber's claim was already given back and counted (a deferred send). */
    readonly claimGivenBack: boolean,
  ) {
    super(`drip stopped: ${reason}`);
    this.name = 'StopRun';
  }
}

/** The claim was gone (or the person left) when a retry was about to send: nothing is sent. */
class ClaimLost extends Error {}

const stopped = (state: RunState): boolean => state.stopReason !== undefined;

/** Start no new send from here on, for `reason` (the first reason given is kept). */
function stopRun(state: RunState, reason: StopReason, claimGivenBack = false): never {
  state.stopReason ??= reason;
  throw new StopRun(reason, claimGivenBack);
}

/** The run's calendar time: `now` moved on by the wall time spent (equal to the clock in Lambda; a simulated week in tests). */
const calendarNow = (run: Run): Date => new Date(run.now.getTime() + (run.deps.clock.now().getTime() - run.state.startedMs));

/** No send may start that could not finish before the deadline. */
const outOfTime = (run: Run): boolean => run.deps.clock.now().getTime() + run.reserveMs > run.deadline.getTime();

/** SES's 24-hour quota used up, or no time left to start a send; undefined while neither. */
const limitReached = (run: Run): StopReason | undefined =>
  run.state.started >= run.allowance ? 'daily_quota' : outOfTime(run) ? 'deadline' : undefined;

/** One run sends every course's lessons; without a catalog the one course is everyone's. */
const courseOf = (deps: DripDeps, slug: string): ServedCourse | undefined => (deps.courses ? deps.courses.get(slug) : deps.course);

const dueOf = (s: Subscriber): Date | undefined => (s.nextSendAt === undefined ? undefined : new Date(s.nextSendAt));

const logOf = (deps: DripDeps): Log => deps.log ?? ((entry) => console.log(entry));

// --- The run, top to bottom -----------------------------------------------------------------------

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
 *
 * Logs one `drip.summary` line and emits the summary as metrics, then answers it; an error that is
 * not a send's (a store that cannot be read, a bug) is thrown after that, as a crash would end the run.
 */
export async function runDrip(deps: DripDeps, options: DripRun): Promise<DripSummary> {
  const state: RunState = {
    startedMs: deps.clock.now().getTime(),
    counts: { due: 0, claimed: 0, sent: 0, skipped: 0, failed: 0, held: 0, possibleDuplicates: 0 },
    pageSize: 0,
    started: 0,
    rejectionsInARow: 0,
    uncounted: new Map(),
  };
  let run: Run | undefined;
  try {
    run = await startRun(deps, options, state);
    const due = await findDue(run);
    await sendPages(run, due);
  } catch (e: unknown) {
    state.error = e instanceof Error ? e : new Error(String(e));
  }
  if (run !== undefined) await flushSentCounts(run);
  const summary = reportRun(deps, options, state);
  if (state.error !== undefined) throw state.error;
  return summary;
}

/** The rate and the 24-hour allowance (SES's quota, or the planner's share of it), the page size, the pacer. */
async function startRun(deps: DripDeps, options: DripRun, state: RunState): Promise<Run> {
  const { settings } = deps;
  const { share } = options;
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
  state.pageSize = Math.min(PAGE_MAX, Math.max(1, Math.floor(settings.pageSize ?? pageSizeFor(rate))));
  // No more than a page of emails in SES calls or accepted and not yet logged: the crash bound.
  state.sendLog = new SendLog((records) => deps.store.logSends(records), state.pageSize);
  return {
    ...options,
    deps,
    state,
    log: logOf(deps),
    sendLog: state.sendLog,
    // Evenly spaced SES calls, a little under the rate, and never more than ⌊rate⌋ in any one-second window at SES.
    pacer: new Pacer({ ratePerSecond: rate, clock: () => deps.clock.now().getTime(), sleep: deps.sleep }),
    allowance,
    claimTtlMs: settings.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS,
    reserveMs: settings.sendReserveMs ?? DEFAULT_SEND_RESERVE_MS,
    retryMaxMs: settings.retryMaxMs ?? 5_000,
    maxRejections: settings.maxRejectionsInARow ?? 3,
    newClaimId: deps.newClaimId ?? randomUUID,
  };
}

/** Everyone due at the run's calendar time in its shards (all of them unless fanned out), oldest first. */
async function findDue(run: Run): Promise<DueEntry[]> {
  const due = await run.deps.store.findDue(run.now, run.share?.shards);
  run.state.counts.due = due.length;
  return due;
}

/**
 * The due list, page by page: each page is claimed and checked while the one before it sends, and
 * recorded and advanced (in page order) while the next one sends. A page claimed ahead and never sent
 * (the run stopped) gives its claims back.
 */
async function sendPages(run: Run, due: DueEntry[]): Promise<void> {
  const { state } = run;
  const pages = chunks(due, state.pageSize);
  const recording = pageRecorder(run);
  let ahead: Promise<Page> | undefined;
  let failing = true;
  try {
    for (const [i, entries] of pages.entries()) {
      recording.throwIfFailed();
      if (!stopped(state)) state.stopReason = limitReached(run);
      if (stopped(state) && ahead === undefined) {
        state.counts.skipped += entries.length; // never claimed: work left for the next run
        continue;
      }
      const page = await (ahead ?? claimAndCheck(run, entries));
      // The next page is claimed and checked while this one sends.
      ahead = !stopped(state) && i + 1 < pages.length ? claimAndCheck(run, pages[i + 1]!) : undefined;
      const result: PageResult = { sent: [], unused: [] };
      try {
        await sendPage(run, page, result);
      } catch (e: unknown) {
        // Stopping as a crash would (unknown error): what SES accepted is still logged and advanced.
        await recording.settled().catch(() => undefined);
        await recordAndAdvance(run, page, { sent: result.sent, unused: [] }).catch(() => undefined);
        throw e;
      }
      recording.add(page, result);
    }
    await recording.settled();
    failing = false;
  } finally {
    if (ahead !== undefined) await giveBack(run, ahead, failing);
  }
}

/** Records and advances sent pages one after another, in page order, while later pages send. */
function pageRecorder(run: Run) {
  let chain: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  return {
    add(page: Page, result: PageResult): void {
      chain = chain.then(() => recordAndAdvance(run, page, result));
      chain.catch((e: unknown) => {
        failure ??= { error: e };
      });
    },
    /** A page that could not be recorded stops the run before the next page is sent. */
    throwIfFailed(): void {
      if (failure) throw failure.error;
    },
    /** Every page added so far recorded and advanced; rejects with the first failure. */
    settled: (): Promise<void> => chain,
  };
}

/** A page claimed ahead and never sent: its claims go back (its advance-only subscribers still move on). */
async function giveBack(run: Run, ahead: Promise<Page>, failing: boolean): Promise<void> {
  const given = ahead.then(async (page) => {
    run.state.counts.skipped += page.toSend.length;
    await recordAndAdvance(run, page, { sent: [], unused: page.toSend.map((c) => c.subscriber.id) });
  });
  // When the run is already failing, that error is the one to report; the claims then expire.
  await (failing ? given.catch(() => undefined) : given);
}

// --- Claim and check --------------------------------------------------------------------------------

/** Claim a page and read what it needs before sending; holds and odd cases are settled here. */
async function claimAndCheck(run: Run, entries: DueEntry[]): Promise<Page> {
  const page: Page = { claimId: run.newClaimId(), toSend: [], advanceOnly: [] };
  const claimed = await claim(run, entries, page.claimId);
  const sendable = await setAsideUnsendable(run, page, claimed);
  await checkPage(run, page, sendable);
  return page;
}

/** The claims won, each on its own condition; a lost one (someone else has it, or the person left) is skipped. */
async function claim(run: Run, entries: DueEntry[], claimId: string): Promise<Claimed[]> {
  const wallNow = run.deps.clock.now();
  const claimed = await run.deps.store.claim(entries, { claimId, now: wallNow, until: new Date(wallNow.getTime() + run.claimTtlMs) });
  run.state.counts.claimed += claimed.length;
  run.state.counts.skipped += entries.length - claimed.length;
  return claimed;
}

/** Claims that cannot be sent to are released (or, past the course's end, completed); answers the rest. */
async function setAsideUnsendable(run: Run, page: Page, claimed: Claimed[]): Promise<(Claimed & Claim)[]> {
  const { counts } = run.state;
  const sendable: (Claimed & Claim)[] = [];
  const bad: string[] = [];
  for (const c of claimed) {
    const s = c.subscriber;
    const course = courseOf(run.deps, s.course);
    if (course === undefined) {
      // A course this deployment does not serve (removed from the courses folder): nothing is
      // sent and nothing changes; they wait, due, until the course is deployed again.
      bad.push(s.id);
      run.log({ msg: 'drip.unknown_course', level: 'warn', subscriber: s.id, course: s.course });
      counts.skipped++;
    } else if (!Number.isInteger(s.nextLesson) || s.nextLesson < 0) {
      bad.push(s.id);
      run.log({ msg: 'drip.bad_subscriber', level: 'error', subscriber: s.id, nextLesson: s.nextLesson });
      counts.failed++;
    } else if (s.nextLesson >= course.lessons.length) {
      // The course got shorter than this person's place in it: nothing left to send (the
      // schedule answers `completed`; a lost advance gives the claim back like any other).
      page.advanceOnly.push({ subscriber: s, course, lesson: s.nextLesson, sentAt: calendarNow(run), dueAt: dueOf(s) });
      counts.skipped++;
    } else sendable.push({ ...c, course });
  }
  if (bad.length > 0) await run.deps.store.release(bad, page.claimId);
  return sendable;
}

/** One read of the page's send records and suppression items: already sent → advance only; suppressed → held. */
async function checkPage(run: Run, page: Page, claims: (Claimed & Claim)[]): Promise<void> {
  const checks = await run.deps.store.checkBeforeSend(
    claims.map(({ subscriber: s }) => ({ subscriberId: s.id, lesson: s.nextLesson, email: s.email })),
  );
  for (const [i, c] of claims.entries()) {
    const s = c.subscriber;
    const { sendRecord: record, suppressed } = checks[i] ?? { suppressed: true };
    if (record?.status === 'sent') {
      // A run sent and logged it, then died before advancing: finish its work, send nothing.
      // The schedule counts from when it really went out: a record older than the due time (the
      // subscriber item was lost to TTL and the address signed up again under the same id) must
      // not push each lesson already sent, and so the next unsent one, a whole cadence later.
      const sentAt = new Date(record.at);
      const due = dueOf(s);
      page.advanceOnly.push({ ...c, lesson: s.nextLesson, sentAt, dueAt: due !== undefined && due > sentAt ? sentAt : due });
      run.state.counts.skipped++;
    } else if (suppressed) {
      await holdSuppressed(run, s, page.claimId);
    } else {
      if (c.tookOverExpiredClaim) {
        run.state.counts.possibleDuplicates++;
        run.log({
          msg: 'drip.possible_duplicate',
          level: 'warn',
          subscriber: s.id,
          lesson: s.nextLesson + 1,
          why: 'an earlier run died holding this lesson; sending it again',
          bound: run.state.pageSize,
        });
      }
      page.toSend.push({ subscriber: s, course: c.course });
    }
  }
}

// --- Send -------------------------------------------------------------------------------------------

/** Send a claimed, checked page with bounded concurrency, filling `result` as sends finish. */
async function sendPage(run: Run, page: Page, result: PageResult): Promise<void> {
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
      const sent = await sendLesson(run, claim, page.claimId);
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
async function sendLesson(run: Run, { subscriber: s, course }: Claim, claimId: string): Promise<Moving | undefined> {
  const lesson = s.nextLesson;
  let raw: Uint8Array;
  try {
    raw = await composeLesson(run, s, course, lesson);
  } catch (e: unknown) {
    // A stored address the composer refuses can never be sent: the same as SES refusing it.
    if (e instanceof ValidationError) return holdRefused(run, s, claimId, lesson, e);
    throw e;
  }
  let messageId: string;
  try {
    const tags = { course: course.course.slug, lesson: String(lesson + 1), subscriber: s.id };
    ({ messageId } = await deliver(run, { subscriber: s, claimId, raw, tags }));
  } catch (e: unknown) {
    return notDelivered(run, s, claimId, lesson, e);
  }
  run.state.rejectionsInARow = 0;
  const sentAt = calendarNow(run);
  run.sendLog.sent({ subscriberId: s.id, lesson, status: 'sent', at: sentAt.toISOString(), messageId });
  return { subscriber: s, course, lesson, sentAt, dueAt: dueOf(s) };
}

/** The lesson as raw MIME, with its own signed unsubscribe link. */
async function composeLesson(run: Run, s: Subscriber, course: ServedCourse, lesson: number): Promise<Uint8Array> {
  const { settings, tokens, composer } = run.deps;
  const token = tokens.sign({ subscriberId: s.id, purpose: 'unsubscribe', issuedAt: calendarNow(run) });
  const unsubscribeUrl = `${settings.publicUrl}/unsubscribe?token=${token}`;
  return await composer.lesson(course, lesson, { email: s.email, name: s.name, unsubscribeUrl, fromAddress: settings.fromAddress });
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
async function notDelivered(run: Run, s: Subscriber, claimId: string, lesson: number, e: unknown): Promise<undefined> {
  const { deps, state } = run;
  if (e instanceof ClaimLost) {
    await deps.store.release([s.id], claimId);
    run.log({ msg: 'drip.left_during_retry', subscriber: s.id, lesson: lesson + 1 });
    state.counts.skipped++;
    return undefined;
  }
  if (!(e instanceof SendError)) throw e; // StopRun, or unknown: stop as a crash would, the claim expires
  if (e.kind === 'permanent') return holdRefused(run, s, claimId, lesson, e);
  // Still throttled (or SES still failing) after the retries: nothing is dropped. The claim goes
  // back for the next run, and this run starts nothing new, since SES is asking us to slow down.
  await deps.store.release([s.id], claimId);
  run.log({ msg: 'drip.send_deferred', level: 'warn', subscriber: s.id, lesson: lesson + 1, kind: e.kind, error: e.message });
  state.counts.skipped++;
  return stopRun(state, `ses_${e.kind}`, true);
}

// --- Hold -------------------------------------------------------------------------------------------

/** SES (or the composer) refused the lesson for good: a `failed` record, and the subscriber held with the reason. */
async function holdRefused(run: Run, s: Subscriber, claimId: string, lesson: number, e: Error): Promise<undefined> {
  const { deps, state } = run;
  const at = calendarNow(run).toISOString();
  const reason = e.message.slice(0, 500);
  await deps.store.recordSend({ subscriberId: s.id, lesson, status: 'failed', at, error: reason });
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
async function holdSuppressed(run: Run, s: Subscriber, claimId: string): Promise<void> {
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

// --- Record and advance -----------------------------------------------------------------------------

/** The page's send log first, then the advances: a crash between them leaves the log to say "sent". */
async function recordAndAdvance(run: Run, page: Page, { sent, unused }: PageResult): Promise<void> {
  const { store } = run.deps;
  if (sent.length > 0) {
    await run.sendLog.drain();
    await countSent(run, sent);
  }
  const moving = [...sent, ...page.advanceOnly];
  const outcomes = await store.advance(
    moving.map((m) => ({
      subscriberId: m.subscriber.id,
      advance: { claimId: page.claimId, lesson: m.lesson, sentAt: m.sentAt.toISOString(), next: nextAfter(m) },
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
async function flushSentCounts(run: Run): Promise<void> {
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

/** After `lesson`: completed at the course's end, else due at the next send time (schedule.ts). */
function nextAfter({ subscriber, course: served, lesson, sentAt, dueAt }: Moving): Advance['next'] {
  if (lesson + 1 >= served.lessons.length) return 'completed';
  const { cadenceDays, sendHour, defaultTimezone } = served.course;
  const next = nextSendTimeAfter({ dueAt, sentAt }, { cadenceDays, sendHour, timezone: subscriber.timezone, defaultTimezone });
  return { nextSendAt: next.toISOString() };
}

// --- The summary ------------------------------------------------------------------------------------

/** The run's one `drip.summary` line and its metrics; answers the summary. */
function reportRun(deps: DripDeps, { now, share }: DripRun, state: RunState): DripSummary {
  const { counts, stopReason, error } = state;
  const durationMs = Math.max(0, deps.clock.now().getTime() - state.startedMs);
  const summary: DripSummary = {
    ...counts,
    durationMs,
    emailsPerSecond: durationMs === 0 ? 0 : Math.round((counts.sent / (durationMs / 1000)) * 100) / 100,
    stoppedEarly: stopReason !== undefined,
    pageSize: state.pageSize,
    maxUnrecorded: state.sendLog?.maxAtRisk ?? 0,
  };
  logOf(deps)({
    msg: 'drip.summary',
    level: error === undefined ? 'info' : 'error',
    at: now.toISOString(),
    ...(share === undefined ? {} : { sender: share.sender, senders: share.senders, shards: share.shards.length, rate: share.maxSendRate }),
    ...summary,
    ...(stopReason === undefined ? {} : { stopReason }),
    ...(error === undefined ? {} : { error: `${error.name}: ${error.message}` }),
  });
  emitMetrics(deps.metrics ?? noMetrics, summary);
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
