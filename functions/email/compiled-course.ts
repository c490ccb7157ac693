// The shape of a compiled course: every email's HTML and text, compiled once from MJML, with
// placeholders for the personal parts. Plain JSON, so the build can write it and Lambda read it.
import type { Course } from './manifest.js';

export interface CompiledEmail {
  subject: string;
  preheader: string;
  /** Full HTML document with placeholders (see `Placeholder`). */
  html: string;
  /** Plain-text alternative with the same placeholders. */
  text: string;
}

export interface CompiledCourse {
  course: Course;
  /** In course order; index 0 is lesson 1. */
  lessons: CompiledEmail[];
  confirmation: CompiledEmail;
}

/**
 * The personal parts, as written in the templates and kept verbatim through mjml, CSS inlining,
 * minification and html-to-text. Plain ASCII in double braces: nothing on the way encodes it.
 */
export const Placeholder = {
  name: '{{name}}',
  unsubscribeUrl: '{{unsubscribeUrl}}',
  confirmUrl: '{{confirmUrl}}',
} as const;
export type PlaceholderName = keyof typeof Placeholder;

/** Every course one deployment serves, by slug (the slug is a course's identity in the table). */
export interface CourseCatalog {
  /** In the courses folder's order; with one course, it is served at `GET /`. */
  readonly all: readonly CompiledCourse[];
  get(slug: string): CompiledCourse | undefined;
}

/** A catalog of `courses`; throws when there are none or two share a slug. */
export function courseCatalog(courses: readonly CompiledCourse[]): CourseCatalog {
  if (courses.length === 0) throw new Error('A deployment needs at least one course');
  const bySlug = new Map<string, CompiledCourse>();
  for (const c of courses) {
    if (bySlug.has(c.course.slug)) throw new Error(`Two courses have the slug "${c.course.slug}"`);
    bySlug.set(c.course.slug, c);
  }
  return { all: [...courses], get: (slug) => bySlug.get(slug) };
}
