// The unsubscribe link in every lesson: its page (GET and HEAD, reads only) and its button or a mail
// client's one-click (POST). The subscription's course is looked up once and answered with the view.
import { lessonNumber, publishEvents, subscriptionEvent } from './events.js';
import type { LifecycleDeps, ListedCourse } from './lifecycle.js';
import type { Subscriber } from './model.js';
import { maskEmail } from './validation.js';

/** What the unsubscribe page and its JSON answer show. */
export interface UnsubscribeView {
  /** `a***@example.com`; absent when the subscription no longer exists. */
  maskedEmail?: string;
  courseTitle: string;
  /** The subscription's course (slug); absent when the subscription no longer exists. */
  course?: string;
  /** The status now; absent when the subscription no longer exists (nothing will be sent either way). */
  status?: Subscriber['status'];
}

/** The view, and the course whose page shows it (the catalogue's first when there is no subscription or its course is gone). */
export interface UnsubscribeAnswer<C extends ListedCourse = ListedCourse> {
  view: UnsubscribeView;
  course: C;
}

/** What the unsubscribe page shows. Reads only: mail scanners follow links, so GET changes nothing. */
export async function describeUnsubscribe<C extends ListedCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
): Promise<UnsubscribeAnswer<C>> {
  const { subscriberId } = deps.tokens.verify(token, 'unsubscribe', deps.clock.now());
  const subscriber = await deps.store.getSubscriber(subscriberId);
  return answer(deps, subscriber);
}

/**
 * Unsubscribes at once (a person's button or a mail client's RFC 8058 one-click). Idempotent, sends
 * nothing. A bounced or complained subscriber keeps that stronger status.
 */
export async function unsubscribe<C extends ListedCourse>(
  deps: LifecycleDeps<C>,
  token: string | undefined,
): Promise<UnsubscribeAnswer<C>> {
  const now = deps.clock.now();
  const { subscriberId } = deps.tokens.verify(token, 'unsubscribe', now);
  const before = await deps.store.unsubscribe(subscriberId, now);
  if (before !== undefined && before.status !== 'pending' && before.nextLesson > 0) {
    // "Unsubscribed after lesson n" is a statistic, not consent: a failed count must not fail the unsubscribe.
    try {
      await deps.store.countUnsubscribeAfter(before.course, before.nextLesson - 1);
    } catch (e: unknown) {
      deps.log?.({
        msg: 'unsubscribe counter not updated',
        level: 'warn',
        subscriberId,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
  if (before !== undefined) {
    const afterLesson = before.nextLesson > 0 ? lessonNumber(before.nextLesson - 1) : undefined;
    await publishEvents(deps.events, [subscriptionEvent('unsubscribed', before, now, { from: before.status, afterLesson })], deps.log);
  }
  const after = before === undefined ? await deps.store.getSubscriber(subscriberId) : { ...before, status: 'unsubscribed' as const };
  return answer(deps, after);
}

function answer<C extends ListedCourse>(deps: LifecycleDeps<C>, subscriber: Subscriber | undefined): UnsubscribeAnswer<C> {
  const course = (subscriber === undefined ? undefined : deps.courses.get(subscriber.course)) ?? deps.courses.all[0]!;
  const view: UnsubscribeView = {
    courseTitle: course.course.title,
    ...(subscriber === undefined ? {} : { maskedEmail: maskEmail(subscriber.email), status: subscriber.status, course: subscriber.course }),
  };
  return { view, course };
}
