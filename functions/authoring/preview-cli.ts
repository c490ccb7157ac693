// `npm run preview -- [--out DIR] [--course DIR]`: every lesson and the confirmation email of a course
// (default: of every course, one folder each) as HTML and text files, filled in with a sample name and
// links, plus an index.html to open them in a browser that shows each email's SpamAssassin score and
// the client-support features caniemail flags.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readSettings, SETTINGS } from '../config/settings.js';
import { compileCourse } from '../email/compile.js';
import { loadCourses } from '../email/courses.js';
import { loadCourse } from '../email/manifest.js';
import { escapeHtml } from '../email/escape.js';
import { renderConfirmation, renderLesson, type RenderedEmail } from '../email/personalise.js';
import { checkEmails, composeCourseEmails, passes, type EmailCheck } from './deliverability.js';

/** `npm run preview -- --help`. */
const PREVIEW_USAGE = `Usage: npm run preview -- [--out DIR] [--course DIR]

Writes every lesson and the confirmation email of a course as HTML and text files, filled in with a
sample name and links, and an index.html that shows each email's SpamAssassin score and the
client-support features caniemail flags. Exits 1 when an email cannot be rendered or fails its checks.

Options:
  --out DIR      where the files go, one folder per course (default: preview)
  --course DIR   one course folder (default: every course in COURSES_DIR, or templates/courses)
  -h, --help     this text`;

const SAMPLE = {
  name: 'Alex',
  unsubscribeUrl: 'http://localhost:3000/unsubscribe?token=sample-unsubscribe-token',
  learnUrl: 'http://localhost:3000/learn?token=sample-learn-token',
  confirmUrl: 'http://localhost:3000/confirm?token=sample-confirm-token',
};

/** File stem for lesson `i` (0-based): `01-introduction` from `lessons/01-introduction.mjml`. */
function lessonStem(i: number, file: string): string {
  const base = (file.split('/').pop() ?? file).replace(/\.mjml$/, '').replace(/^\d+-/, '');
  return `${String(i + 1).padStart(2, '0')}-${base}`;
}

/** The index's line about one email's checks: its spam score and rules, then what caniemail flags. */
function checkSummary(check: EmailCheck | undefined): string {
  if (!check) return '';
  const spam =
    check.spam.status === 'skipped'
      ? `Spam score: not checked (${escapeHtml(check.spam.reason)})`
      : `Spam score: ${check.spam.score.toFixed(1)}${check.spam.findings.length ? ` — ${check.spam.findings.map((r) => `<strong>${escapeHtml(r.name)}</strong> +${r.score} (${escapeHtml(r.description)})`).join('; ')}` : ''}`;
  const cs = check.clientSupport;
  const flagged = cs.findings.length
    ? `Unsupported: ${cs.findings.map((f) => `<strong>${escapeHtml(f.feature)}</strong> (${escapeHtml(f.clients.join(', '))})`).join('; ')}`
    : 'Unsupported: none';
  const accepted = `<span title="${escapeHtml(cs.accepted.map((f) => f.feature).join(', '))}">${cs.accepted.length} accepted features</span> (docs/guides/deliverability.md)`;
  return `<br><span class="${passes(check) ? 'ok' : 'fail'}">${passes(check) ? 'Checks pass' : 'Checks FAIL'}</span> · ${spam}<br>${flagged} · ${accepted}`;
}

/** One email of the preview: its file stem, its label in the index, and the email or why it could not be rendered. */
interface PreviewEntry {
  stem: string;
  label: string;
  email?: RenderedEmail;
  problem?: string;
}

/** `render()` as an entry: a failure is the entry's problem, named by its label, and the other emails are still written. */
function previewEntry(stem: string, label: string, render: () => RenderedEmail): PreviewEntry {
  try {
    return { stem, label, email: render() };
  } catch (e: unknown) {
    return { stem, label, problem: `${label}: cannot be rendered: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Write the preview files of the course in `courseDir` into `outDir`; returns the index path, the files
 * written and the problems found (an email that cannot be rendered, checks that could not run), each
 * naming its email. A problem never stops the other emails from being written.
 */
export async function writePreview(outDir: string, courseDir: string): Promise<{ index: string; files: string[]; problems: string[] }> {
  const compiled = await compileCourse(loadCourse(courseDir), courseDir);
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const entries: PreviewEntry[] = [
    previewEntry('00-confirmation', 'Confirmation (double opt-in)', () => renderConfirmation(compiled, { confirmUrl: SAMPLE.confirmUrl })),
    ...compiled.course.lessons.map((lesson, i) =>
      previewEntry(lessonStem(i, lesson.file), `Lesson ${i + 1}: ${lesson.title}`, () =>
        renderLesson(compiled, i, { name: SAMPLE.name, unsubscribeUrl: SAMPLE.unsubscribeUrl, learnUrl: SAMPLE.learnUrl }),
      ),
    ),
  ];
  const problems = entries.flatMap((e) => (e.problem === undefined ? [] : [e.problem]));
  // The same checks as the test and `course check`, over the emails composed for the sample recipient
  // (confirmation first, then the lessons: the order of `entries`). Only when every email renders.
  let checks: EmailCheck[] = [];
  if (problems.length === 0) {
    try {
      checks = await checkEmails((await composeCourseEmails(courseDir)).emails);
    } catch (e: unknown) {
      problems.push(`the deliverability checks could not run: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const files: string[] = [];
  for (const { stem, email } of entries) {
    if (email === undefined) continue;
    await writeFile(join(dir, `${stem}.html`), email.html, 'utf8');
    await writeFile(join(dir, `${stem}.txt`), email.text, 'utf8');
    files.push(`${stem}.html`, `${stem}.txt`);
  }
  const rows = entries
    .map(({ stem, label, email, problem }, i) =>
      email === undefined
        ? `<li>${escapeHtml(label)}<br><small class="fail">${escapeHtml(problem ?? '')}</small></li>`
        : `<li><a href="${stem}.html">${escapeHtml(label)}</a> (<a href="${stem}.txt">text</a>)<br><small>Subject: ${escapeHtml(email.subject)}<br>Preheader: ${escapeHtml(email.preheader)}${checkSummary(checks[i])}</small></li>`,
    )
    .join('\n');
  const title = `${escapeHtml(compiled.course.title)}: email preview`;
  const index = join(dir, 'index.html');
  await writeFile(
    index,
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2933}li{margin:0 0 1rem}small{color:#4b5563}.ok{color:#166534}.fail{color:#b91c1c;font-weight:700}</style></head>
<body><h1>${title}</h1><p>Sample name “${escapeHtml(SAMPLE.name)}”, sample links. Edit the course's lessons (or templates/layout), then run <code>npm run preview</code> again. Spam score: Apache SpamAssassin, local rules (0.0 passes); unsupported: caniemail features Gmail, Outlook, Apple Mail or Yahoo lack (see docs/guides/deliverability.md).</p><ol start="0">
${rows}
</ol></body></html>\n`,
    'utf8',
  );
  files.push('index.html');
  return { index, files, problems };
}

/**
 * Preview `--course DIR`, or every course of the courses folder (COURSES_DIR, default templates/courses),
 * each into `<out>/<slug>/`; answers each course's index page.
 */
export async function writePreviews(
  outDir: string,
  options: { courseDir?: string; coursesDir?: string } = {},
): Promise<{ slug: string; index: string; files: string[]; problems: string[] }[]> {
  const folders =
    options.courseDir !== undefined
      ? [{ dir: resolve(options.courseDir), course: loadCourse(options.courseDir) }]
      : loadCourses(options.coursesDir);
  const written = [];
  for (const { dir, course } of folders) {
    try {
      written.push({ slug: course.slug, ...(await writePreview(join(outDir, course.slug), dir)) });
    } catch (e: unknown) {
      // A course that does not compile (the message names the lesson file and line) is that course's problem.
      written.push({ slug: course.slug, index: '', files: [], problems: [e instanceof Error ? e.message : String(e)] });
    }
  }
  return written;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'preview' }, course: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(PREVIEW_USAGE);
    return;
  }
  // COURSES_DIR through the settings table, as every entry point reads it (unset: templates/courses).
  const { coursesDir } = readSettings({ coursesDir: SETTINGS.coursesDir.part }, process.env);
  const written = await writePreviews(values.out, {
    ...(values.course === undefined ? {} : { courseDir: values.course }),
    ...(coursesDir === undefined ? {} : { coursesDir }),
  });
  for (const { slug, index, files, problems } of written) {
    if (index !== '') console.log(`${slug}: wrote ${files.length} preview files to ${resolve(values.out, slug)}\n  Open ${index}`);
    for (const problem of problems) console.error(`${slug}: ${problem}`);
  }
  if (written.some((w) => w.problems.length > 0)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`Preview failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
