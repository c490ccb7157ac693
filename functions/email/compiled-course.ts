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
 * The personal parts of a compiled email. Only the product's own templates (templates/layout,
 * templates/system) place them: the compiler carries them through mjml, CSS inlining, minification
 * and html-to-text as a marker no article can produce, and writes these tokens at the end, after
 * keeping every look-alike in the article's text literal (keepLiteral).
 */
export const Placeholder = {
  name: '{{name}}',
  unsubscribeUrl: '{{unsubscribeUrl}}',
  confirmUrl: '{{confirmUrl}}',
  // A lesson's links to the learner's own pages (core/learner-links.ts lessonLinks).
  learnUrl: '{{learnUrl}}',
  webUrl: '{{webUrl}}',
  feedbackYesUrl: '{{feedbackYesUrl}}',
  feedbackNoUrl: '{{feedbackNoUrl}}',
} as const;
export type PlaceholderName = keyof typeof Placeholder;

/**
 * In a compiled email, stands for a literal `{`. The compiler writes it in front of any text that
 * would otherwise read as a placeholder (`{{name}}` in an article, a title, a lesson file) and the
 * personaliser turns it back into `{`, so that text reaches the reader as written.
 */
export const LITERAL_BRACE = '{{openBrace}}';

/** Every token of a compiled email: the placeholders and the literal brace, exactly as written. */
export const COMPILED_TOKEN = /\{\{(?:name|unsubscribeUrl|confirmUrl|learnUrl|webUrl|feedbackYesUrl|feedbackNoUrl|openBrace)\}\}/g;

/**
 * `text` (compiled HTML or plain text that is not the product's own placeholders) with every
 * token-like run kept literal: `{{name}}` becomes `{{openBrace}}{name}}`, which the personaliser
 * fills back as `{{name}}`. Tokens cannot overlap, so one pass finds them all.
 */
export function keepLiteral(text: string): string {
  return text.replace(COMPILED_TOKEN, (token) => LITERAL_BRACE + token.slice(1));
}

/** Every course one deployment serves, by slug (core/courses.ts's courseCatalog builds one). */
export type CourseCatalog = Catalog<CompiledCourse>;
