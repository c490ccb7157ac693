// The HTTP app of the HTTP contract, the same in Lambda (hono/aws-lambda) and locally
// (@hono/node-server): parse and check the request, call the subscription core, shape a page or JSON.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Subscriber } from '../core/model.js';
import type { RunDrip } from '../core/ports.js';
import { acceptSignup } from '../core/signup-outbox.js';
import type { CompiledCourse } from '../email/compiled-course.js';
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
import { errorResponse, mediaType, wantsJson, type Logger } from './errors.js';
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
  log?: Logger;
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

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('invalid_json', 'The request body is not valid JSON.');
  }
}

export function createApp(options: AppOptions): Hono {
  const { deps } = options;
  // Pages that belong to no course (errors, the list) wear the first course's look and footer.
  const course = deps.compiled.course;
  const catalog = catalogOf(deps);
  const several = catalog.all.length > 1;
  /** A stored subscription's course (its slug); the first course if it is no longer served (the core then refuses). */
  const courseNamed = (slug: string | undefined) => (slug === undefined ? undefined : catalog.get(slug)?.course) ?? course;
  const log: Logger = options.log ?? ((entry) => console.error(entry));
  const corsOrigins = new Set(options.corsOrigins ?? []);
  const app = new Hono();

  const https = deps.config.publicUrl.startsWith('https:');
  app.use('*', async (c, next) => {
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
  });

  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ValidationError('body_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`, undefined, 413);
    },
  });

  const page = (c: Context, body: string, status: 200 | 400 = 200) => {
    c.header('Content-Security-Policy', PAGE_CSP);
    return c.html(body, status);
  };

  // A later click (after a lesson went out) finds the next lesson scheduled, not due at once.
  const confirmedView = (subscriber: Subscriber) => {
    const scheduled = subscriber.nextSendAt !== undefined && new Date(subscriber.nextSendAt).getTime() > deps.clock.now().getTime();
    return confirmedPage(courseNamed(subscriber.course), subscriber.status, subscriber.nextLesson, scheduled);
  };

  /** A link's token for a POST: from the query (the pages' buttons) or a form field named `token`. */
  const linkToken = async (c: Context): Promise<string | undefined> => {
    const token = c.req.query('token');
    const type = mediaType(c);
    if (token === undefined && (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data')) {
      const fields = await formFields(c, type, ['token']);
      if (typeof fields.token === 'string') return fields.token;
    }
    return token;
  };

  // One course: its signup page. Several: the list, each linking to its own page.
  app.get('/', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return page(c, several ? coursesPage(catalog.all.map((x) => x.course)) : signupPage(course));
  });

  app.get('/courses/:slug', (c) => {
    const chosen = catalog.get(c.req.param('slug'));
    if (chosen === undefined) throw new NotFoundError('unknown_course', 'There is no such course.');
    c.header('Cache-Control', 'public, max-age=300');
    return page(c, signupPage(chosen.course, {}, { action: '../subscribe', courseField: true }));
  });

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
    const type = mediaType(c);
    const json = type === 'application/json';
    let fields: unknown;
    if (json) fields = await jsonBody(c);
    else if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data')
      fields = await formFields(c, type, SIGNUP_FIELDS);
    else
      throw new ValidationError(
        'unsupported_media_type',
        'Send the form as application/x-www-form-urlencoded, multipart/form-data or application/json.',
        undefined,
        415,
      );

    const consent = {
      ip: options.clientIp?.(c) ?? firstForwardedFor(c) ?? 'unknown',
      userAgent: (c.req.header('user-agent') ?? '').slice(0, MAX_USER_AGENT),
      page: (c.req.header('referer') ?? `${deps.config.publicUrl}/`).slice(0, MAX_PAGE),
    };
    // The course the form is for, when it names a known one (pages below are that course's).
    let chosen: CompiledCourse | undefined;
    try {
      chosen = courseOfSignup(deps, fields);
    } catch {
      chosen = undefined; // acceptSignup() refuses it below, naming the field
    }
    const signedUpFor = chosen?.course ?? course;
    try {
      // Stored for the outbox and answered at once: nothing about the address is read on this path.
      await acceptSignup(deps, { fields, consent });
    } catch (e: unknown) {
      // A browser's form post with a bad field gets the form back, filled in, with the error at it.
      if (!json && e instanceof ValidationError && e.status === 400 && !wantsJson(c) && (chosen !== undefined || !several)) {
        const values = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
        const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 300) : undefined);
        const state = {
          error: { message: e.message, ...(e.field === undefined ? {} : { field: e.field }) },
          values: { email: text(values.email), name: text(values.name) },
        };
        c.header('Cache-Control', 'no-store');
        return page(c, signupPage(signedUpFor, state, { courseField: several }), 400);
      }
      throw e;
    }
    // The same answer whatever happened: new, pending, active, unsubscribed, suppressed or a bot.
    if (json || wantsJson(c)) return c.json({ ok: true, message: SUBSCRIBE_MESSAGE });
    return page(c, checkInboxPage(signedUpFor, SUBSCRIBE_MESSAGE, several ? `courses/${signedUpFor.slug}` : './'));
  });

  // Reads only (GET and HEAD alike): mail security gateways fetch every link in a message, so the
  // link opens a page whose button POSTs; nothing on the page submits it by itself.
  app.get('/confirm', async (c) => {
    const token = c.req.query('token');
    const view = await describeConfirmation(deps, token);
    c.header('X-Robots-Tag', 'noindex');
    if (wantsJson(c)) return c.json({ ok: true, status: view.status, maskedEmail: view.maskedEmail, courseTitle: view.courseTitle });
    if (view.status === 'pending')
      return page(c, confirmPage(courseNamed(view.subscriber.course), view.maskedEmail, token ?? '', view.subscriber.nextLesson));
    return page(c, confirmedView(view.subscriber));
  });

  // The confirm page's button: activates; a repeated POST answers the same page and changes nothing.
  app.post('/confirm', limitBody, async (c) => {
    const { subscriber } = await confirmSubscription(deps, await linkToken(c));
    if (wantsJson(c)) return c.json({ ok: true, status: subscriber.status });
    return page(c, confirmedView(subscriber));
  });

  // Reads only: mail security scanners fetch every link in a message.
  app.get('/unsubscribe', async (c) => {
    const token = c.req.query('token');
    const view = await describeUnsubscribe(deps, token);
    c.header('X-Robots-Tag', 'noindex');
    if (wantsJson(c)) return c.json({ ok: true, ...view });
    return page(c, unsubscribePage(courseNamed(view.course), view, token ?? ''));
  });

  // A person's button, or a mail client's RFC 8058 one-click (body `List-Unsubscribe=One-Click`).
  app.post('/unsubscribe', limitBody, async (c) => {
    const token = await linkToken(c);
    const view = await unsubscribe(deps, token);
    if (wantsJson(c)) return c.json({ ok: true, ...view });
    return page(c, unsubscribedPage(courseNamed(view.course), view));
  });

  if (options.local) {
    app.post('/__local/drip', limitBody, async (c) => {
      if (options.runDrip === undefined) {
        return c.json({ error: { code: 'not_implemented', message: 'The drip is not wired into this stack.' } }, 501);
      }
      const text = await c.req.text();
      let at = deps.clock.now();
      if (text.trim() !== '') {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new ValidationError('invalid_json', 'The request body is not valid JSON.');
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new ValidationError('invalid_input', 'Send {"at": "<ISO instant>"} or nothing.');
        const given = (body as { at?: unknown }).at;
        if (given !== undefined) {
          if (typeof given !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(given) || Number.isNaN(Date.parse(given))) {
            throw new ValidationError('invalid_at', '"at" must be an ISO 8601 instant such as 2026-01-05T09:00:00Z.', 'at');
          }
          at = new Date(given);
        }
      }
      const summary = await options.runDrip({ now: at, deadline: new Date(deps.clock.now().getTime() + LOCAL_DRIP_BUDGET_MS) });
      return c.json(summary);
    });
  }

  // An unknown path may be deep (/a/b/), where the pages' relative "./" is not the signup page.
  app.notFound((c) =>
    errorResponse(c, new NotFoundError('not_found', 'There is nothing at this address.'), course, log, `${deps.config.publicUrl}/`),
  );
  app.onError((e, c) => errorResponse(c, e, course, log));
  return app;
}
