// The confirm link, the second step of the double opt-in: its page (GET and HEAD, reads only) and
// its button (POST, activates). The subscription's course is looked up once, in the catalogue, and
// answered with the view, so the page needs no lookup of its own.
import { courseOfSubscription } from './courses.js';
import { AppError } from './errors.js';
import { publishEvents, subscriptionEvent } from './events.js';
import { epochSeconds, type LifecycleDeps, type ListedCourse } from './lifecycle.js';
import { roundOf, type Subscriber } from './model.js';
import { maskEmail } from './validation.js';

export interface ConfirmView<C extends ListedCourse = ListedCourse> {
  /** `a***@example.com`. */
  maskedEmail: string;
  courseTitle: string;
  /** `pending`: the page offers the button; `active`/`completed`: already confirmed (a used link). */
  status: 'pending' | 'active' | 'completed';
  subscriber: Subscriber;
  /** The subscription's course; the catalogue's first when it is no longer served (its look, its title). */
  course: C;
}

/**
 * What the confirm page (GET and HEAD) shows. Reads only: mail security gateways fetch (GET or HEAD)
 * every link in a message, so opening the link must never activate anything; the page's button
 * POSTs to `confirmSubscription`. Throws the same errors as a confirm would (expired, ended).
 */
export async function describeConfirmation<C extends ListedCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
): Promise<ConfirmView<C>> {
  const now = deps.clock.now();
  const { subscriberId } = deps.tokens.verify(token, 'confirm', now);
  const subscriber = await deps.store.getSubscriber(subscriberId);
  if (subscriber === undefined) throw expiredSubscription();
  // A course no longer served: the page still opens, in the first course's look (the POST refuses it).
  const course = deps.courses.get(subscriber.course) ?? deps.courses.all[0]!;
  const base = { maskedEmail: maskEmail(subscriber.email), courseTitle: course.course.title, subscriber, course };
  switch (subscriber.status) {
    case 'active':
    case 'completed':
      return { ...base, status: subscriber.status };
    case 'unsubscribed':
    case 'bounced':
    case 'complained':
      throw subscriptionEnded();
    case 'pending':
      if (subscriber.expiresAt !== undefined && subscriber.expiresAt <= epochSeconds(now)) throw expiredSubscription();
      return { ...base, status: 'pending' };
  }
}

export interface ConfirmResult<C extends ListedCourse = ListedCourse> {
  subscriber: Subscriber;
  /** False when it was already confirmed (a second click): the page is the same. */
  changed: boolean;
  /** The subscription's course (the catalogue's first when it is no longer served and was confirmed before). */
  course: C;
}

/**
 * The subscription behind a confirm link becomes active, due now: the next drip run sends lesson 1.
 * Only the confirm page's button (POST) calls this; a repeated POST answers the same and changes nothing.
 * AppError 410 `course_not_served` when a pending subscription's course is no longer served.
 */
export async function confirmSubscription<C extends ListedCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
): Promise<ConfirmResult<C>> {
  const now = deps.clock.now();
  const { subscriberId } = deps.tokens.verify(token, 'confirm', now);
  const answer = (subscriber: Subscriber, changed: boolean, course?: C): ConfirmResult<C> => ({
    subscriber,
    changed,
    course: course ?? deps.courses.get(subscriber.course) ?? deps.courses.all[0]!,
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    const subscriber = await deps.store.getSubscriber(subscriberId);
    if (subscriber === undefined) throw expiredSubscription();
    switch (subscriber.status) {
      case 'active':
      case 'completed':
        return answer(subscriber, false);
      case 'unsubscribed':
      case 'bounced':
      case 'complained':
        throw subscriptionEnded();
      case 'pending':
        break;
    }
    if (subscriber.expiresAt !== undefined && subscriber.expiresAt <= epochSeconds(now)) throw expiredSubscription();
    // The lock first: a confirmed subscription whose lock could still expire would let a second
    // subscription of the same address in later. A lock that is not ours means this one expired.
    if (!(await deps.store.keepAddress(subscriber.course, subscriber.email, subscriber.id))) throw expiredSubscription();
    const course = courseOfSubscription(deps.courses, subscriber.course);
    const done = subscriber.nextLesson >= course.course.lessons.length;
    const activated = await deps.store.activate(
      subscriber.id,
      done ? { at: now, status: 'completed' } : { at: now, status: 'active', nextSendAt: now },
    );
    if (activated) {
      const after = await deps.store.getSubscriber(subscriber.id);
      const event = subscriptionEvent('confirmed', after ?? subscriber, now, { round: roundOf(after ?? subscriber), completed: done });
      await publishEvents(deps.events, [event], deps.log);
      return answer(after ?? subscriber, true, course);
    }
    // Lost to a concurrent click (or an expiry): read again and answer from what is there now.
  }
  throw expiredSubscription();
}

function subscriptionEnded(): AppError {
  return new AppError(
    'subscription_ended',
    'This subscription has ended, so this link no longer works. You can sign up again on the course page.',
    410,
  );
}

function expiredSubscription(): AppError {
  return new AppError('subscription_expired', 'This confirmation link has expired. Please sign up again to get a new one.', 410);
}
