// Where each entry point's subscription events go (core/events.ts): the EventBridge bus in Lambda
// (EVENT_BUS_NAME; the api also turns votes into metrics), the log and DATA_DIR/events.jsonl in the
// local stack and the CLI on it. The address is removed from every event here unless the operator
// opted in (EVENTS_INCLUDE_EMAIL), whatever the code that made the event put in it.
import type { AppConfig } from '../adapters/config.js';
import { eventBridgePublisher, type PutEventsClient } from '../adapters/eventbridge-events.js';
import { allOf, withAddressPolicy, type EventPublisher } from '../core/events.js';
import type { Log } from '../core/ports.js';

/** What the bus publisher is built from: the app settings' two event settings, and optionally its client. */
export interface BusEventsParts {
  config: Pick<AppConfig, 'eventBusName' | 'eventsIncludeEmail'>;
  log: Log;
  client?: PutEventsClient;
  /** Publishers every event also goes to (the api's vote metrics). */
  also?: EventPublisher[];
}

/** A Lambda's publisher: the bus when EVENT_BUS_NAME is set (and the `also` ones); undefined when there is nowhere to publish. */
export function busEvents(p: BusEventsParts): EventPublisher | undefined {
  const { eventBusName, eventsIncludeEmail = false } = p.config;
  const targets = [
    ...(eventBusName === undefined
      ? []
      : [eventBridgePublisher({ busName: eventBusName, log: p.log, ...(p.client ? { client: p.client } : {}) })]),
    ...(p.also ?? []),
  ];
  if (targets.length === 0) return undefined;
  return withAddressPolicy(targets.length === 1 ? targets[0]! : allOf(...targets), eventsIncludeEmail);
}
