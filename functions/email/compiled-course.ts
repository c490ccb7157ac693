// The shape of a compiled course: every email's HTML and text, compiled once from MJML, with
// placeholders for the personal parts. Plain JSON, so the build can write it and Lambda read it.
// The core sees the same object through its ServedCourse port type (functions/core/ports.ts).
import type { CompiledEmail, CourseCatalog as Catalog, ServedCourse } from '../core/ports.js';
import type { Course } from './manifest.js';

export type { CompiledEmail };
export { courseCatalog } from '../core/courses.js';

export interface CompiledCourse extends ServedCourse {
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

/** Every course one deployment serves, by slug (core/courses.ts's courseCatalog builds one). */
export type CourseCatalog = Catalog<CompiledCourse>;
