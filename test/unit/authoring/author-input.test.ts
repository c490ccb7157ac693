// What authors hand `course new` and `course check`, run as an author runs them (`npx course …`):
// code blocks keep their whitespace and are compared with it; control characters and invisible
// headings are refused naming the line; nesting thousands deep is refused with a message, not a stack
// overflow; a bad --slug is blamed on the slug; a slug another course has is refused before anything
// is written; a course.json with a byte-order mark is read; markup in an attribute value is escaped.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../functions/cli/main.js';
import { compileCourse } from '../../../functions/email/compile.js';
import { loadCourse } from '../../../functions/email/manifest.js';
import { renderLesson } from '../../../functions/email/personalise.js';
import { SHIPPED_COURSE_DIR } from '../../support/course.js';
import { collector } from '../../support/collector.js';

let scratch: string;
let n = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'author-input-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** `npx course <args>` with COURSES_DIR set as given: exit code, stdout, stderr. */
async function course(args: string[], env: Record<string, string> = {}) {
  const out = collector();
  const err = collector();
  const code = await main(args, { out, err, env });
  return { code, out: out.text(), err: err.text() };
}

/** Write `content` as an article named `file` in a folder of its own; answers its path and a fresh --out for it. */
async function article(file: string, content: string | Buffer) {
  const dir = join(scratch, `a${++n}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, file);
  await writeFile(path, content);
  return { path, out: join(dir, 'course') };
}

/** `course new` then `course check` (text checks only) on the result. */
async function newThenCheck(file: string, content: string, extra: string[] = []) {
  const a = await article(file, content);
  const made = await course(['new', a.path, '--out', a.out, ...extra]);
  expect(made.err).toBe('');
  expect(made.code).toBe(0);
  const checked = await course(['check', '--course', a.out, '--no-deliverability']);
  return { dir: a.out, checked };
}

const CODE =
  'def dose(weight_kg):\n    if weight_kg < 40:\n        return 0\n\treturn weight_kg * 2  # tab-indented\n\n  # two spaces, after a blank line';

describe('code blocks keep their whitespace', () => {
  it.each([
    ['Markdown, fenced', 'code.md', `# Code\n\n## Dosing\n\nThe rule:\n\n\`\`\`python\n${CODE}\n\`\`\`\n\nThat is all.\n`],
    [
      'Markdown, indented',
      'code.md',
      `# Code\n\n## Dosing\n\nThe rule:\n\n${CODE.split('\n')
        .map((l) => (l === '' ? '' : `    ${l}`))
        .join('\n')}\n\nThat is all.\n`,
    ],
    ['HTML', 'code.html', `<h1>Code</h1><h2>Dosing</h2><p>The rule:</p><pre>${CODE.replace(/</g, '&lt;')}</pre><p>That is all.</p>`],
  ])('%s: the lesson, the email and its text hold the code exactly; course check passes', async (_what, file, content) => {
    const { dir, checked } = await newThenCheck(file, content);
    expect(checked.out).toMatch(/^✓ code: 1 lessons match/);
    const lessonFile = loadCourse(dir).lessons[0]!.file;
    const lesson = await readFile(join(dir, lessonFile), 'utf8');
    const escaped = CODE.replace(/</g, '&lt;');
    expect(lesson).toContain(escaped);
    const email = renderLesson(await compileCourse(loadCourse(dir), dir), 0, {
      unsubscribeUrl: 'https://example.com/u',
      learnUrl: 'https://example.com/learn?token=t',
    });
    expect(email.html).toContain(escaped);
    expect(email.text).toContain('        return 0\n');
  });

  it('course check fails when a code line loses its indentation, naming the block', async () => {
    const { dir, checked } = await newThenCheck('code.md', `# Code\n\n## Dosing\n\n\`\`\`\n${CODE}\n\`\`\`\n`);
    expect(checked.code).toBe(0);
    const lessonFile = join(dir, loadCourse(dir).lessons[0]!.file);
    await writeFile(lessonFile, (await readFile(lessonFile, 'utf8')).replace('        return 0', '    return 0'));
    const after = await course(['check', '--course', dir, '--no-deliverability']);
    expect(after.code).toBe(1);
    expect(after.out).toContain(
      '[fidelity] missing: “def dose(weight_kg):\n    if weight_kg &lt; 40:\n        return 0'.replace('&lt;', '<'),
    );
    expect(after.out).toContain('[fidelity] not in the source (added): “def dose(weight_kg):\n    if weight_kg < 40:\n    return 0');
  });
});

describe('control characters are refused, naming the line', () => {
  it.each([
    ['NUL', 'md', '\u0000', 'U+0000 (NUL)'],
    ['ESC (a terminal colour code)', 'md', '\u001b[31m', 'U+001B (ESC)'],
    ['BEL', 'txt', '\u0007', 'U+0007 (BEL)'],
    ['form feed', 'txt', '\f', 'U+000C (FF)'],
    ['DEL', 'html', '\u007f', 'U+007F (DEL)'],
    ['NEL (C1)', 'md', '\u0085', 'U+0085'],
    ['CSI (C1)', 'html', '\u009b', 'U+009B'],
  ])('%s in a %s article: course new exits 1 and writes nothing', async (_what, ext, char, named) => {
    const body =
      ext === 'html' ? `<h1>T</h1>\n<h2>One</h2>\n<p>Fine.</p>\n<p>Bad ${char} here.</p>` : `T\n\nOne\n\nFine.\n\nBad ${char} here.\n`;
    const a = await article(`bad.${ext}`, ext === 'md' ? `# T\n\n## One\n\nFine.\n\nBad ${char} here.\n` : body);
    const { code, err } = await course(['new', a.path, '--out', a.out]);
    expect(code).toBe(1);
    expect(err).toContain(`line ${ext === 'html' ? 4 : 7}, column ${ext === 'html' ? 8 : 5}: ${named}`);
    expect(err).toContain('control characters');
    expect(existsSync(a.out)).toBe(false);
  });

  it('written as an entity in HTML (&#27;) it is refused too, naming the text', async () => {
    const a = await article('entity.html', '<h1>T</h1><h2>One</h2><p>Bad &#27;[31m here.</p>');
    const { code, err } = await course(['new', a.path, '--out', a.out]);
    expect(code).toBe(1);
    expect(err).toMatch(/the text “Bad .\[31m here\.”: U\+001B \(ESC\)/);
    expect(existsSync(a.out)).toBe(false);
  });

  it('tabs and Windows line endings are text, not control characters', async () => {
    const { checked } = await newThenCheck('crlf.txt', 'Title Here\r\n\r\nFirst Part\r\n\r\nA line\twith a tab.\r\n');
    expect(checked.code).toBe(0);
  });

  it('course check names a control character pasted into a lesson, and never prints it raw', async () => {
    const { dir } = await newThenCheck('ok.md', '# T\n\n## One\n\nFine.\n');
    const lessonFile = loadCourse(dir).lessons[0]!.file;
    const path = join(dir, lessonFile);
    await writeFile(path, (await readFile(path, 'utf8')).replace('Fine.', 'Fine.\u001b[2J'));
    const { code, out } = await course(['check', '--course', dir, '--no-deliverability']);
    expect(code).toBe(1);
    expect(out).toContain(`lesson 1 (${lessonFile}): [fidelity] a control character (U+001B (ESC)) in “Fine.\ufffd[2J”`);
    expect(out).not.toContain('\u001b');
  });

  it('course check reports a control character added to the source as a problem', async () => {
    const { dir } = await newThenCheck('ok.md', '# T\n\n## One\n\nFine.\n');
    const source = join(dir, 'source', 'ok.md');
    await writeFile(source, '# T\n\n## One\n\nFine.\u001b\n');
    const { code, out } = await course(['check', '--course', dir, '--no-deliverability']);
    expect(code).toBe(1);
    expect(out).toContain('[fidelity] could not be checked: the article has control characters');
    expect(out).toContain('line 5, column 6: U+001B (ESC)');
  });
});

describe('headings of invisible characters only are refused, naming the line', () => {
  it.each([
    ['zero-width space', '\u200b', 'U+200B'],
    ['word joiner', '\u2060', 'U+2060'],
    ['soft hyphen', '\u00ad', 'U+00AD'],
    ['variation selector', '\ufe0f', 'U+FE0F'],
    ['bidi marks', '\u200e\u200f', 'U+200E, U+200F'],
    ['bidi isolates', '\u2066\u2069', 'U+2066, U+2069'],
    ['zero-width joiners', '\u200c\u200d', 'U+200C, U+200D'],
    ['Hangul filler', '\u3164', 'U+3164'],
    ['Braille blank', '\u2800', 'U+2800'],
    ['tag space', '\u{e0020}', 'U+E0020'],
    ['no-break and ideographic spaces around a ZWSP (the spaces are trimmed)', '\u00a0\u200b\u3000', 'U+200B'],
  ])('%s: a Markdown section heading', async (_what, invisible, named) => {
    const a = await article('h.md', `# Title\n\n## One\n\nText.\n\n## ${invisible}\n\nMore text.\n`);
    const { code, err } = await course(['new', a.path, '--out', a.out]);
    expect(code).toBe(1);
    expect(err).toContain(`the heading on line 7 has no visible characters (only ${named})`);
    expect(existsSync(a.out)).toBe(false);
  });

  it('an HTML heading of an entity-written zero-width space, and an invisible Markdown title', async () => {
    const html = await article('h.html', '<h1>Title</h1>\n<h2>One</h2><p>Text.</p>\n\n<h2>&#8203;&#x2060;</h2><p>More.</p>');
    expect((await course(['new', html.path, '--out', html.out])).err).toContain(
      'the heading on line 4 has no visible characters (only U+200B, U+2060)',
    );
    const md = await article('t.md', '# \u200b\n\n## One\n\nText.\n');
    expect((await course(['new', md.path, '--out', md.out])).err).toContain(
      'the heading on line 1 has no visible characters (only U+200B)',
    );
  });

  it('a plain-text line forced to be a heading with --heading, when it is invisible', async () => {
    const a = await article('h.txt', 'Title Here\n\nOne\n\nText.\n\n\u2060\u200b\n\nMore text.\n');
    const { code, err } = await course(['new', a.path, '--out', a.out, '--heading', '\u2060\u200b']);
    expect(code).toBe(1);
    expect(err).toContain('the heading on line 7 has no visible characters (only U+2060, U+200B)');
  });

  it.each([
    ['the course title', (m: { title: string }) => void (m.title = '\u200b\u2060')],
    ['a lesson title', (m: { lessons: { title: string }[] }) => void (m.lessons[0]!.title = '\u00ad')],
    ['a lesson subject', (m: { lessons: { subject: string }[] }) => void (m.lessons[1]!.subject = '\u200e\ufe0f')],
  ])('course.json with %s of invisible characters only: course check names the field', async (_what, edit) => {
    const dir = join(scratch, `invisible-${++n}`);
    await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8')) as Parameters<typeof edit>[0];
    edit(manifest as never);
    await writeFile(join(dir, 'course.json'), JSON.stringify(manifest));
    const { code, out } = await course(['check', '--course', dir, '--no-deliverability']);
    expect(code).toBe(1);
    expect(out).toMatch(/\[manifest\] course\.json: (title|lessons\[\d\]\.(title|subject)): must have a visible character/);
  });

  it('a heading with words and a zero-width space is fine', async () => {
    const { checked } = await newThenCheck('ok.md', '# Title\n\n## One\u200b two\n\nText.\n');
    expect(checked.code).toBe(0);
  });
});

describe('10,000 nested elements', () => {
  it.each([
    ['HTML divs', 'deep.html', `<h1>T</h1>\n<h2>One</h2>\n${'<div>'.repeat(10_000)}text${'</div>'.repeat(10_000)}`, 'line 3'],
    ['HTML spans inside a paragraph', 'deep.html', `<h1>T</h1>\n<h2>One</h2>\n<p>${'<span>'.repeat(10_000)}text</p>`, 'line 3'],
    ['HTML in Markdown', 'deep.md', `# T\n\n## One\n\nText.\n\n${'<div>'.repeat(10_000)}text${'</div>'.repeat(10_000)}\n`, 'line 7'],
    ['Markdown quotes', 'deep.md', `# T\n\n## One\n\n${'>'.repeat(10_000)} text\n`, 'nested too deeply'],
  ])('%s: course new refuses with a message, not a stack overflow, and writes nothing', async (_what, file, content, where) => {
    const a = await article(file, content);
    const { code, err } = await course(['new', a.path, '--out', a.out]);
    expect(code).toBe(1);
    expect(err).not.toMatch(/call stack/i);
    expect(err).toMatch(/nested (more than 200 deep|too deeply)/);
    expect(err).toContain(where);
    expect(existsSync(a.out)).toBe(false);
  });

  it('course check on a course whose source became that deep reports it as a problem', async () => {
    const { dir } = await newThenCheck('ok.html', '<h1>T</h1><h2>One</h2><p>Text.</p>');
    await writeFile(join(dir, 'source', 'ok.html'), `<h1>T</h1><h2>One</h2><p>Text.</p>${'<div>'.repeat(10_000)}`);
    const { code, out } = await course(['check', '--course', dir, '--no-deliverability']);
    expect(code).toBe(1);
    expect(out).toMatch(/\[fidelity\] could not be checked: the article, line 1: elements are nested more than 200 deep/);
  });
});

describe('the slug', () => {
  it.each([
    ['My Course', 'it has capital letters', 'my-course'],
    ['my_course', 'it has characters other than a–z, 0–9 and hyphens', 'my-course'],
    ['course-', 'it starts or ends with a hyphen', 'course'],
    ['my--course', 'it has two hyphens in a row', 'my-course'],
    ['café', 'it has characters other than a–z, 0–9 and hyphens', 'cafe'],
  ])('--slug "%s" is refused with what is wrong with the slug, not the title', async (slug, why, suggestion) => {
    const a = await article('s.md', '# A Good Title\n\n## One\n\nText.\n');
    const { code, err } = await course(['new', a.path, '--out', a.out, '--slug', slug]);
    expect(code).toBe(1);
    expect(err).toContain(`--slug "${slug}" is not a slug (${why})`);
    expect(err).toContain(`e.g. --slug ${suggestion}`);
    expect(err).not.toContain('title');
    expect(existsSync(a.out)).toBe(false);
  });

  it("a title with no Latin letters takes its slug from the article file's name", async () => {
    const a = await article('sleep-ar.md', '# النوم\n\n## One\n\nText.\n');
    const { code, out } = await course(['new', a.path, '--out', a.out]);
    expect(code).toBe(0);
    expect(out).toContain('"النوم" (slug sleep-ar)');
  });

  it('a title and a file name no slug can be made from are blamed on the title', async () => {
    const a = await article('日本.md', '# 日本語\n\n## One\n\nText.\n');
    const { code, err } = await course(['new', a.path, '--out', a.out]);
    expect(code).toBe(1);
    expect(err).toContain('cannot make a slug from the title "日本語": give one with --slug');
  });

  it('a slug another course in COURSES_DIR has is refused before anything is written', async () => {
    const courses = join(scratch, 'courses-dir');
    await cp(SHIPPED_COURSE_DIR, join(courses, 'botox'), { recursive: true });
    const a = await article('s.md', '# Botox and Permanent Numbness\n\n## One\n\nText.\n');
    const env = { COURSES_DIR: courses };
    const taken = await course(['new', a.path, '--out', a.out, '--slug', 'botox-permanent-numbness'], env);
    expect(taken.code).toBe(1);
    expect(taken.err).toContain(`the slug "botox-permanent-numbness" is already the course in ${join(courses, 'botox')}`);
    expect(existsSync(a.out)).toBe(false);
    // Without --out the course would go into COURSES_DIR itself: refused the same, and the folder still loads.
    const again = await course(['new', a.path, '--slug', 'botox-permanent-numbness'], env);
    expect(again.code).toBe(1);
    expect(await readdir(courses)).toEqual(['botox']);
    expect((await course(['new', a.path, '--slug', 'another-name'], env)).code).toBe(0);
    expect((await course(['check', '--no-deliverability'], env)).code).toBe(0);
  });

  it('a slug a course beside the output folder has (made from the same title) is refused', async () => {
    const parent = join(scratch, 'beside');
    const a = await article('s.md', '# Same Title\n\n## One\n\nText.\n');
    expect((await course(['new', a.path, '--out', join(parent, 'first')])).code).toBe(0);
    const second = await course(['new', a.path, '--out', join(parent, 'second')]);
    expect(second.code).toBe(1);
    expect(second.err).toContain(`the slug "same-title" is already the course in ${join(parent, 'first')}`);
    expect(existsSync(join(parent, 'second'))).toBe(false);
  });
});

describe('course.json with a UTF-8 byte-order mark', () => {
  it('is read by course check, alone and in a courses folder', async () => {
    const courses = join(scratch, 'bom-courses');
    const dir = join(courses, 'botox');
    await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
    const manifest = join(dir, 'course.json');
    await writeFile(manifest, `\ufeff${await readFile(manifest, 'utf8')}`);
    expect((await readFile(manifest)).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const alone = await course(['check', '--course', dir, '--no-deliverability']);
    expect(alone.out).toMatch(/^✓ botox-permanent-numbness/);
    expect(alone.code).toBe(0);
    expect((await course(['check', '--no-deliverability'], { COURSES_DIR: courses })).code).toBe(0);
  });
});

describe('markup in an attribute value', () => {
  it.each([
    [
      'HTML',
      'attr.html',
      '<h1>T</h1><h2>One</h2><p>See <a href="https://example.com/?a=1&amp;b=2" title="a>b <b>x</b> &quot;q&quot;">this</a>, <abbr title="<script>alert(1)</script>">JS</abbr> and <img alt="<b>x</b>" src="https://example.com/x.png">.</p>',
    ],
    [
      'Markdown',
      'attr.md',
      '# T\n\n## One\n\nSee [this](https://example.com/?a=1&b=2 "a>b <b>x</b> \\"q\\""), <abbr title="<script>alert(1)</script>">JS</abbr> and ![<b>x</b>](https://example.com/x.png).\n',
    ],
  ])('%s: every < and > in an attribute is escaped in the lesson and the email', async (_what, file, content) => {
    const { dir, checked } = await newThenCheck(file, content);
    expect(checked.code).toBe(0);
    const lesson = await readFile(join(dir, loadCourse(dir).lessons[0]!.file), 'utf8');
    expect(lesson).toContain('title="a&gt;b &lt;b&gt;x&lt;/b&gt; &quot;q&quot;"');
    expect(lesson).toContain('title="&lt;script&gt;alert(1)&lt;/script&gt;"');
    const email = renderLesson(await compileCourse(loadCourse(dir), dir), 0, {
      unsubscribeUrl: 'https://example.com/u',
      learnUrl: 'https://example.com/learn?token=t',
    });
    // No attribute value in the email holds a raw < or >.
    expect(email.html.match(/="[^"]*[<>][^"]*"/g) ?? []).toEqual([]);
    expect(email.html).not.toContain('<script');
    expect(email.html).not.toContain('<b>x</b>');
  });
});
