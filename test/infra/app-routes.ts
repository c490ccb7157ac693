// The routes the HTTP app itself serves (functions/http/app.ts), read from the Hono app the api Lambda
// runs, as API Gateway route keys: what the infra tests compare the template's routes with, so a route
// added to the app without its API Gateway route fails a test.
import type { Hono } from 'hono';
import { courseCatalog } from '../../functions/core/courses.js';
import { createApp, type SiteDeps } from '../../functions/http/app.js';
import { localRoutes } from '../../functions/local/routes.js';
import { shippedCourse } from '../support/course.js';

/** Ports no route registration touches: a request that reaches one fails loudly. */
const unused = new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`app-routes: ${String(name)} was called`)) });

/**
 * The app as the api Lambda builds it (`local: false`) or as the local stack does (`local: true`, with
 * the /__local tools), on the shipped course with stub ports: enough to list routes and render pages
 * that read nothing (the signup page).
 */
export function appForRoutes(options: { local: boolean }): Hono {
  const deps = {
    store: unused,
    clock: { now: () => new Date('2026-01-05T09:00:00Z') },
    tokens: unused,
    courses: courseCatalog([{ course: shippedCourse() }]),
    config: { publicUrl: 'https://course.example.com', signupsPerIpPerHour: 10 },
  } as unknown as SiteDeps;
  const app = createApp({ deps });
  if (options.local) app.route('/', localRoutes({ clock: deps.clock, publicUrl: deps.config.publicUrl }));
  return app;
}

/** Hono's `/courses/:slug` as API Gateway writes it, `/courses/{slug}`. */
const apiGatewayPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/**
 * `METHOD /path` of every route the app answers, as API Gateway route keys: its GET and POST routes,
 * and HEAD for every GET (Hono answers HEAD by running the GET route and dropping the body).
 * Middleware (`app.use`, method ALL) is not a route.
 */
export function appRouteKeys(app: Hono): string[] {
  const keys = new Set<string>();
  for (const { method, path } of app.routes) {
    if (method !== 'GET' && method !== 'POST') continue;
    keys.add(`${method} ${apiGatewayPath(path)}`);
    if (method === 'GET') keys.add(`HEAD ${apiGatewayPath(path)}`);
  }
  return [...keys].sort();
}
