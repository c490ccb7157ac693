// Seeds subscribers in the table layout (functions/adapters/table.ts) and builds SES notifications,
// for the feedback and CLI tests.
import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dueShardOf, keys } from '../../functions/adapters/table.js';
import type { Subscriber, SubscriberStatus } from '../../functions/core/model.js';

export const COURSE = 'botox-permanent-numbness';

export async function seedSubscriber(
  doc: DynamoDBDocumentClient,
  table: string,
  email: string,
  options: { status?: SubscriberStatus; nextLesson?: number; nextSendAt?: string; name?: string; course?: string } = {},
): Promise<Subscriber> {
  const status = options.status ?? 'active';
  const course = options.course ?? COURSE;
  const id = randomUUID().replace(/-/g, '');
  const nextSendAt = options.nextSendAt ?? '2026-01-05T09:00:00.000Z';
  const subscriber: Subscriber = {
    id,
    course,
    email,
    ...(options.name ? { name: options.name } : {}),
    timezone: 'Europe/London',
    status,
    nextLesson: options.nextLesson ?? 1,
    ...(status === 'active' ? { nextSendAt } : {}),
    consent: { at: '2026-01-01T10:00:00.000Z', ip: '203.0.113.7', userAgent: 'test-agent', page: 'http://localhost:3000/' },
    createdAt: '2026-01-01T10:00:00.000Z',
    ...(status !== 'pending' ? { confirmedAt: '2026-01-01T10:05:00.000Z' } : {}),
  };
  const due = status === 'active' ? { dueShard: dueShardOf(id), dueAt: `${nextSendAt}#${id}` } : {};
  await doc.send(new PutCommand({ TableName: table, Item: { ...keys.subscriber(id), ...subscriber, ...due } }));
  await doc.send(new PutCommand({ TableName: table, Item: { ...keys.address(course, email), id, course, email } }));
  return subscriber;
}

/** A configuration-set notification as SES publishes it (mail.tags carry lists of values). */
export function sesNotification(
  eventType: string,
  s: { id: string; email: string; course?: string },
  options: { lesson?: number; round?: number; messageId?: string; bounceType?: string; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const mail = {
    timestamp: '2026-01-05T09:00:01.000Z',
    source: 'course@example.com',
    messageId: options.messageId ?? `msg-${randomUUID()}`,
    destination: [s.email],
    tags: {
      course: [s.course ?? COURSE],
      lesson: [String(options.lesson ?? 1)],
      subscriber: [s.id],
      ...(options.round === undefined ? {} : { round: [String(options.round)] }),
      'ses:configuration-set': ['course-events'],
    },
  };
  const details: Record<string, Record<string, unknown>> = {
    Bounce: {
      bounce: { bounceType: options.bounceType ?? 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: s.email }] },
    },
    Complaint: { complaint: { complainedRecipients: [{ emailAddress: s.email }], complaintFeedbackType: 'abuse' } },
    Delivery: { delivery: { recipients: [s.email], smtpResponse: '250 ok' } },
    Send: { send: {} },
    Open: { open: { userAgent: 'x', ipAddress: '198.51.100.1' } },
    Click: { click: { link: 'https://example.com/' } },
    Reject: { reject: { reason: 'Bad content' } },
    DeliveryDelay: { deliveryDelay: { delayType: 'MailboxFull', delayedRecipients: [{ emailAddress: s.email }] } },
  };
  return { eventType, mail, ...(details[eventType] ?? {}), ...(options.extra ?? {}) };
}

/** Wrap notifications the way SNS delivers them to Lambda. */
export function snsEnvelope(messages: readonly (Record<string, unknown> | string)[]): {
  Records: { Sns: { MessageId: string; Message: string } }[];
} {
  return { Records: messages.map((m) => ({ Sns: { MessageId: randomUUID(), Message: typeof m === 'string' ? m : JSON.stringify(m) } })) };
}
