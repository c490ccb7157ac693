// What SES tells us after a send (configuration-set events through SNS): bounces and complaints stop
// all mail to the address for good, transient bounces are counted, and per-lesson counters move.
import { noMetrics, type Clock, type Log, type MetricName, type Metrics } from './ports.js';
import type { LessonCounter } from './model.js';
import { lessonNumber, publishEvents, subscriptionEvent, type EventPublisher } from './events.js';
import { maskEmail } from './validation.js';
import {
  COUNTER_OF,
  eventIdOf,
  isNotSpam,
  isProxyOpen,
  originOf,
  parseSesNotification,
  recipientsOf,
  type MessageOrigin,
  type SesEventType,
  type SesNotification,
} from './ses-notification.js';

/** Transient bounces in a row that suppress an address. */
export const SOFT_BOUNCE_LIMIT = 3;
/** How long an event stays remembered for dedupe (SNS retries for hours at most; 14 days is ample). */
export const EVENT_MEMORY_SECONDS = 14 * 24 * 3600;

/** Why an address was stopped (kept on the subscriber and on its SUPPRESS item). */
export type SuppressionReason = 'permanent-bounce' | 'complaint' | 'soft-bounce-limit';

/** The table operations the feedback path needs (DynamoDB in functions/adapters/dynamo-feedback-store.ts). */
export interface FeedbackStore {
  /** Remember an event (conditional put); false when it was already remembered (a redelivery). */
  claimEvent(eventId: string, expiresAt: number): Promise<boolean>;
  /** Forget a claimed event whose effects could not be applied, so a retry applies them. */
  releaseEvent(eventId: string): Promise<void>;
  /** The subscriber id holding (course, address), if any. */
  findSubscriberId(course: string, email: string): Promise<string | undefined>;
  /**
   * Stop a subscriber for good: status, reason, time; out of the due index at once. Only when the
   * subscriber `id` exists and holds `email`; false otherwise. A complaint outranks a bounce.
   */
  stopSubscriber(input: {
    id: string;
    email: string;
    status: 'bounced' | 'complained';
    reason: SuppressionReason;
    at: string;
  }): Promise<boolean>;
  /** Keep the address's one-way hash so it is never mailed again (idempotent). */
  suppressAddress(email: string, reason: SuppressionReason, at: string): Promise<void>;
  /** Count one more transient bounce in a row; the new streak, or undefined when no such subscriber. */
  addSoftBounce(id: string, email: string): Promise<number | undefined>;
  /** A delivery ends a transient-bounce streak. */
  resetSoftBounces(id: string, email: string): Promise<void>;
  /** Atomic ADD 1 to one counter of one lesson (0-based index). */
  countLessonEvent(course: string, lessonIndex: number, counter: LessonCounter): Promise<void>;
  /**
   * The send record of (subscriber, round, lesson; round absent: 1) becomes `rejected` (SES refused the message after
   * accepting the call), with the reason; false when there is no such `sent` record.
   */
  markSendRejected(subscriberId: string, lessonIndex: number, reason: string, at: string, round?: number): Promise<boolean>;
}

/** The log port (kept under its old name for callers). */
export type FeedbackLog = Log;

export interface FeedbackDeps {
  store: FeedbackStore;
  clock: Clock;
  log: Log;
  /** bounces, complaints and deliveries per batch; default none. */
  metrics?: Metrics;
  /** Where subscription events go (bounced, complained); default none (core/events.ts). */
  events?: EventPublisher;
}

/** What happened to one notification. */
export type FeedbackOutcome =
  | { outcome: 'applied'; eventType: SesEventType; recipients: number; permanent?: boolean }
  | { outcome: 'duplicate'; eventType: SesEventType }
  | { outcome: 'skipped'; reason: 'malformed' | 'unknown'; detail: string };

/**
 * Apply one SES notification (already JSON-parsed, not yet trusted). Never throws for bad input:
 * malformed or unknown notifications come back `skipped` and are logged. Throws only when the table
 * cannot be read or written, so the caller's retry can apply it (the event claim is released first).
 */
export async function handleSesEvent(deps: FeedbackDeps, input: unknown): Promise<FeedbackOutcome> {
  const parsed = parseSesNotification(input);
  if (!parsed.ok) {
    deps.log({ msg: 'ses event skipped', level: 'warn', reason: parsed.reason, detail: parsed.detail });
    return { outcome: 'skipped', reason: parsed.reason, detail: parsed.detail };
  }
  const n = parsed.notification;
  const origin = originOf(n.mail.tags);
  const people = recipientsOf(n);
  const at = deps.clock.now();
  let applied = 0;
  for (const email of people) {
    if (await applyToRecipient(deps, n, origin, email, at)) applied++;
  }
  if (applied === 0) return { outcome: 'duplicate', eventType: n.eventType };
  const permanent = n.eventType === 'Bounce' ? n.bounce.bounceType === 'Permanent' : undefined;
  return { outcome: 'applied', eventType: n.eventType, recipients: applied, ...(permanent === undefined ? {} : { permanent }) };
}

async function applyToRecipient(deps: FeedbackDeps, n: SesNotification, origin: MessageOrigin, email: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const subscriberId = async () =>
    origin.subscriberId ?? (origin.course ? await deps.store.findSubscriberId(origin.course, email) : undefined);

  // Stopping an address is idempotent, so it happens before the dedupe claim: a crash after it
  // and before the claim only means the redelivery does it again. What is not idempotent (counters,
  // the soft-bounce streak) happens after the claim.
  let stop: { status: 'bounced' | 'complained'; reason: SuppressionReason } | undefined;
  if (n.eventType === 'Complaint' && !isNotSpam(n)) stop = { status: 'complained', reason: 'complaint' };
  else if (n.eventType === 'Bounce' && n.bounce.bounceType === 'Permanent') stop = { status: 'bounced', reason: 'permanent-bounce' };
  if (stop) {
    await deps.store.suppressAddress(email, stop.reason, at);
    const id = await subscriberId();
    const stopped = id !== undefined && (await deps.store.stopSubscriber({ id, email, ...stop, at }));
    deps.log({
      msg: 'address stopped',
      eventType: n.eventType,
      reason: stop.reason,
      email: maskEmail(email),
      subscriber: id,
      subscriberStopped: stopped,
      bounceSubType: n.eventType === 'Bounce' ? n.bounce.bounceSubType : undefined,
    });
    if (stopped) await publishStopped(deps, { id, email, status: stop.status, reason: stop.reason }, origin, now);
  }

  const eventId = eventIdOf(n.mail.messageId, n.eventType, email);
  if (!(await deps.store.claimEvent(eventId, Math.floor(now.getTime() / 1000) + EVENT_MEMORY_SECONDS))) {
    deps.log({ msg: 'ses event already counted', eventType: n.eventType, messageId: n.mail.messageId });
    return false;
  }
  try {
    await countAndTrack(deps, n, origin, email, at, subscriberId);
  } catch (e: unknown) {
    // Undo the claim so the retry counts it; if even that fails, the event stays uncounted (never doubled).
    await deps.store
      .releaseEvent(eventId)
      .catch((releaseError: unknown) =>
        deps.log({ msg: 'could not release ses event claim', level: 'error', eventId, error: String(releaseError) }),
      );
    throw e;
  }
  return true;
}

async function countAndTrack(
  deps: FeedbackDeps,
  n: SesNotification,
  origin: MessageOrigin,
  email: string,
  at: string,
  subscriberId: () => Promise<string | undefined>,
): Promise<void> {
  if (n.eventType === 'Bounce' && n.bounce.bounceType !== 'Permanent') {
    const id = await subscriberId();
    const streak = id === undefined ? undefined : await deps.store.addSoftBounce(id, email);
    deps.log({ msg: 'transient bounce', email: maskEmail(email), subscriber: id, streak, bounceSubType: n.bounce.bounceSubType });
    if (id !== undefined && streak !== undefined && streak >= SOFT_BOUNCE_LIMIT) {
      await deps.store.suppressAddress(email, 'soft-bounce-limit', at);
      const stopped = await deps.store.stopSubscriber({ id, email, status: 'bounced', reason: 'soft-bounce-limit', at });
      deps.log({ msg: 'address stopped', eventType: n.eventType, reason: 'soft-bounce-limit', email: maskEmail(email), subscriber: id });
      if (stopped) await publishStopped(deps, { id, email, status: 'bounced', reason: 'soft-bounce-limit' }, origin, new Date(at));
    }
  } else if (n.eventType === 'Delivery') {
    const id = await subscriberId();
    if (id !== undefined) await deps.store.resetSoftBounces(id, email);
  } else if (n.eventType === 'Complaint' && isNotSpam(n)) {
    deps.log({
      msg: 'not-spam feedback',
      eventType: n.eventType,
      feedbackType: 'not-spam',
      email: maskEmail(email),
      messageId: n.mail.messageId,
      subscriber: origin.subscriberId,
    });
  } else if (n.eventType === 'Reject') {
    // SES refused the message after taking it (a virus, SES says): the send record must not say "sent".
    const reason = (n.reject?.reason ?? 'rejected by SES').slice(0, 300);
    const marked =
      origin.subscriberId !== undefined && origin.lessonIndex !== undefined
        ? await deps.store.markSendRejected(origin.subscriberId, origin.lessonIndex, reason, at, origin.round)
        : false;
    deps.log({ msg: 'ses reject', level: 'warn', email: maskEmail(email), messageId: n.mail.messageId, reason, sendRecordMarked: marked });
  } else if (n.eventType === 'DeliveryDelay') {
    deps.log({ msg: 'ses event noted', eventType: n.eventType, email: maskEmail(email), messageId: n.mail.messageId });
  }

  // The counter last: when a step above fails, the claim is released and the retry runs everything
  // again, so a counter added before it would be counted twice.
  const counter =
    n.eventType === 'Bounce'
      ? n.bounce.bounceType === 'Permanent'
        ? 'bounced'
        : undefined
      : isNotSpam(n)
        ? 'notSpam'
        : isProxyOpen(n)
          ? 'proxyOpened'
          : COUNTER_OF[n.eventType];
  if (counter && origin.course !== undefined && origin.lessonIndex !== undefined) {
    await deps.store.countLessonEvent(origin.course, origin.lessonIndex, counter);
  }
}

/**
 * bounced or complained, once: only the write that changed the status (stopSubscriber answered true)
 * publishes, so a redelivered notification, or a second one for an address already stopped, does not.
 * The course is the message's tag; a message without one names no course, and publishes nothing.
 */
async function publishStopped(
  deps: FeedbackDeps,
  stopped: { id: string; email: string; status: 'bounced' | 'complained'; reason: SuppressionReason },
  origin: MessageOrigin,
  at: Date,
): Promise<void> {
  if (origin.course === undefined) return;
  const detail = { reason: stopped.reason, lesson: origin.lessonIndex === undefined ? undefined : lessonNumber(origin.lessonIndex) };
  const event = subscriptionEvent(stopped.status, { id: stopped.id, course: origin.course, email: stopped.email }, at, detail);
  await publishEvents(deps.events, [event], deps.log);
}

type FeedbackMetric = 'bounces' | 'softBounces' | 'complaints' | 'deliveries';

/** The metric an applied event counts under: permanent and transient bounces apart (the words `course stats` uses). */
function metricOf(n: SesEventType, permanent: boolean): FeedbackMetric | undefined {
  if (n === 'Bounce') return permanent ? 'bounces' : 'softBounces';
  if (n === 'Complaint') return 'complaints';
  if (n === 'Delivery') return 'deliveries';
  return undefined;
}

/** What one batch did. */
export interface FeedbackBatchSummary {
  applied: number;
  duplicates: number;
  skipped: number;
  failed: number;
}

/**
 * Apply a batch of notifications, one at a time. A bad one is skipped and the rest go on; when the
 * table fails for some, the others are still applied and one error is thrown at the end, so the
 * platform retries the batch (what was applied is then recognised as a duplicate).
 */
export async function handleSesEventBatch(deps: FeedbackDeps, inputs: readonly unknown[]): Promise<FeedbackBatchSummary> {
  const summary: FeedbackBatchSummary = { applied: 0, duplicates: 0, skipped: 0, failed: 0 };
  // Recipients newly recorded, by the metric an operator watches (a redelivered event counts once).
  const recorded: Record<FeedbackMetric, number> = { bounces: 0, softBounces: 0, complaints: 0, deliveries: 0 };
  const errors: unknown[] = [];
  for (const input of inputs) {
    try {
      const r = await handleSesEvent(deps, input);
      if (r.outcome === 'applied') {
        summary.applied++;
        const metric = metricOf(r.eventType, r.permanent === true);
        if (metric !== undefined) recorded[metric] += r.recipients;
      } else if (r.outcome === 'duplicate') summary.duplicates++;
      else summary.skipped++;
    } catch (e: unknown) {
      summary.failed++;
      errors.push(e);
      deps.log({ msg: 'ses event failed', level: 'error', error: e instanceof Error ? e.message : String(e) });
    }
  }
  deps.log({ msg: 'ses events', ...summary, ...recorded });
  const metrics = deps.metrics ?? noMetrics;
  for (const [name, value] of Object.entries(recorded) as [MetricName, number][]) metrics.add(name, value);
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} of ${inputs.length} SES notifications could not be applied`);
  return summary;
}
