// The one place errors become answers: a typed AppError keeps its code, message and status; anything
// else is a 500 with a generic message (the real error goes to the log, never into the response).
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import type { Accept } from 'hono/utils/accept';
import { AppError, RateLimitedError, isAppError } from '../core/errors.js';
import type { Log } from '../core/ports.js';
import type { Course } from '../email/manifest.js';
import { errorPage, PAGE_CSP } from './pages.js';

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** The request body's media type, lower-cased, without parameters. */
export function mediaType(c: Context): string | undefined {
  return c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * Which of the two answers an Accept header picks: JSON when it names `application/json` and not
 * `text/html` (whatever their q-values: a client that names HTML at all is a browser, and gets the page).
 */
const jsonOverHtml = (accepted: Accept[]): string =>
  accepted.some((a) => a.type.toLowerCase().includes('application/json')) &&
  !accepted.some((a) => a.type.toLowerCase().includes('text/html'))
    ? 'application/json'
    : 'text/html';

/** JSON for JSON clients (a JSON body, or an Accept that asks for JSON over HTML); a page for browsers. */
export function wantsJson(c: Context): boolean {
  if (mediaType(c) === 'application/json') return true;
  return (
    accepts(c, { header: 'Accept', supports: ['text/html', 'application/json'], default: 'text/html', match: jsonOverHtml }) ===
    'application/json'
  );
}

/** An error as the client may see it: AppErrors as they are, everything else as a generic 500. */
export function publicError(e: unknown): AppError {
  if (isAppError(e)) return e;
  return new AppError('internal', 'Something went wrong on our side. Please try again later.', 500);
}

/** `home`: the signup page's URL for the page's link (see errorPage). */
export function errorResponse(c: Context, e: unknown, course: Course, log: Log, home?: string): Response {
  const err = publicError(e);
  if (err.status >= 500) {
    const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause : e) : undefined;
    log({
      level: 'error',
      msg: 'request failed',
      method: c.req.method,
      path: c.req.path,
      code: err.code,
      error: e instanceof Error ? e.message : String(e),
      cause: cause?.message,
      causeName: cause?.name,
    });
  }
  c.header('Cache-Control', 'no-store');
  // The seconds until the limit's window ends (RFC 9110 §10.2.3), when the error knows them.
  if (err.status === 429)
    c.header('Retry-After', String(err instanceof RateLimitedError && err.retryAfterSeconds !== undefined ? err.retryAfterSeconds : 60));
  if (wantsJson(c)) {
    const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.field === undefined ? {} : { field: err.field }) } };
    return c.json(body, err.status);
  }
  c.header('Content-Security-Policy', PAGE_CSP);
  return c.html(errorPage(course, err.status, err, home), err.status);
}
