// The signup, the first step of the subscriber lifecycle (double opt-in). The HTTP form's signup
// (acceptSignup) stores the request for the outbox and answers at once; the outbox (signup-outbox.ts)
// then applies it (applySignup): every rule that depends on what is stored for the address, and the
// confirmation email. An operator's import (subscribe) decides and mails at once. The course is an
// argument, looked up once per request from the catalogue (courses.ts).
import { randomBytes } from 'node:crypto';
import { AppError, DependencyError, RateLimitedError, ValidationError } from './errors.js';
import { publishEvents, subscriptionEvent } from './events.js';
import { epochSeconds, type LifecycleDeps, type ListedCourse, type MailedCourse, type SubscriptionDeps } from './lifecycle.js';
import { SendError } from './ports.js';
import type { ConsentRecord, Subscriber } from './model.js';
import { SUPPRESSED_STATUSES } from './model.js';
import type { PendingRenewal, SignupRequest } from './subscription-store.js';
import { parseSignupInput, type SignupInput } from './validation.js';
import { resolveTimezone } from './schedule.js';

/** At most one confirmation email per address in this window (the form must not mail-bomb anyone). */
export const CONFIRMATION_RESEND_MS = 10 * 60 * 1000;
/** Pending subscriptions (and their address lock) expire this long after the last confirmation email. */
export const PENDING_TTL_SECONDS = 7 * 24 * 60 * 60;
/** The per-client-IP signup limit counts in windows of this length. */
export const SIGNUP_IP_WINDOW_SECONDS = 60 * 60;

/** A request not done within this is dropped by TTL (its confirmation link would have expired too). */
export const SIGNUP_REQUEST_TTL_SECONDS = 7 * 24 * 60 * 60;

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
 * A signup to `course` decided and mailed at once (the operator's import, tests): parse, the per-IP
 * limit when mailing, then applySignup. The HTTP form uses acceptSignup instead, which answers
 * before any of the address's state is read.
 */
export async function subscribe<C extends MailedCourse>(
  deps: SubscriptionDeps<C>,
  course: C,
  input: SubscribeInput,
): Promise<SubscribeResult> {
  const fields = parseSignupInput(input.fields);
  // People never see the honeypot; whatever filled it gets the success answer and nothing else.
  if (fields.website !== undefined && fields.website.trim() !== '') return { outcome: 'honeypot' };
  const now = deps.clock.now();
  const sendConfirmation = input.sendConfirmation ?? true;
  if (sendConfirmation) await checkSignupRate(deps, input.consent.ip, now);
  return applySignup(deps, course, { fields, consent: input.consent, sendConfirmation });
}

/** The per-client-IP signup limit; throws RateLimitedError (429, Retry-After) past it. */
export async function checkSignupRate(deps: Pick<LifecycleDeps, 'store' | 'config'>, ip: string, now: Date): Promise<void> {
  const hits = await deps.store.hitRateLimit(`signup-ip:${ip}`, now, SIGNUP_IP_WINDOW_SECONDS);
  if (hits > deps.config.signupsPerIpPerHour) throw rateLimited(now);
}

export interface AcceptInput<C extends ListedCourse> {
  /** The raw form or JSON fields; checked here (parseSignupInput). */
  fields: unknown;
  /**
   * The course the fields name, as courseOfSignup (courses.ts) answered it: its ValidationError is
   * thrown here, after the other fields are checked and unless the honeypot was filled.
   */
  course: C | ValidationError;
  consent: Omit<ConsentRecord, 'at'>;
}

export type AcceptResult = { outcome: 'accepted'; requestId: string } | { outcome: 'honeypot' };

/**
 * The HTTP form's signup: checks the fields (ValidationError), the per-IP limit (RateLimitedError),
 * then stores the request and kicks the outbox. Reads nothing about the address: the same two
 * writes for a new, pending, active or suppressed address.
 */
export async function acceptSignup<C extends ListedCourse>(deps: LifecycleDeps<C>, input: AcceptInput<C>): Promise<AcceptResult> {
  const { website, ...fields } = parseSignupInput(input.fields);
  // People never see the honeypot; whatever filled it gets the success answer and nothing else.
  if (website !== undefined && website.trim() !== '') return { outcome: 'honeypot' };
  // The course field is checked with the rest (course_required, unknown_course) before anything is written.
  if (input.course instanceof ValidationError) throw input.course;
  const { slug } = input.course.course;
  const now = deps.clock.now();
  await checkSignupRate(deps, input.consent.ip, now);
  const request: SignupRequest = {
    requestId: randomBytes(16).toString('base64url'),
    receivedAt: now.toISOString(),
    fields,
    course: slug,
    consent: { ...input.consent, at: now.toISOString() },
  };
  await deps.store.enqueueSignup(request, epochSeconds(now) + SIGNUP_REQUEST_TTL_SECONDS);
  deps.outbox?.kick(request);
  return { outcome: 'accepted', requestId: request.requestId };
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
export async function applySignup<C extends MailedCourse>(
  deps: SubscriptionDeps<C>,
  course: C,
  input: ApplySignupInput,
): Promise<SubscribeResult> {
  const { fields, sendConfirmation, requestId } = input;
  const { store, clock } = deps;
  const { slug, defaultTimezone } = course.course;
  const now = clock.now();
  if (await store.isSuppressed(fields.email)) return { outcome: 'suppressed' };

  const consent: ConsentRecord = { ...input.consent, at: input.consent.at ?? now.toISOString() };
  const timezone = resolveTimezone(fields.timezone, defaultTimezone);
  const expiresAt = epochSeconds(now) + PENDING_TTL_SECONDS;
  const confirmationSentAt = sendConfirmation ? now.toISOString() : undefined;
  const pending = (id: string): Subscriber => ({
    id,
    course: slug,
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
    if (sendConfirmation) await sendConfirmationEmail(deps, course, subscriber, now);
    await signedUp(deps, subscriber, now, { renewed: false, confirmationSent: sendConfirmation });
    return { outcome: 'created', subscriberId: subscriber.id };
  };

  // Each pass either decides or loses a race to a concurrent signup of the same address, whose
  // write is then visible to the next pass; three passes cover every interleaving of two writes.
  for (let attempt = 0; attempt < 3; attempt++) {
    const record = await store.findByAddress(slug, fields.email);
    const lockExpired = record?.expiresAt !== undefined && record.expiresAt <= epochSeconds(now);
    if (record === undefined || lockExpired) {
      const id = newSubscriberId();
      if (!(await store.claimAddress({ course: slug, email: fields.email, id, expiresAt }, now))) continue;
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
      await sendConfirmationEmail(deps, course, existing, now);
      await signedUp(deps, existing, now, { renewed: true, confirmationSent: sendConfirmation });
      return { outcome: 'renewed', subscriberId: existing.id };
    }
    if (existing.status === 'active' || existing.status === 'completed') {
      if (existing.status === 'active' && input.notifyKnown === true && sendConfirmation)
        await sendKnownSignupNotice(deps, course, existing, fields.timezone ? timezone : undefined, now);
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
    if (sendConfirmation) await sendConfirmationEmail(deps, course, renewed, now);
    await signedUp(deps, renewed, now, { renewed: true, confirmationSent: sendConfirmation });
    return { outcome: 'renewed', subscriberId: existing.id };
  }
  // Only reachable when the address keeps changing under us; the person can simply try again.
  throw new AppError('busy', 'Please try again in a moment.', 503);
}

/**
 * signed_up: a pending subscription written (and its confirmation sent, when one is sent); never for an
 * address left as it was (active, suppressed, a confirmation under 10 minutes old).
 */
function signedUp(deps: LifecycleDeps, s: Subscriber, now: Date, detail: { renewed: boolean; confirmationSent: boolean }): Promise<void> {
  return publishEvents(deps.events, [subscriptionEvent('signed_up', s, now, detail)], deps.log);
}

/**
 * Tells an active learner their address was signed up again (the one-per-10-minutes rule applies;
 * suppression was checked before). Their zone is never changed here: the new signup's zone is
 * only compared. DependencyError when the email cannot be sent (the window is given back for the retry).
 */
async function sendKnownSignupNotice(
  deps: SubscriptionDeps,
  course: MailedCourse,
  learner: Subscriber,
  signupZone: string | undefined,
  now: Date,
): Promise<void> {
  if (!(await deps.store.claimKnownSignupNotice(learner.id, now, new Date(now.getTime() - CONFIRMATION_RESEND_MS)))) return;
  // The learner's course page: their pace, zone, pause and unsubscribe are all there.
  const token = deps.tokens.sign({ subscriberId: learner.id, purpose: 'learn', issuedAt: now });
  try {
    const raw = await deps.composer.alreadySubscribed(course, {
      email: learner.email,
      manageUrl: `${deps.config.publicUrl}/learn?token=${token}`,
      timezone: learner.timezone,
      ...(learner.sendHour === undefined ? {} : { sendHour: learner.sendHour }),
      // Only a zone the signup named can differ: without one the course's stood in for it.
      zoneDiffers: signupZone !== undefined && signupZone !== learner.timezone,
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

async function sendConfirmationEmail(deps: SubscriptionDeps, course: MailedCourse, subscriber: Subscriber, now: Date): Promise<void> {
  const token = deps.tokens.sign({ subscriberId: subscriber.id, purpose: 'confirm', issuedAt: now });
  try {
    // No name: nothing a stranger typed but the address goes out before the address is confirmed.
    const raw = await deps.composer.confirmation(course, {
      email: subscriber.email,
      confirmUrl: `${deps.config.publicUrl}/confirm?token=${token}`,
      fromAddress: deps.config.senderAddress,
    });
    await deps.mailer.sendRaw({
      raw,
      to: subscriber.email,
      tags: { kind: 'confirmation', course: course.course.slug, subscriber: subscriber.id },
    });
  } catch (e: unknown) {
    // The 10-minute window was taken for a mail that never left: give it back so a retry can send.
    if (subscriber.confirmationSentAt !== undefined) await deps.store.forgetConfirmationSent(subscriber.id, subscriber.confirmationSentAt);
    throw new DependencyError('The confirmation email could not be sent right now. Please try again in a few minutes.', e);
  }
}
