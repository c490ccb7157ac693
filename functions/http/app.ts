// The HTTP app of the HTTP contract, the same in Lambda (hono/aws-lambda) and locally
// (@hono/node-server): parse and check the request, call the subscription core, shape a page or JSON.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { AppError, NotFoundError, ValidationError } from '../core/errors.js';
import type { ConsentRecord, Subscriber } from '../core/model.js';
import type { Log, RunDrip } from '../core/ports.js';
import { acceptSignup } from '../core/signup-outbox.js';
import {
  SUBSCRIBE_MESSAGE,
  catalogOf,
  confirmSubscription,
  courseOfSignup,
  describeConfirmation,
  describeUnsubscribe,
  unsubscribe,
  type SubscriptionDeps,
} from '../core/subscriptions.js';
import type { CompiledCourse, CourseCatalog } from '../email/compiled-course.js';
import type { Course } from '../email/manifest.js';
import { errorResponse, mediaType, wantsJson } from './errors.js';
import {
  PAGE_CSP,
  checkInboxPage,
  confirmPage,
  confirmedPage,
  coursesPage,
  signupPage,
  unsubscribePage,
  unsubscribedPage,
} from './pages.js';

/** Request bodies above this are refused with 413 before they are read further. */
export const MAX_BODY_BYTES = 10 * 1024;
/** Wall time one `POST /__local/drip` run may take. */
const LOCAL_DRIP_BUDGET_MS = 60_000;
// Kept in the consent record; bounded so a hostile client cannot grow an item.
const MAX_USER_AGENT = 512;
const MAX_PAGE = 2048;
/** The signup form's fields (parseSignupInput); each may be given once. */
const SIGNUP_FIELDS = ['email', 'name', 'timezone', 'website', 'course'] as const;

export interface AppOptions {
  /** The subscription core's deps, on the compiled courses (the pages show the whole manifest). */
  deps: SubscriptionDeps<CompiledCourse>;
  /** Origins allowed to post the signup form from another site (config.corsOrigins). */
  corsOrigins?: readonly string[];
  /**
   * The client's IP as the edge knows it (API Gateway's sourceIp, the socket's address). Without it
   * the first `X-Forwarded-For` entry is used (tests and `app.request()`).
   */
  clientIp?: (c: Context) => string | undefined;
  /** The drip, for `POST /__local/drip` (wired by the drip's module). */
  runDrip?: RunDrip;
  /** Registers the local-only routes (`POST /__local/drip`). Never set in Lambda. */
  local?: boolean;
  /** The log port; default console.error of the object. */
  log?: Log;
}

/** True when the request carries a body (RFC 9112 §6.3: a Transfer-Encoding, or a Content-Length above 0). */
function hasBody(headers: Headers): boolean {
  if (headers.has('transfer-encoding')) return true;
  const length = headers.get('content-length');
  return length !== null && length.trim() !== '0';
}

function firstForwardedFor(c: Context): string | undefined {
  return c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || undefined;
}

/**
 * The body of a form post as plain fields (a file upload in a text field stays non-text and fails
 * validation). A field in `single` given more than once is refused: which copy counts would otherwise
 * depend on the encoding (the last in a URL-encoded body, the first in multipart), and a filled
 * honeypot could be hidden behind an empty copy.
 */
async function formFields(c: Context, type: string, single: readonly string[]): Promise<Record<string, unknown>> {
  let entries: Iterable<[string, unknown]>;
  if (type === 'application/x-www-form-urlencoded') entries = new URLSearchParams(await c.req.text());
  else {
    try {
      entries = (await c.req.formData()).entries();
    } catch {
      throw new ValidationError('invalid_form', 'The form data could not be read.');
    }
  }
  const fields = new Map<string, unknown>();
  for (const [k, v] of entries) {
    if (!fields.has(k)) fields.set(k, v);
    else if (single.includes(k)) throw new ValidationError('repeated_field', `The ${k} field is given more than once.`, k);
  }
  return Object.fromEntries(fields);
}

/** `text` parsed as JSON; ValidationError `invalid_json` when it is not. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('invalid_json', 'The request body is not valid JSON.');
  }
}

async function jsonBody(c: Context): Promise<unknown> {
  return parseJson(await c.req.text());
}

/** What every route group reads: the ports, the courses served, and which course a page wears. */
interface Site {
  deps: SubscriptionDeps<CompiledCourse>;
  /** Pages that belong to no course (errors, the list) wear the first course's look and footer. */
  course: Course;
  catalog: CourseCatalog;
  /** More than one course: `GET /` lists them and the signup form names its course. */
  several: boolean;
}

function siteOf(deps: SubscriptionDeps<CompiledCourse>): Site {
  const catalog = catalogOf(deps);
  return { deps, course: deps.compiled.course, catalog, several: catalog.all.length > 1 };
}

/** A stored subscription's course (its slug); the first course if it is no longer served (the core then refuses). */
function courseNamed(site: Site, slug: string | undefined): Course {
  return (slug === undefined ? undefined : site.catalog.get(slug)?.course) ?? site.course;
}

/**
 * The HTTP app: the contract's routes (docs/reference/http-api.md) in groups (course pages, signup, the
 * confirm and unsubscribe links, local-only tools), every answer through the same security headers
 * and the one error mapping (errors.ts).
 */
export function createApp(options: AppOptions): Hono {
  const { deps } = options;
  const site = siteOf(deps);
  const log: Log = options.log ?? ((entry) => console.error(entry));
  const app = new Hono();

  app.use('*', securityHeaders(deps.config.publicUrl.startsWith('https:')));
  addCoursePages(app, site);
  addSignup(app, site, options);
  addConfirmLinks(app, site);
  addUnsubscribeLinks(app, site);
  if (options.local) addLocalDrip(app, deps, options.runDrip);

  // An unknown path may be deep (/a/b/), where the pages' relative "./" is not the signup page.
  app.notFound((c) =>
    errorResponse(c, new NotFoundError('not_found', 'There is nothing at this address.'), site.course, log, `${deps.config.publicUrl}/`),
  );
  app.onError((e, c) => errorResponse(c, e, site.course, log));
  return app;
}

/** The headers every answer carries, set after the route has answered. */
function securityHeaders(https: boolean): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // An error answered to a request with a body may come before the body was read (413 from the
    // Content-Length alone, 415, 400 on headers): what is left of the body would then be read as
    // the next request on a kept-alive connection. Closing it is the one answer that is always
    // right (RFC 9112 §9.6: the server signals it will close with `Connection: close`).
    if (c.res.status >= 400 && hasBody(c.req.raw.headers)) c.header('Connection', 'close');
    // Browsers keep to https for this site once they have seen it over https (RFC 6797); a year,
    // this host only (the public URL's parent domain may serve other things).
    if (https) c.header('Strict-Transport-Security', 'max-age=31536000');
    c.header('X-Content-Type-Options', 'nosniff');
    // Same-origin: our own signup form's Referer becomes the consent record's page; token URLs never leave.
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Frame-Options', 'DENY');
    if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}

/** Refuses a body over MAX_BODY_BYTES with 413 `body_too_large`, before it is read further. */
const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ValidationError('body_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`, undefined, 413);
  },
});

/** An HTML page, with the pages' Content-Security-Policy. */
function page(c: Context, body: string, status: 200 | 400 = 200): Response {
  c.header('Content-Security-Policy', PAGE_CSP);
  return c.html(body, status);
}

// One course: its signup page. Several: the list at `/`, each course's signup page at /courses/<slug>.
function addCoursePages(app: Hono, site: Site): void {
  app.get('/', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return page(c, site.several ? coursesPage(site.catalog.all.map((x) => x.course)) : signupPage(site.course));
  });

  app.get('/courses/:slug', (c) => {
    const chosen = site.catalog.get(c.req.param('slug'));
    if (chosen === undefined) throw new NotFoundError('unknown_course', 'There is no such course.');
    c.header('Cache-Control', 'public, max-age=300');
    return page(c, signupPage(chosen.course, {}, { action: '../subscribe', courseField: true }));
  });
}

// POST /subscribe: the signup form (or JSON), stored for the outbox and answered at once.
function addSignup(app: Hono, site: Site, options: AppOptions): void {
  const corsOrigins = new Set(options.corsOrigins ?? []);
  // Only the signup form may be posted from other sites, and only from the configured origins.
  app.use(
    '/subscribe',
    cors({
      origin: (origin) => (corsOrigins.has(origin) ? origin : null),
      allowMethods: ['POST'],
      allowHeaders: ['Content-Type', 'Accept'],
      maxAge: 600,
    }),
  );

  app.post('/subscribe', limitBody, async (c) => {
    const { fields, json } = await signupFields(c);
    const consent = consentOf(c, site.deps, options.clientIp);
    const chosen = namedCourse(site.deps, fields);
    const signedUpFor = chosen?.course ?? site.course;
    try {
      // Stored for the outbox and answered at once: nothing about the address is read on this path.
      await acceptSignup(site.deps, { fields, consent });
    } catch (e: unknown) {
      // A browser's form post with a bad field gets the form back, filled in, with the error at it.
      if (!json && e instanceof ValidationError && e.status === 400 && !wantsJson(c) && (chosen !== undefined || !site.several)) {
        return signupFormAgain(c, site, signedUpFor, fields, e);
      }
      throw e;
    }
    // The same answer whatever happened: new, pending, active, unsubscribed, suppressed or a bot.
    if (json || wantsJson(c)) return c.json({ ok: true, message: SUBSCRIBE_MESSAGE });
    return page(c, checkInboxPage(signedUpFor, SUBSCRIBE_MESSAGE, site.several ? `courses/${signedUpFor.slug}` : './'));
  });
}

/** The signup's fields from a form post or a JSON body (`json`: answered in JSON); 415 for any other body. */
async function signupFields(c: Context): Promise<{ fields: unknown; json: boolean }> {
  const type = mediaType(c);
  if (type === 'application/json') return { fields: await jsonBody(c), json: true };
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data')
    return { fields: await formFields(c, type, SIGNUP_FIELDS), json: false };
  throw new ValidationError(
    'unsupported_media_type',
    'Send the form as application/x-www-form-urlencoded, multipart/form-data or application/json.',
    undefined,
    415,
  );
}

/** The consent record's request facts: client IP, user agent and the page the form was on, each bounded. */
function consentOf(c: Context, deps: SubscriptionDeps, clientIp: AppOptions['clientIp']): Omit<ConsentRecord, 'at'> {
  return {
    ip: clientIp?.(c) ?? firstForwardedFor(c) ?? 'unknown',
    userAgent: (c.req.header('user-agent') ?? '').slice(0, MAX_USER_AGENT),
    page: (c.req.header('referer') ?? `${deps.config.publicUrl}/`).slice(0, MAX_PAGE),
  };
}

/** The course the form is for, when it names a known one (pages below are that course's); acceptSignup() refuses the rest, naming the field. */
function namedCourse(deps: SubscriptionDeps<CompiledCourse>, fields: unknown): CompiledCourse | undefined {
  try {
    return courseOfSignup(deps, fields);
  } catch {
    return undefined;
  }
}

/** The signup form again, with what was typed and the error at its field (400). */
function signupFormAgain(c: Context, site: Site, course: Course, fields: unknown, e: ValidationError): Response {
  const values = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 300) : undefined);
  const state = {
    error: { message: e.message, ...(e.field === undefined ? {} : { field: e.field }) },
    values: { email: text(values.email), name: text(values.name) },
  };
  c.header('Cache-Control', 'no-store');
  return page(c, signupPage(course, state, { courseField: site.several }), 400);
}

/** A link's token for a POST: from the query (the pages' buttons) or a form field named `token`. */
async function linkToken(c: Context): Promise<string | undefined> {
  const token = c.req.query('token');
  const type = mediaType(c);
  if (token === undefined && (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data')) {
    const fields = await formFields(c, type, ['token']);
    if (typeof fields.token === 'string') return fields.token;
  }
  return token;
}

// A later click (after a lesson went out) finds the next lesson scheduled, not due at once.
function confirmedView(site: Site, subscriber: Subscriber): string {
  const scheduled = subscriber.nextSendAt !== undefined && new Date(subscriber.nextSendAt).getTime() > site.deps.clock.now().getTime();
  return confirmedPage(courseNamed(site, subscriber.course), subscriber.status, subscriber.nextLesson, scheduled);
}

// GET and POST /confirm: the link in the confirmation email, and its page's button.
function addConfirmLinks(app: Hono, site: Site): void {
  const { deps } = site;
  // Reads only (GET and HEAD alike): mail security gateways fetch every link in a message, so the
  // link opens a page whose button POSTs; nothing on the page submits it by itself.
  app.get('/confirm', async (c) => {
    const token = c.req.query('token');
    const view = await describeConfirmation(deps, token);
    c.header('X-Robots-Tag', 'noindex');
    if (wantsJson(c)) return c.json({ ok: true, status: view.status, maskedEmail: view.maskedEmail, courseTitle: view.courseTitle });
    if (view.status === 'pending')
      return page(c, confirmPage(courseNamed(site, view.subscriber.course), view.maskedEmail, token ?? '', view.subscriber.nextLesson));
    return page(c, confirmedView(site, view.subscriber));
  });

  // The confirm page's button: activates; a repeated POST answers the same page and changes nothing.
  app.post('/confirm', limitBody, async (c) => {
    const { subscriber } = await confirmSubscription(deps, await linkToken(c));
    if (wantsJson(c)) return c.json({ ok: true, status: subscriber.status });
    return page(c, confirmedView(site, subscriber));
  });
}

// GET and POST /unsubscribe: the link in every lesson, its page's button, and mail clients' one-click.
function addUnsubscribeLinks(app: Hono, site: Site): void {
  const { deps } = site;
  // Reads only: mail security scanners fetch every link in a message.
  app.get('/unsubscribe', async (c) => {
    const token = c.req.query('token');
    const view = await describeUnsubscribe(deps, token);
    c.header('X-Robots-Tag', 'noindex');
    if (wantsJson(c)) return c.json({ ok: true, ...view });
    return page(c, unsubscribePage(courseNamed(site, view.course), view, token ?? ''));
  });

  // A person's button, or a mail client's RFC 8058 one-click (body `List-Unsubscribe=One-Click`).
  app.post('/unsubscribe', limitBody, async (c) => {
    const token = await linkToken(c);
    const view = await unsubscribe(deps, token);
    if (wantsJson(c)) return c.json({ ok: true, ...view });
    return page(c, unsubscribedPage(courseNamed(site, view.course), view));
  });
}

/** Host names a request to the local stack may carry: it listens on the loopback interface only. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Refuses a request another site's page made (403 `cross_site`): `Sec-Fetch-Site` other than
 * `same-origin` or `none` (Fetch Metadata, sent by every current browser), or an `Origin` that is
 * not this app's own (the request's or the public URL's; `null` from a sandboxed page or a file is
 * never ours), or a `Host` that is neither a loopback name nor the public URL's (a DNS-rebinding
 * page makes its own origin look same-origin). Command-line clients send no Origin and pass.
 */
function refuseCrossSite(c: Context, publicUrl: string): void {
  const site = c.req.header('sec-fetch-site')?.trim().toLowerCase();
  const origin = c.req.header('origin')?.trim();
  const url = new URL(c.req.url);
  const publicHost = new URL(publicUrl).hostname;
  const own = new Set([url.origin, new URL(publicUrl).origin]);
  const hostOk = LOOPBACK_HOSTS.has(url.hostname) || url.hostname === publicHost;
  if (!hostOk || (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !own.has(origin))) {
    throw new AppError('cross_site', 'This local tool only answers requests from its own pages or the command line.', 403);
  }
}

// POST /__local/drip: runs the drip now, or as at `{"at": "<ISO instant>"}` (the local stack only).
// JSON only and never from another site: a web page the developer opens could otherwise post a
// form (text/plain needs no CORS preflight) and run the drip as of any date.
function addLocalDrip(app: Hono, deps: SubscriptionDeps, runDrip: RunDrip | undefined): void {
  app.post('/__local/drip', limitBody, async (c) => {
    refuseCrossSite(c, deps.config.publicUrl);
    // No body at all means "now"; a body must be JSON.
    if (hasBody(c.req.raw.headers) && mediaType(c) !== 'application/json') {
      throw new ValidationError('unsupported_media_type', 'Send {"at": "<ISO instant>"} as application/json, or no body.', undefined, 415);
    }
    if (runDrip === undefined) {
      return c.json({ error: { code: 'not_implemented', message: 'The drip is not wired into this stack.' } }, 501);
    }
    const at = dripInstant(await c.req.text(), deps.clock.now());
    const summary = await runDrip({ now: at, deadline: new Date(deps.clock.now().getTime() + LOCAL_DRIP_BUDGET_MS) });
    return c.json(summary);
  });
}

/** The instant a local drip run is for: `at` from a body `{"at": "<ISO instant>"}`, else `now` (empty body or no `at`). */
function dripInstant(text: string, now: Date): Date {
  if (text.trim() === '') return now;
  const body = parseJson(text);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('invalid_input', 'Send {"at": "<ISO instant>"} or nothing.');
  const given = (body as { at?: unknown }).at;
  if (given === undefined) return now;
  if (typeof given !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(given) || Number.isNaN(Date.parse(given))) {
    throw new ValidationError('invalid_at', '"at" must be an ISO 8601 instant such as 2026-01-05T09:00:00Z.', 'at');
  }
  return new Date(given);
}
