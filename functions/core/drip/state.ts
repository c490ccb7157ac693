// One drip run's state: what it counts and decides as it goes (RunState), the run under way with the
// limits worked out at its start (Run), the shapes a page passes through between the steps (Claim,
// Moving, Page, PageResult), the hold functions the claim and send steps are handed, and the small
// rules every step reads: the run's calendar time, whether it may start another send, and how it stops.
//
// The promise kept here: once a run stops starting sends (its deadline, SES's 24-hour quota, too many
// rejections in a row, SES throttling) it starts none again, and the first reason is the one reported.
import { roundOf, type Subscriber } from '../model.js';
import type { DripSummary, Log, ServedCourse } from '../ports.js';
import type { Pacer } from '../pacer.js';
import type { SendLog } from '../send-log.js';
import type { DripDeps, DripRun } from './ports.js';

/**
 * Why a run stopped starting sends, logged as the summary's `stopReason`: its deadline (or the time a
 * send slot cost), SES's 24-hour quota, too many permanent rejections in a row (likely the account or
 * the message, not the addresses), or SES still throttling or failing after the retries.
 */
export type StopReason = 'deadline' | 'daily_quota' | 'rejections_in_a_row' | 'ses_throttled' | 'ses_transient';

/** What one run counts and decides as it goes; one object, read by every step and by the summary. */
export interface RunState {
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
export interface Run extends DripRun {
  deps: DripDeps;
  state: RunState;
  log: Log;
  sendLog: SendLog;
  /** Evenly spaced SES calls, at the rate (core/pacer.ts). */
  pacer: Pacer;
  /** Sends this run may start (what is left of SES's 24-hour quota); infinite when unlimited. */
  allowance: number;
  claimTtlMs: number;
  reserveMs: number;
  retryMaxMs: number;
  maxRejections: number;
  newClaimId: () => string;
}

// The hold step (hold.ts) as the claim and send steps are handed it by run.ts, which composes the
// steps: a step never imports another.

/** The address is suppressed: held with the reason, nothing sent. */
export type HoldSuppressed = (run: Run, s: Subscriber, claimId: string) => Promise<void>;

/** SES (or the composer) refused `lesson` (0-based) for good: a `failed` record, and the subscriber held. Answers undefined (not sent). */
export type HoldRefused = (run: Run, s: Subscriber, claimId: string, lesson: number, e: Error) => Promise<undefined>;

/** A claimed subscriber and the course they are on. */
export interface Claim {
  subscriber: Subscriber;
  course: ServedCourse;
}

/** A subscriber moving on after `lesson`: sent by this run, or found sent (or past the course's end). */
export interface Moving extends Claim {
  lesson: number;
  /** When the lesson went out. */
  sentAt: Date;
  /** The due time the next lesson's cadence counts from (schedule.ts's late-send rule); absent: sentAt. */
  dueAt?: Date;
}

/** A page claimed and checked, ready to send. */
export interface Page {
  claimId: string;
  /** To send, oldest due first. */
  toSend: Claim[];
  /** Already sent by a run that died before advancing (or past the course's end): advance only. */
  advanceOnly: Moving[];
}

/** What sending a page left: the lessons SES accepted, and the claims never used (to give back). */
export interface PageResult {
  sent: Moving[];
  unused: string[];
}

/** Thrown out of a send to stop starting new ones; not an error of the run. */
export class StopRun extends Error {
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
export class ClaimLost extends Error {}

export const stopped = (state: RunState): boolean => state.stopReason !== undefined;

/** Start no new send from here on, for `reason` (the first reason given is kept). */
export function stopRun(state: RunState, reason: StopReason, claimGivenBack = false): never {
  state.stopReason ??= reason;
  throw new StopRun(reason, claimGivenBack);
}

/** The run's calendar time: `now` moved on by the wall time spent (equal to the clock in Lambda; a simulated week in tests). */
export const calendarNow = (run: Run): Date => new Date(run.now.getTime() + (run.deps.clock.now().getTime() - run.state.startedMs));

/** No send may start that could not finish before the deadline. */
export const outOfTime = (run: Run): boolean => run.deps.clock.now().getTime() + run.reserveMs > run.deadline.getTime();

/** SES's 24-hour quota used up, or no time left to start a send; undefined while neither. */
export const limitReached = (run: Run): StopReason | undefined =>
  run.state.started >= run.allowance ? 'daily_quota' : outOfTime(run) ? 'deadline' : undefined;

/** One run sends every course's lessons; without a catalog the one course is everyone's. */
export const courseOf = (deps: DripDeps, slug: string): ServedCourse | undefined => deps.courses.get(slug);

/** The subscriber's round: 1 until their first restart. */

/** A send record's `round`: none in round 1, so its records stay exactly as before rounds existed. */
export const roundField = (s: Subscriber): { round?: number } => (roundOf(s) === 1 ? {} : { round: roundOf(s) });

/** When the subscriber was due (their `nextSendAt`), if they have a due time. */
export const dueOf = (s: Subscriber): Date | undefined => (s.nextSendAt === undefined ? undefined : new Date(s.nextSendAt));

/** The log port, or console.log of each entry when none is given. */
export const logOf = (deps: DripDeps): Log => deps.log ?? ((entry) => console.log(entry));
