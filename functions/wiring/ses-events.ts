// The ses-events Lambda's deps (functions/handlers/ses-events.ts), and the feedback core's deps the
// local stack's simulated SES feedback uses too.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../adapters/config.js';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoFeedbackStore } from '../adapters/dynamo-feedback-store.js';
import { createSesEventsHandler, type SnsEvent } from '../adapters/ses-notifications.js';
import type { EventPublisher } from '../core/events.js';
import type { FeedbackBatchSummary, FeedbackDeps } from '../core/feedback.js';
import { METRIC_SERVICE, systemClock, type Clock, type Log, type Metrics } from '../core/ports.js';
import { busEvents } from './events.js';
import { lambdaHandler } from './lambda.js';

export { createSesEventsHandler, type SnsEvent } from '../adapters/ses-notifications.js';

/** The feedback core's deps (SES bounces, complaints, deliveries) on the table. */
export function feedbackDeps(p: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  log: Log;
  metrics?: Metrics;
  /** Where bounced and complained go; none when absent. */
  events?: EventPublisher;
}): FeedbackDeps {
  return { store: createDynamoFeedbackStore(p), clock: p.clock, log: p.log, metrics: p.metrics, events: p.events };
}

/** The ses-events Lambda: SES notifications through SNS into the feedback core (metrics: bounces, complaints, deliveries; events: bounced, complained). */
export function sesEventsLambda<R>(
  fn: (apply: (event: SnsEvent) => Promise<FeedbackBatchSummary>, event: SnsEvent) => Promise<R>,
  env: NodeJS.ProcessEnv = process.env,
) {
  return lambdaHandler(
    METRIC_SERVICE.sesEvents,
    ({ log, metrics }) => {
      const config = parseConfig(env);
      return createSesEventsHandler(
        feedbackDeps({
          doc: createDocumentClient(createDynamoClient()),
          tableName: config.tableName,
          clock: systemClock,
          log,
          metrics,
          // bounced and complained go to the bus.
          events: busEvents({ config, log }),
        }),
      );
    },
    fn,
  );
}
