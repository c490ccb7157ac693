// The drip's ports and settings: what a run needs from the world (the store below, SES's quota, and the
// mailer, composer, clock, log and metrics of core/ports.ts), how it is tuned, and what one run is
// asked to do (its calendar time, deadline, and, fanned out, its share).
//
// The promise these ports carry: every conditional write of the store stands alone (one subscriber's
// lost condition never undoes another's), and every read throws when it cannot answer, so the drip
// never sends on doubt. The advance (next lesson, conditional on the claim and the lesson) is what
// makes a lesson once; the send log and the claim make a crash cost at most one page of duplicates.
import type { SendRecord, Subscriber } from '../model.js';
import type { Clock, CourseCatalog, Log, Mailer, MessageComposer, Metrics } from '../ports.js';
import type { Tokens } from '../tokens.js';
import type { EventPublisher } from '../events.js';

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
  /** The round it was handled in (absent: 1); the write is conditional on it too, so a restart is never advanced past. */
  round?: number;
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
  /** The log's record of (subscriber, round, lesson), if any; `sent` means a run sent it and died before advancing. */
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
   * due entry read, on the lesson and round read, unchanged by a learner's control since the read (the
   * pace version), no live claim. A claim ends a pause "until a date" (it is due: the date has come).
   * Answers the claims won, in page order; a lost condition leaves that one out.
   */
  claim(entries: DueEntry[], claim: { claimId: string; now: Date; until: Date }): Promise<Claimed[]>;
  /**
   * True while `claimId` is still this subscriber's claim and they are still active (read
   * consistently): checked again before a send that waited out a backoff, as the person may have
   * unsubscribed, bounced or complained in the meantime.
   */
  holdsClaim(subscriberId: string, claimId: string): Promise<boolean>;
  /**
   * The send log and suppression reads for a page, consistent, in one go; answers in the same order.
   * Each lesson's record is of its round (`round` absent: 1). Throws when any cannot be read.
   */
  checkBeforeSend(items: { subscriberId: string; lesson: number; round?: number; email: string }[]): Promise<SendCheck[]>;
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
  /** Emails per second (paced at it, with a window guard so no second holds more; see core/pacer.ts); lowered to SES's MaxSendRate when that is smaller. */
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
  /** Every course served: each subscriber gets their own course's lessons (looked up by its slug). */
  courses: CourseCatalog;
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
  /** Where subscription events go (lesson sent, completed); default none (core/events.ts). */
  events?: EventPublisher;
}

/** How long a claim lasts unless DripSettings.claimTtlMs says otherwise: 5 minutes. */
export const DEFAULT_CLAIM_TTL_MS = 5 * 60_000;
/** No new subscriber is started later than this before the deadline (DripSettings.sendReserveMs). */
export const DEFAULT_SEND_RESERVE_MS = 20_000;
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
