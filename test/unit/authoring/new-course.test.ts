// `course new`: small Markdown, plain-text and HTML articles written for these tests become the
// expected lessons (headings of several levels, lists, quotes, a link, non-ASCII, a question-mark
// heading, an article with no introduction), which pass `course check`; and the shipped course,
// re-created from its source, has the lesson split it has now.
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCourse } from '../../../functions/authoring/check.js';
import { textBlocks } from '../../../functions/authoring/html.js';
import { looksLikeHeading } from '../../../functions/authoring/article.js';
import { newCourse, type NewCourseOptions } from '../../../functions/authoring/new-course.js';
import { main } from '../../../functions/cli/main.js';
import { loadCourse, type Course } from '../../../functions/email/manifest.js';
import { SHIPPED_COURSE_DIR, SHIPPED_SOURCE_PATH, shippedCourse } from '../../support/course.js';
import { collector } from '../../support/collector.js';

const fixture = (name: string) => new URL(`../../fixtures/articles/${name}`, import.meta.url).pathname;
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'course-new-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A course made from `article` in a folder of its own (`<scratch>/<name>/course`): several of these share a slug. */
async function made(name: string, article: string, options: Partial<NewCourseOptions> = {}) {
  const out = join(scratch, name, 'course');
  const result = await newCourse({ article, out, coursesDir: scratch, ...options });
  const lesson = (i: number) => readFile(join(out, result.course.lessons[i]!.file), 'utf8');
  return { out, result, course: loadCourse(out), lesson };
}
/** Each lesson file's (tag, text) pairs: its headings, paragraphs and list items in order. */
async function shape(dir: string, course: Course): Promise<string[][]> {
  return Promise.all(
    course.lessons.map(async (l) => {
      const mjml = await readFile(join(dir, l.file), 'utf8');
      return [...mjml.matchAll(/<(h[1-6]|p|li)>/g)].map((m) => m[1]!).map((tag, i) => `${tag}: ${textBlocks(mjml)[i] ?? ''}`);
    }),
  );
}

describe('a Markdown article', () => {
  it('one lesson per top-level section after its # title, the text before the first section as the introduction', async () => {
    const { out, result, course, lesson } = await made('md', fixture('sleep.md'));
    expect(course.title).toBe('Sleep and the Body Clock');
    expect(course.slug).toBe('sleep-and-the-body-clock');
    expect(course.lessons.map((l) => l.title)).toEqual([
      'Introduction',
      'What Is the Body Clock?',
      'Rêves et mémoire: ça compte',
      'Ending',
    ]);
    expect(result.lessons.map((l) => [l.number, l.words])).toEqual([
      [1, 25],
      [2, 48],
      [3, 20],
      [4, 8],
    ]);
    // Links, emphasis and code kept in the introduction; a quote, a ### sub-heading and nested lists in lesson 2.
    expect(await lesson(0)).toMatch(/<a href="https:\/\/example\.org\/sleep" style="color:#0b5cad;[^"]*">link to a source<\/a>/);
    expect(await lesson(0)).toContain('<em>introduction</em>');
    expect(await lesson(0)).not.toContain('<h1>');
    const second = await lesson(1);
    expect(second).toContain('<h1>What Is the Body Clock?</h1>');
    expect(second).toMatch(
      /<blockquote style="[^"]*border-left[^"]*">\s*<p>Light in the morning sets the clock for the day\.<\/p>\s*<\/blockquote>/,
    );
    expect(second).toContain('<h2>Light and Dark</h2>');
    expect(second).toMatch(/<li[^>]*>Evening light moves it later:<ol[^>]*>\s*<li[^>]*>screens count as light;<\/li>/);
    expect(await lesson(2)).toContain('Naïve readers — and experts — still debate it.');
    expect(await lesson(3)).toContain('Sleep <strong>regularly</strong>, and keep the room dark.');
    expect((await checkCourse(out)).problems).toEqual([]);
  });

  it('subjects and preheaders come from the headings only, and the source is copied byte for byte', async () => {
    const { out, course } = await made('md-subjects', fixture('sleep.md'));
    expect(course.lessons.map((l) => l.subject)).toEqual([
      'Lesson 1 of 4: Sleep and the Body Clock, an introduction',
      'Lesson 2 of 4: What Is the Body Clock?',
      'Lesson 3 of 4: Rêves et mémoire: ça compte',
      'Lesson 4 of 4: Ending',
    ]);
    expect(course.lessons.map((l) => l.preheader)).toEqual([
      'Coming up: What Is the Body Clock? · Rêves et mémoire: ça compte · Ending',
      'In this lesson: Light and Dark',
      'Sleep and the Body Clock: lesson 3 of 4',
      'Sleep and the Body Clock: lesson 4 of 4',
    ]);
    expect(course.source).toBe('source/sleep.md');
    expect(await readFile(join(out, 'source/sleep.md'))).toEqual(await readFile(fixture('sleep.md')));
    expect(course.disclaimer?.text).toMatch(/not medical advice/);
  });

  it('course check fails, naming the text, when a paragraph is dropped from a generated lesson', async () => {
    const { out, course, lesson } = await made('md-dropped', fixture('sleep.md'));
    await writeFile(join(out, course.lessons[2]!.file), (await lesson(2)).replace(/ {2}<p>Some researchers[^\n]*\n/, ''));
    expect((await checkCourse(out)).problems).toEqual([
      {
        check: 'fidelity',
        lesson: 3,
        file: course.lessons[2]!.file,
        message: 'missing: “Some researchers link sleep to memory. Naïve readers — and experts — still debate it.”',
      },
    ]);
  });
});

describe('a plain-text article', () => {
  it('a short line without closing punctuation, followed by text, is a heading; a question mark may end one', async () => {
    const { out, course, lesson } = await made('txt', fixture('walking.txt'));
    expect(course.title).toBe('Walking for Health');
    expect(course.lessons.map((l) => l.title)).toEqual(['Introduction', 'Why Walk?', 'Getting Started', 'A Last Word']);
    // Hard-wrapped lines are one paragraph; a line ending in a colon stays text.
    expect(await lesson(0)).toContain(
      '<p>Walking is the easiest exercise there is. It needs no equipment, and most people can start today.</p>',
    );
    expect(await lesson(2)).toContain('<p>Note: this line ends in a colon:</p>');
    expect(await lesson(3)).toContain('café stops are allowed.');
    expect((await checkCourse(out)).problems).toEqual([]);
  });

  it('--not-heading and --heading override the guess, and the course still passes course check', async () => {
    const { out, course } = await made('txt-override', fixture('walking.txt'), {
      overrides: { notHeadings: ['Why Walk?'], headings: ['Note: this line ends in a colon:'] },
    });
    expect(course.lessons.map((l) => l.title)).toEqual([
      'Introduction',
      'Getting Started',
      'Note: this line ends in a colon:',
      'A Last Word',
    ]);
    expect((await checkCourse(out)).problems).toEqual([]);
  });

  it('an override naming a line the article does not have is refused, writing nothing', async () => {
    await expect(made('txt-unknown', fixture('walking.txt'), { overrides: { headings: ['No Such Line'] } })).rejects.toThrow(
      '--heading "No Such Line": no such line in the article',
    );
  });

  it('course check fails when two generated paragraphs are swapped', async () => {
    const { out, course, lesson } = await made('txt-swapped', fixture('walking.txt'));
    const text = await lesson(2);
    const [a, b] = [/ {2}<p>Start with[^\n]*\n/.exec(text)![0], / {2}<p>Note:[^\n]*\n/.exec(text)![0]];
    await writeFile(join(out, course.lessons[2]!.file), text.replace(a, '@@').replace(b, a).replace('@@', b));
    const { problems } = await checkCourse(out);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ check: 'fidelity', lesson: 3, message: expect.stringMatching(/^out of order: “/) as unknown });
  });

  it.each([
    ['How Does Botox Work?', true],
    ['4. Raynaud’s Disease', true],
    ['Permanent numbness can be a debilitating condition that affects individuals in various ways.', false],
    ['Here is a list:', false],
    ['- a bullet', false],
    ['He said "no."', false],
    ['1984', false],
  ])('looksLikeHeading(%j) is %s', (line, expected) => {
    expect(looksLikeHeading(line)).toBe(expected);
  });
});

describe('an HTML article', () => {
  it('its sections become lessons (no introduction here); scripts, handlers, navigation and footer are left out; lists, quotes and links stay', async () => {
    const { out, course, lesson } = await made('html', fixture('tea.html'), { title: 'Green Tea' });
    expect(course.lessons.map((l) => l.title)).toEqual(['Where Green Tea Comes From', 'How to Brew It']);
    const first = await lesson(0);
    expect(first).toContain('<h2>Steaming or Pan-Firing?</h2>');
    expect(first).toMatch(/<ol[^>]*><li[^>]*>Japanese teas are usually steamed\.<\/li>/);
    const second = await lesson(1);
    expect(second).toMatch(
      /<blockquote[^>]*><p>“Never pour boiling water on green tea,” says the <a href="https:\/\/example\.org\/tea"[^>]*>guide<\/a>\.<\/p><\/blockquote>/,
    );
    expect(second).toContain('about 80 °C');
    expect(`${first}${second}`).not.toMatch(/alert|onclick|Home|©/);
    expect((await checkCourse(out)).problems).toEqual([]);
  });

  it('course check fails when a paragraph is added to a generated lesson', async () => {
    const { out, course, lesson } = await made('html-added', fixture('tea.html'), { title: 'Green Tea' });
    await writeFile(
      join(out, course.lessons[1]!.file),
      (await lesson(1)).replace('</mj-text>', '  <p>Green tea prevents every illness.</p>\n</mj-text>'),
    );
    expect((await checkCourse(out)).problems).toEqual([
      {
        check: 'fidelity',
        lesson: 2,
        file: course.lessons[1]!.file,
        message: 'not in the source (added): “Green tea prevents every illness.”',
      },
    ]);
  });

  it('with no first-level heading and no --title, it is refused: the title is never invented', async () => {
    await expect(made('html-untitled', fixture('tea.html'))).rejects.toThrow(
      'tea.html has no title (no single first-level heading): give one with --title "<title>"',
    );
  });
});

describe('the shipped course', () => {
  it('re-created from its source with course new, has the lesson split it has now: titles, headings and paragraphs', async () => {
    const { out, course } = await made('shipped', SHIPPED_SOURCE_PATH, { title: shippedCourse().title, slug: shippedCourse().slug });
    const shipped = shippedCourse();
    expect(course.lessons.map((l) => l.title)).toEqual(shipped.lessons.map((l) => l.title));
    expect(await shape(out, course)).toEqual(await shape(SHIPPED_COURSE_DIR, shipped));
    expect((await checkCourse(out)).problems).toEqual([]);
  });
});

describe('npx course new', () => {
  it('prints each lesson with its number, title and words, and what to review next', async () => {
    const out = collector();
    const err = collector();
    const dir = join(scratch, 'cli');
    expect(await main(['new', fixture('walking.txt'), '--out', dir, '--slug', 'walking'], { out, err, env: {} })).toBe(0);
    expect(out.text()).toContain('from plain text: "Walking for Health" (slug walking), 4 lessons');
    expect(out.text()).toMatch(/ {2}2 {2}Why Walk\? +19 {2}lessons\/02-why-walk\.mjml/);
    expect(out.text()).toContain('Review next:');
    expect(out.text()).toContain(`npx course check --course ${dir}`);
  });

  it('will not write into a folder that has files, and says so', async () => {
    const out = collector();
    const err = collector();
    expect(await main(['new', fixture('walking.txt'), '--out', SHIPPED_COURSE_DIR], { out, err, env: {} })).toBe(1);
    expect(err.text()).toContain('already has files in it');
  });
});
