// The subscriber lifecycle: subscribe (double opt-in), confirm, unsubscribe. Plain rules over the
// ports in `deps` (store, mailer, clock, tokens), so the HTTP app, the operator CLI and tests share them.
import { randomBytes } from 'node:crypto';
import { AppError, DependencyError, RateLimitedError, ValidationError } from './errors.js';
import type { SignupOutboxStore, SignupOutbox } from './signup-outbox.js';
import { SendError, type Clock, type CourseCatalog, type Log, type Mailer, type MessageComposer, type ServedCourse } from './ports.js';
import type { ConsentRecord, Subscriber } from './model.js';
import { SUPPRESSED_STATUSES } from './model.js';
import type { Tokens } from './tokens.js';
import { parseSignupInput, maskEmail, type SignupInput } from './validation.js';
import { resolveTimezone } from './schedule.js';
import { courseCatalog } from './courses.js';

/** At most one confirmation email per address in this window (the form must not mail-bomb anyone). */
export const CONFIRMATION_RESEND_MS = 10 * 60 * 1000;
/** Pending subscriptions (and their address lock) expire this long after the last confirmation email. */
export const PENDING_TTL_SECONDS = 7 * 24 * 60 * 60;
/** The per-client-IP signup limit counts in windows of this length. */
export const SIGNUP_IP_WINDOW_SECONDS = 60 * 60;

/** The address lock of (course, address) and, when it still exists, the subscriber it points to. */
export interface AddressRecord {
  id: string;
  /** Epoch seconds; present while the subscription it holds is unconfirmed. */
  expiresAt?: number;
  subscriber?: Subscriber;
}

/** What the pending-renewal write changes. */
export interface PendingRenewal {
  consent: ConsentRecord;
  name?: string;
  timezone: string;
  /** Set when the signup's zone was unknown (the course's applies); removed otherwise. */
  unknownTimezone?: string;
  /** Absent when no confirmation is sent (an import). */
  confirmationSentAt?: string;
  /** The outbox request whose confirmation this renewal sends. */
  confirmationRequest?: string;
  expiresAt: number;
}

/**
 * Where subscriptions live. Every method that guards consent or the one-subscription-per-address rule
 * is a conditional write that reports whether its condition held; a read that fails throws (fail
 * closed: "could not check" is never taken for "not there").
 */
export interface SubscriptionStore extends SignupOutboxStore {
  findByAddress(course: string, email: string): Promise<AddressRecord | undefined>;
  getSubscriber(id: string): Promise<Subscriber | undefined>;
  /** True when the address was suppressed (bounced, complained, erased): it is never mailed again. */
  isSuppressed(email: string): Promise<boolean>;
  /** Counts one hit on `key` in the window holding `now`; answers the count including this hit. */
  hitRateLimit(key: string, now: Date, windowSeconds: number): Promise<number>;
  /**
   * Takes the address for a new subscriber id. Succeeds when no lock exists or the existing one has
   * expired (`expiresAt` before `now`; DynamoDB's TTL sweeper may not have removed it yet).
   */
  claimAddress(lock: { course: string; email: string; id: string; expiresAt?: number }, now: Date): Promise<boolean>;
  /** Writes a new subscriber; false when the id already has one. */
  createSubscriber(subscriber: Subscriber): Promise<boolean>;
  /**
   * A pending or unsubscribed subscriber becomes pending with a fresh consent record, but only when
   * its last confirmation went out before `resendCutoff` (the atomic form of the 10-minute limit).
   * Also extends the address lock's expiry when the lock still has one. Undefined when the condition failed.
   */
  renewPending(id: string, renewal: PendingRenewal, resendCutoff: Date): Promise<Subscriber | undefined>;
  /** Clears a failed confirmation's send time, so a retry can send (only if it is still `sentAt`). */
  forgetConfirmationSent(id: string, sentAt: string): Promise<void>;
  /** Keeps the address lock for good once its subscription is confirmed; false when the lock is not this id's. */
  keepAddress(course: string, email: string, id: string): Promise<boolean>;
  /**
   * pending → `status` (active: due at `nextSendAt`, in the due index; completed: nothing left to send),
   * only while pending and not expired at `at`. False when that condition failed.
   */
  activate(id: string, change: { at: Date; status: 'active' | 'completed'; nextSendAt?: Date }): Promise<boolean>;
  /** pending/active/completed → unsubscribed, out of the due index. The subscriber as it was, or undefined when none of those. */
  unsubscribe(id: string, at: Date): Promise<Subscriber | undefined>;
  /**
   * Takes the "already subscribed" email's window of an active subscriber: records `at` as
   * `knownSignupNoticeAt`, only while active and when the last such email went out before `cutoff`
   * (one per 10 minutes, decided by one conditional write). False when the condition failed.
   */
  claimKnownSignupNotice(id: string, at: Date, cutoff: Date): Promise<boolean>;
  /** Gives the window back after the email failed (only if it is still `at`). */
  forgetKnownSignupNotice(id: string, at: Date): Promise<void>;
  /** One more person left after lesson `lessonIndex` (0-based, the last one they were sent): an atomic ADD. */
  countUnsubscribeAfter(course: string, lessonIndex: number): Promise<void>;
}

/**
 * The subscription core's ports and settings. `C` is the course type the caller holds: the core reads
 * only ServedCourse's part of it, and answers the caller's own objects (the HTTP pages need the whole
 * manifest, functions/email's CompiledCourse).
 */
export interface SubscriptionDeps<C extends ServedCourse = ServedCourse> {
  store: SubscriptionStore;
  mailer: Mailer;
  clock: Clock;
  tokens: Tokens;
  /** The course, when the deployment has one; with several, the first of `courses`. */
  compiled: C;
  /** Every course the deployment serves; absent means `compiled` is the only one. */
  courses?: CourseCatalog<C>;
  /** Renders and composes the confirmation email (functions/email/composer.ts). */
  composer: MessageComposer;
  config: {
    /** Base of every link, no trailing slash. */
    publicUrl: string;
    signupsPerIpPerHour: number;
    /** The deploy's verified From address; the manifest's sender when unset. */
    senderAddress?: string;
  };
  /**
   * Sends accepted signups right after they are stored (the local stack); absent in Lambda, where the
   * drip's sweep sends them. Either way nothing the answer depends on waits for it.
   */
  outbox?: SignupOutbox;
  /** The log port, for what is worth an operator's attention but does not change the answer (a counter that failed). */
  log?: Log;
}

export interface SubscribeInput {
  /** The raw form or JSON fields; checked here (parseSignupInput). */
  fields: unknown;
  /** Where and how the person agreed (time comes from the clock when `at` is absent). */
  consent: Omit<ConsentRecord, 'at'> & { at?: string };
  /** False for an operator's import: the subscription is created without mailing anyone. Default true. */
  sendConfirmation?: boolean;
}

/**
 * What happened. The HTTP layer answers the same for every outcome (so the form cannot reveal whether
 * an address is known); the operator CLI and tests read it.
 */
export type SubscribeOutcome =
  | 'created' // new pending subscription, confirmation sent (or not, for an import)
  | 'renewed' // pending or unsubscribed again, a new confirmation sent
  | 'recently_sent' // a confirmation went out less than 10 minutes ago: nothing sent
  | 'already_subscribed' // active or completed: nothing sent
  | 'suppressed' // bounced, complained or suppressed: never mailed again
  | 'honeypot'; // a bot filled the hidden field: nothing written or sent

export interface SubscribeResult {
  outcome: SubscribeOutcome;
  subscriberId?: string;
}

/** One success message for every outcome. */
export const SUBSCRIBE_MESSAGE =
  'Thank you. Please check your inbox: a confirmation email is on its way. Click the link in it to start the course. If nothing arrives within a few minutes, check your spam folder.';

/** A fresh opaque subscriber id (128 random bits, URL-safe): never derived from the address. */
export function newSubscriberId(): string {
  return randomBytes(16).toString('base64url');
}

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Every course the deployment serves (`deps.courses`, or the one `deps.compiled`). */
export function catalogOf<C extends ServedCourse>(deps: Pick<SubscriptionDeps<C>, 'compiled' | 'courses'>): CourseCatalog<C> {
  return deps.courses ?? courseCatalog([deps.compiled]);
}

/**
 * The course a signup is for: its `course` field (a slug), needed only when the deployment serves
 * several. ValidationError `course_required` (several, none given) or `unknown_course`, on the field.
 */
export function courseOfSignup<C extends ServedCourse>(deps: Pick<SubscriptionDeps<C>, 'compiled' | 'courses'>, fields: unknown): C {
  const catalog = catalogOf(deps);
  const given = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>).course : undefined;
  if (given === undefined || given === null || given === '') {
    if (catalog.all.length === 1) return catalog.all[0]!;
    throw new ValidationError('course_required', 'Please choose a course.', 'course');
  }
  const course = typeof given === 'string' ? catalog.get(given.trim()) : undefined;
  if (course === undefined) throw new ValidationError('unknown_course', 'There is no such course.', 'course');
  return course;
}

/**
 * The course a stored subscription belongs to. Every subscriber item carries its course's slug (the
 * slug is the course's identity: the address lock and counters are keyed by it), so a subscription
 * made before several courses existed keeps meaning the course it was made for.
 */
export function servedCourse<C extends ServedCourse>(deps: Pick<SubscriptionDeps<C>, 'compiled' | 'courses'>, slug: string): C {
  const course = catalogOf(deps).get(slug);
  if (course === undefined) throw new AppError('course_not_served', 'This course is no longer offered here.', 410);
  return course;
}

/** The per-IP limit's answer: its window is a fixed clock window, so a retry works once the window ends. */
function rateLimited(now: Date): RateLimitedError {
  const end = (Math.floor(epochSeconds(now) / SIGNUP_IP_WINDOW_SECONDS) + 1) * SIGNUP_IP_WINDOW_SECONDS;
  const seconds = Math.max(1, Math.ceil(end - now.getTime() / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new RateLimitedError(
    `Too many signups from your network. Please try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`,
    seconds,
  );
}

/**
 * A signup decided and mailed at once (the operator's import, tests): parse, the per-IP limit when
 * mailing, then applySignup. The HTTP form uses acceptSignup instead, which answers before any of
 * the address's state is read (signup-outbox.ts).
 */
export async function subscribe(deps: SubscriptionDeps, input: SubscribeInput): Promise<SubscribeResult> {
  const fields = parseSignupInput(input.fields);
  // People never see the honeypot; whatever filled it gets the success answer and nothing else.
  if (fields.website !== undefined && fields.website.trim() !== '') return { outcome: 'honeypot' };
  // From here on `deps.compiled` is the course signed up for: one subscription per (address, course).
  deps = { ...deps, compiled: courseOfSignup(deps, input.fields) };
  const now = deps.clock.now();
  const sendConfirmation = input.sendConfirmation ?? true;
  if (sendConfirmation) await checkSignupRate(deps, input.consent.ip, now);
  return applySignup(deps, { fields, consent: input.consent, sendConfirmation });
}

/** The per-client-IP signup limit; throws RateLimitedError (429, Retry-After) past it. */
export async function checkSignupRate(deps: SubscriptionDeps, ip: string, now: Date): Promise<void> {
  const hits = await deps.store.hitRateLimit(`signup-ip:${ip}`, now, SIGNUP_IP_WINDOW_SECONDS);
  if (hits > deps.config.signupsPerIpPerHour) throw rateLimited(now);
}

export interface ApplySignupInput {
  /** Already checked (parseSignupInput). */
  fields: SignupInput;
  consent: Omit<ConsentRecord, 'at'> & { at?: string };
  sendConfirmation: boolean;
  /**
   * The outbox request this signup comes from. Recorded on the subscription it writes, so a retry
   * of the same request after a crash (written, not yet mailed) sends that confirmation instead of
   * finding "a confirmation went out less than 10 minutes ago" and sending nothing.
   */
  requestId?: string;
  /**
   * True for the signup form (the outbox): an address already learning is sent the "already
   * subscribed" email. False or absent for an operator's import, which mails no active learner.
   */
  notifyKnown?: boolean;
}

/**
 * Creates or refreshes the pending subscription of (course, address) and sends its confirmation:
 * every rule that depends on what is already stored for the address (suppression, one subscription
 * per mailbox, one confirmation per 10 minutes) lives here. Throws DependencyError when the
 * confirmation cannot be sent.
 */
export async function applySignup(deps: SubscriptionDeps, input: ApplySignupInput): Promise<SubscribeResult> {
  const { fields, sendConfirmation, requestId } = input;
  const { store, clock, compiled } = deps;
  const course = compiled.course;
  const now = clock.now();
  if (await store.isSuppressed(fields.email)) return { outcome: 'suppressed' };

  const consent: ConsentRecord = { ...input.consent, at: input.consent.at ?? now.toISOString() };
  const timezone = resolveTimezone(fields.timezone, course.defaultTimezone);
  const expiresAt = epochSeconds(now) + PENDING_TTL_SECONDS;
  const confirmationSentAt = sendConfirmation ? now.toISOString() : undefined;
  const pending = (id: string): Subscriber => ({
    id,
    course: course.slug,
    email: fields.email,
    ...(fields.name === undefined ? {} : { name: fields.name }),
    timezone,
    ...(fields.unknownTimezone === undefined ? {} : { unknownTimezone: fields.unknownTimezone }),
    status: 'pending',
    nextLesson: 0,
    consent,
    createdAt: now.toISOString(),
    ...(confirmationSentAt === undefined ? {} : { confirmationSentAt }),
    ...(requestId === undefined ? {} : { confirmationRequest: requestId }),
    expiresAt,
  });
  const created = async (subscriber: Subscriber): Promise<SubscribeResult> => {
    if (sendConfirmation) await sendConfirmationEmail(deps, subscriber, now);
    return { outcome: 'created', subscriberId: subscriber.id };
  };

  // Each pass either decides or loses a race to a concurrent signup of the same address, whose
  // write is then visible to the next pass; three passes cover every interleaving of two writes.
  for (let attempt = 0; attempt < 3; attempt++) {
    const record = await store.findByAddress(course.slug, fields.email);
    const lockExpired = record?.expiresAt !== undefined && record.expiresAt <= epochSeconds(now);
    if (record === undefined || lockExpired) {
      const id = newSubscriberId();
      if (!(await store.claimAddress({ course: course.slug, email: fields.email, id, expiresAt }, now))) continue;
      const subscriber = pending(id);
      if (await store.createSubscriber(subscriber)) return created(subscriber);
      continue;
    }
    const existing = record.subscriber;
    if (existing === undefined) {
      // A lock whose subscriber is gone: a crash between the two writes, or TTL removed the subscriber
      // first. Whoever writes the subscriber under the lock's id first is the one that mails.
      const subscriber = pending(record.id);
      if (await store.createSubscriber(subscriber)) return created(subscriber);
      continue;
    }
    if (SUPPRESSED_STATUSES.includes(existing.status)) return { outcome: 'suppressed', subscriberId: existing.id };
    if (requestId !== undefined && sendConfirmation && existing.status === 'pending' && existing.confirmationRequest === requestId) {
      // This request was written before and its mail may not have gone out (a crash, SES down): send it now.
      await sendConfirmationEmail(deps, existing, now);
      return { outcome: 'renewed', subscriberId: existing.id };
    }
    if (existing.status === 'active' || existing.status === 'completed') {
      if (existing.status === 'active' && input.notifyKnown === true && sendConfirmation)
        await sendKnownSignupNotice(deps, existing, timezone, now);
      return { outcome: 'already_subscribed', subscriberId: existing.id };
    }

    // pending (expired or not) or unsubscribed: a new confirmation, at most one per 10 minutes.
    const renewal: PendingRenewal = {
      consent,
      ...(fields.name === undefined ? {} : { name: fields.name }),
      timezone,
      ...(fields.unknownTimezone === undefined ? {} : { unknownTimezone: fields.unknownTimezone }),
      ...(confirmationSentAt === undefined ? {} : { confirmationSentAt }),
      ...(requestId === undefined ? {} : { confirmationRequest: requestId }),
      expiresAt,
    };
    const renewed = await store.renewPending(existing.id, renewal, new Date(now.getTime() - CONFIRMATION_RESEND_MS));
    if (renewed === undefined) return { outcome: 'recently_sent', subscriberId: existing.id };
    if (sendConfirmation) await sendConfirmationEmail(deps, renewed, now);
    return { outcome: 'renewed', subscriberId: existing.id };
  }
  // Only reachable when the address keeps changing under us; the person can simply try again.
  throw new AppError('busy', 'Please try again in a moment.', 503);
}

/**
 * Tells an active learner their address was signed up again (the one-per-10-minutes rule applies;
 * suppression was checked before). Their zone is never changed here: the new signup's zone is
 * only compared. DependencyError when the email cannot be sent (the window is given back for the retry).
 */
async function sendKnownSignupNotice(deps: SubscriptionDeps, learner: Subscriber, signupZone: string, now: Date): Promise<void> {
  if (!(await deps.store.claimKnownSignupNotice(learner.id, now, new Date(now.getTime() - CONFIRMATION_RESEND_MS)))) return;
  const token = deps.tokens.sign({ subscriberId: learner.id, purpose: 'unsubscribe', issuedAt: now });
  try {
    const raw = await deps.composer.alreadySubscribed(deps.compiled, {
      email: learner.email,
      manageUrl: `${deps.config.publicUrl}/unsubscribe?token=${token}`,
      timezone: learner.timezone,
      zoneDiffers: signupZone !== learner.timezone,
      fromAddress: deps.config.senderAddress,
    });
    await deps.mailer.sendRaw({
      raw,
      to: learner.email,
      tags: { kind: 'already-subscribed', course: learner.course, subscriber: learner.id },
    });
  } catch (e: unknown) {
    // SES refused this message for good (the address is refused, or held by the drip for it): retrying
    // would be refused again, so the window stays taken and the signup is done.
    if (e instanceof SendError && e.kind === 'permanent') {
      deps.log?.({ msg: 'already-subscribed email refused', level: 'warn', subscriberId: learner.id, error: e.message });
      return;
    }
    await deps.store.forgetKnownSignupNotice(learner.id, now);
    throw new DependencyError('The already-subscribed email could not be sent right now.', e);
  }
}

async function sendConfirmationEmail(deps: SubscriptionDeps, subscriber: Subscriber, now: Date): Promise<void> {
  const course = deps.compiled.course;
  const token = deps.tokens.sign({ subscriberId: subscriber.id, purpose: 'confirm', issuedAt: now });
  try {
    // No name: nothing a stranger typed but the address goes out before the address is confirmed.
    const raw = await deps.composer.confirmation(deps.compiled, {
      email: subscriber.email,
      confirmUrl: `${deps.config.publicUrl}/confirm?token=${token}`,
      fromAddress: deps.config.senderAddress,
    });
    await deps.mailer.sendRaw({
      raw,
      to: subscriber.email,
      tags: { kind: 'confirmation', course: course.slug, subscriber: subscriber.id },
    });
  } catch (e: unknown) {
    // The 10-minute window was taken for a mail that never left: give it back so a retry can send.
    if (subscriber.confirmationSentAt !== undefined) await deps.store.forgetConfirmationSent(subscriber.id, subscriber.confirmationSentAt);
    throw new DependencyError('The confirmation email could not be sent right now. Please try again in a few minutes.', e);
  }
}

export interface ConfirmView {
  /** `a***@example.com`. */
  maskedEmail: string;
  courseTitle: string;
  /** `pending`: the page offers the button; `active`/`completed`: already confirmed (a used link). */
  status: 'pending' | 'active' | 'completed';
  subscriber: Subscriber;
}

/**
 * What the confirm page (GET and HEAD) shows. Reads only: mail security gateways fetch (GET or HEAD)
 * every link in a message, so opening the link must never activate anything; the page's button
 * POSTs to `confirmSubscription`. Throws the same errors as a confirm would (expired, ended).
 */
export async function describeConfirmation(deps: SubscriptionDeps, token: string | undefined): Promise<ConfirmView> {
  const now = deps.clock.now();
  const { subscriberId } = deps.tokens.verify(token, 'confirm', now);
  const subscriber = await deps.store.getSubscriber(subscriberId);
  if (subscriber === undefined) throw expiredSubscription();
  const base = {
    maskedEmail: maskEmail(subscriber.email),
    courseTitle: catalogOf(deps).get(subscriber.course)?.course.title ?? deps.compiled.course.title,
    subscriber,
  };
  switch (subscriber.status) {
    case 'active':
    case 'completed':
      return { ...base, status: subscriber.status };
    case 'unsubscribed':
    case 'bounced':
    case 'complained':
      throw subscriptionEnded();
    case 'pending':
      if (subscriber.expiresAt !== undefined && subscriber.expiresAt <= epochSeconds(now)) throw expiredSubscription();
      return { ...base, status: 'pending' };
  }
}

export interface ConfirmResult {
  subscriber: Subscriber;
  /** False when it was already confirmed (a second click): the page is the same. */
  changed: boolean;
}

/**
 * The subscription behind a confirm link becomes active, due now: the next drip run sends lesson 1.
 * Only the confirm page's button (POST) calls this; a repeated POST answers the same and changes nothing.
 */
export async function confirmSubscription(deps: SubscriptionDeps, token: string | undefined): Promise<ConfirmResult> {
  const now = deps.clock.now();
  const { subscriberId } = deps.tokens.verify(token, 'confirm', now);
  for (let attempt = 0; attempt < 2; attempt++) {
    const subscriber = await deps.store.getSubscriber(subscriberId);
    if (subscriber === undefined) throw expiredSubscription();
    switch (subscriber.status) {
      case 'active':
      case 'completed':
        return { subscriber, changed: false };
      case 'unsubscribed':
      case 'bounced':
      case 'complained':
        throw subscriptionEnded();
      case 'pending':
        break;
    }
    if (subscriber.expiresAt !== undefined && subscriber.expiresAt <= epochSeconds(now)) throw expiredSubscription();
    // The lock first: a confirmed subscription whose lock could still expire would let a second
    // subscription of the same address in later. A lock that is not ours means this one expired.
    if (!(await deps.store.keepAddress(subscriber.course, subscriber.email, subscriber.id))) throw expiredSubscription();
    const done = subscriber.nextLesson >= servedCourse(deps, subscriber.course).lessons.length;
    const activated = await deps.store.activate(
      subscriber.id,
      done ? { at: now, status: 'completed' } : { at: now, status: 'active', nextSendAt: now },
    );
    if (activated) {
      const after = await deps.store.getSubscriber(subscriber.id);
      return { subscriber: after ?? subscriber, changed: true };
    }
    // Lost to a concurrent click (or an expiry): read again and answer from what is there now.
  }
  throw expiredSubscription();
}

function subscriptionEnded(): AppError {
  return new AppError(
    'subscription_ended',
    'This subscription has ended, so this link no longer works. You can sign up again on the course page.',
    410,
  );
}

function expiredSubscription(): AppError {
  return new AppError('subscription_expired', 'This confirmation link has expired. Please sign up again to get a new one.', 410);
}

export interface UnsubscribeView {
  /** `a***@example.com`; absent when the subscription no longer exists. */
  maskedEmail?: string;
  courseTitle: string;
  /** The subscription's course (slug); absent when the subscription no longer exists. */
  course?: string;
  /** The status now; absent when the subscription no longer exists (nothing will be sent either way). */
  status?: Subscriber['status'];
}

/** What the unsubscribe page shows. Reads only: mail scanners follow links, so GET changes nothing. */
export async function describeUnsubscribe(deps: SubscriptionDeps, token: string | undefined): Promise<UnsubscribeView> {
  const { subscriberId } = deps.tokens.verify(token, 'unsubscribe', deps.clock.now());
  const subscriber = await deps.store.getSubscriber(subscriberId);
  return view(deps, subscriber);
}

/**
 * Unsubscribes at once (a person's button or a mail client's RFC 8058 one-click). Idempotent, sends
 * nothing. A bounced or complained subscriber keeps that stronger status.
 */
export async function unsubscribe(deps: SubscriptionDeps, token: string | undefined): Promise<UnsubscribeView> {
  const now = deps.clock.now();
  const { subscriberId } = deps.tokens.verify(token, 'unsubscribe', now);
  const before = await deps.store.unsubscribe(subscriberId, now);
  if (before !== undefined && before.status !== 'pending' && before.nextLesson > 0) {
    // "Unsubscribed after lesson n" is a statistic, not consent: a failed count must not fail the unsubscribe.
    try {
      await deps.store.countUnsubscribeAfter(before.course, before.nextLesson - 1);
    } catch (e: unknown) {
      deps.log?.({
        msg: 'unsubscribe counter not updated',
        level: 'warn',
        subscriberId,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
  const after = before === undefined ? await deps.store.getSubscriber(subscriberId) : { ...before, status: 'unsubscribed' as const };
  return view(deps, after);
}

function view(deps: SubscriptionDeps, subscriber: Subscriber | undefined): UnsubscribeView {
  const course = subscriber === undefined ? undefined : catalogOf(deps).get(subscriber.course)?.course;
  return {
    courseTitle: (course ?? deps.compiled.course).title,
    ...(subscriber === undefined ? {} : { maskedEmail: maskEmail(subscriber.email), status: subscriber.status, course: subscriber.course }),
  };
}
