// The local stack's own tools, mounted on the HTTP app by the local stack only (never in Lambda):
// POST /__local/drip runs the drip now, or as at `{"at": "<ISO instant>"}`.
import { Hono, type Context } from 'hono';
import { AppError, ValidationError } from '../core/errors.js';
import type { Clock, RunDrip } from '../core/ports.js';
import { hasBody, limitBody, parseJson } from '../http/body.js';
import { mediaType } from '../http/errors.js';

/** Wall time one `POST /__local/drip` run may take. */
const LOCAL_DRIP_BUDGET_MS = 60_000;

/** Host names a request to the local stack may carry: it listens on the loopback interface only. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface LocalRouteOptions {
  clock: Clock;
  /** Base of the stack's links (its own origin is accepted besides the request's). */
  publicUrl: string;
  /** The drip; undefined answers 501 `not_implemented`. */
  runDrip?: RunDrip;
}

/**
 * `POST /__local/drip`: JSON only and never from another site: a web page the developer opens could
 * otherwise post a form (text/plain needs no CORS preflight) and run the drip as of any date.
 * Answers the run's DripSummary. Errors go through the app's own mapping (its onError).
 */
export function localRoutes(options: LocalRouteOptions): Hono {
  const { clock, publicUrl, runDrip } = options;
  const routes = new Hono();
  routes.post('/__local/drip', limitBody, async (c) => {
    refuseCrossSite(c, publicUrl);
    // No body at all means "now"; a body must be JSON.
    if (hasBody(c.req.raw.headers) && mediaType(c) !== 'application/json') {
      throw new ValidationError('unsupported_media_type', 'Send {"at": "<ISO instant>"} as application/json, or no body.', undefined, 415);
    }
    if (runDrip === undefined) {
      return c.json({ error: { code: 'not_implemented', message: 'The drip is not wired into this stack.' } }, 501);
    }
    const at = dripInstant(await c.req.text(), clock.now());
    const summary = await runDrip({ now: at, deadline: new Date(clock.now().getTime() + LOCAL_DRIP_BUDGET_MS) });
    return c.json(summary);
  });
  return routes;
}

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
