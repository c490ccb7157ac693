// Subscription events: every change of a subscription's state, published once as one event (to an
// EventBridge bus in AWS, to the log and a file locally). An event names the subscriber by their
// opaque id and the course, never the address unless the operator opts in (`email` is then set).
// Publishing follows the state change it reports; a failed publish is logged, never undoes the change.

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

/**
 * Publish `events` through `publisher` (none: nothing), after the change they report has been written.
 * A publisher that throws anyway is caught and logged through `log`: an event never undoes a change.
 */
export async function publishEvents(
  publisher: EventPublisher | undefined,
  events: readonly SubscriptionEvent[],
  log?: (entry: { level: 'error'; message: string; error: string }) => void,
): Promise<void> {
  if (publisher === undefined || events.length === 0) return;
  try {
    await publisher.publish(events);
  } catch (e: unknown) {
    log?.({ level: 'error', message: 'subscription events not published', error: e instanceof Error ? e.message : String(e) });
  }
}
