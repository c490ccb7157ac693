// The words of a lesson's learner links (templates/layout/lesson.mjml: the course page, this lesson
// on the web, "Was this lesson useful? Yes / No") and the last lesson's "course complete" note, in
// the course's language (functions/i18n), filled in at compile time like the layout's other variables.
import { courseMessages } from '../i18n/messages.js';
import { escapeHtml } from './escape.js';
import type { Course } from './manifest.js';

/** The layout's text variables (escaped by the compiler) and its raw `courseComplete` markup for lesson `lessonIndex` (0-based). */
export function learnerFooterVariables(course: Course, lessonIndex: number): { vars: Record<string, string>; raw: Record<string, string> } {
  const m = courseMessages(course);
  const t = (key: Parameters<typeof m.t>[0], values?: Parameters<typeof m.t>[1]) => m.t(key, values);
  const last = lessonIndex === course.lessons.length - 1;
  return {
    vars: {
      'learn.email.coursePage': t('learn.email.coursePage'),
      'learn.email.readOnWeb': t('learn.email.readOnWeb'),
      'learn.email.useful': t('learn.email.useful'),
      'learn.email.yes': t('learn.email.yes'),
      'learn.email.no': t('learn.email.no'),
    },
    raw: { courseComplete: last ? `<p><strong>${escapeHtml(t('learn.email.complete', { title: course.title }))}</strong></p>` : '' },
  };
}
