// The learner's own side of a subscription, reached with its `learn` token (tokens.ts): whose
// subscription a link opens, which lessons of the round were already sent (those alone have a web
// version and take a vote), and the pace settings in force. Reads only: the course page, a lesson's
// web version and the feedback page change nothing (mail scanners fetch links).
import { courseOfSubscription } from './courses.js';
import { AppError, NotFoundError, ValidationError } from './errors.js';
import type { LifecycleDeps, ListedCourse } from './lifecycle.js';
import { roundOf, type Subscriber } from './model.js';
import { paceOf } from './schedule.js';

/** A subscription the learner's link opened, and its course. */
export interface Learner<C extends ListedCourse = ListedCourse> {
  subscriber: Subscriber;
  course: C;
  /** The token the link carried (the page's forms and links carry it on). */
  token: string;
}

/**
 * The subscription behind a `learn` token. Token errors are the unsubscribe link's (missing, invalid,
 * wrong purpose: 400); AppError 410 `subscription_ended` when it no longer exists or ended
 * (unsubscribed, bounced, complained, or back to pending after a new signup); 410
 * `course_not_served` when its course is no longer offered.
 */
export async function openLearner<C extends ListedCourse>(deps: LifecycleDeps<C>, token: string | undefined): Promise<Learner<C>> {
  const { subscriberId } = deps.tokens.verify(token, 'learn', deps.clock.now());
  const subscriber = await deps.store.getSubscriber(subscriberId);
  if (subscriber === undefined || (subscriber.status !== 'active' && subscriber.status !== 'completed')) throw learnerEnded();
  return { subscriber, course: courseOfSubscription(deps.courses, subscriber.course), token: token! };
}

/** How many lessons of the current round the learner was sent: all of them once completed. */
export function lessonsSent(subscriber: Subscriber, lessonCount: number): number {
  if (subscriber.status === 'completed') return lessonCount;
  return Math.max(0, Math.min(subscriber.nextLesson, lessonCount));
}

/** How many lessons (from lesson 1) the learner can read on the web: this round's, or more when an earlier round sent more. */
export function lessonsReadable(subscriber: Subscriber, lessonCount: number): number {
  return Math.min(lessonCount, Math.max(lessonsSent(subscriber, lessonCount), subscriber.lessonsReceived ?? 0));
}

/**
 * The 0-based index of lesson `param` (1-based, as in the links), when it was already sent to this
 * learner (in this round or an earlier one). ValidationError 400 `invalid_lesson` for what is not a lesson number of the course;
 * NotFoundError 404 `lesson_not_sent` for a lesson still to come.
 */
export function sentLessonIndex(subscriber: Subscriber, lessonCount: number, param: string | undefined): number {
  const n = param !== undefined && /^[1-9]\d{0,3}$/.test(param) ? Number(param) : NaN;
  if (!(n <= lessonCount))
    throw new ValidationError('invalid_lesson', `There is no such lesson: lessons are numbered 1 to ${lessonCount}.`, 'lesson');
  if (n > lessonsReadable(subscriber, lessonCount))
    throw new NotFoundError('lesson_not_sent', 'This lesson has not been sent to you yet: it will be readable here once it has.');
  return n - 1;
}

/** The learner's pace: their own settings where they chose them, the course's otherwise. */
export interface LearnerPace {
  round: number;
  cadenceDays: number;
  /** HH:MM, local. */
  sendHour: string;
  /** 1 = Monday … 7 = Sunday; absent: none fixed. */
  weekday?: number;
  timezone: string;
  paused: boolean;
  /** ISO instant the pause ends by itself; absent while paused until resumed. */
  pausedUntil?: string;
}

/** The pace in force for the learner's page: schedule.ts's paceOf (their choices over the course's), with the round and pause. */
export function learnerPaceOf(subscriber: Subscriber, course: ListedCourse['course']): LearnerPace {
  const pace = paceOf(subscriber, course);
  return {
    round: roundOf(subscriber),
    cadenceDays: pace.cadenceDays,
    sendHour: pace.sendHour,
    ...(pace.weekday === undefined ? {} : { weekday: pace.weekday }),
    timezone: subscriber.timezone,
    paused: subscriber.pausedAt !== undefined,
    ...(subscriber.pausedUntil === undefined ? {} : { pausedUntil: subscriber.pausedUntil }),
  };
}

function learnerEnded(): AppError {
  return new AppError(
    'subscription_ended',
    'This subscription has ended, so this link no longer works. You can sign up again on the course page.',
    410,
  );
}
