// The courses one deployment serves, looked up by slug (the slug is a course's identity in the table).
import type { CourseCatalog, ServedCourse } from './ports.js';

/** A catalog of `courses`, in their order; throws when there are none or two share a slug. */
export function courseCatalog<C extends ServedCourse>(courses: readonly C[]): CourseCatalog<C> {
  if (courses.length === 0) throw new Error('A deployment needs at least one course');
  const bySlug = new Map<string, C>();
  for (const c of courses) {
    if (bySlug.has(c.course.slug)) throw new Error(`Two courses have the slug "${c.course.slug}"`);
    bySlug.set(c.course.slug, c);
  }
  return { all: [...courses], get: (slug) => bySlug.get(slug) };
}
