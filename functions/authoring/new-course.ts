// `course new <article>`: an article becomes a course folder: course.json (manifest with defaults),
// one MJML lesson per top-level section (text before the first section is lesson 1, an introduction),
// and source/<the article's file name>, copied byte for byte. Subjects and preheaders are built from
// the headings only: nothing is written that the article does not say.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { parseCourse, type Course } from '../email/manifest.js';
import { articleFormat, parseArticle, type Article, type ArticleFormat, type TextOverrides } from './article.js';
import { styleForEmail, textBlocks } from './html.js';

/** A lesson as split from the article, before it is written. */
export interface LessonDraft {
  /** The section heading's text; "Introduction" for text before the first section. */
  title: string;
  /** The section heading's inner HTML; absent for the untitled introduction. */
  headingHtml?: string;
  /** The sub-headings' texts, in order (for the preheader). */
  subheadings: string[];
  /** The lesson's content, one HTML piece per block (sub-headings already at their lesson level). */
  parts: string[];
}

export const INTRODUCTION_TITLE = 'Introduction';
/** The disclaimer a new course starts with: the project's courses are medical material (review it for yours). */
export const DEFAULT_DISCLAIMER = {
  label: 'Medical disclaimer',
  text: 'this course is educational only and is not medical advice. Consult a qualified healthcare professional about your own situation before making any decision about diagnosis or treatment.',
};
const MAX_PREHEADER = 110;

/**
 * One lesson per top-level section: the shallowest heading level the article uses (after its title)
 * splits it; deeper headings stay inside their lesson as sub-headings (h2, h3…). Body text before the
 * first section heading is lesson 1, the introduction. An article with no heading is one lesson.
 */
export function splitIntoLessons(article: Article, courseTitle: string): LessonDraft[] {
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
      current = { title: INTRODUCTION_TITLE, subheadings: [], parts: [] };
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

/** Subject and preheader of lesson `i` (0-based) of `lessons`, from headings only. */
export function subjectAndPreheader(
  lessons: readonly LessonDraft[],
  i: number,
  courseTitle: string,
): { subject: string; preheader: string } {
  const lesson = lessons[i]!;
  const n = `Lesson ${i + 1} of ${lessons.length}`;
  const intro = lesson.headingHtml === undefined;
  const subject = intro && lesson.title === INTRODUCTION_TITLE ? `${n}: ${courseTitle}, an introduction` : `${n}: ${lesson.title}`;
  let preheader: string;
  if (lesson.subheadings.length > 0) preheader = `In this lesson: ${lesson.subheadings.join(' · ')}`;
  else if (intro && lessons.length > 1)
    preheader = `Coming up: ${lessons
      .slice(i + 1)
      .map((l) => l.title)
      .join(' · ')}`;
  else preheader = `${courseTitle}: ${n.toLowerCase()}`;
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
  overrides?: TextOverrides;
}

export interface NewCourseResult {
  dir: string;
  format: ArticleFormat;
  course: Course;
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
 * The course's slug: `--slug` as given, or made from the title. A refused `--slug` is blamed on itself
 * (what is wrong with it), a title no slug can be made from on the title. ValidationError `invalid_slug`.
 */
function chooseSlug(given: string | undefined, title: string): string {
  if (given === undefined) {
    const slug = slugify(title);
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
  const slug = chooseSlug(options.slug, title);

  const drafts = splitIntoLessons(article, title);
  if (drafts.length === 0 || drafts.every((d) => d.parts.length === 0 && d.headingHtml === undefined))
    throw new ValidationError('empty_article', `${basename(options.article)} has no text to make lessons from`);
  const dir = resolve(options.out ?? join(options.coursesDir, slug));
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new ValidationError('course_exists', `${dir} already has files in it: choose another --out (nothing was written)`);
  refuseSlugClash(slug, dir, options.coursesDir);

  const sourceName = basename(options.article);
  const lessons = drafts.map((d, i) => {
    const stem = d.headingHtml === undefined && d.title === INTRODUCTION_TITLE ? 'introduction' : slugify(d.title, 6) || 'lesson';
    return { draft: d, file: `lessons/${String(i + 1).padStart(2, '0')}-${stem}.mjml`, ...subjectAndPreheader(drafts, i, title) };
  });
  const manifest = {
    slug,
    title,
    description: `An email course in ${lessons.length} lesson${lessons.length === 1 ? '' : 's'}: the article “${title}”, one section a week.`,
    sender: { name: `${title} course`, email: 'course@example.com' },
    postalAddress: 'Example Course Ltd, 1 Example Street, Example City (placeholder: set your real postal address)',
    cadenceDays: 7,
    sendHour: '09:00',
    defaultTimezone: 'UTC',
    source: `source/${sourceName}`,
    disclaimer: DEFAULT_DISCLAIMER,
    confirmation: {
      file: 'system/confirm.mjml',
      subject: `Please confirm your subscription to ${title}`,
      preheader: 'One click to confirm, and the first lesson arrives at the next send.',
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
    lessons: lessons.map((l, i) => ({
      number: i + 1,
      title: l.draft.title,
      words: wordsIn([l.draft.headingHtml ?? '', ...l.draft.parts]),
      file: l.file,
    })),
  };
}
