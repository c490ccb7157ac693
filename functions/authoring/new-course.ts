// `course new <article>`: an article becomes a course folder: course.json (manifest with defaults),
// one MJML lesson per top-level section (text before the first section is lesson 1, an introduction),
// and source/<the article's file name>, copied byte for byte. Subjects and preheaders are built from
// the headings only: nothing is written that the article does not say. Every word the product adds
// (subjects, preheaders, the description, the disclaimer, the confirmation's subject) comes from the
// course language's catalogue (`authoring.*` keys), English where the language has none yet.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { parseCourse, type Course } from '../email/manifest.js';
import { messagesFor, type Messages } from '../i18n/messages.js';
import { articleFormat, articleTextBlocks, parseArticle, type Article, type ArticleFormat, type TextOverrides } from './article.js';
import { styleForEmail, textBlocks } from './html.js';
import { detectLanguage, languageName, parseLanguageTag, type CourseLanguage } from './language.js';

/** A lesson as split from the article, before it is written. */
export interface LessonDraft {
  /** The section heading's text; the catalogue's "Introduction" for text before the first section. */
  title: string;
  /** The section heading's inner HTML; absent for the untitled introduction (and an article with no heading). */
  headingHtml?: string;
  /** The sub-headings' texts, in order (for the preheader). */
  subheadings: string[];
  /** The lesson's content, one HTML piece per block (sub-headings already at their lesson level). */
  parts: string[];
}

/** The disclaimer a new course starts with, in its language: the project's courses are medical material (review it for yours). */
export function defaultDisclaimer(messages: Messages = messagesFor('en')): { label: string; text: string } {
  return { label: messages.t('authoring.disclaimerLabel'), text: messages.t('authoring.disclaimerText') };
}
const MAX_PREHEADER = 110;

/**
 * One lesson per top-level section: the shallowest heading level the article uses (after its title)
 * splits it; deeper headings stay inside their lesson as sub-headings (h2, h3…). Body text before the
 * first section heading is lesson 1, the introduction. An article with no heading is one lesson.
 */
export function splitIntoLessons(article: Article, courseTitle: string, messages: Messages = messagesFor('en')): LessonDraft[] {
  const levels = article.items.flatMap((i) => (i.kind === 'heading' ? [i.level] : []));
  if (levels.length === 0)
    return [{ title: courseTitle, subheadings: [], parts: article.items.map((i) => (i.kind === 'body' ? i.html : '')).filter(Boolean) }];
  const top = Math.min(...levels);
  const lessons: LessonDraft[] = [];
  let current: LessonDraft | undefined;
  for (const item of article.items) {
    if (item.kind === 'heading' && item.level === top) {
      current = { title: item.text, headingHtml: item.html, subheadings: [], parts: [] };
      lessons.push(current);
      continue;
    }
    if (current === undefined) {
      current = { title: messages.t('authoring.introductionTitle'), subheadings: [], parts: [] };
      lessons.push(current);
    }
    if (item.kind === 'heading') {
      const tag = `h${Math.min(6, item.level - top + 1)}`;
      current.subheadings.push(item.text);
      current.parts.push(`<${tag}>${item.html}</${tag}>`);
    } else current.parts.push(item.html);
  }
  return lessons;
}

/** Lower-case ASCII words joined by hyphens ("Café & Crème" → "cafe-creme"); empty when nothing is left. */
export function slugify(text: string, maxWords = 8): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
    .slice(0, maxWords)
    .join('-');
}

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`);

/** Whether `lesson` is the untitled introduction (text before the first section heading). */
const isIntroduction = (lesson: LessonDraft, messages: Messages) =>
  lesson.headingHtml === undefined && lesson.title === messages.t('authoring.introductionTitle');

/** Subject and preheader of lesson `i` (0-based) of `lessons`, from headings only, in `messages`' language. */
export function subjectAndPreheader(
  lessons: readonly LessonDraft[],
  i: number,
  courseTitle: string,
  messages: Messages = messagesFor('en'),
): { subject: string; preheader: string } {
  const lesson = lessons[i]!;
  const place = { number: i + 1, count: lessons.length };
  const intro = lesson.headingHtml === undefined;
  const subject = isIntroduction(lesson, messages)
    ? messages.t('authoring.introductionSubject', { ...place, courseTitle })
    : messages.t('authoring.lessonSubject', { ...place, title: lesson.title });
  let preheader: string;
  if (lesson.subheadings.length > 0)
    preheader = messages.t('authoring.preheaderInThisLesson', { headings: lesson.subheadings.join(' · ') });
  else if (intro && lessons.length > 1)
    preheader = messages.t('authoring.preheaderComingUp', {
      titles: lessons
        .slice(i + 1)
        .map((l) => l.title)
        .join(' · '),
    });
  else preheader = messages.t('authoring.preheaderLessonOf', { ...place, courseTitle });
  return { subject, preheader: cut(preheader, MAX_PREHEADER) };
}

function lessonMjml(lesson: LessonDraft, n: number): string {
  const what =
    lesson.headingHtml === undefined ? 'the untitled introduction' : `the article section “${lesson.title.replace(/--/g, '‐‐')}”`;
  const lines = [
    `<!-- Lesson ${n}: ${what}, word for word (written by course new). Only the content: templates/layout/lesson.mjml adds the rest. -->`,
    '<mj-text css-class="lesson">',
    ...(lesson.headingHtml === undefined ? [] : [`  <h1>${lesson.headingHtml}</h1>`]),
    // Indented for reading, except a part with a code block: inside <pre> every space is the code's.
    ...lesson.parts.map((p) => {
      const html = styleForEmail(p);
      return /<pre[\s>]/.test(html)
        ? html
        : html
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n');
    }),
    '</mj-text>',
    '',
  ];
  return lines.join('\n');
}

export interface NewCourseOptions {
  /** The article file (.md, .txt, .html). */
  article: string;
  /** Where the course folder goes; default `<coursesDir>/<slug>`. */
  out?: string;
  coursesDir: string;
  slug?: string;
  title?: string;
  /** The course's language (a BCP 47 tag, as --lang); default: detected from the article. */
  language?: string;
  overrides?: TextOverrides;
}

export interface NewCourseResult {
  dir: string;
  format: ArticleFormat;
  course: Course;
  /** The course's language and how it was chosen (given, detected, or English by default). */
  language: CourseLanguage;
  /** Per lesson: number (1-based), title, words, file. */
  lessons: { number: number; title: string; words: number; file: string }[];
}

const wordsIn = (parts: readonly string[]) =>
  parts
    .flatMap((p) => textBlocks(p))
    .join(' ')
    .split(/\s+/)
    .filter((w) => w !== '').length;

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The course's slug: `--slug` as given, or made from the title, or, for a title with no Latin letters
 * or digits (Arabic, Greek…: slugs are ASCII), from the article's file name. A refused `--slug` is
 * blamed on itself (what is wrong with it), a slug that cannot be made on the title. ValidationError
 * `invalid_slug`.
 */
function chooseSlug(given: string | undefined, title: string, fileName: string): string {
  if (given === undefined) {
    const slug = slugify(title) || slugify(fileName.replace(/\.[^.]*$/, ''));
    if (!SLUG.test(slug))
      throw new ValidationError(
        'invalid_slug',
        `cannot make a slug from the title "${title}": give one with --slug <lower-case-words>`,
        'slug',
      );
    return slug;
  }
  if (SLUG.test(given)) return given;
  const why = /[A-Z]/.test(given)
    ? 'it has capital letters'
    : /^-|-$/.test(given)
      ? 'it starts or ends with a hyphen'
      : /--/.test(given)
        ? 'it has two hyphens in a row'
        : 'it has characters other than a–z, 0–9 and hyphens';
  const suggestion = slugify(given);
  throw new ValidationError(
    'invalid_slug',
    `--slug "${given}" is not a slug (${why}): use lower-case letters, digits and single hyphens${suggestion && suggestion !== given ? `, e.g. --slug ${suggestion}` : ''}`,
    'slug',
  );
}

/** The slug in `<folder>/course.json`, when it has one that can be read (a broken manifest is not a clash). */
function slugIn(folder: string): string | undefined {
  try {
    const raw = JSON.parse(readFileSync(join(folder, 'course.json'), 'utf8').replace(/^\uFEFF/, '')) as { slug?: unknown };
    return typeof raw.slug === 'string' ? raw.slug.trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuse (ValidationError `slug_taken`) a slug another course already has in the folder the new course
 * goes into or in the courses folder: two courses with one slug make every command refuse the folder.
 * Checked before anything is written.
 */
function refuseSlugClash(slug: string, dir: string, coursesDir: string): void {
  for (const root of new Set([dirname(dir), resolve(coursesDir)])) {
    let names: string[];
    try {
      names = readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      continue; // no such folder yet: no course there to clash with
    }
    for (const name of names) {
      const folder = join(root, name);
      if (folder !== dir && slugIn(folder) === slug)
        throw new ValidationError(
          'slug_taken',
          `the slug "${slug}" is already the course in ${folder}: give another with --slug <lower-case-words> (nothing was written)`,
          'slug',
        );
    }
  }
}

/** `--lang` when given (checked: ValidationError `invalid_language`), else the language of the article's text. */
function chooseLanguage(given: string | undefined, article: Article): CourseLanguage {
  if (given !== undefined) {
    const tag = parseLanguageTag(given);
    return { tag, name: languageName(tag), source: 'given' };
  }
  return detectLanguage([article.title ?? '', ...articleTextBlocks(article)].join('\n'));
}

/**
 * Write a new course folder from an article. Refuses (ValidationError) an unknown format, an article
 * with no title when none is given, a slug that is not lower-case words or that another course in the
 * output folder's parent or the courses folder already has, and an output folder that already has
 * files in it (nothing is overwritten, nothing is written when refused).
 */
export async function newCourse(options: NewCourseOptions): Promise<NewCourseResult> {
  const format = articleFormat(options.article);
  let content: string;
  try {
    content = await readFile(options.article, 'utf8');
  } catch (e: unknown) {
    throw new ValidationError('cannot_read_article', `cannot read ${options.article}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const article = parseArticle(content, format, {
    wantTitle: options.title === undefined,
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const title = options.title?.trim() || article.title;
  if (!title)
    throw new ValidationError(
      'no_title',
      `${basename(options.article)} has no title (no single first-level heading${format === 'text' ? ' or heading-like first line' : ''}): give one with --title "<title>"`,
    );
  const slug = chooseSlug(options.slug, title, basename(options.article));
  const language = chooseLanguage(options.language, article);
  const messages = messagesFor(language.tag);

  const drafts = splitIntoLessons(article, title, messages);
  if (drafts.length === 0 || drafts.every((d) => d.parts.length === 0 && d.headingHtml === undefined))
    throw new ValidationError('empty_article', `${basename(options.article)} has no text to make lessons from`);
  const dir = resolve(options.out ?? join(options.coursesDir, slug));
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new ValidationError('course_exists', `${dir} already has files in it: choose another --out (nothing was written)`);
  refuseSlugClash(slug, dir, options.coursesDir);

  const sourceName = basename(options.article);
  const lessons = drafts.map((d, i) => {
    const stem = isIntroduction(d, messages) ? 'introduction' : slugify(d.title, 6) || 'lesson';
    return { draft: d, file: `lessons/${String(i + 1).padStart(2, '0')}-${stem}.mjml`, ...subjectAndPreheader(drafts, i, title, messages) };
  });
  const manifest = {
    slug,
    title,
    // Written out even for English: the author sees where the course's language is set.
    language: language.tag,
    description: messages.t('authoring.description', { count: lessons.length, title }),
    sender: { name: messages.t('authoring.senderName', { title }), email: 'course@example.com' },
    postalAddress: messages.t('authoring.postalAddressPlaceholder'),
    cadenceDays: 7,
    sendHour: '09:00',
    defaultTimezone: 'UTC',
    source: `source/${sourceName}`,
    disclaimer: defaultDisclaimer(messages),
    confirmation: {
      file: 'system/confirm.mjml',
      subject: messages.t('authoring.confirmationSubject', { title }),
      preheader: messages.t('authoring.confirmationPreheader'),
    },
    lessons: lessons.map((l) => ({ file: l.file, title: l.draft.title, subject: l.subject, preheader: l.preheader })),
  };
  const course = parseCourse(manifest, 'course.json (generated)');

  await mkdir(join(dir, 'lessons'), { recursive: true });
  await mkdir(join(dir, 'source'), { recursive: true });
  // The source byte for byte: `course check` compares the lessons against exactly this file.
  await copyFile(options.article, join(dir, 'source', sourceName));
  await Promise.all(lessons.map((l, i) => writeFile(join(dir, l.file), lessonMjml(l.draft, i + 1), 'utf8')));
  await writeFile(join(dir, 'course.json'), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  return {
    dir,
    format,
    course,
    language,
    lessons: lessons.map((l, i) => ({
      number: i + 1,
      title: l.draft.title,
      words: wordsIn([l.draft.headingHtml ?? '', ...l.draft.parts]),
      file: l.file,
    })),
  };
}
