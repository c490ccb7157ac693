// The article's words are the article's: text that looks like a placeholder of this product or of
// another mail tool reaches the reader as written, in the HTML, the text and the subject, from a
// Markdown, plain-text or HTML article, through `course new`, `course check` and `npm run preview`
// as an author runs them. Only the layout's own placeholders (the greeting, the unsubscribe link) are filled.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../functions/cli/main.js';
import { compileCourse } from '../../../functions/email/compile.js';
import { loadCourse } from '../../../functions/email/manifest.js';
import { renderLesson } from '../../../functions/email/personalise.js';
import { escapeHtml } from '../../../functions/email/escape.js';
import { textOf } from '../../../functions/authoring/html.js';
import { collector } from '../../support/collector.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;

/** Placeholders of this product, in other spellings, and of other template languages and mail tools. */
const LOOK_ALIKES = [
  '{{name}}',
  '{{unsubscribeUrl}}',
  '{{confirmUrl}}',
  '{{openBrace}}',
  '{{ name }}',
  '{{{x}}}',
  '{{{name}}}',
  '{{{{unsubscribeUrl}}}}',
  '{{#each items}}',
  '{{course.title}}',
  '${x}',
  '%recipient%',
  '%recipient.name%',
  '{%name%}',
  '[[name]]',
  '{name}',
  '$name',
  '<%= name %>',
];
const PARAGRAPH = `Mail tools write ${LOOK_ALIKES.join(' and ')} in their templates.`;
const READER = {
  name: 'Alex',
  unsubscribeUrl: 'https://course.example.com/unsubscribe?token=t0k3n',
  learnUrl: 'https://course.example.com/learn?token=t0k3n',
};

/** The same article in each format: a title, a first section with the paragraph, a second section whose heading is a look-alike. */
const ARTICLES = {
  'placeholders.md': `# Placeholders\n\n## What {{name}} means\n\n${PARAGRAPH}\n\n## Dear {{name}}\n\nThe end, {{unsubscribeUrl}}.\n`,
  'placeholders.txt': `Placeholders\n\nWhat {{name}} means\n\n${PARAGRAPH}\n\nDear {{name}}\n\nThe end, {{unsubscribeUrl}}.\n`,
  'placeholders.html': `<html><body><h1>Placeholders</h1><h2>What {{name}} means</h2><p>${escapeHtml(PARAGRAPH)}</p><h2>Dear {{name}}</h2><p>The end, {{unsubscribeUrl}}.</p></body></html>`,
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'article-words-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** `npx course new <file> --out <dir>` then `npx course check --course <dir> --no-deliverability`: both exit codes and outputs. */
async function newAndCheck(
  file: string,
  name = file.replace('.', '-'),
): Promise<{ dir: string; made: number; checked: number; out: string }> {
  const article = join(scratch, file);
  await writeFile(article, ARTICLES[file as keyof typeof ARTICLES]);
  const dir = join(scratch, `course-${name}`);
  const out = collector();
  const err = collector();
  const made = await main(['new', article, '--out', dir, '--slug', name], { out, err, env: {} });
  expect(err.text()).toBe('');
  const checked = await main(['check', '--course', dir, '--no-deliverability'], { out, err, env: {} });
  return { dir, made, checked, out: out.text() };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

describe.each(Object.keys(ARTICLES))('an article (%s) with text that looks like placeholders', (file) => {
  it('course new writes it and course check finds every word in its lesson; a reader gets it as written', async () => {
    const { dir, made, checked, out } = await newAndCheck(file);
    expect(made).toBe(0);
    expect(checked, out).toBe(0);
    expect(out).toContain(`✓ ${file.replace('.', '-')}: 2 lessons match`);

    const course = loadCourse(dir);
    const compiled = await compileCourse(course, dir);
    const [first, second] = [0, 1].map((i) => renderLesson(compiled, i, READER));
    // What a mail client shows of the HTML (entities decoded), and the text part.
    const shown = (html: string) => textOf(html);
    for (const form of LOOK_ALIKES) {
      expect(oneLine(first!.text)).toContain(form);
      expect(shown(first!.html)).toContain(form);
    }
    expect(first!.html).not.toContain('<%=');
    // The heading is the lesson's title, subject and preheader, and the "next" line of the lesson before.
    expect(first!.subject).toBe('Lesson 1 of 2: What {{name}} means');
    expect(second!.subject).toBe('Lesson 2 of 2: Dear {{name}}');
    expect(shown(first!.html)).toContain('Next week: Dear {{name}}');
    expect(shown(second!.html)).toContain('Dear {{name}} The end, {{unsubscribeUrl}}.');
    expect(oneLine(second!.text)).toContain('The end, {{unsubscribeUrl}}.');
    // The layout's own placeholders are still filled, once each.
    for (const email of [first!, second!]) {
      expect(email.html).toContain('Hi Alex,');
      expect(email.html).toContain(`href="${READER.unsubscribeUrl}"`);
      expect(email.text).toContain('Hi Alex,');
      expect(email.html).not.toContain('openBrace}}{');
    }
  });
});

describe('npm run preview', () => {
  it('shows the look-alikes as written and exits 0', async () => {
    const { dir } = await newAndCheck('placeholders.md', 'preview');
    const out = join(scratch, 'preview');
    await run('npm', ['run', '--silent', 'preview', '--', '--out', out, '--course', dir], { cwd: root });
    const text = await readFile(join(out, 'preview', '01-what-name-means.txt'), 'utf8');
    for (const form of LOOK_ALIKES) expect(oneLine(text)).toContain(form);
    expect(text).toContain('Hi Alex,');
  }, 120_000);
});

describe('npm run preview on a course with a problem', () => {
  it('names the lesson that does not compile and exits 1, without a stack trace', async () => {
    const { dir } = await newAndCheck('placeholders.md', 'broken-preview');
    const lesson = join(dir, 'lessons', '02-dear-name.mjml');
    await writeFile(lesson, (await readFile(lesson, 'utf8')).replace('</mj-text>', '</mj-text>\n<mj-texx>x</mj-texx>'));
    const failed = run('npm', ['run', '--silent', 'preview', '--', '--out', join(scratch, 'broken-out'), '--course', dir], { cwd: root });
    const error = (await failed.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/Lesson 2 \(lessons\/02-dear-name\.mjml\) does not compile/);
    expect(error.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
