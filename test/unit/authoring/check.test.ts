// `course check`: every course in the repository passes it (the fidelity test of `npm test`), and on a
// copy of the shipped course it fails, naming the lesson and the text, when a paragraph is dropped,
// reordered, moved, changed or added, when a lesson does not compile or lacks the disclaimer.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCourse, fidelityCheck, sizeCheck, MAX_LESSON_BYTES, type CourseUnderCheck } from '../../../functions/authoring/check.js';
import { newCourse } from '../../../functions/authoring/new-course.js';
import { main } from '../../../functions/cli/main.js';
import { loadCourses } from '../../../functions/email/courses.js';
import { defaultTemplatesDir } from '../../../functions/email/manifest.js';
import { SHIPPED_COURSE_DIR, compileShippedCourse, shippedCourse } from '../../support/course.js';
import { collector } from '../../support/collector.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'course-check-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A private copy of the shipped course, with `edit` applied to one of its files. */
async function brokenCopy(name: string, file: string, edit: (text: string) => string): Promise<string> {
  const dir = join(scratch, name);
  await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
  await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  return dir;
}

const L2 = 'lessons/02-understanding-permanent-numbness.mjml';
const L3 = 'lessons/03-role-of-botox.mjml';
const P2A =
  'Permanent numbness occurs when nerves are damaged or compressed, leading to the loss of sensation in specific areas of the body.';
const P3B =
  'Botox, short for botulinum toxin, is a neurotoxic protein produced by the bacterium Clostridium botulinum. It works by temporarily paralyzing or weakening muscles or nerve endings in targeted areas.';
const paragraph = (text: string) => `  <p>${text}</p>\n`;

describe('every course in the repository', () => {
  // COURSES_DIR, as for npm start and the bench: a deployment's own courses folder gets the same check.
  it.each(loadCourses(process.env.COURSES_DIR || undefined).map((f) => [f.course.slug, f.dir] as const))(
    '%s passes course check: its lessons hold its source word for word, compile strictly, fit and carry the disclaimer',
    async (_slug, dir) => {
      const report = await checkCourse(dir);
      expect(report.problems).toEqual([]);
      expect(report.largestLessonBytes).toBeLessThan(MAX_LESSON_BYTES);
    },
  );
});

describe('course check finds what is wrong, naming the lesson and the text', () => {
  it('a dropped paragraph: missing, in its lesson', async () => {
    const dir = await brokenCopy('dropped', L3, (t) => t.replace(paragraph(P3B), ''));
    const { problems } = await checkCourse(dir);
    expect(problems).toEqual([{ check: 'fidelity', lesson: 3, file: L3, message: `missing: “${P3B.slice(0, 159)}…”` }]);
  });

  it('two paragraphs swapped: out of order', async () => {
    const dir = await brokenCopy('reordered', L2, (t) => {
      const second = / {2}<p>This condition[^\n]*\n/.exec(t)![0];
      return t.replace(second, '').replace(paragraph(P2A), second + paragraph(P2A));
    });
    const { problems } = await checkCourse(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ check: 'fidelity', lesson: 2, file: L2 });
    expect(problems[0]!.message).toMatch(/^out of order: “(This condition|Permanent numbness occurs)/);
  });

  it('an added paragraph: not in the source, in the lesson it was added to', async () => {
    const dir = await brokenCopy('added', L3, (t) => t.replace('</mj-text>', '  <p>Botox cures numbness in every case.</p>\n</mj-text>'));
    const { problems } = await checkCourse(dir);
    expect(problems).toEqual([
      { check: 'fidelity', lesson: 3, file: L3, message: 'not in the source (added): “Botox cures numbness in every case.”' },
    ]);
  });

  it('one word changed: the source paragraph is missing and the changed one added', async () => {
    const dir = await brokenCopy('changed', L2, (t) =>
      t.replace('leading to the loss of sensation', 'always leading to the loss of sensation'),
    );
    const messages = (await checkCourse(dir)).problems.map((p) => `${p.lesson}: ${p.message}`);
    expect(messages).toEqual([`2: missing: “${P2A}”`, `2: not in the source (added): “${P2A.replace('leading to', 'always leading to')}”`]);
  });

  it('a paragraph moved into the next lesson: it belongs to the lesson of its section', async () => {
    const dir = join(scratch, 'moved');
    await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
    const last = / {2}<p>This condition[^\n]*\n/.exec(await readFile(join(dir, L2), 'utf8'))![0];
    await writeFile(join(dir, L2), (await readFile(join(dir, L2), 'utf8')).replace(last, ''));
    await writeFile(
      join(dir, L3),
      (await readFile(join(dir, L3), 'utf8')).replace('<mj-text css-class="lesson">\n', `<mj-text css-class="lesson">\n${last}`),
    );
    const { problems } = await checkCourse(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ check: 'fidelity', lesson: 3, file: L3 });
    expect(problems[0]!.message).toMatch(/^belongs to lesson 2 \(“Understanding Permanent Numbness”\) in the source: “This condition/);
  });

  it('a lesson that does not compile at strict validation', async () => {
    const dir = await brokenCopy('uncompiled', L3, (t) =>
      t.replace('<mj-text css-class="lesson">', '<mj-text css-class="lesson" colour="red">'),
    );
    const { problems } = await checkCourse(dir);
    expect(problems).toEqual([
      expect.objectContaining({
        check: 'compile',
        lesson: 3,
        file: L3,
        message: expect.stringMatching(/Attribute colour is illegal/) as unknown,
      }),
    ]);
  });

  it('a layout without the disclaimer fails every lesson when the manifest sets one', async () => {
    const templates = join(scratch, 'no-disclaimer-templates');
    await cp(join(defaultTemplatesDir, 'layout'), join(templates, 'layout'), { recursive: true });
    await cp(join(defaultTemplatesDir, 'system'), join(templates, 'system'), { recursive: true });
    const layout = join(templates, 'layout/lesson.mjml');
    await writeFile(layout, (await readFile(layout, 'utf8')).replace('{{disclaimer}}', ''));
    const { problems } = await checkCourse(SHIPPED_COURSE_DIR, undefined, templates);
    expect(problems.map((p) => [p.check, p.lesson])).toEqual(shippedCourse().lessons.map((_l, i) => ['disclaimer', i + 1]));
  });

  it('a lesson over 102 KB for a reader is too big', async () => {
    const compiled = await compileShippedCourse();
    const big = {
      ...compiled,
      lessons: compiled.lessons.map((l, i) => (i === 1 ? { ...l, html: l.html + 'x'.repeat(MAX_LESSON_BYTES) } : l)),
    };
    const subject = {
      dir: SHIPPED_COURSE_DIR,
      course: compiled.course,
      compiled: () => Promise.resolve(big),
    } as unknown as CourseUnderCheck;
    const problems = await sizeCheck.run(subject);
    expect(problems).toEqual([
      {
        check: 'size',
        lesson: 2,
        file: L2,
        message: expect.stringMatching(/^11\d\.\d KB of HTML: Gmail clips emails at 102 KB$/) as unknown,
      },
    ]);
  });

  it('a course without a source cannot be checked for fidelity, and says so', async () => {
    const dir = await brokenCopy('no-source', 'course.json', (t) => t.replace(/\n {2}"source": [^\n]*\n/, '\n'));
    const { problems } = await checkCourse(dir);
    expect(problems).toEqual([{ check: 'fidelity', message: expect.stringMatching(/names no "source"/) as unknown }]);
  });

  // The text checks alone (--no-deliverability): the deliverability part of `course check`, with
  // SpamAssassin and Chromium, is tested in test/integration/authoring/deliverability.test.ts.
  it('npx course check prints each problem with its lesson and text and exits 1; a good course exits 0', async () => {
    const dir = await brokenCopy('cli', L3, (t) => t.replace(paragraph(P3B), ''));
    const out = collector();
    const err = collector();
    expect(await main(['check', '--course', dir, '--no-deliverability'], { out, err, env: {} })).toBe(1);
    expect(out.text()).toContain('✗ botox-permanent-numbness: 1 problem\n');
    expect(out.text()).toContain(`lesson 3 (${L3}): [fidelity] missing: “Botox, short for botulinum toxin`);
    const good = collector();
    expect(await main(['check', '--no-deliverability'], { out: good, err, env: {} })).toBe(0);
    expect(good.text()).toMatch(/^✓ botox-permanent-numbness: 8 lessons match source\/000_ead803f271ebb9cd.txt word for word/);
  });
});

describe('a long list-like article', () => {
  // Correctness on the large input only: the time and memory figures are the bench's
  // (npx tsx bench/check-fidelity.ts). The comparison used to allocate source × lesson blocks (40,000² cells).
  it(
    '40,000 short paragraphs: a faithful course passes, and one dropped paragraph is found in its lesson',
    { timeout: 120_000 },
    async () => {
      const paragraphs = Array.from({ length: 40_000 }, (_, i) =>
        i % 400 === 0 ? `## Part ${i / 400 + 1}\n\nPoint ${i}: note it.` : `Point ${i}: note it.`,
      );
      const article = join(scratch, 'long-list.md');
      await writeFile(article, `# A long list\n\n${paragraphs.join('\n\n')}\n`);
      const made = await newCourse({ article, coursesDir: scratch, slug: 'long-list' });
      expect(made.lessons).toHaveLength(100);
      expect((await checkCourse(made.dir, [fidelityCheck])).problems).toEqual([]);
      const file = made.lessons[57]!.file;
      await writeFile(join(made.dir, file), (await readFile(join(made.dir, file), 'utf8')).replace('<p>Point 23123: note it.</p>', ''));
      expect((await checkCourse(made.dir, [fidelityCheck])).problems).toEqual([
        { check: 'fidelity', lesson: 58, file, message: 'missing: “Point 23123: note it.”' },
      ]);
    },
  );
});

describe('course check reports what it cannot check as a problem, never by crashing', () => {
  it('a source course check cannot read (an unknown format): a fidelity problem, exit 1', async () => {
    const dir = await brokenCopy('pdf-source', 'course.json', (t) => t.replace(/"source": "[^"]*"/, '"source": "source/article.pdf"'));
    await writeFile(join(dir, 'source/article.pdf'), '%PDF-1.7');
    const { problems } = await checkCourse(dir);
    expect(problems).toEqual([
      {
        check: 'fidelity',
        message: expect.stringMatching(/^could not be checked: .*article\.pdf: an article must be Markdown/) as unknown,
      },
    ]);
    const out = collector();
    expect(await main(['check', '--course', dir, '--no-deliverability'], { out, err: collector(), env: {} })).toBe(1);
    expect(out.text()).toContain('[fidelity] could not be checked:');
  });

  it('a lesson that cannot be rendered for a reader is a size problem naming the lesson', async () => {
    const compiled = await compileShippedCourse();
    const broken = { ...compiled, lessons: compiled.lessons.map((l, i) => (i === 2 ? { ...l, html: `${l.html}{{confirmUrl}}` } : l)) };
    const subject = {
      dir: SHIPPED_COURSE_DIR,
      course: compiled.course,
      compiled: () => Promise.resolve(broken),
    } as unknown as CourseUnderCheck;
    expect(await sizeCheck.run(subject)).toEqual([
      {
        check: 'size',
        lesson: 3,
        file: L3,
        message: 'cannot be rendered for a reader: lesson 3 cannot be rendered: it has no value for {{confirmUrl}}',
      },
    ]);
  });
});
