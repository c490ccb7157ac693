// Subscription events to an EventBridge bus (PutEvents): Source `email-course`, DetailType the event's
// type, Detail the event itself as JSON. Up to 10 entries a request (PutEvents' limit); entries the bus
// refused (FailedEntryCount, each failed entry's ErrorCode, in request order) are sent again a bounded
// number of times with backoff, and whatever still could not be delivered is logged, never thrown:
// an event never undoes the change it reports (core/events.ts).
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { EventPublisher, SubscriptionEvent } from '../core/events.js';
import type { Log } from '../core/ports.js';

/** The `source` of every event (a rule's event pattern matches it). */
export const EVENT_SOURCE = 'email-course';
/** PutEvents takes at most this many entries a request. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** Requests per batch, the first included, before what is still refused is logged as undelivered. */
export const PUT_EVENTS_ATTEMPTS = 3;

/** The part of the SDK client the publisher uses (a test passes a stand-in with the same shape). */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<{ FailedEntryCount?: number; Entries?: PutEventsResultEntry[] }>;
}

export interface EventBridgePublisherOptions {
  /** The bus's name or ARN (EVENT_BUS_NAME). */
  busName: string;
  log: Log;
  /** @default a new EventBridgeClient with cacheMiddleware (the SDK's own retries of throttling and 5xx stay on) */
  client?: PutEventsClient;
  /** @default PUT_EVENTS_ATTEMPTS */
  attempts?: number;
  /** Backoff before the n-th retry (1-based), in ms. @default 100 ms × 2^(n-1) */
  backoffMs?: (retry: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One event as a PutEvents entry on `busName`. */
export function putEventsEntry(event: SubscriptionEvent, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: event.type,
    Detail: JSON.stringify(event),
    Time: new Date(event.at),
  };
}

/** The publisher of subscription events to the bus `busName`. */
export function eventBridgePublisher(options: EventBridgePublisherOptions): EventPublisher {
  // Its middleware chain is cached (less CPU per call): nothing adds per-command middleware to this client.
  const client = options.client ?? new EventBridgeClient({ cacheMiddleware: true });
  const attempts = Math.max(1, options.attempts ?? PUT_EVENTS_ATTEMPTS);
  const backoff = options.backoffMs ?? ((retry: number) => 100 * 2 ** (retry - 1));
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const { log, busName } = options;

  /** One batch (≤ 10) until every entry is in or the attempts are spent; answers what is left, with why. */
  async function putBatch(batch: SubscriptionEvent[]): Promise<{ event: SubscriptionEvent; error: string }[]> {
    let left = batch.map((event) => ({ event, error: '' }));
    for (let attempt = 1; attempt <= attempts && left.length > 0; attempt++) {
      if (attempt > 1) await sleep(backoff(attempt - 1));
      try {
        const out = await client.send(new PutEventsCommand({ Entries: left.map((l) => putEventsEntry(l.event, busName)) }));
        if ((out.FailedEntryCount ?? 0) === 0) return [];
        // The result entries are in request order; a failed one has an ErrorCode and no EventId.
        left = left.flatMap((l, i) => {
          const r = out.Entries?.[i];
          if (r !== undefined && r.ErrorCode === undefined && r.EventId !== undefined) return [];
          return [{ event: l.event, error: r?.ErrorCode ? `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.trim() : 'no result entry' }];
        });
      } catch (e: unknown) {
        const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        left = left.map((l) => ({ event: l.event, error }));
      }
    }
    return left;
  }

  return {
    async publish(events) {
      const batches: SubscriptionEvent[][] = [];
      for (let i = 0; i < events.length; i += PUT_EVENTS_MAX_ENTRIES) batches.push(events.slice(i, i + PUT_EVENTS_MAX_ENTRIES));
      const undelivered = (await Promise.all(batches.map(putBatch))).flat();
      if (undelivered.length === 0) return;
      log({
        msg: 'events.undelivered',
        level: 'error',
        bus: busName,
        count: undelivered.length,
        // Ids and types only: enough to find the subscription, never the address.
        events: undelivered.map(({ event, error }) => ({
          type: event.type,
          course: event.course,
          subscriberId: event.subscriberId,
          at: event.at,
          error,
        })),
      });
    },
  };
}
