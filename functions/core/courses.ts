// The one catalogue of the courses a deployment serves, looked up by slug (the slug is a course's
// identity in the table: address locks, counters and each subscriber's `course` are keyed by it).
// What a catalogue holds per course is the holder's choice: the api's holds each course's manifest
// only (pages and signups need no compiled lessons); where emails are sent (the drip, the outbox,
// the local stack, the CLI) it holds the compiled course. Each request looks its course up once,
// with the two functions below, and passes the course on as an argument.
import { AppError, ValidationError } from './errors.js';
import type { CourseCatalog, ServedCourse } from './ports.js';

export type { CourseCatalog };

/** A catalogue of `courses`, in their order; throws when there are none or two share a slug. */
export function courseCatalog<C extends Pick<ServedCourse, 'course'>>(courses: readonly C[]): CourseCatalog<C> {
  if (courses.length === 0) throw new Error('A deployment needs at least one course');
  const bySlug = new Map<string, C>();
  for (const c of courses) {
    if (bySlug.has(c.course.slug)) throw new Error(`Two courses have the slug "${c.course.slug}"`);
    bySlug.set(c.course.slug, c);
  }
  return { all: [...courses], get: (slug) => bySlug.get(slug) };
}

/**
 * The course a signup's raw fields name: their `course` field (a slug), needed only when the
 * catalogue has several. Answers, rather than throws, the ValidationError that refuses the field
 * (`course_required`: several and none given; `unknown_course`), so the signup can report the other
 * fields' errors first and a filled honeypot still gets the success answer.
 */
export function courseOfSignup<C extends Pick<ServedCourse, 'course'>>(catalog: CourseCatalog<C>, fields: unknown): C | ValidationError {
  const given = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>).course : undefined;
  if (given === undefined || given === null || given === '') {
    if (catalog.all.length === 1) return catalog.all[0]!;
    return new ValidationError('course_required', 'Please choose a course.', 'course');
  }
  const course = typeof given === 'string' ? catalog.get(given.trim()) : undefined;
  return course ?? new ValidationError('unknown_course', 'There is no such course.', 'course');
}

/**
 * The course a stored subscription (or outbox request) belongs to, by its slug. AppError 410
 * `course_not_served` when the deployment no longer serves it. Every subscriber item carries its
 * course's slug, so a subscription made before several courses existed keeps meaning its course.
 */
export function courseOfSubscription<C extends Pick<ServedCourse, 'course'>>(catalog: CourseCatalog<C>, slug: string): C {
  const course = catalog.get(slug);
  if (course === undefined) throw new AppError('course_not_served', 'This course is no longer offered here.', 410);
  return course;
}
