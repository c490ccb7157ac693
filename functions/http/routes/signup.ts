// POST /subscribe: the signup form (or JSON), stored for the outbox and answered at once.
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { courseOfSignup } from '../../core/courses.js';
import { ValidationError } from '../../core/errors.js';
import type { ConsentRecord } from '../../core/model.js';
import { acceptSignup } from '../../core/signup.js';
import type { Course } from '../../email/manifest.js';
import { formBody, formOrJson, jsonBody, limitBody, signupBodyOf } from '../body.js';
import { wantsJson } from '../errors.js';
import { checkInboxPage, errorMessageFor, signupPage, thanksMessage } from '../pages.js';
import { courseMessages } from '../../i18n/messages.js';
import { page, type Site } from '../site.js';

// Kept in the consent record; bounded so a hostile client cannot grow an item.
const MAX_USER_AGENT = 512;
const MAX_PAGE = 2048;
/** The signup form's fields (parseSignupInput); each may be given once. */
const SIGNUP_FIELDS = ['email', 'name', 'timezone', 'website', 'course'] as const;

export interface SignupRouteOptions {
  /** Origins allowed to post the signup form from another site (config.corsOrigins). */
  corsOrigins?: readonly string[];
  /**
   * The client's IP as the edge knows it (API Gateway's sourceIp, the socket's address). Without it
   * the first `X-Forwarded-For` entry is used (tests and `app.request()`).
   */
  clientIp?: (c: Context) => string | undefined;
}

export function signupRoutes(site: Site, options: SignupRouteOptions): Hono {
  const { deps } = site;
  const corsOrigins = new Set(options.corsOrigins ?? []);
  const routes = new Hono();
  // Only the signup form may be posted from other sites, and only from the configured origins.
  routes.use(
    '/subscribe',
    cors({
      origin: (origin) => (corsOrigins.has(origin) ? origin : null),
      allowMethods: ['POST'],
      allowHeaders: ['Content-Type', 'Accept'],
      maxAge: 600,
    }),
  );

  routes.post('/subscribe', limitBody, formOrJson, jsonBody, formBody(SIGNUP_FIELDS), async (c) => {
    const { fields, json } = signupBodyOf(c);
    const consent = consentOf(c, deps.config.publicUrl, options.clientIp);
    // The one lookup of the course: the pages below are its; acceptSignup refuses an unknown one, naming the field.
    const course = courseOfSignup(deps.courses, fields);
    const signedUpFor = course instanceof ValidationError ? site.house : course.course;
    try {
      // Stored for the outbox and answered at once: nothing about the address is read on this path.
      await acceptSignup(deps, { fields, course, consent });
    } catch (e: unknown) {
      // A browser's form post with a bad field gets the form back, filled in, with the error at it.
      const named = !(course instanceof ValidationError);
      if (!json && e instanceof ValidationError && e.status === 400 && !wantsJson(c) && (named || !site.several)) {
        return signupFormAgain(c, site, signedUpFor, fields, e);
      }
      throw e;
    }
    // The same answer whatever happened: new, pending, active, unsubscribed, suppressed or a bot; its
    // words in the course's language (the form's script shows the JSON answer's message on the page).
    if (json || wantsJson(c)) return c.json({ ok: true, message: thanksMessage(signedUpFor) });
    return page(c, checkInboxPage(signedUpFor, site.several ? `courses/${signedUpFor.slug}` : './'));
  });
  return routes;
}

function firstForwardedFor(c: Context): string | undefined {
  return c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || undefined;
}

/** The consent record's request facts: client IP, user agent and the page the form was on, each bounded. */
function consentOf(c: Context, publicUrl: string, clientIp: SignupRouteOptions['clientIp']): Omit<ConsentRecord, 'at'> {
  return {
    ip: clientIp?.(c) ?? firstForwardedFor(c) ?? 'unknown',
    userAgent: (c.req.header('user-agent') ?? '').slice(0, MAX_USER_AGENT),
    page: (c.req.header('referer') ?? `${publicUrl}/`).slice(0, MAX_PAGE),
  };
}

/** The signup form again, with what was typed and the error at its field in the page's language (400). */
function signupFormAgain(c: Context, site: Site, course: Course, fields: unknown, e: ValidationError): Response {
  const values = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 300) : undefined);
  const state = {
    error: { message: errorMessageFor(courseMessages(course), e), ...(e.field === undefined ? {} : { field: e.field }) },
    values: { email: text(values.email), name: text(values.name) },
  };
  c.header('Cache-Control', 'no-store');
  return page(c, signupPage(course, state, { courseField: site.several }), 400);
}
