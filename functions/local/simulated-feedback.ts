// Local stand-in for SES event publishing: wraps the local Mailer and, after each send, builds the
// notifications real SES would publish through the configuration set and SNS, and feeds them to the
// same ses-events handler. So bounces, complaints and counters work with no AWS account.
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventPublisher } from '../core/events.js';
import type { Clock, Log, Mailer, MessageTags } from '../core/ports.js';
import { readableLog } from '../adapters/observability.js';
import { createSesEventsHandler, feedbackDeps, type SnsEvent } from '../wiring/index.js';

/** What the SES mailbox simulator does with each of its addresses (`name+label@` works too). */
type SimulatedOutcome = 'delivered' | 'bounce' | 'complaint' | 'suppressed';

const SIMULATOR = /^(success|bounce|ooto|complaint|suppressionlist)(\+[^@]*)?@simulator\.amazonses\.com$/i;

/** The outcome SES's mailbox simulator gives an address; every other address is delivered. */
export function simulatedOutcome(to: string): SimulatedOutcome {
  const box = SIMULATOR.exec(to.trim())?.[1]?.toLowerCase();
  switch (box) {
    case 'bounce':
      return 'bounce';
    case 'complaint':
      return 'complaint';
    case 'suppressionlist':
      return 'suppressed';
    // ooto: SES reports the message delivered; the out-of-office reply is not a bounce.
    default:
      return 'delivered';
  }
}

/**
 * The configuration-set notifications SES would publish for one sent message, in order: only the
 * event types the deployed configuration set publishes (infra/constructs/ses-feedback.ts SES_EVENTS;
 * no Send: the drip counts its own sends), so local mode counts what AWS counts.
 */
export function simulatedNotifications(input: {
  messageId: string;
  to: string;
  tags?: MessageTags;
  at: Date;
  source?: string;
}): Record<string, unknown>[] {
  const timestamp = input.at.toISOString();
  const mail = {
    timestamp,
    source: input.source ?? 'course@localhost',
    messageId: input.messageId,
    destination: [input.to],
    // SES carries each tag as a list of values.
    tags: Object.fromEntries(Object.entries(input.tags ?? {}).map(([k, v]) => [k, [v]])),
  };
  const delivery = {
    eventType: 'Delivery',
    mail,
    delivery: { timestamp, recipients: [input.to], processingTimeMillis: 1, smtpResponse: '250 2.6.0 Message received (simulated)' },
  };
  const bounce = (bounceSubType: string) => ({
    eventType: 'Bounce',
    mail,
    bounce: {
      bounceType: 'Permanent',
      bounceSubType,
      bouncedRecipients: [{ emailAddress: input.to, action: 'failed', status: '5.1.1' }],
      timestamp,
      feedbackId: `local-${randomUUID()}`,
    },
  });
  switch (simulatedOutcome(input.to)) {
    case 'bounce':
      return [bounce('General')];
    case 'suppressed':
      return [bounce('OnAccountSuppressionList')];
    case 'complaint':
      return [
        delivery,
        {
          eventType: 'Complaint',
          mail,
          complaint: {
            complainedRecipients: [{ emailAddress: input.to }],
            complaintFeedbackType: 'abuse',
            timestamp,
            feedbackId: `local-${randomUUID()}`,
          },
        },
      ];
    case 'delivered':
      return [delivery];
  }
}

/** The SNS-to-Lambda envelope around notifications, as the ses-events Lambda receives it. */
export function snsEventOf(notifications: readonly unknown[]): SnsEvent {
  return { Records: notifications.map((n) => ({ Sns: { MessageId: randomUUID(), Message: JSON.stringify(n) } })) };
}

export interface SimulatedFeedbackMailer extends Mailer {
  /** Resolves once every notification produced so far has been handled (tests, shutdown). */
  settled(): Promise<void>;
}

/**
 * Wrap a Mailer: after each successful send, hand the notifications to `deliver` (the ses-events
 * handler) a moment later, as SES does, so the sender's own bookkeeping runs first.
 */
export function withSimulatedFeedback(
  mailer: Mailer,
  options: { deliver: (event: SnsEvent) => Promise<unknown>; now?: () => Date; log?: Log },
): SimulatedFeedbackMailer {
  const pending = new Set<Promise<void>>();
  const now = options.now ?? (() => new Date());
  const log = options.log ?? readableLog();
  return {
    async sendRaw(message) {
      const sent = await mailer.sendRaw(message);
      const event = snsEventOf(simulatedNotifications({ messageId: sent.messageId, to: message.to, tags: message.tags, at: now() }));
      const delivery = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => options.deliver(event))
        .then(
          () => undefined,
          (e: unknown) => log({ msg: 'simulated SES feedback failed', level: 'error', error: e instanceof Error ? e.message : String(e) }),
        )
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
      return sent;
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

// What the local console shows of the feedback path: what changes a person's state, not every Send and Delivery.
const WORTH_SHOWING = new Set([
  'address stopped',
  'transient bounce',
  'ses event skipped',
  'ses event failed',
  'simulated SES feedback failed',
]);

/**
 * The local stack's `decorateMailer`: simulated SES feedback into the stack's own table, through the
 * ses-events handler, e.g. `startLocalStack({ settings, decorateMailer: simulatedSesFeedback() })`.
 */
export function simulatedSesFeedback(options: { log?: Log } = {}) {
  const readable = readableLog((line) => console.log(`ses-events (simulated): ${line}`));
  const log: Log =
    options.log ??
    ((entry) => {
      if (WORTH_SHOWING.has(entry.msg)) readable(entry);
    });
  return (
    mailer: Mailer,
    ctx: { doc: DynamoDBDocumentClient; tableName: string; clock: Clock; events?: EventPublisher },
  ): SimulatedFeedbackMailer =>
    withSimulatedFeedback(mailer, {
      deliver: createSesEventsHandler(feedbackDeps({ ...ctx, log })),
      now: () => ctx.clock.now(),
      log,
    });
}
