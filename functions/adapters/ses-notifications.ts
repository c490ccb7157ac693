// SES configuration-set notifications as they arrive through SNS: each record's Message is
// JSON-parsed and handed to the feedback core (functions/core/feedback.ts). A bad record is logged
// and skipped. The ses-events Lambda, the local stack's simulated feedback and the tests share it.
import { handleSesEventBatch, type FeedbackBatchSummary, type FeedbackDeps } from '../core/feedback.js';

/** The part of an SNS-to-Lambda event this handler reads (the rest is ignored). */
export interface SnsEvent {
  Records?: { Sns?: { MessageId?: string; Message?: unknown } }[];
}

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

/** The handler over given deps: one SNS event (a batch of records) in, the batch's summary out. */
export function createSesEventsHandler(deps: FeedbackDeps): (event: SnsEvent) => Promise<FeedbackBatchSummary> {
  return (event) => {
    const records: unknown[] = Array.isArray(event?.Records) ? event.Records : [];
    return handleSesEventBatch(
      deps,
      records.map((r) => messageOf(r, deps.log)),
    );
  };
}
