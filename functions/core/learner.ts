// The learner's controls on their course page (POST /learn/{pause,resume,next,restart,settings}):
// pause (indefinitely or until a local date), resume, the next lesson now, restart (a new round), and
// their own send hour, weekday, zone and cadence. Each verifies the `learn` token, reads the
// subscriber, checks the request, makes ONE conditional write (SubscriptionStore.updatePace: the
// subscriber still as read, no drip run sending them a lesson right now), then publishes its event.
// A lost condition is read again and decided once more: a double click finds the first click's
// result (already paused, next lesson too soon) rather than doing it twice.
//
// The promises (docs/design/drip.md "The learner's pace"): nothing is due while paused; a resume,
// restart or settings change puts the next lesson at a send time to come, never at once and never in
// a burst; "next lesson now" once per 24 hours; each lesson of a round at most once (the drip's
// claim and advance are conditional on the round, and on the pace version this write bumps).
import { courseOfSubscription } from './courses.js';
import { lessonsSent } from './learner-view.js';
import { AppError, TokenError, ValidationError } from './errors.js';
import { publishEvents, type SubscriptionEvent } from './events.js';
import type { LifecycleDeps, ListedCourse } from './lifecycle.js';
import type { Subscriber } from './model.js';
import {
  DAY_MS,
  LATE_SEND_TOLERANCE_MS,
  canonicalTimezone,
  localDate,
  nextSendSlot,
  nextSendTimeAfter,
  paceOf,
  sendSlotOnDate,
  type Pace,
} from './schedule.js';
import type { PaceExpectation, PaceUpdate } from './subscription-store.js';

/** A course as the controls read it: the lifecycle's, with the cadences the author lets learners pick. */
export interface LearnerCourse extends ListedCourse {
  course: ListedCourse['course'] & { cadenceChoices?: readonly number[] };
}

/** What each control did, as the course page's `done=` names it. */
export type LearnerAction = 'paused' | 'resumed' | 'next' | 'restarted' | 'settings';

export interface LearnerResult<C extends LearnerCourse = LearnerCourse> {
  /** The subscriber as the write left them. */
  subscriber: Subscriber;
  course: C;
  done: LearnerAction;
}

/** What a control may be told besides its token. */
export interface LearnerRequest {
  /** The course the request came from, when it names one: a token of another course's subscription changes nothing. */
  course?: string;
}

/** "Next lesson now" at most once in this long. */
export const NEXT_NOW_INTERVAL_MS = DAY_MS;
/** A pause "until a date" ends at most this many days ahead. */
export const MAX_PAUSE_DAYS = 366;

/** Pause: nothing more until they resume, or until the send time on the local date `until` (`YYYY-MM-DD`; empty: indefinitely). */
export function pauseLessons<C extends LearnerCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
  o: LearnerRequest & { until?: unknown } = {},
): Promise<LearnerResult<C>> {
  return control(deps, token, o, 'paused', ({ s, course, pace, now }) => {
    mustBeActive(s, course);
    if (s.pausedAt !== undefined) throw refused('already_paused', 'Your lessons are already paused.');
    const until = optionalText(o.until, 'until', 'invalid_until');
    const base = { pausedAt: now.toISOString() };
    const detail = { lesson: s.nextLesson + 1, round: s.round ?? 1 };
    if (until === undefined) {
      // Indefinitely: out of the due index; nextSendAt stays as it was (when it would have been due).
      return { update: { set: base, remove: [], due: 'out' }, event: { type: 'paused', detail } };
    }
    const ends = pauseEnd(until, pace, now);
    // Due again at that date's send time, and never sooner than the lesson would have come anyway.
    const due = latest(ends, scheduledAfterLast(s, pace));
    return {
      update: { set: { ...base, pausedUntil: ends.toISOString(), nextSendAt: due.toISOString() }, remove: [], due: 'in' },
      event: { type: 'paused', detail: { ...detail, until } },
    };
  });
}

/** Resume after a pause: the next lesson at the next send time (never at once, never the missed ones in a burst). */
export function resumeLessons<C extends LearnerCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
  o: LearnerRequest = {},
): Promise<LearnerResult<C>> {
  return control(deps, token, o, 'resumed', ({ s, course, pace, now }) => {
    mustBeActive(s, course);
    if (s.pausedAt === undefined) throw refused('not_paused', 'Your lessons are not paused.');
    // Paused indefinitely, nextSendAt is still the drip's own schedule; a pause until a date replaced it.
    const scheduled = s.pausedUntil === undefined && s.nextSendAt !== undefined ? new Date(s.nextSendAt) : scheduledAfterLast(s, pace);
    const due = latest(nextSendSlot(now, pace), scheduled);
    return {
      update: { set: { nextSendAt: due.toISOString() }, remove: ['pausedAt', 'pausedUntil'], due: 'in' },
      event: { type: 'resumed', detail: { lesson: s.nextLesson + 1, round: s.round ?? 1 } },
    };
  });
}

/**
 * The next lesson now (the next drip run sends it), at most once per 24 hours; the cadence then counts
 * from it. A paused learner asking for it is resumed with it.
 */
export function nextLessonNow<C extends LearnerCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
  o: LearnerRequest = {},
): Promise<LearnerResult<C>> {
  return control(deps, token, o, 'next', ({ s, course, now }) => {
    mustBeActive(s, course);
    const cutoff = new Date(now.getTime() - NEXT_NOW_INTERVAL_MS).toISOString();
    if (s.nextNowAt !== undefined && s.nextNowAt > cutoff) {
      throw refused('next_too_soon', 'You asked for a lesson early less than 24 hours ago. The next one comes at its usual time.');
    }
    const at = now.toISOString();
    return {
      update: { set: { nextSendAt: at, nextNowAt: at }, remove: ['pausedAt', 'pausedUntil'], due: 'in' },
      expected: { nextNowBefore: cutoff },
      event: { type: 'pace_changed', detail: { change: 'next_now', lesson: s.nextLesson + 1, round: s.round ?? 1 } },
    };
  });
}

/**
 * Restart from lesson 1, from `active` or `completed`: a new round (round + 1), lesson 1 at the next
 * send time. Not at once: the learner picked that hour, a restart right after a lesson would otherwise
 * send two within minutes, and "next lesson now" is there for who wants it at once.
 */
export function restartCourse<C extends LearnerCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
  o: LearnerRequest = {},
): Promise<LearnerResult<C>> {
  return control(deps, token, o, 'restarted', ({ s, course, pace, now }) => {
    if ((s.status !== 'active' && s.status !== 'completed') || isHeld(s)) throw notActive();
    const round = (s.round ?? 1) + 1;
    // What the rounds so far sent stays readable on the course page (lessonsReadable).
    const lessonsReceived = Math.max(s.lessonsReceived ?? 0, lessonsSent(s, course.course.lessons.length));
    return {
      update: {
        set: { status: 'active', round, nextLesson: 0, nextSendAt: nextSendSlot(now, pace).toISOString(), lessonsReceived },
        remove: ['pausedAt', 'pausedUntil'],
        due: 'in',
      },
      event: { type: 'restarted', detail: { round } },
    };
  });
}

/** The learner's own send hour, weekday, zone and cadence (each optional: absent or empty leaves it as it is; an empty weekday clears it). */
export function changeSettings<C extends LearnerCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
  fields: unknown,
  o: LearnerRequest = {},
): Promise<LearnerResult<C>> {
  return control(deps, token, o, 'settings', ({ s, course, pace, now }) => {
    if ((s.status !== 'active' && s.status !== 'completed') || isHeld(s)) throw notActive();
    const change = parseSettings(fields, course, s);
    const next: Subscriber = { ...s, ...change.set };
    for (const field of change.remove) delete next[field];
    const newPace = paceOf(next, course.course);
    // The same pace again (a form posted unchanged) leaves the schedule exactly as the drip made it.
    const paceChanged = JSON.stringify(newPace) !== JSON.stringify(pace);
    const update: PaceUpdate = { set: change.set, remove: change.remove, due: 'out' };
    if (s.status === 'active' && !(s.pausedAt !== undefined && s.pausedUntil === undefined)) {
      update.due = 'in';
      const due = !paceChanged && s.nextSendAt !== undefined ? new Date(s.nextSendAt) : rescheduled(s, pace, newPace, now);
      update.set = { ...update.set, nextSendAt: due.toISOString() };
      if (s.pausedUntil !== undefined && paceChanged) update.set.pausedUntil = pauseEndUnder(s.pausedUntil, pace, newPace).toISOString();
    }
    const detail: Record<string, string | number | boolean> = { change: 'settings' };
    for (const [k, v] of Object.entries(change.set)) if (v !== undefined) detail[k] = v;
    for (const k of change.remove) if (k !== 'unknownTimezone') detail[k] = '';
    return { update, event: { type: 'pace_changed', detail } };
  });
}

// --- The shared frame ------------------------------------------------------------------------------

interface Plan {
  update: PaceUpdate;
  /** More to expect than the read state (next now: no other one since the cutoff). */
  expected?: Partial<PaceExpectation>;
  event: Pick<SubscriptionEvent, 'type' | 'detail'>;
}

interface Scene<C> {
  s: Subscriber;
  course: C;
  /** The learner's schedule as it is now. */
  pace: Pace;
  now: Date;
}

/**
 * Token, read, decide, one conditional write, event. A lost condition (a double click, a racing drip
 * run, another control at the same moment) is read again and decided once more; lost twice, the
 * subscriber was being sent a lesson at that moment: 409 `lesson_in_flight`, try again in a minute.
 */
async function control<C extends LearnerCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
  request: LearnerRequest,
  done: LearnerAction,
  decide: (scene: Scene<C>) => Plan,
): Promise<LearnerResult<C>> {
  const now = deps.clock.now();
  const { subscriberId } = deps.tokens.verify(token, 'learn', now);
  for (let attempt = 0; attempt < 2; attempt++) {
    const s = await deps.store.getSubscriber(subscriberId);
    if (s === undefined) throw subscriptionEnded();
    // The token names one subscription: a request made on another course's page changes nothing.
    if (request.course !== undefined && request.course !== s.course)
      throw new TokenError('token_wrong_purpose', 'This link cannot be used here.');
    if (s.status === 'unsubscribed' || s.status === 'bounced' || s.status === 'complained') throw subscriptionEnded();
    const course = courseOfSubscription(deps.courses, s.course);
    const plan = decide({ s, course, pace: paceOf(s, course.course), now });
    const expected: PaceExpectation = {
      status: s.status === 'completed' ? 'completed' : 'active',
      nextLesson: s.nextLesson,
      round: s.round ?? 1,
      paused: s.pausedAt !== undefined,
      now,
      ...plan.expected,
    };
    if (await deps.store.updatePace(s.id, plan.update, expected)) {
      const event: SubscriptionEvent = { ...plan.event, course: s.course, subscriberId: s.id, at: now.toISOString() };
      await publishEvents(deps.events, [event], (entry) => deps.log?.({ msg: entry.message, level: entry.level, error: entry.error }));
      return { subscriber: applied(s, plan.update), course, done };
    }
  }
  throw new AppError('lesson_in_flight', 'A lesson is on its way to you at this moment. Please try again in a minute.', 409);
}

/** The subscriber as the write leaves them. */
function applied(s: Subscriber, update: PaceUpdate): Subscriber {
  const after: Subscriber = { ...s };
  for (const [k, v] of Object.entries(update.set)) if (v !== undefined) Object.assign(after, { [k]: v });
  for (const field of update.remove) delete after[field];
  return after;
}

// --- The schedule's rules ----------------------------------------------------------------------------

/**
 * When the next lesson would come on the learner's pace counted from the last one of this round (as
 * the drip counts a lesson that went out up to 12 hours after its send time); undefined before the
 * round's first lesson.
 */
function scheduledAfterLast(s: Subscriber, pace: Pace): Date | undefined {
  if (s.nextLesson === 0 || s.lastSentAt === undefined) return undefined;
  const sentAt = new Date(s.lastSentAt);
  return nextSendTimeAfter({ dueAt: new Date(sentAt.getTime() - LATE_SEND_TOLERANCE_MS), sentAt }, pace);
}

/**
 * The next lesson's time after a change of settings: a lesson already due stays due (lesson 1 after
 * confirming, a "next now"); otherwise the later of the next send time on the new pace and one new
 * cadence after the last lesson. Never now, never earlier than the new cadence allows.
 */
function rescheduled(s: Subscriber, pace: Pace, newPace: Pace, now: Date): Date {
  if (s.pausedUntil !== undefined) {
    return latest(pauseEndUnder(s.pausedUntil, pace, newPace), scheduledAfterLast(s, newPace));
  }
  if (s.nextSendAt !== undefined && new Date(s.nextSendAt) <= now) return new Date(s.nextSendAt);
  return latest(nextSendSlot(now, newPace), scheduledAfterLast(s, newPace));
}

/** A pause's end moved to the new pace: the same local date, at the new send time in the new zone. */
function pauseEndUnder(pausedUntil: string, pace: Pace, newPace: Pace): Date {
  const date = localDate(new Date(pausedUntil), pace);
  return sendSlotOnDate(date, newPace) ?? new Date(pausedUntil);
}

/** The send time on the local date `until`: after today (the learner's), within MAX_PAUSE_DAYS. */
function pauseEnd(until: string, pace: Pace, now: Date): Date {
  const invalid = () => new ValidationError('invalid_until', `Choose a date after today and within a year, as YYYY-MM-DD.`, 'until');
  const ends = sendSlotOnDate(until, pace);
  if (ends === undefined) throw invalid();
  if (until <= localDate(now, pace) || ends.getTime() - now.getTime() > MAX_PAUSE_DAYS * DAY_MS) throw invalid();
  return ends;
}

const latest = (a: Date, b: Date | undefined): Date => (b !== undefined && b > a ? b : a);

// --- Settings ----------------------------------------------------------------------------------------

interface SettingsChange {
  set: Partial<Pick<Subscriber, 'sendHour' | 'weekday' | 'timezone' | 'cadenceDays'>>;
  remove: ('weekday' | 'unknownTimezone')[];
}

/** The settings form's fields, checked: what changes. */
function parseSettings(fields: unknown, course: LearnerCourse, s: Subscriber): SettingsChange {
  const f = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
  const change: SettingsChange = { set: {}, remove: [] };

  const sendHour = optionalText(f.sendHour, 'sendHour', 'invalid_send_hour');
  if (sendHour !== undefined) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(sendHour))
      throw new ValidationError('invalid_send_hour', 'Choose a time of day as HH:MM (00:00 to 23:59).', 'sendHour');
    if (sendHour !== s.sendHour) change.set.sendHour = sendHour;
  }

  const timezone = optionalText(f.timezone, 'timezone', 'invalid_timezone');
  if (timezone !== undefined) {
    const canonical = timezone.length <= 64 ? canonicalTimezone(timezone) : undefined;
    if (canonical === undefined) throw new ValidationError('invalid_timezone', 'Choose a time zone from the list.', 'timezone');
    if (canonical !== s.timezone) change.set.timezone = canonical;
    if (s.unknownTimezone !== undefined) change.remove.push('unknownTimezone');
  }

  const cadence = optionalText(f.cadenceDays, 'cadenceDays', 'invalid_cadence');
  const { cadenceDays: courseCadence, cadenceChoices = [] } = course.course;
  if (cadence !== undefined) {
    const days = /^\d{1,3}$/.test(cadence) ? Number(cadence) : NaN;
    if (!(days === courseCadence || cadenceChoices.includes(days)))
      throw new ValidationError('invalid_cadence', 'Choose one of the offered intervals between lessons.', 'cadenceDays');
    if (days !== s.cadenceDays) change.set.cadenceDays = days;
  }
  const weekly = (change.set.cadenceDays ?? s.cadenceDays ?? courseCadence) % 7 === 0;

  const weekday = f.weekday === undefined ? undefined : (optionalText(f.weekday, 'weekday', 'invalid_weekday') ?? '');
  if (weekday !== undefined && weekday !== '') {
    if (!/^[1-7]$/.test(weekday) || !weekly)
      throw new ValidationError(
        'invalid_weekday',
        'A weekday can be chosen for lessons a week or whole weeks apart: 1 (Monday) to 7 (Sunday).',
        'weekday',
      );
    if (Number(weekday) !== s.weekday) change.set.weekday = Number(weekday);
  } else if ((weekday === '' || !weekly) && s.weekday !== undefined) change.remove.push('weekday');
  return change;
}

/** A form field as trimmed text; undefined when absent or empty. A non-text value is refused with `code`. */
function optionalText(value: unknown, field: string, code: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length > 100) throw new ValidationError(code, `The ${field} field is not valid.`, field);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

// --- Refusals ----------------------------------------------------------------------------------------

function mustBeActive(s: Subscriber, course: LearnerCourse): void {
  if (s.status !== 'active' || isHeld(s) || s.nextLesson >= course.course.lessons.length) throw notActive();
}

/** Held by the drip after SES refused a lesson (an operator puts them back: `course requeue`). */
function isHeld(s: Subscriber): boolean {
  return (s as Subscriber & { heldAt?: unknown }).heldAt !== undefined;
}

function refused(code: string, message: string): AppError {
  return new AppError(code, message, 409);
}

function notActive(): AppError {
  return refused('not_active', 'This cannot be done now: your lessons are not running (finished, on hold or ended).');
}

function subscriptionEnded(): AppError {
  return new AppError(
    'subscription_ended',
    'This subscription has ended, so this link no longer works. You can sign up again on the course page.',
    410,
  );
}
