// `course new <article>` and `course check [--course DIR]`: the author's commands. They work on
// course folders only (no table, no AWS) and write their report to `out`.
import { relative } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Writable } from 'node:stream';
import { launchChromium } from '../authoring/chromium.js';
import { checkCourse, formatCheckReport, type CheckReport } from '../authoring/check.js';
import type { CourseLanguage } from '../authoring/language.js';
import { newCourse, type NewCourseOptions, type NewCourseResult } from '../authoring/new-course.js';
import { loadCourses } from '../email/courses.js';
import { catalogueTag } from '../i18n/messages.js';
import { runDeliverabilityCheck } from './deliverability-check.js';
import { table } from './terminal.js';

/**
 * Check the course in `courseDir`, or every course of `coursesDir`, and write each report to `out`.
 * Answers the reports and whether everything passed (false means exit 1). A course that builds is
 * then put through the deliverability check (SpamAssassin, caniemail, and with Chromium contrast in
 * light and dark and width at 375 px), unless `deliverability` is false; a check that cannot run here
 * is printed as skipped and does not fail the run.
 */
export async function runCheck(deps: {
  out: Writable;
  courseDir?: string;
  coursesDir?: string;
  deliverability?: boolean;
}): Promise<{ reports: CheckReport[]; ok: boolean }> {
  const dirs = deps.courseDir !== undefined ? [deps.courseDir] : loadCourses(deps.coursesDir).map((f) => f.dir);
  const reports: CheckReport[] = [];
  let ok = true;
  let browser: Browser | undefined;
  try {
    for (const dir of dirs) {
      const report = await checkCourse(dir);
      deps.out.write(formatCheckReport(report));
      reports.push(report);
      ok &&= report.problems.length === 0;
      // The emails can only be composed from a course that compiles.
      if (deps.deliverability === false || report.course === undefined || report.problems.some((p) => p.check === 'compile')) continue;
      browser ??= await launchChromium();
      deps.out.write(`\nDeliverability of ${report.course.slug}:\n`);
      try {
        const result = await runDeliverabilityCheck({ courseDir: dir, out: deps.out, ...(browser === undefined ? {} : { browser }) });
        ok &&= result.ok;
      } catch (e: unknown) {
        // Reported as a problem of this course; the other courses are still checked.
        deps.out.write(`  ✗ the deliverability check could not run: ${e instanceof Error ? e.message : String(e)}\n`);
        ok = false;
      }
    }
  } finally {
    await browser?.close();
  }
  return { reports, ok };
}

const shown = (dir: string) => {
  const rel = relative(process.cwd(), dir);
  return rel === '' || rel.startsWith('..') ? dir : rel;
};

/**
 * The course's language as the author is asked to confirm it (detected), or told why it is English;
 * and, for a language with no catalogue, what course check will ask for.
 */
function languageLines(language: CourseLanguage): string {
  const { tag, name } = language;
  const line =
    language.source === 'given'
      ? `Language: ${name} (${tag}), as given with --lang.`
      : language.source === 'detected'
        ? `Detected language: ${name} (${tag}). If that is wrong, run again with --lang <tag>.`
        : `Warning: ${language.warning ?? 'the language could not be detected'}: the course is English (en). If it is not, run again with --lang <tag>.`;
  if (catalogueTag(tag) !== undefined) return line;
  return `${line}\nThere is no catalogue for ${name} yet: the product's words around the article are English. Give them in course.json "strings",\nor set "stringsFallback": "en" to keep English (course check names every string).`;
}

/** Write a course from an article and print its lessons (number, title, words) and what to review next. */
export async function runNew(deps: { out: Writable }, options: NewCourseOptions): Promise<NewCourseResult> {
  const result = await newCourse(options);
  const dir = shown(result.dir);
  const kind = { markdown: 'Markdown', text: 'plain text', html: 'HTML' }[result.format];
  const { out } = deps;
  out.write(
    `Wrote ${dir}/ from ${kind}: "${result.course.title}" (slug ${result.course.slug}), ${result.lessons.length} lesson${result.lessons.length === 1 ? '' : 's'}\n\n`,
  );
  const rows: (string | number)[][] = [
    ['  #', 'title', 'words', 'file'],
    ...result.lessons.map((l) => [`  ${l.number}`, l.title, l.words, l.file]),
  ];
  out.write(`${table(rows)}\n\n`);
  out.write(`${languageLines(result.language)}\n\n`);
  out.write(
    [
      'Review next:',
      `  1. The split: one lesson per top-level section${result.format === 'text' ? ' (plain text: a heading is a short line without closing punctuation, followed by text)' : ''}.`,
      result.format === 'text'
        ? '     Wrong? Delete the folder and run again with --heading "<line>" or --not-heading "<line>" (repeatable).'
        : '     Wrong? Change the heading levels in the article, delete the folder and run again.',
      `  2. ${dir}/course.json: sender and postalAddress are placeholders; check the description, the disclaimer,`,
      "     and each lesson's subject and preheader (built from the headings; edit them, never add claims).",
      `  3. npx course check --course ${dir}     every paragraph in its lesson, word for word`,
      `  4. npm run preview -- --course ${dir}   look at every email`,
      '',
    ].join('\n'),
  );
  return result;
}
