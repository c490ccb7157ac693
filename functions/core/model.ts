// The domain's data: a subscription to one course, its consent record, and what the drip records.
// Plain types shared by the core, the adapters and the tests; no AWS imports.

export type SubscriberStatus = 'pending' | 'active' | 'completed' | 'unsubscribed' | 'bounced' | 'complained';

/** Statuses that must never be mailed again (not even a confirmation). */
export const SUPPRESSED_STATUSES: readonly SubscriberStatus[] = ['bounced', 'complained'];

/** Where and how a person agreed to receive the course (kept for data-protection requests). */
export interface ConsentRecord {
  /** ISO instant of the signup. */
  at: string;
  ip: string;
  userAgent: string;
  /** The page (or import source) the consent was given on. */
  page: string;
}

export interface Subscriber {
  /** Opaque random id used in links; never the address. */
  id: string;
  /** Course slug. */
  course: string;
  /** Trimmed, lower-cased address. */
  email: string;
  name?: string;
  /** IANA time zone. */
  timezone: string;
  /** The well-formed zone name the signup sent that this runtime did not know: `timezone` is the course's in its place. */
  unknownTimezone?: string;
  status: SubscriberStatus;
  /** 0-based index of the next lesson to send (8 = all sent). */
  nextLesson: number;
  /** ISO instant the next lesson is due; present only while active (while paused: when it was due before the pause). */
  nextSendAt?: string;
  /** ISO instant the previous lesson was sent (the schedule counts from it). */
  lastSentAt?: string;
  consent: ConsentRecord;
  createdAt: string;
  confirmedAt?: string;
  unsubscribedAt?: string;
  /** When the last confirmation email went out (rate limit: one per 10 minutes). */
  confirmationSentAt?: string;
  /** The signup outbox request that last took the confirmation window (its retries send, others wait). */
  confirmationRequest?: string;
  /** Pending subscriptions expire (DynamoDB TTL, epoch seconds). */
  expiresAt?: number;
  /** When the last "already subscribed" email went out (a signup of this active address; one per 10 minutes). */
  knownSignupNoticeAt?: string;
  /** Transient bounces in a row; 3 suppress the address. */
  softBounces?: number;

  // The learner's pace (their course page, /learn). Absent fields mean the course's defaults.
  /** The round: 1 from confirmation, +1 at each restart. A lesson is sent at most once per (subscriber, round). Absent: 1. */
  round?: number;
  /**
   * ISO instant the learner paused; present only while paused. Paused indefinitely: out of the due
   * index (nothing is due); paused until a date: due at `pausedUntil`, and the drip's claim ends the pause.
   */
  pausedAt?: string;
  /** ISO instant a pause ends by itself (a pause "until a date"); absent while paused: until they resume. */
  pausedUntil?: string;
  /** The learner's cadence in days, one of the course's `cadenceChoices`; absent: the course's `cadenceDays`. */
  cadenceDays?: number;
  /** The learner's local send time, HH:MM; absent: the course's `sendHour`. */
  sendHour?: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) of the lessons, for cadences of whole weeks; absent: none fixed. */
  weekday?: number;
  /** How many lessons (from lesson 1) earlier rounds sent, set at a restart: those stay readable on the course page. */
  lessonsReceived?: number;
  /** ISO instant of the learner's last "next lesson now" (one per 24 hours). */
  nextNowAt?: string;
  /** The learner's vote per lesson (0-based index → yes/no), one each, changeable. */
  votes?: Record<string, FeedbackVote>;
}

/** The subscriber's round: 1 until their first restart. */
export const roundOf = (s: Pick<Subscriber, 'round'>): number => s.round ?? 1;

/** A learner's answer to "Was this lesson useful?". */
export type FeedbackVote = 'yes' | 'no';

/** One lesson sent (or failed) to one subscriber: written once, with a condition. */
export interface SendRecord {
  subscriberId: string;
  /** 0-based lesson index. */
  lesson: number;
  /** The subscriber's round the lesson was sent in (a restart begins the next); absent: 1. */
  round?: number;
  /** `rejected`: SES accepted the call, then refused the message (a Reject event: it found a virus); it was never delivered. */
  status: 'sent' | 'failed' | 'rejected';
  at: string;
  messageId?: string;
  error?: string;
}

/**
 * Per-lesson counters. `notSpam`: a reader's not-spam report (the mail was rescued from the spam folder), not a complaint.
 * `bounced`: permanent bounces only. `opened`: opens by a person's mail client; `proxyOpened`: opens
 * by Apple Mail Privacy Protection's prefetch, which loads every delivered email whether read or not.
 * `rejected`: SES Reject events (the message was never sent on).
 */
export type LessonCounter =
  | 'sent'
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'notSpam'
  | 'opened'
  | 'proxyOpened'
  | 'clicked'
  | 'unsubscribed'
  | 'rejected'
  /** Learners' "Was this lesson useful?" answers (a changed vote moves one from the other). */
  | 'votedYes'
  | 'votedNo';
