// Compiles the course's MJML templates into HTML + plain text with placeholders for the personal
// parts: once per process (cached), or once at build time for Lambda (see build-lessons.ts).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import mjml2html from 'mjml';
import { convert } from 'html-to-text';
import { defaultTemplatesDir, type Course } from './manifest.js';
import { keepLiteral, Placeholder, type CompiledCourse, type CompiledEmail, type PlaceholderName } from './compiled-course.js';
import type { CourseFolder } from './courses.js';
import { escapeHtml } from './escape.js';
import { courseMessages, formatHtml, type MessageKey, type MessageValues, type Messages } from '../i18n/messages.js';
import { learnerFooterVariables } from './learner-footer.js';

export type { CompiledCourse, CompiledEmail } from './compiled-course.js';

/** A template that does not compile; the message names the file (relative to its course folder or templates/) and line. */
export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

const LESSON_LAYOUT = 'layout/lesson.mjml';
const placeholderNames = new Map<string, PlaceholderName>(Object.entries(Placeholder).map(([k, v]) => [v, k as PlaceholderName]));

/**
 * Where the product's templates put a placeholder, it travels through mjml and html-to-text as a
 * marker made fresh for each compile: letters and digits only (nothing on the way encodes them), with
 * 96 random bits an article written before the compile cannot contain. Text from an article, a title
 * or a lesson file never becomes a marker, so it can never become a placeholder: at the end every
 * look-alike in it is kept literal (keepLiteral) and only the markers turn into placeholders.
 */
interface Markers {
  of: (name: PlaceholderName) => string;
  /** Compiled HTML or text with look-alikes kept literal and the markers turned into placeholders. */
  seal: (compiled: string) => string;
}

function newMarkers(): Markers {
  const nonce = randomBytes(12).toString('hex');
  const of = (name: PlaceholderName) => `placeholder${nonce}${name}`;
  const pattern = new RegExp(`placeholder${nonce}(${Object.keys(Placeholder).join('|')})`, 'g');
  return { of, seal: (compiled) => keepLiteral(compiled).replace(pattern, (_m, name: PlaceholderName) => Placeholder[name]) };
}

const textOptions = {
  wordwrap: 78,
  // mjml wraps the email in div[role=article]; the hidden preheader (div.preheader) is the inbox
  // preview, not part of the reading text.
  baseElements: { selectors: ['div[role=article]'] },
  selectors: [
    // Keep headings as written (the article's words, not upper-cased).
    ...['h1', 'h2', 'h3'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'div.preheader', format: 'skip' },
  ],
};

/**
 * Fill compile-time variables (`{{course.title}}`…) into one of the product's templates. Values are
 * HTML-escaped except `raw` ones (markup the compiler built) and never read again. Per-recipient
 * placeholders become this compile's markers; any other `{{…}}` is a typo and fails naming the file
 * and line. Lesson files are included by mjml, never passed through here: their text is not a template.
 */
function fillVariables(
  source: string,
  file: string,
  markers: Markers,
  vars: Record<string, string>,
  raw: Record<string, string> = {},
): string {
  return source.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (token: string, key: string, offset: number) => {
    const placeholder = placeholderNames.get(token);
    if (placeholder !== undefined) return markers.of(placeholder);
    const value = raw[key] ?? (vars[key] === undefined ? undefined : escapeHtml(vars[key]));
    if (value === undefined) {
      const line = source.slice(0, offset).split('\n').length;
      throw new TemplateError(`${file}:${line}: unknown variable ${token}`);
    }
    return value;
  });
}

function describeMjmlError(e: unknown, dirs: readonly string[], file: string): string {
  const errors = (e as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .map((err: { formattedMessage?: string; message?: string; line?: number }) => {
        const msg = err.formattedMessage ?? `Line ${err.line ?? '?'} of ${file}: ${err.message ?? 'invalid'}`;
        // mjml names files by absolute path; relative to the course folder or templates/ reads better and is stable.
        return dirs.reduce((m, dir) => m.split(dir + '/').join(''), msg);
      })
      .join('\n');
  }
  return e instanceof Error ? e.message : String(e);
}

/** MJML compilations this process has run, by kind: the benchmark checks there is one per lesson, never one per recipient. */
const compilations = { lesson: 0, confirmation: 0 };
export function mjmlCompilations(): Readonly<typeof compilations> {
  return { ...compilations };
}

/**
 * `label` says which email failed (e.g. `Lesson 3 (lessons/03-….mjml)`); mjml's messages name the file and line.
 * `file` is relative to the shared templates folder `dir`; `courseDir` is where the lessons it includes live.
 */
async function compileTemplate(
  kind: keyof typeof compilations,
  markers: Markers,
  dir: string,
  courseDir: string,
  file: string,
  label: string,
  source: string,
  subject: string,
  preheader: string,
): Promise<CompiledEmail> {
  const filePath = join(dir, file);
  let html: string;
  compilations[kind]++;
  try {
    const result = await mjml2html(source, {
      validationLevel: 'strict',
      filePath,
      actualPath: filePath,
      // mj-include only reads inside these folders (mjml 5 refuses absolute paths and anything outside).
      includePath: [dir, courseDir],
      ignoreIncludes: false,
      keepComments: false,
      minify: true,
      minifyOptions: { minifyCss: false },
      fonts: {},
    });
    if (result.errors.length > 0) throw Object.assign(new Error('mjml reported errors'), { errors: result.errors });
    html = result.html;
  } catch (e: unknown) {
    throw new TemplateError(`${label} does not compile:\n${describeMjmlError(e, [courseDir, dir], file)}`, { cause: e });
  }
  for (const [name, token] of Object.entries(Placeholder) as [PlaceholderName, string][]) {
    // A placeholder that went in but did not come out would send a lesson without its link.
    if (source.includes(markers.of(name)) && !html.includes(markers.of(name)))
      throw new TemplateError(`${label}: placeholder ${token} (${name}) was lost in compilation`);
  }
  // Consent anchors are marked once the markers are placeholders again (an article's look-alikes stay literal, so never match).
  return { subject, preheader, html: untrackConsentLinks(markers.seal(html)), text: markers.seal(convert(html, textOptions)) };
}

/** The links SES click tracking must never rewrite: the consent actions, which must reach us as sent. */
const UNTRACKED_LINKS: readonly string[] = [Placeholder.confirmUrl, Placeholder.unsubscribeUrl];

/**
 * Marks every anchor to the confirm or unsubscribe link `ses:no-track`, the attribute SES reads to
 * leave a link out of click tracking (Amazon SES developer guide, "Amazon SES email sending metrics
 * FAQs"), so those links are never rewritten through an AWS redirect even when an operator turns
 * tracking on. The templates write it on their own anchors; an `mj-button` cannot carry it (mjml's
 * strict validation), so it is added here to whatever anchor still lacks it.
 */
export function untrackConsentLinks(html: string): string {
  return html.replace(/<a\b([^>]*)>/gi, (tag, attrs: string) => {
    const href = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attrs);
    const value = href?.[1] ?? href?.[2] ?? href?.[3];
    if (value === undefined || !UNTRACKED_LINKS.includes(value) || /\sses:no-track(?![\w-])/i.test(attrs)) return tag;
    return `<a ses:no-track${attrs}>`;
  });
}

/** "each week", "every 3 days": how often lessons come, in the emails' words. */
function emailCadence(m: Messages, days: number): string {
  return m.t('cadence.email', { unit: days === 1 ? 'day' : days === 7 ? 'week' : 'days', n: days });
}

/** The footer's disclaimer paragraph ("<label>: <text>"), or nothing when the manifest sets none. */
function disclaimerMarkup(course: Course, m: Messages): string {
  const d = course.disclaimer;
  if (d === undefined) return '';
  return `<p><strong>${escapeHtml(m.t('disclaimer.label', { label: d.label }))}</strong> ${escapeHtml(d.text)}</p>`;
}

/** A message as email markup: its words escaped, `markup` (escaped HTML, markers) put in where it names them. */
const rich = (m: Messages, key: MessageKey, values: MessageValues = {}, markup: Record<string, string> = {}) =>
  formatHtml(m, key, escapeHtml, values, markup);

/** What the templates' {{lang}}, {{dir}} and {{align}} read: the course's language and its direction. */
function languageVars(m: Messages): Record<string, string> {
  return { lang: m.lang, dir: m.dir, align: m.dir === 'rtl' ? 'right' : 'left' };
}

/** The lesson layout's words (text.*), for lesson `i` (0-based): its position, greeting, footer. */
function lessonWords(course: Course, m: Messages, markers: Markers, i: number): Record<string, string> {
  const strongTitle = `<strong>${escapeHtml(course.title)}</strong>`;
  const count = course.lessons.length;
  const unsubscribe = `<a ses:no-track href="${markers.of('unsubscribeUrl')}">${escapeHtml(m.t('email.lesson.unsubscribeLink'))}</a>`;
  return {
    'text.position': rich(m, 'email.lesson.position', { number: i + 1, count }),
    'text.greeting': rich(m, 'email.lesson.greeting', {}, { name: markers.of('name') }),
    'text.why': rich(m, 'email.lesson.why', { cadence: emailCadence(m, course.cadenceDays), count }, { course: strongTitle }),
    'text.unsubscribe': rich(m, 'email.lesson.unsubscribe', {}, { link: unsubscribe }),
  };
}

/** The confirmation email's words (text.*). */
function confirmationWords(course: Course, m: Messages): Record<string, string> {
  const asked = { count: course.lessons.length, cadence: emailCadence(m, course.cadenceDays) };
  return {
    'text.heading': rich(m, 'email.confirm.heading'),
    'text.hello': rich(m, 'email.hello'),
    'text.asked': rich(m, 'email.confirm.asked', asked, { course: `<strong>${escapeHtml(course.title)}</strong>` }),
    'text.open': rich(m, 'email.confirm.open'),
    'text.button': rich(m, 'email.confirm.button'),
    'text.copy': rich(m, 'email.confirm.copy'),
    'text.ignore': rich(m, 'email.confirm.ignore'),
  };
}

/** The "Next week: <title>" line under a lesson, or nothing after the last. */
function nextLessonMarkup(course: Course, m: Messages, i: number): string {
  const next = course.lessons[i + 1];
  if (!next) return '';
  const line = rich(
    m,
    'email.lesson.next',
    { unit: course.cadenceDays === 7 ? 'week' : 'other' },
    { title: `<strong>${escapeHtml(next.title)}</strong>` },
  );
  return `<mj-text css-class="next-week" padding="8px 28px 0" color="#374151"><p style="margin:0;border-top:1px solid #e5e7eb;padding-top:16px;">${line}</p></mj-text>`;
}

async function compileUncached(course: Course, courseDir: string, dir: string): Promise<CompiledCourse> {
  const m = courseMessages(course);
  const common = {
    'course.title': course.title,
    'course.description': course.description,
    'course.postalAddress': course.postalAddress,
    'course.cadence': emailCadence(m, course.cadenceDays),
    'lesson.count': String(course.lessons.length),
    ...languageVars(m),
  };
  const disclaimer = disclaimerMarkup(course, m);
  const markers = newMarkers();
  const layout = await readFile(join(dir, LESSON_LAYOUT), 'utf8');
  const lessons = await Promise.all(
    course.lessons.map((lesson, i) => {
      const nextWeek = nextLessonMarkup(course, m, i);
      // The layout includes `../{{lesson.file}}` from layout/: the lesson's path relative to the shared
      // templates folder, wherever the course folder is.
      const include = relative(dir, join(courseDir, lesson.file)).split('\\').join('/');
      const learner = learnerFooterVariables(course, i);
      const source = fillVariables(
        layout,
        LESSON_LAYOUT,
        markers,
        {
          ...common,
          'lesson.number': String(i + 1),
          'lesson.title': lesson.title,
          'lesson.subject': lesson.subject,
          'lesson.preheader': lesson.preheader,
          ...learner.vars,
        },
        { 'lesson.file': include, nextWeek, disclaimer, ...lessonWords(course, m, markers, i), ...learner.raw },
      );
      return compileTemplate(
        'lesson',
        markers,
        dir,
        courseDir,
        LESSON_LAYOUT,
        `Lesson ${i + 1} (${lesson.file})`,
        source,
        lesson.subject,
        lesson.preheader,
      );
    }),
  );
  const confirmFile = course.confirmation.file;
  const confirmSource = fillVariables(
    await readFile(join(dir, confirmFile), 'utf8'),
    confirmFile,
    markers,
    { ...common, 'confirmation.subject': course.confirmation.subject, 'confirmation.preheader': course.confirmation.preheader },
    { disclaimer, ...confirmationWords(course, m) },
  );
  // Nothing a stranger typed but the address may be mailed before the address is confirmed.
  if (confirmSource.includes(markers.of('name')))
    throw new TemplateError(
      `The confirmation email (${confirmFile}) uses ${Placeholder.name}: it goes to unconfirmed addresses, so it must not carry the name a signup typed`,
    );
  const confirmation = await compileTemplate(
    'confirmation',
    markers,
    dir,
    courseDir,
    confirmFile,
    `The confirmation email (${confirmFile})`,
    confirmSource,
    course.confirmation.subject,
    course.confirmation.preheader,
  );
  return { course, lessons, confirmation };
}

const compiled = new Map<string, Promise<CompiledCourse>>();

/**
 * Compile every lesson (from `courseDir`, in the shared layout) and the confirmation email; cached per
 * process (same course and folders → same result). `templatesDir` holds layout/ and system/: the
 * repository's templates/ unless a test passes a copy. Throws TemplateError naming the file and line.
 */
export function compileCourse(course: Course, courseDir: string, templatesDir: string = defaultTemplatesDir): Promise<CompiledCourse> {
  const dir = resolve(templatesDir);
  const lessonsDir = resolve(courseDir);
  const key = `${dir}\u0000${lessonsDir}\u0000${JSON.stringify(course)}`;
  let pending = compiled.get(key);
  if (!pending) {
    pending = compileUncached(course, lessonsDir, dir);
    compiled.set(key, pending);
    // A failed compile is not cached: fixing the template and calling again recompiles.
    void pending.catch(() => compiled.delete(key));
  }
  return pending;
}

/** Compile every course of a courses folder (see loadCourses), in its order. */
export function compileCourses(folders: readonly CourseFolder[], templatesDir: string = defaultTemplatesDir): Promise<CompiledCourse[]> {
  return Promise.all(folders.map(({ course, dir }) => compileCourse(course, dir, templatesDir)));
}
