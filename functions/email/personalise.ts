// Per recipient: fill a compiled email's placeholders with the person's name and links. Cheap
// string work only (the MJML was compiled once); every value is escaped for where it lands.
import { COMPILED_TOKEN, LITERAL_BRACE, Placeholder, type CompiledEmail, type PlaceholderName } from './compiled-course.js';
import { absoluteHttpUrl } from './links.js';
import { escapeHtml } from './escape.js';
import type { ServedCourse } from '../core/ports.js';
import { controlCharactersToSpaces, truncateGraphemes, withoutBidiControls } from '../core/text.js';
import { ValidationError } from '../core/errors.js';
import { courseMessages } from '../i18n/messages.js';
import { lessonLinks } from '../core/learner-links.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  preheader: string;
}

/** What a greeting says when the person gave no name. */
export const NAME_FALLBACK = 'there';
const MAX_NAME_LENGTH = 100;

/**
 * A name as it may appear in a greeting: control characters (CR, LF, tabs…) become spaces, runs
 * collapse, bidirectional controls go (they would reorder the greeting around the name; names stored
 * before signup removed them still hold them), length capped in grapheme clusters.
 */
export function displayName(name: string | undefined, fallback = NAME_FALLBACK): string {
  const cleaned = withoutBidiControls(controlCharactersToSpaces(name ?? ''))
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned === '' ? fallback : truncateGraphemes(cleaned, MAX_NAME_LENGTH);
}

const byToken = new Map<string, PlaceholderName>(Object.entries(Placeholder).map(([k, v]) => [v, k as PlaceholderName]));

/**
 * Replace every token in one pass, so a value that looks like a placeholder is not expanded again:
 * each placeholder by its value, each literal brace (LITERAL_BRACE) by `{`. A placeholder with no
 * value is a ValidationError (`unrenderable_email`): the drip holds that person with the reason.
 */
function fill(template: string, values: Partial<Record<PlaceholderName, string>>, what: string): string {
  return template.replace(COMPILED_TOKEN, (token) => {
    if (token === LITERAL_BRACE) return '{';
    const key = byToken.get(token);
    const value = key === undefined ? undefined : values[key];
    if (value === undefined) throw new ValidationError('unrenderable_email', `${what} cannot be rendered: it has no value for ${token}`);
    return value;
  });
}

function personalise(email: CompiledEmail, values: Partial<Record<PlaceholderName, string>>, what: string): RenderedEmail {
  const htmlValues: Partial<Record<PlaceholderName, string>> = {};
  for (const [k, v] of Object.entries(values) as [PlaceholderName, string | undefined][])
    if (v !== undefined) htmlValues[k] = escapeHtml(v);
  return {
    subject: email.subject,
    preheader: email.preheader,
    html: fill(email.html, htmlValues, what),
    text: fill(email.text, values, what),
  };
}

const nameFallbacks = new WeakMap<object, string>();

/** What a greeting says for a reader with no name, in the course's language; worked out once per course object. */
function nameFallbackOf(course: ServedCourse['course']): string {
  let fallback = nameFallbacks.get(course);
  if (fallback === undefined) {
    fallback = courseMessages(course).t('email.lesson.nameFallback');
    nameFallbacks.set(course, fallback);
  }
  return fallback;
}

/**
 * Lesson `lessonIndex` (0-based) for one person. Throws RangeError for a lesson the course does not
 * have, ValidationError `unrenderable_email` for a placeholder it cannot fill (see fill). With the
 * course, a learner who gave no name is greeted in its language's words (`email.lesson.nameFallback`).
 */
export function renderLesson(
  compiled: Pick<ServedCourse, 'lessons'> & Partial<Pick<ServedCourse, 'course'>>,
  lessonIndex: number,
  p: LessonPersonalisation,
): RenderedEmail {
  const lesson = compiled.lessons[lessonIndex];
  if (!Number.isInteger(lessonIndex) || lesson === undefined)
    throw new RangeError(`No lesson at index ${lessonIndex} (the course has ${compiled.lessons.length})`);
  const links = lessonLinks(absoluteHttpUrl(p.learnUrl, 'learnUrl'), lessonIndex);
  return personalise(
    lesson,
    {
      name: displayName(p.name, compiled.course ? nameFallbackOf(compiled.course) : NAME_FALLBACK),
      unsubscribeUrl: absoluteHttpUrl(p.unsubscribeUrl, 'unsubscribeUrl'),
      learnUrl: links.learnUrl,
      webUrl: links.webUrl,
      feedbackYesUrl: links.feedbackYesUrl,
      feedbackNoUrl: links.feedbackNoUrl,
    },
    `lesson ${lessonIndex + 1}`,
  );
}

/** A lesson's personal parts: the greeting's name and the links, all made from two signed URLs. */
export interface LessonPersonalisation {
  /** As they gave it; absent or blank gets the greeting's fallback. */
  name?: string | undefined;
  unsubscribeUrl: string;
  /**
   * The learner's course page (core/learner-links.ts learnUrlOf); the lesson's web version and its
   * Yes/No feedback links are made beside it (lessonLinks).
   */
  learnUrl: string;
}

/**
 * The double opt-in email for one address. It carries no name: before the address is confirmed,
 * nothing a stranger typed other than the address is mailed (the form must not relay free text).
 */
export function renderConfirmation(compiled: Pick<ServedCourse, 'confirmation'>, p: { confirmUrl: string }): RenderedEmail {
  return personalise(compiled.confirmation, { confirmUrl: absoluteHttpUrl(p.confirmUrl, 'confirmUrl') }, 'confirmation');
}
