// The ports the subscription lifecycle stores through: the subscription store (address locks,
// subscribers, rate limits, counters) and its signup outbox. functions/adapters/dynamo-store.ts
// implements them on DynamoDB; the rules that use them are in signup.ts, confirm.ts, unsubscribe.ts
// and signup-outbox.ts. Types only.
import type { ConsentRecord, FeedbackVote, Subscriber } from './model.js';
import type { SignupInput } from './validation.js';

/** The address lock of (course, address) and, when it still exists, the subscriber it points to. */
export interface AddressRecord {
  id: string;
  /** Epoch seconds; present while the subscription it holds is unconfirmed. */
  expiresAt?: number;
  subscriber?: Subscriber;
}

/** What the pending-renewal write changes. */
export interface PendingRenewal {
  consent: ConsentRecord;
  name?: string;
  timezone: string;
  /** Set when the signup's zone was unknown (the course's applies); removed otherwise. */
  unknownTimezone?: string;
  /** Absent when no confirmation is sent (an import). */
  confirmationSentAt?: string;
  /** The outbox request whose confirmation this renewal sends. */
  confirmationRequest?: string;
  expiresAt: number;
}

/**
 * Where subscriptions live. Every method that guards consent or the one-subscription-per-address rule
 * is a conditional write that reports whether its condition held; a read that fails throws (fail
 * closed: "could not check" is never taken for "not there").
 */
export interface SubscriptionStore extends SignupOutboxStore {
  findByAddress(course: string, email: string): Promise<AddressRecord | undefined>;
  getSubscriber(id: string): Promise<Subscriber | undefined>;
  /** True when the address was suppressed (bounced, complained, erased): it is never mailed again. */
  isSuppressed(email: string): Promise<boolean>;
  /** Counts one hit on `key` in the window holding `now`; answers the count including this hit. */
  hitRateLimit(key: string, now: Date, windowSeconds: number): Promise<number>;
  /**
   * Takes the address for a new subscriber id. Succeeds when no lock exists or the existing one has
   * expired (`expiresAt` before `now`; DynamoDB's TTL sweeper may not have removed it yet).
   */
  claimAddress(lock: { course: string; email: string; id: string; expiresAt?: number }, now: Date): Promise<boolean>;
  /** Writes a new subscriber; false when the id already has one. */
  createSubscriber(subscriber: Subscriber): Promise<boolean>;
  /**
   * A pending or unsubscribed subscriber becomes pending with a fresh consent record, but only when
   * its last confirmation went out before `resendCutoff` (the atomic form of the 10-minute limit).
   * Also extends the address lock's expiry when the lock still has one. Undefined when the condition failed.
   */
  renewPending(id: string, renewal: PendingRenewal, resendCutoff: Date): Promise<Subscriber | undefined>;
  /** Clears a failed confirmation's send time, so a retry can send (only if it is still `sentAt`). */
  forgetConfirmationSent(id: string, sentAt: string): Promise<void>;
  /** Keeps the address lock for good once its subscription is confirmed; false when the lock is not this id's. */
  keepAddress(course: string, email: string, id: string): Promise<boolean>;
  /**
   * pending → `status` (active: due at `nextSendAt`, in the due index; completed: nothing left to send),
   * only while pending and not expired at `at`. False when that condition failed.
   */
  activate(id: string, change: { at: Date; status: 'active' | 'completed'; nextSendAt?: Date }): Promise<boolean>;
  /** pending/active/completed → unsubscribed, out of the due index. The subscriber as it was, or undefined when none of those. */
  unsubscribe(id: string, at: Date): Promise<Subscriber | undefined>;
  /**
   * Takes the "already subscribed" email's window of an active subscriber: records `at` as
   * `knownSignupNoticeAt`, only while active and when the last such email went out before `cutoff`
   * (one per 10 minutes, decided by one conditional write). False when the condition failed.
   */
  claimKnownSignupNotice(id: string, at: Date, cutoff: Date): Promise<boolean>;
  /** Gives the window back after the email failed (only if it is still `at`). */
  forgetKnownSignupNotice(id: string, at: Date): Promise<void>;
  /** One more person left after lesson `lessonIndex` (0-based, the last one they were sent): an atomic ADD. */
  countUnsubscribeAfter(course: string, lessonIndex: number): Promise<void>;
  /**
   * A learner's control (pause, resume, next now, restart, settings: core/learner.ts) as one conditional
   * write: the subscriber must still be as `expected` says (status, lesson, round, paused or not, not
   * held by the drip for a refused send), with no live drip claim, and, for "next now", no "next now"
   * after `expected.nextNowBefore`. The write also drops an expired claim (its run died) and bumps the
   * item's pace version, which the drip's claim compares, so a run that read the subscriber before
   * this write cannot claim them with what it read. False when the condition failed (nothing written).
   */
  updatePace(id: string, update: PaceUpdate, expected: PaceExpectation): Promise<boolean>;

  /**
   * The learner's vote on a lesson becomes `change.vote` and the lesson's `votedYes`/`votedNo`
   * counters move with it, in one transaction: a first vote adds one, a changed vote moves one from
   * the other. Only while the subscriber is active or completed and their votes are still as read
   * (`change.before`). False when that condition failed (a concurrent vote, or they left): read again.
   */
  recordVote(change: VoteChange): Promise<boolean>;
}

/** The subscriber fields a learner's control sets. */
export type PaceFields = Partial<
  Pick<
    Subscriber,
    | 'status'
    | 'round'
    | 'nextLesson'
    | 'nextSendAt'
    | 'pausedAt'
    | 'pausedUntil'
    | 'cadenceDays'
    | 'sendHour'
    | 'weekday'
    | 'timezone'
    | 'nextNowAt'
    | 'lessonsReceived'
  >
>;

/** The subscriber fields a learner's control may remove. */
export type RemovablePaceField = 'pausedAt' | 'pausedUntil' | 'weekday' | 'unknownTimezone';

/** What one learner's control writes. */
export interface PaceUpdate {
  set: PaceFields;
  remove: readonly RemovablePaceField[];
  /** `in`: in the due index at `set.nextSendAt` (required then); `out`: out of it (nothing is due). */
  due: 'in' | 'out';
}

/** What a learner's control read, and so expects to find when it writes. */
export interface PaceExpectation {
  status: 'active' | 'completed';
  nextLesson: number;
  /** The round read (1 when the subscriber has none). */
  round: number;
  paused: boolean;
  /** A drip claim whose `claimUntil` is at or after this is live, and refuses the write. */
  now: Date;
  /** "Next now" only: the last one must be at or before this ISO instant (or never). */
  nextNowBefore?: string;
}

/** One learner's vote on one lesson, and their votes as read before it (see SubscriptionStore.recordVote). */
export interface VoteChange {
  subscriberId: string;
  course: string;
  /** 0-based lesson index. */
  lesson: number;
  vote: FeedbackVote;
  /** Subscriber.votes as read (undefined: none yet); the write is conditional on it. */
  before: Subscriber['votes'];
}

/** One accepted signup waiting in the outbox. */
export interface SignupRequest {
  /** 128 random bits, URL-safe. */
  requestId: string;
  /** ISO instant the form was accepted (the outbox is read oldest first). */
  receivedAt: string;
  /** Checked by parseSignupInput; the honeypot never gets here. */
  fields: Omit<SignupInput, 'website'>;
  /**
   * The slug of the course signed up for (checked against the served courses before the request is
   * stored). Absent on requests stored before several courses: those mean the deployment's first course.
   */
  course?: string;
  consent: ConsentRecord;
  /** Failed tries so far (absent before the first failure). */
  attempts?: number;
  /** ISO instant its next attempt is due (the outbox's order); absent: `receivedAt`, as first stored. */
  dueAt?: string;
}

/** A confirmation SES refused for good, kept for the operator instead of being retried. */
export interface HeldSignup {
  requestId: string;
  course: string;
  email: string;
  receivedAt: string;
  /** ISO instant it was held. */
  heldAt: string;
  /** SES's refusal, one line. */
  reason: string;
  attempts: number;
}

/** One page of due requests, and where the next page starts (undefined: no more). */
export interface OutboxPage {
  requests: SignupRequest[];
  next?: unknown;
}

/** The outbox's table operations (DynamoDB: one partition `OUTBOX`, sorted by next attempt; see table.ts). */
export interface SignupOutboxStore {
  /** Stores a request (a plain put; the id is fresh), due at once. `expiresAt`: epoch seconds, TTL. */
  enqueueSignup(request: SignupRequest, expiresAt: number): Promise<void>;
  /**
   * Up to `limit` requests due at or before `now` (their next attempt's time has come), most overdue
   * first, read consistently; `after` is the previous page's `next`. Reads only due requests.
   */
  dueSignups(now: Date, limit: number, after?: unknown): Promise<OutboxPage>;
  /**
   * Takes a request for `claimId` until `until` (a lease): a conditional write that succeeds only
   * when the request is still there and nobody holds a live lease on it. False otherwise.
   */
  claimSignup(request: SignupRequest, claimId: string, now: Date, until: Date): Promise<boolean>;
  /** Removes a done request, only while `claimId` holds it (the mark that it was sent once). */
  finishSignup(request: SignupRequest, claimId: string): Promise<boolean>;
  /**
   * Gives a request back after a failure, only while `claimId` holds it: it moves to `retryAt` in the
   * outbox's order (no sweep reads it before then); `attempts` counts the tries.
   */
  releaseSignup(request: SignupRequest, claimId: string, retryAt: Date, error: string): Promise<void>;
  /**
   * Finishes a request SES refused for good, only while `claimId` holds it: removed from the outbox and
   * kept as a HeldSignup (TTL `expiresAt`, epoch seconds) for `course held`. False when the claim was lost.
   */
  holdSignup(request: SignupRequest, claimId: string, held: HeldSignup, expiresAt: number): Promise<boolean>;
}

/** What sends accepted signups in-process (the local stack): fire and forget, with a way to wait. */
export interface SignupOutbox {
  /** Starts the request's work without waiting for it; a failure is logged and left to the sweep. */
  kick(request: SignupRequest): void;
  /** Resolves when every kicked request has finished (stop, tests, the benchmark). */
  settled(): Promise<void>;
}
