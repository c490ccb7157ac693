// One SES notification read and classified, before anything is applied (core/feedback.ts applies
// it): the notification's shape (untrusted until parsed), where the message came from (its tags),
// who it is about, its dedupe id, the lesson counter it moves, and the two events that are not what
// they look like (Apple's proxy opens, `not-spam` complaints).
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { LessonCounter } from './model.js';
import { normaliseEmail } from './text.js';

const address = z.string().min(3).max(320);
const recipients = z.array(z.object({ emailAddress: address }).loose()).min(1);

const mailSchema = z
  .object({
    messageId: z.string().min(1).max(200),
    destination: z.array(address).min(1),
    // Configuration-set events carry every message tag as a list of values.
    tags: z.record(z.string(), z.array(z.string())).default({}),
  })
  .loose();

const bounceSchema = z
  .object({
    bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
    bounceSubType: z.string().optional(),
    bouncedRecipients: recipients,
  })
  .loose();
const complaintSchema = z.object({ complainedRecipients: recipients, complaintFeedbackType: z.string().optional() }).loose();
const deliverySchema = z.object({ recipients: z.array(address).optional() }).loose();

const base = { mail: mailSchema };
const notificationSchema = z.discriminatedUnion('eventType', [
  z.object({ eventType: z.literal('Bounce'), bounce: bounceSchema, ...base }).loose(),
  z.object({ eventType: z.literal('Complaint'), complaint: complaintSchema, ...base }).loose(),
  z.object({ eventType: z.literal('Delivery'), delivery: deliverySchema, ...base }).loose(),
  z.object({ eventType: z.literal('Send'), ...base }).loose(),
  z
    .object({
      eventType: z.literal('Reject'),
      reject: z
        .object({ reason: z.string().max(500).optional() })
        .loose()
        .optional(),
      ...base,
    })
    .loose(),
  z.object({ eventType: z.literal('DeliveryDelay'), ...base }).loose(),
  z
    .object({
      eventType: z.literal('Open'),
      open: z
        .object({ userAgent: z.string().max(2000).optional(), ipAddress: z.string().max(100).optional() })
        .loose()
        .optional(),
      ...base,
    })
    .loose(),
  z.object({ eventType: z.literal('Click'), ...base }).loose(),
]);

export type SesNotification = z.infer<typeof notificationSchema>;
export type SesEventType = SesNotification['eventType'];

/** Where a message came from: the tags the drip (and the confirmation mail) put on it. */
export interface MessageOrigin {
  course?: string;
  /** 0-based lesson index, from the 1-based `lesson` tag. */
  lessonIndex?: number;
  subscriberId?: string;
  /** The round of a restarted course (the drip's `round` tag, from round 2 on); absent: round 1. */
  round?: number;
}

const TAG_VALUE = /^[A-Za-z0-9_.@-]{1,256}$/;

/** Where the message came from, by its SES tags (`course`, 1-based `lesson`, `subscriber`, `round` from round 2); a tag that is not a plain value is left out. */
export function originOf(tags: Record<string, string[]>): MessageOrigin {
  const one = (name: string) => {
    const v = tags[name]?.[0];
    return v !== undefined && TAG_VALUE.test(v) ? v : undefined;
  };
  const lesson = one('lesson');
  const round = one('round');
  const lessonNumber = lesson !== undefined && /^\d{1,3}$/.test(lesson) ? Number(lesson) : undefined;
  return {
    course: one('course'),
    lessonIndex: lessonNumber !== undefined && lessonNumber >= 1 ? lessonNumber - 1 : undefined,
    subscriberId: one('subscriber'),
    ...(round !== undefined && /^\d{1,3}$/.test(round) && Number(round) >= 2 ? { round: Number(round) } : {}),
  };
}

/**
 * Validate a parsed notification. Configuration-set events name their type in `eventType`; the
 * older identity notifications use `notificationType` for the same shapes, so both are read.
 */
export function parseSesNotification(
  input: unknown,
): { ok: true; notification: SesNotification } | { ok: false; reason: 'malformed' | 'unknown'; detail: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, reason: 'malformed', detail: 'not a JSON object' };
  const record = input as Record<string, unknown>;
  const type = record.eventType ?? record.notificationType;
  if (typeof type !== 'string') return { ok: false, reason: 'malformed', detail: 'no eventType' };
  const known = ['Bounce', 'Complaint', 'Delivery', 'Send', 'Reject', 'DeliveryDelay', 'Open', 'Click'];
  if (!known.includes(type)) return { ok: false, reason: 'unknown', detail: `eventType ${type.slice(0, 40)}` };
  const parsed = notificationSchema.safeParse({ ...record, eventType: type });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'malformed', detail: `${type}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, notification: parsed.data };
}

/** The recipients an event is about, normalised. */
export function recipientsOf(n: SesNotification): string[] {
  let list: string[];
  if (n.eventType === 'Bounce') list = n.bounce.bouncedRecipients.map((r) => r.emailAddress);
  else if (n.eventType === 'Complaint') list = n.complaint.complainedRecipients.map((r) => r.emailAddress);
  else if (n.eventType === 'Delivery' && n.delivery.recipients?.length) list = n.delivery.recipients;
  else list = n.mail.destination;
  // A recipient may arrive as `"Name" <a@b>`: keep the address only.
  return [...new Set(list.map((a) => normaliseEmail(/<([^<>]+)>\s*$/.exec(a)?.[1] ?? a)))];
}

/**
 * One event per (message, type, recipient): a redelivered notification, or the same event published
 * twice, maps to the same id. The address is hashed so the dedupe item holds no personal data.
 */
export function eventIdOf(messageId: string, eventType: string, recipient: string): string {
  return createHash('sha256').update(`${messageId}\n${eventType}\n${recipient}`).digest('hex').slice(0, 40);
}

/**
 * The lesson counter each event moves. Not `Send`: the drip counts `sent` itself when it records a
 * send (exactly, and whether or not the configuration set publishes SEND, which it does not: one SNS
 * message and one Lambda invocation per email for a number the drip already has). A Send event, if
 * one arrives, is remembered and counted nowhere, so nothing is counted twice.
 */
export const COUNTER_OF: Partial<Record<SesEventType, LessonCounter>> = {
  Delivery: 'delivered',
  Complaint: 'complained',
  Open: 'opened',
  Click: 'clicked',
  Reject: 'rejected',
};

/**
 * An Open that Apple Mail Privacy Protection made, not a reader: MPP fetches every image of every
 * email delivered to Apple Mail, through Apple's proxies, whether the email is read or not, and its
 * fetcher sends the bare User-Agent `Mozilla/5.0` (no browser or mail client after it), which no
 * reader's mail client sends. SES passes the fetch's User-Agent and IP address in the Open event's
 * `open` object (SES Developer Guide, "Contents of event data that Amazon SES publishes to Amazon
 * SNS": `open.ipAddress`, `open.userAgent`, `open.timestamp`).
 */
export function isProxyOpen(n: SesNotification): boolean {
  return n.eventType === 'Open' && n.open?.userAgent?.trim() === 'Mozilla/5.0';
}

/**
 * A complaint whose feedback type is `not-spam`: the reader moved the mail out of the spam folder
 * (RFC 5965 §7.3 registers `not-spam`; SES passes the ARF report's Feedback-Type through as
 * `complaintFeedbackType`). The opposite of a complaint: logged and counted, never suppresses.
 */
export function isNotSpam(n: SesNotification): boolean {
  return n.eventType === 'Complaint' && n.complaint.complaintFeedbackType?.trim().toLowerCase() === 'not-spam';
}
