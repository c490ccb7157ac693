// POST /learn/{pause,resume,next,restart,settings}?token=…: the forms on a learner's course page
// (functions/core/learner.ts decides). Each answers 303 See Other back to the course page with
// `done=<what was done>`, which the page shows as a confirmation; a refusal goes through the one error
// mapping (a page for a browser, {"error":{code,message}} for a JSON client). Only POST: a GET or HEAD
// of these paths finds no route (404) and changes nothing.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { ValidationError } from '../../core/errors.js';
import {
  changeSettings,
  nextLessonNow,
  pauseLessons,
  restartCourse,
  resumeLessons,
  type LearnerRequest,
  type LearnerResult,
} from '../../core/learner.js';
import { formBody, isForm, jsonBody, limitBody, linkTokenOf } from '../body.js';
import { mediaType } from '../errors.js';
import type { Site, SiteCourse } from '../site.js';

/** The fields the forms post (each at most once); the token comes in the query. */
const CONTROL_FIELDS = ['token', 'until', 'sendHour', 'weekday', 'timezone', 'cadenceDays', 'course'] as const;

export function learnControlRoutes(site: Site): Hono {
  const { deps } = site;
  const routes = new Hono();
  const post = (
    path: string,
    act: (c: Context, token: string | undefined, fields: Record<string, unknown>) => Promise<LearnerResult<SiteCourse>>,
  ) =>
    routes.post(path, limitBody, controlFields, async (c) => {
      const fields = fieldsOf(c);
      const token = linkTokenOf(c) ?? (typeof fields.token === 'string' ? fields.token : undefined);
      const { done } = await act(c, token, fields);
      return backToCoursePage(c, token ?? '', done);
    });

  post('/learn/pause', (c, token, f) => pauseLessons(deps, token, { ...requestOf(c, f), until: f.until }));
  post('/learn/resume', (c, token, f) => resumeLessons(deps, token, requestOf(c, f)));
  post('/learn/next', (c, token, f) => nextLessonNow(deps, token, requestOf(c, f)));
  post('/learn/restart', (c, token, f) => restartCourse(deps, token, requestOf(c, f)));
  post('/learn/settings', (c, token, f) => changeSettings(deps, token, f, requestOf(c, f)));
  return routes;
}

/**
 * 303 to the course page (`GET /learn`, one level up from `/learn/<control>`), relative so it holds
 * under any path the site is served at. `../learn` rather than `learn`: relative to `/learn/pause`,
 * `learn?…` would resolve to `/learn/learn?…`.
 */
function backToCoursePage(c: Context, token: string, done: string): Response {
  const query = new URLSearchParams({ token, done });
  return c.body(null, 303, { Location: `../learn?${query.toString()}` });
}

/** The course a request names (a `course` field or query parameter), if any: the token's subscription must be of it. */
function requestOf(c: Context, fields: Record<string, unknown>): LearnerRequest {
  const course = c.req.query('course') ?? (typeof fields.course === 'string' ? fields.course : undefined);
  return course === undefined || course === '' ? {} : { course };
}

/**
 * The form's fields: a form post (urlencoded or multipart) or a JSON object; a button with no fields
 * may post nothing at all (no content type: nothing is read). Any other body is refused with 415.
 */
const controlFields: MiddlewareHandler = async (c, next) => {
  const type = mediaType(c);
  if (type === undefined) return next();
  if (type === 'application/json') return jsonBody(c, next);
  if (isForm(type)) return formBody(CONTROL_FIELDS)(c, next);
  throw new ValidationError(
    'unsupported_media_type',
    'Send the form as application/x-www-form-urlencoded, multipart/form-data or application/json.',
    undefined,
    415,
  );
};

function fieldsOf(c: Context): Record<string, unknown> {
  const read = c.req as unknown as { valid(target: 'json' | 'form'): unknown };
  const type = mediaType(c);
  if (type === undefined) return {};
  if (type === 'application/json') {
    const value = (read.valid('json') as { value: unknown } | undefined)?.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ValidationError('invalid_json', 'The request body must be a JSON object.');
    return value as Record<string, unknown>;
  }
  return (read.valid('form') as Record<string, unknown> | undefined) ?? {};
}
