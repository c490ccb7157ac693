// The signup outbox: `POST /subscribe` checks the form, counts the client IP, stores the signup as an
// outbox request and answers (signup.ts, acceptSignup), the same way and with the same work whatever
// the address's state (so the answer time tells nothing about who is subscribed). Everything that depends on the address
// (suppression, dedupe, the 10-minute limit, the confirmation email) runs from the outbox: at once in
// the local stack (kicked in-process), and on every drip run (a sweep, which also picks up whatever a
// crash left). A request stays in the outbox until its work is done, so a crash after storing a
// signup never leaves the person without a confirmation once the service is back.
//
// The outbox is ordered by when each request is next due (its arrival, then each retry time), and a
// sweep reads only the due ones, page by page: a request waiting out a backoff costs no read, and one
// SES refuses for good (MessageRejected: an unverified address in the sandbox) is finished as a held
// record (`course held`) instead of being retried for a week at the head of the queue.
import { randomBytes } from 'node:crypto';
import { courseOfSubscription } from './courses.js';
import { DependencyError } from './errors.js';
import { epochSeconds, type MailedCourse, type SubscriptionDeps } from './lifecycle.js';
import { noMetrics, SendError, type Log, type Metrics } from './ports.js';
import { applySignup, type SubscribeOutcome } from './signup.js';
import type { HeldSignup, SignupOutbox, SignupRequest } from './subscription-store.js';
import { controlCharactersToSpaces } from './text.js';

export type { HeldSignup, OutboxPage, SignupOutbox, SignupOutboxStore, SignupRequest } from './subscription-store.js';

/** How long a claim on a request holds: a worker that dies mid-request is replaced after this. */
export const SIGNUP_LEASE_MS = 60_000;
/** After a failed try, the next is at least this long later (doubling, up to 10 minutes). */
const RETRY_BASE_MS = 30_000;
/** How long a held confirmation stays listed in `course held` (TTL): a month for the operator to look. */
export const HELD_SIGNUP_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Requests read per outbox page. */
const SWEEP_PAGE = 100;

export type ProcessOutcome = SubscribeOutcome | 'taken' | 'failed' | 'held';

/**
 * SES refused the confirmation for good (a SendError of kind `permanent`, e.g. MessageRejected for an
 * unverified address in the sandbox), anywhere in the error's `cause` chain. Throttling, SES or
 * DynamoDB being down are not: those are retried.
 */
export function isPermanentRefusal(e: unknown): e is Error {
  return permanentRefusalIn(e) !== undefined;
}

/** The permanent SendError in `e`'s cause chain, if any (its message is SES's reason). */
function permanentRefusalIn(e: unknown): SendError | undefined {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c instanceof SendError && c.kind === 'permanent') return c;
  }
  return undefined;
}

/** SES's refusal in words: the SendError's message and, when it wraps SES's own error, that one's. */
const refusalText = (e: Error): string => (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message);

/**
 * Does one request's work once: claim it, apply the signup (which mails the confirmation when it is
 * due), then remove it. `taken`: someone else holds it or it is gone. `held`: SES refused the
 * confirmation for good (isPermanentRefusal); the request is finished as a held record. `failed`: the
 * work threw otherwise (SES or DynamoDB down); the request is given back for a later try. Either
 * error is passed to `onError`.
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
    ({ outcome } = await applySignup(
      deps,
      courseOfRequest(deps, request),
      // notifyKnown: a form signup of an address already learning sends that learner the "already subscribed" email.
      { fields: request.fields, consent: request.consent, sendConfirmation: true, requestId: request.requestId, notifyKnown: true },
    ));
  } catch (e: unknown) {
    onError?.(e);
    if (isPermanentRefusal(e)) return holdRefused(deps, request, claimId, e);
    const attempts = request.attempts ?? 0;
    const wait = Math.min(RETRY_BASE_MS * 2 ** attempts, 10 * 60_000);
    await deps.store.releaseSignup(request, claimId, new Date(deps.clock.now().getTime() + wait), errorText(e).slice(0, 300));
    return 'failed';
  }
  await deps.store.finishSignup(request, claimId);
  return outcome;
}

/** The deployment's first course: what a request stored before several courses (no `course`) means. */
const firstCourse = <C extends MailedCourse>(deps: SubscriptionDeps<C>): C => deps.courses.all[0]!;

/** The course a request is for (AppError 410 `course_not_served` when it is no longer served). */
function courseOfRequest<C extends MailedCourse>(deps: SubscriptionDeps<C>, request: SignupRequest): C {
  return request.course === undefined ? firstCourse(deps) : courseOfSubscription(deps.courses, request.course);
}

/** A refused confirmation leaves the outbox as a held record; `taken` if the claim was lost meanwhile. */
async function holdRefused(deps: SubscriptionDeps, request: SignupRequest, claimId: string, e: Error): Promise<ProcessOutcome> {
  const now = deps.clock.now();
  const held: HeldSignup = {
    requestId: request.requestId,
    course: request.course ?? firstCourse(deps).course.slug,
    email: request.fields.email,
    receivedAt: request.receivedAt,
    heldAt: now.toISOString(),
    // One line, so it cannot redraw the operator's terminal.
    reason: controlCharactersToSpaces(refusalText(permanentRefusalIn(e) ?? e)).slice(0, 300),
    attempts: (request.attempts ?? 0) + 1,
  };
  const expiresAt = epochSeconds(now) + HELD_SIGNUP_TTL_SECONDS;
  return (await deps.store.holdSignup(request, claimId, held, expiresAt)) ? 'held' : 'taken';
}

export interface SweepSummary {
  /** Due requests read from the outbox. */
  found: number;
  done: number;
  /** Held by another worker (a kick in flight, or a worker that died within its lease). */
  taken: number;
  failed: number;
  /** Finished as held records: SES refused their confirmation for good. */
  held: number;
  /**
   * Seconds since the oldest request still waiting after this sweep was received (failed, taken, or
   * not reached before the deadline); 0 when every due request was done. Emitted as `outboxAge`.
   */
  oldestWaitingSeconds: number;
}

/**
 * Works through the due requests, most overdue first, page by page, until none is due, `deadline`
 * passes or `limit` requests were read (the drip calls this before its own run; so does the local
 * ticker). Reads only due requests: one waiting out its backoff is not read, so reads follow the work
 * due, not the outbox's size. Never throws for one request's failure: it is counted, passed to
 * `onError`, and retried by a later sweep (or held, when SES refused it for good).
 */
export async function sweepSignups(
  deps: SubscriptionDeps,
  options: { deadline: Date; limit?: number; pageSize?: number; onError?: (e: unknown) => void },
): Promise<SweepSummary> {
  const summary: SweepSummary = { found: 0, done: 0, taken: 0, failed: 0, held: 0, oldestWaitingSeconds: 0 };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const timeLeft = () => deps.clock.now().getTime() < options.deadline.getTime();
  let oldestWaiting: string | undefined;
  const waiting = (r: SignupRequest) => {
    if (oldestWaiting === undefined || r.receivedAt < oldestWaiting) oldestWaiting = r.receivedAt;
  };
  // Due as of the sweep's start: a request released during it (due later) is not read again by it.
  const asOf = deps.clock.now();
  let after: unknown;
  do {
    const page = await deps.store.dueSignups(asOf, Math.min(options.pageSize ?? SWEEP_PAGE, limit - summary.found), after);
    after = page.next;
    summary.found += page.requests.length;
    for (const request of page.requests) {
      if (!timeLeft()) {
        waiting(request);
        continue;
      }
      const outcome = await processSignup(deps, request, options.onError);
      if (outcome === 'taken' || outcome === 'failed') waiting(request);
      if (outcome === 'taken') summary.taken++;
      else if (outcome === 'failed') summary.failed++;
      else if (outcome === 'held') summary.held++;
      else summary.done++;
    }
  } while (after !== undefined && summary.found < limit && timeLeft());
  if (oldestWaiting !== undefined) {
    summary.oldestWaitingSeconds = Math.max(0, Math.round((deps.clock.now().getTime() - Date.parse(oldestWaiting)) / 1000));
  }
  return summary;
}

/**
 * One sweep as every drip run starts it (the drip Lambda and the local ticker): each request that
 * fails is logged as a warning (an error when SES refused it for good and it is held), a sweep that
 * found work logs one `signup.outbox` line with the counts, and the age of the oldest waiting request
 * goes to `metrics` as `outboxAge` (seconds; alarmed). Throws only when the outbox cannot be read (the
 * caller logs that and runs the drip anyway).
 */
export async function sweepSignupsLogged(
  deps: SubscriptionDeps,
  deadline: Date,
  log: Log,
  metrics: Metrics = noMetrics,
): Promise<SweepSummary> {
  const swept = await sweepSignups(deps, {
    deadline,
    onError: (e) =>
      isPermanentRefusal(e)
        ? log({ msg: 'signup.confirmation_refused', level: 'error', error: errorText(e), action: 'held: see `course held`; not retried' })
        : log({ msg: 'signup not sent yet; the next sweep retries it', level: 'warn', error: errorText(e) }),
  });
  if (swept.found > 0) log({ msg: 'signup.outbox', ...swept });
  metrics.add('outboxAge', swept.oldestWaitingSeconds);
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
