// What every route group of the HTTP app reads: the lifecycle's ports, the courses served, and the
// small answer helpers they share (an HTML page with its security policy).
import type { Context } from 'hono';
import type { LifecycleDeps } from '../core/lifecycle.js';
import type { Log } from '../core/ports.js';
import type { Course } from '../email/manifest.js';
import { PAGE_CSP } from './pages.js';

/** A course as the HTTP app needs it: its manifest (the pages show all of it), no compiled lessons. */
export interface SiteCourse {
  course: Course;
}

/**
 * The HTTP app's ports: the lifecycle's (functions/core/lifecycle.ts) on a catalogue of manifests.
 * It sends no email: a signup is stored for the outbox, which the drip (or the local stack) sends.
 */
export type SiteDeps = LifecycleDeps<SiteCourse>;

export interface Site {
  deps: SiteDeps;
  /** Pages that belong to no course (errors, the list) wear the first course's look and footer. */
  house: Course;
  /** More than one course: `GET /` lists them and the signup form names its course. */
  several: boolean;
  log: Log;
}

export function siteOf(deps: SiteDeps, log: Log): Site {
  return { deps, house: deps.courses.all[0]!.course, several: deps.courses.all.length > 1, log };
}

/** An HTML page, with the pages' Content-Security-Policy. */
export function page(c: Context, body: string, status: 200 | 400 = 200): Response {
  c.header('Content-Security-Policy', PAGE_CSP);
  return c.html(body, status);
}
