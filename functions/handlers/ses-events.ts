// The ses-events Lambda: SES configuration-set notifications arrive through SNS; each record's
// Message is JSON-parsed and handed to the feedback core. A bad record is logged and skipped.
import { parseConfig } from '../adapters/config.js';
import { createLambdaObservability } from '../adapters/observability.js';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoFeedbackStore } from '../adapters/dynamo-feedback-store.js';
import { handleSesEventBatch, type FeedbackBatchSummary, type FeedbackDeps } from '../core/feedback.js';
import { METRIC_SERVICE, systemClock } from '../core/ports.js';

/** The part of an SNS-to-Lambda event this handler reads (the rest is ignored). */
export interface SnsEvent {
  Records?: { Sns?: { MessageId?: string; Message?: unknown } }[];
}

// Logs (JSON objects) and metrics (EMF: bounces, complaints, deliveries) for this container.
const observability = createLambdaObservability(METRIC_SERVICE.sesEvents);

/** An SNS message body: JSON, or undefined, which the core reports as malformed (never a throw). */
function messageOf(record: unknown, report: FeedbackDeps['log']): unknown {
  const sns =
    typeof record === 'object' && record !== null ? (record as { Sns?: { Message?: unknown; MessageId?: unknown } }).Sns : undefined;
  const body = sns?.Message;
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    report({ msg: 'ses event is not JSON', level: 'warn', snsMessageId: typeof sns?.MessageId === 'string' ? sns.MessageId : undefined });
    return undefined;
  }
}

/** The handler over given deps: the Lambda below, the local stack's simulated feedback and the tests share it. */
export function createSesEventsHandler(deps: FeedbackDeps): (event: SnsEvent) => Promise<FeedbackBatchSummary> {
  return (event) => {
    const records: unknown[] = Array.isArray(event?.Records) ? event.Records : [];
    return handleSesEventBatch(
      deps,
      records.map((r) => messageOf(r, deps.log)),
    );
  };
}

// Built once per container, on the first event (so importing this module reads no environment).
let containerHandler: ((event: SnsEvent) => Promise<FeedbackBatchSummary>) | undefined;

export const handler = async (event: SnsEvent, context?: unknown): Promise<void> => {
  observability.startInvocation(context);
  try {
    if (!containerHandler) {
      const config = parseConfig(process.env);
      const doc = createDocumentClient(createDynamoClient());
      containerHandler = createSesEventsHandler({
        store: createDynamoFeedbackStore({ doc, tableName: config.tableName }),
        clock: systemClock,
        log: observability.log,
        metrics: observability.metrics,
      });
    }
    await containerHandler(event);
  } finally {
    observability.publishMetrics();
  }
};
