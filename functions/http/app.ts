// The HTTP app of the HTTP contract, the same in Lambda (hono/aws-lambda) and locally
// (@hono/node-server): route groups mounted from functions/http/routes (course pages, signup, the
// confirm and unsubscribe links, the learner's course page, web lessons and feedback), every answer through the same security headers (Hono's
// secureHeaders) and the one error mapping (errors.ts). The local stack mounts its own tools
// (functions/local/routes.ts) on top; the Lambda's app has none.
import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { NotFoundError } from '../core/errors.js';
import type { Log } from '../core/ports.js';
import { hasBody } from './body.js';
import { errorResponse } from './errors.js';
import { confirmRoutes } from './routes/confirm.js';
import { courseRoutes } from './routes/courses.js';
import { learnControlRoutes } from './routes/learn-controls.js';
import { feedbackRoutes } from './routes/feedback.js';
import { learnRoutes, type LessonSource } from './routes/learn.js';
import { signupRoutes, type SignupRouteOptions } from './routes/signup.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { siteOf, type SiteDeps } from './site.js';

export { MAX_BODY_BYTES } from './body.js';
export type { SiteCourse, SiteDeps } from './site.js';

export interface AppOptions extends SignupRouteOptions {
  /** The lifecycle's ports on a catalogue of the courses' manifests (the pages show the whole manifest). */
  deps: SiteDeps;
  /** The log port; default console.error of the object. */
  log?: Log;
  /** The compiled lessons, for their web versions; default: the catalogue's own (where it holds compiled courses). */
  lessons?: LessonSource;
}

/** The HTTP app: the contract's routes (docs/reference/http-api.md), each group a Hono app of its own. */
export function createApp(options: AppOptions): Hono {
  const { deps } = options;
  const log: Log = options.log ?? ((entry) => console.error(entry));
  const site = siteOf(deps, log);
  const app = new Hono();

  app.use('*', answerHeaders, securityHeaders(deps.config.publicUrl.startsWith('https:')));
  app.route('/', courseRoutes(site));
  app.route('/', signupRoutes(site, options));
  app.route('/', confirmRoutes(site));
  app.route('/', unsubscribeRoutes(site));
  app.route('/', learnControlRoutes(site));
  app.route('/', learnRoutes(site, options.lessons ?? catalogueLessons(deps)));
  app.route('/', feedbackRoutes(site));

  // An unknown path may be deep (/a/b/), where the pages' relative "./" is not the signup page.
  app.notFound((c) =>
    errorResponse(c, new NotFoundError('not_found', 'There is nothing at this address.'), site.house, log, `${deps.config.publicUrl}/`),
  );
  app.onError((e, c) => errorResponse(c, e, site.house, log));
  return app;
}

/** The lessons a catalogue of compiled courses holds (the local stack's, the tests'); none for one of manifests only. */
function catalogueLessons(deps: SiteDeps): LessonSource {
  return (slug) => {
    const held = deps.courses.get(slug) as { lessons?: unknown } | undefined;
    return Promise.resolve(Array.isArray(held?.lessons) ? (held.lessons as Awaited<ReturnType<LessonSource>>) : undefined);
  };
}

/**
 * The security headers every answer carries, and nothing else of secureHeaders' defaults: HSTS when
 * the site is served over https (RFC 6797: a year, this host only, as the public URL's parent
 * domain may serve other things), nosniff, Referrer-Policy same-origin (our own signup form's
 * Referer becomes the consent record's page; token URLs never leave), no framing, and a
 * Content-Security-Policy that allows nothing when the route set none (pages set their own).
 */
function securityHeaders(https: boolean): MiddlewareHandler {
  return secureHeaders({
    strictTransportSecurity: https ? 'max-age=31536000' : false,
    xContentTypeOptions: true,
    referrerPolicy: 'same-origin',
    xFrameOptions: 'DENY',
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    // A route's own Content-Security-Policy (a page's) is kept.
    overwrite: false,
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    removePoweredBy: false,
  });
}

/** What every answer says about its connection and caching, set after the route has answered. */
const answerHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // An error answered to a request with a body may come before the body was read (413 from the
  // Content-Length alone, 415, 400 on headers): what is left of the body would then be read as
  // the next request on a kept-alive connection. Closing it is the one answer that is always
  // right (RFC 9112 §9.6: the server signals it will close with `Connection: close`).
  if (c.res.status >= 400 && hasBody(c.req.raw.headers)) c.header('Connection', 'close');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
};
