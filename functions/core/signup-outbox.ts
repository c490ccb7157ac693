// The signup outbox: `POST /subscribe` checks the form, counts the client IP, stores the signup as an
// outbox request and answers, the same way and with the same work whatever the address's state (so
// the answer time tells nothing about who is subscribed). Everything that depends on the address
// (suppression, dedupe, the 10-minute limit, the confirmation email) runs from the outbox: at once in
// the local stack (kicked in-process), and on every drip run (a sweep, which also picks up whatever a
// crash left). A request stays in the outbox until its work is done, so a crash after storing a
// signup never leaves the person without a confirmation once the service is back.
import { randomBytes } from 'node:crypto';
import { DependencyError } from './errors.js';
import type { Log } from './ports.js';
import type { ConsentRecord } from './model.js';
import {
  applySignup,
  checkSignupRate,
  courseOfSignup,
  servedCourse,
  type SubscribeOutcome,
  type SubscriptionDeps,
} from './subscriptions.js';
import { parseSignupInput, type SignupInput } from './validation.js';

/** One accepted signup waiting in the outbox. */
export interface SignupRequest {
  /** 128 random bits, URL-safe. */
  requestId: string;
  /** ISO instant the form was accepted (the outbox is read oldest first). */
  receivedAt: string;
  /** Checked by parseSignupInput; the honeypot never gets here. */
  fields: Omit<SignupInput, 'website'>;
  /**
   * The slug of the course signed up for (checked against the served courses before the request is
   * stored). Absent on requests stored before several courses: those mean the deployment's first course.
   */
  course?: string;
  consent: ConsentRecord;
  /** Failed tries so far (absent before the first failure). */
  attempts?: number;
}

/** The outbox's table operations (DynamoDB: one partition `OUTBOX`, sorted by arrival; see table.ts). */
export interface SignupOutboxStore {
  /** Stores a request (a plain put; the id is fresh). `expiresAt`: epoch seconds, TTL. */
  enqueueSignup(request: SignupRequest, expiresAt: number): Promise<void>;
  /** Up to `limit` requests, oldest first, read consistently. */
  pendingSignups(limit: number): Promise<SignupRequest[]>;
  /**
   * Takes a request for `claimId` until `until` (a lease): a conditional write that succeeds only
   * when the request is still there and nobody holds a live lease on it. False otherwise.
   */
  claimSignup(request: SignupRequest, claimId: string, now: Date, until: Date): Promise<boolean>;
  /** Removes a done request, only while `claimId` holds it (the mark that it was sent once). */
  finishSignup(request: SignupRequest, claimId: string): Promise<boolean>;
  /** Gives a request back after a failure: retried after `retryAt`; `attempts` counts the tries. */
  releaseSignup(request: SignupRequest, claimId: string, retryAt: Date, error: string): Promise<void>;
}

/** What sends accepted signups in-process (the local stack): fire and forget, with a way to wait. */
export interface SignupOutbox {
  /** Starts the request's work without waiting for it; a failure is logged and left to the sweep. */
  kick(request: SignupRequest): void;
  /** Resolves when every kicked request has finished (stop, tests, the benchmark). */
  settled(): Promise<void>;
}

/** How long a claim on a request holds: a worker that dies mid-request is replaced after this. */
export const SIGNUP_LEASE_MS = 60_000;
/** A request not done within this is dropped by TTL (its confirmation link would have expired too). */
export const SIGNUP_REQUEST_TTL_SECONDS = 7 * 24 * 60 * 60;
/** After a failed try, the next is at least this long later (doubling, up to 10 minutes). */
const RETRY_BASE_MS = 30_000;

export type AcceptResult = { outcome: 'accepted'; requestId: string } | { outcome: 'honeypot' };

/**
 * The HTTP form's signup: checks the fields (ValidationError), the per-IP limit (RateLimitedError),
 * then stores the request and kicks the outbox. Reads nothing about the address: the same two
 * writes for a new, pending, active or suppressed address.
 */
export async function acceptSignup(
  deps: SubscriptionDeps,
  input: { fields: unknown; consent: Omit<ConsentRecord, 'at'> },
): Promise<AcceptResult> {
  const { website, ...fields } = parseSignupInput(input.fields);
  // People never see the honeypot; whatever filled it gets the success answer and nothing else.
  if (website !== undefined && website.trim() !== '') return { outcome: 'honeypot' };
  // The course field is checked with the rest (course_required, unknown_course) before anything is written.
  const course = courseOfSignup(deps, input.fields).course.slug;
  const now = deps.clock.now();
  await checkSignupRate(deps, input.consent.ip, now);
  const request: SignupRequest = {
    requestId: randomBytes(16).toString('base64url'),
    receivedAt: now.toISOString(),
    fields,
    course,
    consent: { ...input.consent, at: now.toISOString() },
  };
  await deps.store.enqueueSignup(request, Math.floor(now.getTime() / 1000) + SIGNUP_REQUEST_TTL_SECONDS);
  deps.outbox?.kick(request);
  return { outcome: 'accepted', requestId: request.requestId };
}

export type ProcessOutcome = SubscribeOutcome | 'taken' | 'failed';

/**
 * Does one request's work once: claim it, apply the signup (which mails the confirmation when it is
 * due), then remove it. `taken`: someone else holds it or it is gone. `failed`: the work threw (SES
 * or DynamoDB down); the request is given back for a later try and the error is passed to `onError`.
 */
export async function processSignup(
  deps: SubscriptionDeps,
  request: SignupRequest,
  onError?: (e: unknown) => void,
): Promise<ProcessOutcome> {
  const now = deps.clock.now();
  const claimId = randomBytes(12).toString('base64url');
  if (!(await deps.store.claimSignup(request, claimId, now, new Date(now.getTime() + SIGNUP_LEASE_MS)))) return 'taken';
  let outcome: SubscribeOutcome;
  try {
    // One subscription per (address, course): the request's course is the one applied and mailed.
    const course = servedCourse(deps, request.course ?? deps.compiled.course.slug);
    ({ outcome } = await applySignup(
      { ...deps, compiled: course },
      // notifyKnown: a form signup of an address already learning sends that learner the "already subscribed" email.
      { fields: request.fields, consent: request.consent, sendConfirmation: true, requestId: request.requestId, notifyKnown: true },
    ));
  } catch (e: unknown) {
    onError?.(e);
    const attempts = request.attempts ?? 0;
    const wait = Math.min(RETRY_BASE_MS * 2 ** attempts, 10 * 60_000);
    const reason = e instanceof Error ? e.message : String(e);
    await deps.store.releaseSignup(request, claimId, new Date(deps.clock.now().getTime() + wait), reason.slice(0, 300));
    return 'failed';
  }
  await deps.store.finishSignup(request, claimId);
  return outcome;
}

export interface SweepSummary {
  /** Requests read from the outbox. */
  found: number;
  done: number;
  /** Held by another worker (a kick in flight) or waiting for their retry time. */
  taken: number;
  failed: number;
}

/**
 * Works through the outbox, oldest first, until it is empty, `deadline` passes or `limit` requests
 * were read (the drip calls this before its own run; so does the local ticker). Never throws for one
 * request's failure: it is counted, logged through `onError`, and retried by a later sweep.
 */
export async function sweepSignups(
  deps: SubscriptionDeps,
  options: { deadline: Date; limit?: number; onError?: (e: unknown) => void },
): Promise<SweepSummary> {
  const summary: SweepSummary = { found: 0, done: 0, taken: 0, failed: 0 };
  const requests = await deps.store.pendingSignups(options.limit ?? 200);
  summary.found = requests.length;
  for (const request of requests) {
    if (deps.clock.now().getTime() >= options.deadline.getTime()) break;
    const outcome = await processSignup(deps, request, options.onError);
    if (outcome === 'taken') summary.taken++;
    else if (outcome === 'failed') summary.failed++;
    else summary.done++;
  }
  return summary;
}

/**
 * One sweep as every drip run starts it (the drip Lambda and the local ticker): each request that
 * fails is logged as a warning, and a sweep that found work logs one `signup.outbox` line with the
 * counts. Throws only when the outbox cannot be read (the caller logs that and runs the drip anyway).
 */
export async function sweepSignupsLogged(deps: SubscriptionDeps, deadline: Date, log: Log): Promise<SweepSummary> {
  const swept = await sweepSignups(deps, {
    deadline,
    onError: (e) => log({ msg: 'signup not sent yet; the next sweep retries it', level: 'warn', error: errorText(e) }),
  });
  if (swept.found > 0) log({ msg: 'signup.outbox', ...swept });
  return swept;
}

/**
 * The in-process outbox of the local stack: a kicked request is processed at once, after the answer
 * (nothing awaits it); `settled()` waits for all of them. Failures are logged and left to the sweep.
 */
export function createInProcessOutbox(getDeps: () => SubscriptionDeps, log: Log): SignupOutbox {
  const inFlight = new Set<Promise<unknown>>();
  return {
    kick(request) {
      const work = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() =>
          processSignup(getDeps(), request, (e) =>
            log({
              msg: 'signup not sent yet; the next sweep retries it',
              level: 'warn',
              requestId: request.requestId,
              error: errorText(e),
            }),
          ),
        )
        .catch((e: unknown) =>
          log({ msg: 'signup outbox failed; the next sweep retries it', level: 'warn', requestId: request.requestId, error: errorText(e) }),
        )
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

function errorText(e: unknown): string {
  if (e instanceof DependencyError && e.cause instanceof Error) return `${e.message}: ${e.cause.message}`;
  return e instanceof Error ? e.message : String(e);
}
