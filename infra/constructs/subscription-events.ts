// The subscription events' bus: every change of a subscription's state is published to it (PutEvents,
// functions/adapters/eventbridge-events.ts) by the functions that make the change, and an operator's
// rules forward what they want anywhere (an API destination to a webhook: docs/guides/events.md).
// Only the functions granted grantPublish may put events on it, and on it only.
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../functions/config/settings.js';

export interface SubscriptionEventsProps {
  /** Events carry the subscriber's address (the operator opted in: eventsIncludeEmail). @default false */
  readonly includeEmail?: boolean;
}

/** The bus, and the settings a publishing function is given. */
export class SubscriptionEvents extends Construct {
  readonly bus: events.EventBus;
  /** EVENT_BUS_NAME and EVENTS_INCLUDE_EMAIL, for the environment of every function that publishes. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: SubscriptionEventsProps = {}) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      // A readable, stack-scoped name: rules and the CLI name the bus by it (the EventBusName output).
      eventBusName: `${Stack.of(this).stackName}-subscriptions`,
      description: 'Email course subscription events (signed up, confirmed, lesson sent, ..., unsubscribed, bounced, complained)',
    });
    this.environment = {
      [ENV.eventBusName]: this.bus.eventBusName,
      [ENV.eventsIncludeEmail]: String(props.includeEmail ?? false),
    };
  }

  /** events:PutEvents on this bus only. */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.bus.grantPutEventsTo(grantee);
  }
}
