// An in-memory EventPublisher for tests: keeps every subscription event published, in order.
import type { EventPublisher, SubscriptionEvent, SubscriptionEventType } from '../../functions/core/events.js';

export interface EventCollector extends EventPublisher {
  /** Every event published so far. */
  readonly events: SubscriptionEvent[];
  /** The events of `type` (and, given, about `subscriberId`). */
  ofType(type: SubscriptionEventType, subscriberId?: string): SubscriptionEvent[];
  clear(): void;
}

export function collectEvents(): EventCollector {
  const events: SubscriptionEvent[] = [];
  return {
    events,
    publish: (batch) => {
      events.push(...batch.map((e) => structuredClone(e)));
      return Promise.resolve();
    },
    ofType: (type, subscriberId) =>
      events.filter((e) => e.type === type && (subscriberId === undefined || e.subscriberId === subscriberId)),
    clear: () => void events.splice(0),
  };
}
