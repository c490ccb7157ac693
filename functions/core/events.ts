// Subscription events: every change of a subscription's state, published once as one event (to an
// EventBridge bus in AWS, to the log and a file locally). An event names the subscriber by their
// opaque id and the course, never the address unless the operator opts in (`email` is then set).
// Publishing follows the state change it reports; a failed publish is logged, never undoes the change.
//
// Who fills `email`: the code that makes the change sets it whenever it knows the address
// (subscriptionEvent does); the publisher the wiring builds removes it unless the operator opted in
// (withAddressPolicy), so the default holds in one place whatever a producer passes.
//
// How sure: at least once in intent, at most once in practice. The event is published after its
// write succeeds, so a process that dies between the two loses that event (the state itself stands;
// `course export` has it); a publish that fails after the adapter's retries is logged, not retried
// later. The drip is stronger: a lesson whose send was logged but whose advance was not is advanced,
// and its event published, by the next run.
import type { LogEntry } from './ports.js';
import type { Subscriber } from './model.js';

/** What happened to the subscription (the EventBridge `detail-type` is this value). */
export type SubscriptionEventType =
  | 'signed_up'
  | 'confirmed'
  | 'lesson_sent'
  | 'paused'
  | 'resumed'
  | 'pace_changed'
  | 'restarted'
  | 'completed'
  | 'feedback_given'
  | 'unsubscribed'
  | 'bounced'
  | 'complained';

export interface SubscriptionEvent {
  type: SubscriptionEventType;
  /** Course slug. */
  course: string;
  /** The subscriber's opaque id. */
  subscriberId: string;
  /** ISO instant of the change. */
  at: string;
  /** What the change was about: e.g. `{ lesson: 2, round: 1 }`, `{ until: '…' }`, `{ lesson: 3, vote: 'yes' }`. */
  detail?: Record<string, string | number | boolean>;
  /** The address, only when the operator opted in (never by default). */
  email?: string;
}

/** Where events go. `publish` never throws for a delivery failure: it logs it (the change stands). */
export interface EventPublisher {
  publish(events: readonly SubscriptionEvent[]): Promise<void>;
}

/** Publishes nothing (tests and paths that do not report events). */
export const noEvents: EventPublisher = { publish: () => Promise.resolve() };

/** What publishEvents logs through: the Log port (ports.ts), or anything taking its entry's fields. */
export type EventsLog = (entry: LogEntry & { level: 'error'; message: string; error: string }) => void;

/**
 * Publish `events` through `publisher` (none: nothing), after the change they report has been written.
 * A publisher that throws anyway is caught and logged through `log`: an event never undoes a change.
 */
export async function publishEvents(
  publisher: EventPublisher | undefined,
  events: readonly SubscriptionEvent[],
  log?: EventsLog,
): Promise<void> {
  if (publisher === undefined || events.length === 0) return;
  try {
    await publisher.publish(events);
  } catch (e: unknown) {
    log?.({
      msg: 'events.not_published',
      level: 'error',
      message: 'subscription events not published',
      error: e instanceof Error ? e.message : String(e),
      types: events.map((ev) => ev.type).join(','),
    });
  }
}

/**
 * The event of `type` about `subscriber` at `at`, with its address (the publisher keeps it only when
 * the operator opted in: withAddressPolicy). `detail` values that are undefined are left out.
 */
export function subscriptionEvent(
  type: SubscriptionEventType,
  subscriber: Pick<Subscriber, 'id' | 'course' | 'email'>,
  at: Date,
  detail?: Record<string, string | number | boolean | undefined>,
): SubscriptionEvent {
  const kept = Object.entries(detail ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  return {
    type,
    course: subscriber.course,
    subscriberId: subscriber.id,
    at: at.toISOString(),
    ...(kept.length === 0 ? {} : { detail: Object.fromEntries(kept) }),
    email: subscriber.email,
  };
}

/**
 * `publisher`, with each event's address removed unless `includeEmail` (the operator's opt-in,
 * EVENTS_INCLUDE_EMAIL / the eventsIncludeEmail context): the one place the default is kept.
 */
export function withAddressPolicy(publisher: EventPublisher, includeEmail: boolean): EventPublisher {
  if (includeEmail) return publisher;
  return {
    publish: (events) => publisher.publish(events.map(({ email: _email, ...rest }) => rest)),
  };
}

/** Each event passed to every publisher in turn (e.g. the bus and the vote metrics); one failing does not stop the others. */
export function allOf(...publishers: EventPublisher[]): EventPublisher {
  return {
    publish: async (events) => {
      const results = await Promise.allSettled(publishers.map((p) => p.publish(events)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    },
  };
}

/** The 1-based lesson number events carry (the store counts lessons from 0; URLs, emails and people from 1). */
export const lessonNumber = (index: number): number => index + 1;

/** The round a subscriber is in (absent: 1, the round confirmation starts). */

/**
 * The learners' votes as metrics (the dashboard's "votes per lesson"): `votedYes` and `votedNo`, with
 * the dimensions `course` and `lesson` (1-based), in METRIC_NAMESPACE under the api's `service`.
 */
export const VOTE_METRICS = { yes: 'votedYes', no: 'votedNo' } as const;
export const VOTE_METRIC_DIMENSIONS = ['course', 'lesson'] as const;

/**
 * What one event adds to the vote metrics: a `feedback_given` event with `detail.lesson` (1-based) and
 * `detail.vote` (`yes`/`no`) adds 1 to that vote; with `detail.previous`, a changed vote also takes 1
 * from the other, so the sums stay the votes standing. Any other event adds nothing. This is the hook
 * the vote's recorder needs nothing else for: publishing its event is enough (the api's wiring
 * passes every event it publishes through it).
 */
export function voteMetricsOf(event: SubscriptionEvent): { name: string; course: string; lesson: number; value: number }[] {
  if (event.type !== 'feedback_given') return [];
  const { lesson, vote, previous } = event.detail ?? {};
  if (typeof lesson !== 'number' || !Number.isInteger(lesson) || lesson < 1 || (vote !== 'yes' && vote !== 'no')) return [];
  const at = { course: event.course, lesson };
  const added = [{ name: VOTE_METRICS[vote], ...at, value: 1 }];
  if ((previous === 'yes' || previous === 'no') && previous !== vote) added.push({ name: VOTE_METRICS[previous], ...at, value: -1 });
  return added;
}
