// `course check`: is a course fit to send? Each check is one entry in `COURSE_CHECKS` (a name and a
// function from the course under check to its problems), so adding one (deliverability, links…) is
// adding an entry. The course is loaded, read and compiled once and shared by every check.
//
//   fidelity     every paragraph, list item and heading of the source is in its lesson, in order,
//                word for word, and nothing else is in the lesson files (the layout adds the rest)
//   compile      every template compiles at mjml's strict validation
//   size         every lesson's HTML, filled in for a reader, is under 102 KB (Gmail clips larger
//                messages: https://support.google.com/mail/answer/7344406 — "[Message clipped]")
//   disclaimer   when the manifest sets one, every lesson's HTML and text carry it word for word
//   strings      the product's words exist in the course's language: a language with no catalogue
//                fails naming the keys course.json's `strings` does not give (unless the author chose
//                `"stringsFallback": "en"`); keys a catalogue lacks (shown in English) are a warning
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isAppError } from '../core/errors.js';
import { compileCourse, TemplateError } from '../email/compile.js';
import type { CompiledCourse } from '../email/compiled-course.js';
import { defaultTemplatesDir, loadCourse, type Course } from '../email/manifest.js';
import { escapeHtml } from '../email/escape.js';
import { renderLesson } from '../email/personalise.js';
import { en } from '../i18n/catalogues/en.js';
import { CATALOGUES, catalogueTag, type MessageKey } from '../i18n/messages.js';
import { languageName } from './language.js';
import { courseMessages } from '../i18n/messages.js';
import { articleFormat, articleTextBlocks, controlCharacterIn, parseArticle, showControlCharacters } from './article.js';
import { normaliseText, textBlocks } from './html.js';
import { commonSubsequence } from './align.js';

/** One thing wrong with a course: which check found it, which lesson (1-based) and file, and what. */
export interface CourseProblem {
  check: string;
  lesson?: number;
  file?: string;
  message: string;
  /** Worth the author's attention, but the course may ship: reported, not failed. */
  warning?: true;
}

/** A course as the checks see it: loaded once, each file read and the course compiled at most once. */
export interface CourseUnderCheck {
  dir: string;
  course: Course;
  /** A file of the course folder (relative path), as text. */
  read: (file: string) => Promise<string>;
  /** The compiled course, or the TemplateError that stopped it (compiled once, at strict validation). */
  compile: () => Promise<{ compiled: CompiledCourse } | { error: TemplateError }>;
  /** The compiled course, or undefined when it does not compile (the `compile` check reports why). */
  compiled: () => Promise<CompiledCourse | undefined>;
}

export interface CourseCheck {
  name: string;
  run: (subject: CourseUnderCheck) => Promise<CourseProblem[]>;
}

/** Gmail clips an HTML body above 102 KB (102 × 1024 bytes here, to stay on the safe side). */
export const MAX_LESSON_BYTES = 102 * 1024;
/** A realistic reader for the size check: a long name and an unsubscribe link as long as a real one. */
const SAMPLE_READER = {
  name: 'Alexandra Example-Reader',
  unsubscribeUrl: `https://courses.example.com/unsubscribe?token=${'x'.repeat(180)}`,
  learnUrl: `https://courses.example.com/learn?token=${'x'.repeat(80)}`,
};

/** Text quoted in a problem, cut at `max` characters; control characters shown as U+FFFD (the report is printed on a terminal). */
const quote = (text: string, max = 160) => {
  const s = showControlCharacters(text);
  return `“${s.length > max ? `${s.slice(0, max - 1)}…` : s}”`;
};

export const compileCheck: CourseCheck = {
  name: 'compile',
  async run(subject) {
    const result = await subject.compile();
    if (!('error' in result)) return [];
    const lesson = /^Lesson (\d+) /.exec(result.error.message)?.[1];
    return [
      {
        check: 'compile',
        ...(lesson ? { lesson: Number(lesson), file: subject.course.lessons[Number(lesson) - 1]?.file } : {}),
        message: result.error.message,
      },
    ];
  },
};

/**
 * Where each lesson's part of the source starts: lesson k (k ≥ 2) at the block equal to its title,
 * searched in order; lesson 1 at its title when the source has it before lesson 2's, else at the start.
 */
function sectionStarts(blocks: readonly string[], titles: readonly string[]): { starts: number[]; missing: number[] } {
  const starts: number[] = [];
  const missing: number[] = [];
  let from = 0;
  titles.forEach((title, k) => {
    const at = blocks.indexOf(normaliseText(title), from);
    if (k === 0) {
      const next = titles[1] === undefined ? blocks.length : blocks.indexOf(normaliseText(titles[1]), 0);
      starts.push(at !== -1 && (next === -1 || at < next) ? at : 0);
      if (at !== -1 && (next === -1 || at < next)) from = at + 1;
      return;
    }
    if (at === -1) {
      missing.push(k);
      starts.push(starts[k - 1]!);
      return;
    }
    starts.push(at);
    from = at + 1;
  });
  return { starts, missing };
}

export const fidelityCheck: CourseCheck = {
  name: 'fidelity',
  async run({ course, read }) {
    if (course.source === undefined)
      return [
        {
          check: 'fidelity',
          message: 'course.json names no "source": the article the lessons come from (source/<its file>) is needed to check them',
        },
      ];
    const article = parseArticle(await read(course.source), articleFormat(course.source));
    const source = articleTextBlocks(article);
    // A plain-text article's first line is its title only if the manifest says so; otherwise it is text.
    if (article.format === 'text' && article.title !== undefined && normaliseText(article.title) !== normaliseText(course.title))
      source.unshift(normaliseText(article.title));
    const lessons = await Promise.all(course.lessons.map(async (l) => textBlocks(await read(l.file))));
    const where = lessons.flatMap((blocks, k) => blocks.map(() => k));
    const { starts, missing } = sectionStarts(
      source,
      course.lessons.map((l) => l.title),
    );
    // The last lesson whose section starts at or before block i (starts ascend): a binary search.
    const sectionOf = (i: number) => {
      let lo = 0;
      for (let hi = starts.length - 1; lo < hi;) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= i) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const label = (k: number) => ({ lesson: k + 1, file: course.lessons[k]!.file });

    const problems: CourseProblem[] = missing.map((k) => ({
      check: 'fidelity',
      ...label(k),
      message: `its title ${quote(course.lessons[k]!.title)} is not a heading of the source (titles come from the article's headings)`,
    }));
    // A control character pasted into a lesson would reach the email: named, besides the difference from the source.
    lessons.forEach((blocks, k) => {
      const block = blocks.find((b) => controlCharacterIn(b) !== undefined);
      if (block !== undefined)
        problems.push({ check: 'fidelity', ...label(k), message: `a control character (${controlCharacterIn(block)}) in ${quote(block)}` });
    });
    const flat = lessons.flat();
    const pairs = commonSubsequence(source, flat);
    const keptSource = new Set(pairs.map(([i]) => i));
    const keptLesson = new Set(pairs.map(([, j]) => j));
    const dropped = source.map((text, i) => ({ text, i })).filter(({ i }) => !keptSource.has(i));
    const added = flat.map((text, j) => ({ text, j })).filter(({ j }) => !keptLesson.has(j));
    const addedTexts = new Set(added.map((a) => a.text));
    const moved = new Set(dropped.map((d) => d.text).filter((t) => addedTexts.has(t)));
    for (const { text, i } of dropped) {
      problems.push({
        check: 'fidelity',
        ...label(sectionOf(i)),
        message: moved.has(text) ? `out of order: ${quote(text)}` : `missing: ${quote(text)}`,
      });
    }
    for (const { text, j } of added) {
      if (!moved.has(text)) problems.push({ check: 'fidelity', ...label(where[j]!), message: `not in the source (added): ${quote(text)}` });
    }
    if (missing.length === 0) {
      for (const [i, j] of pairs) {
        const k = sectionOf(i);
        if (where[j] !== k)
          problems.push({
            check: 'fidelity',
            ...label(where[j]!),
            message: `belongs to lesson ${k + 1} (${quote(course.lessons[k]!.title, 60)}) in the source: ${quote(source[i]!)}`,
          });
      }
    }
    return problems;
  },
};

export const sizeCheck: CourseCheck = {
  name: 'size',
  async run({ course, compiled }) {
    const c = await compiled();
    if (c === undefined) return [];
    return course.lessons.flatMap((l, i) => {
      let bytes: number;
      try {
        bytes = Buffer.byteLength(renderLesson(c, i, SAMPLE_READER).html);
      } catch (e: unknown) {
        return [{ check: 'size', lesson: i + 1, file: l.file, message: `cannot be rendered for a reader: ${errorMessage(e)}` }];
      }
      return bytes < MAX_LESSON_BYTES
        ? []
        : [
            {
              check: 'size',
              lesson: i + 1,
              file: l.file,
              message: `${(bytes / 1024).toFixed(1)} KB of HTML: Gmail clips emails at 102 KB`,
            },
          ];
    });
  },
};

export const disclaimerCheck: CourseCheck = {
  name: 'disclaimer',
  async run({ course, compiled }) {
    const d = course.disclaimer;
    const c = await compiled();
    if (d === undefined || c === undefined) return [];
    // The label as the course's language writes it ("Hinweis:", "Avertissement :").
    const label = courseMessages(course).t('disclaimer.label', { label: d.label });
    const html = `<strong>${escapeHtml(label)}</strong> ${escapeHtml(d.text)}`;
    const text = normaliseText(`${label} ${d.text}`);
    return course.lessons.flatMap((l, i) => {
      const email = c.lessons[i]!;
      return email.html.includes(html) && normaliseText(email.text).includes(text)
        ? []
        : [
            {
              check: 'disclaimer',
              lesson: i + 1,
              file: l.file,
              message: `the disclaimer ${quote(`${d.label}: ${d.text}`, 80)} is not in the email`,
            },
          ];
    });
  },
};

/**
 * Whether the product's words exist in `course`'s language. `catalogue`: the catalogue its language
 * uses (functions/i18n CATALOGUES; undefined when there is none). Without one, every key course.json's
 * `strings` does not give is missing: a problem naming them, or, when the author set
 * `"stringsFallback": "en"`, a warning. With one, the keys it lacks (messagesFor shows them in English)
 * are a warning. A `strings` key that is no catalogue key (a typo would silently change nothing) is a problem.
 */
export function stringsProblems(
  course: Pick<Course, 'language' | 'strings' | 'stringsFallback'>,
  catalogue: Partial<Record<MessageKey, string>> | undefined,
): CourseProblem[] {
  const keys = Object.keys(en) as MessageKey[];
  const overrides = course.strings ?? {};
  const problems: CourseProblem[] = Object.keys(overrides)
    .filter((k) => !Object.hasOwn(en, k))
    .map((k) => ({
      check: 'strings',
      message: `strings: "${k}" is not a catalogue key (functions/i18n/catalogues/en.ts lists them), so it changes nothing`,
    }));
  const uncovered = keys.filter((k) => overrides[k] === undefined && catalogue?.[k] === undefined);
  if (uncovered.length === 0) return problems;
  const language = `${languageName(course.language)} (${course.language})`;
  const list = uncovered.join(', ');
  if (catalogue !== undefined)
    problems.push({
      check: 'strings',
      warning: true,
      message: `${uncovered.length} untranslated string${uncovered.length === 1 ? '' : 's'}: the ${language} catalogue lacks them and course.json's "strings" does not give them, so they are shown in English: ${list}`,
    });
  else if (course.stringsFallback === 'en')
    problems.push({
      check: 'strings',
      warning: true,
      message: `no catalogue for ${language}: ${uncovered.length} string${uncovered.length === 1 ? '' : 's'} shown in English, as "stringsFallback": "en" chooses: ${list}`,
    });
  else
    problems.push({
      check: 'strings',
      message: `no catalogue for ${language}: ${uncovered.length} string${uncovered.length === 1 ? ' is' : 's are'} missing: ${list}. Give each in course.json "strings" (in ${language}), or set "stringsFallback": "en" to show them in English`,
    });
  return problems;
}

export const stringsCheck: CourseCheck = {
  name: 'strings',
  run({ course }) {
    const tag = catalogueTag(course.language);
    return Promise.resolve(stringsProblems(course, tag === undefined ? undefined : CATALOGUES[tag]));
  },
};

/** What `course check` runs, in order. Add a check here. */
export const COURSE_CHECKS: readonly CourseCheck[] = [compileCheck, fidelityCheck, sizeCheck, disclaimerCheck, stringsCheck];

export interface CheckReport {
  dir: string;
  /** Absent when the manifest itself could not be loaded (then the one problem says why). */
  course?: Course;
  /** What fails the course. */
  problems: CourseProblem[];
  /** What the author should know but which does not fail it (untranslated strings). */
  warnings: CourseProblem[];
  /** The largest lesson's HTML for a reader, in bytes (when it compiled). */
  largestLessonBytes?: number;
}

/**
 * One check's problems. A check that throws (an article it cannot read, a lesson it cannot render)
 * is a problem of the course too, reported under the check's name with the lesson when the error
 * names one ("lesson 3 …"), never a crash of the whole report.
 */
async function runOneCheck(check: CourseCheck, subject: CourseUnderCheck): Promise<CourseProblem[]> {
  try {
    return await check.run(subject);
  } catch (e: unknown) {
    const message = e instanceof RangeError && /call stack/i.test(e.message) ? 'nested too deeply to read' : errorMessage(e);
    const lesson = Number(/\blesson (\d+)\b/i.exec(message)?.[1] ?? NaN);
    const file = subject.course.lessons[lesson - 1]?.file;
    return [{ check: check.name, ...(file === undefined ? {} : { lesson, file }), message: `could not be checked: ${message}` }];
  }
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Run `checks` on the course in `courseDir`. Never throws for a problem of the course: it is reported. */
export async function checkCourse(
  courseDir: string,
  checks: readonly CourseCheck[] = COURSE_CHECKS,
  templatesDir: string = defaultTemplatesDir,
): Promise<CheckReport> {
  const dir = resolve(courseDir);
  let course: Course;
  try {
    course = loadCourse(dir, templatesDir);
  } catch (e: unknown) {
    if (isAppError(e)) return { dir, problems: [{ check: 'manifest', message: e.message }], warnings: [] };
    throw e;
  }
  const files = new Map<string, Promise<string>>();
  let compiledOnce: ReturnType<CourseUnderCheck['compile']> | undefined;
  const compileOnce = async (): ReturnType<CourseUnderCheck['compile']> => {
    try {
      return { compiled: await compileCourse(course, dir, templatesDir) };
    } catch (e: unknown) {
      if (e instanceof TemplateError) return { error: e };
      throw e;
    }
  };
  const compile: CourseUnderCheck['compile'] = () => (compiledOnce ??= compileOnce());
  const subject: CourseUnderCheck = {
    dir,
    course,
    read: (file) => {
      let text = files.get(file);
      if (!text) files.set(file, (text = readFile(join(dir, file), 'utf8')));
      return text;
    },
    compile,
    compiled: () => compile().then((r) => ('compiled' in r ? r.compiled : undefined)),
  };
  const found: CourseProblem[] = [];
  for (const check of checks) found.push(...(await runOneCheck(check, subject)));
  const problems = found.filter((p) => p.warning !== true);
  const warnings = found.filter((p) => p.warning === true);
  // Only when a check compiled the course: `[fidelityCheck]` alone must not compile every lesson.
  const compiled = compiledOnce === undefined ? undefined : await subject.compiled();
  const largest = compiled === undefined ? undefined : largestLesson(compiled);
  return { dir, course, problems, warnings, ...(largest === undefined ? {} : { largestLessonBytes: largest }) };
}

/** The largest lesson's HTML for the sample reader, in bytes; undefined when a lesson does not render (the size check says which). */
function largestLesson(compiled: CompiledCourse): number | undefined {
  try {
    return Math.max(...compiled.lessons.map((_, i) => Buffer.byteLength(renderLesson(compiled, i, SAMPLE_READER).html)));
  } catch {
    return undefined;
  }
}

/** The report as an author reads it: each problem on its own line with its lesson and file, or a one-line all-clear. */
export function formatCheckReport(report: CheckReport): string {
  const name = report.course?.slug ?? report.dir;
  const line = (p: CourseProblem) =>
    `  ${p.warning ? 'warning: ' : ''}${p.lesson === undefined ? '' : `lesson ${p.lesson}${p.file ? ` (${p.file})` : ''}: `}[${p.check}] ${p.message}`;
  const warnings = report.warnings.map((w) => `${line(w)}\n`).join('');
  if (report.problems.length === 0) {
    const c = report.course!;
    const size = report.largestLessonBytes === undefined ? '' : `, largest lesson ${(report.largestLessonBytes / 1024).toFixed(1)} KB`;
    return `✓ ${name}: ${c.lessons.length} lessons match ${c.source ?? 'the source'} word for word, compile at strict validation${size}${c.disclaimer ? ', disclaimer in every lesson' : ''}\n${warnings}`;
  }
  const lines = report.problems.map(line);
  return `✗ ${name}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}\n${lines.join('\n')}\n${warnings}`;
}
