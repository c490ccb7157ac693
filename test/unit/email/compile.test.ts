// The renderer's build step: placeholders survive mjml, CSS inlining, minification and
// html-to-text; template mistakes fail naming the file and line; compiling happens once.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCourse, TemplateError, untrackConsentLinks } from '../../../functions/email/compile.js';
import { renderConfirmation, renderLesson } from '../../../functions/email/personalise.js';
import { Placeholder } from '../../../functions/email/compiled-course.js';
import { defaultTemplatesDir, loadCourse } from '../../../functions/email/manifest.js';
import { SHIPPED_COURSE_DIR, freshlyCompiledShippedCourse, shippedCourse } from '../../support/course.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'email-templates-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A private copy of templates/ (the shared layout and the shipped course) that a test may break. */
async function templatesCopy(name: string): Promise<string> {
  const dir = join(scratch, name);
  await cp(defaultTemplatesDir, dir, { recursive: true });
  return dir;
}
/** The shipped course's folder inside such a copy. */
const courseIn = (dir: string) => join(dir, 'courses/botox-permanent-numbness');
/** Compile the copy's course with the copy's layout. */
const compileCopy = (dir: string) => compileCourse(loadCourse(courseIn(dir), dir), courseIn(dir), dir);

describe('placeholders', () => {
  it('survive mjml, CSS inlining, minification and html-to-text in every lesson and the confirmation', async () => {
    const compiled = await freshlyCompiledShippedCourse();
    for (const lesson of compiled.lessons) {
      expect(lesson.html).toContain(`href="${Placeholder.unsubscribeUrl}"`);
      expect(lesson.html).toContain(`Hi ${Placeholder.name},`);
      expect(lesson.text).toContain(Placeholder.unsubscribeUrl);
      expect(lesson.text).toContain(`Hi ${Placeholder.name},`);
      // Inlined: the lesson's paragraph styles moved into style attributes, and whitespace was collapsed.
      expect(lesson.html).toMatch(/<p style="[^"]*margin/);
      expect(lesson.html).not.toMatch(/>\n\s*\n/);
    }
    expect(compiled.confirmation.html).toContain(`href="${Placeholder.confirmUrl}"`);
    expect(compiled.confirmation.text).toContain(Placeholder.confirmUrl);
    expect(compiled.confirmation.html).not.toContain(Placeholder.unsubscribeUrl);
  });

  it("in a template's inline style and link text come through unchanged", async () => {
    const dir = await templatesCopy('inline');
    const file = join(courseIn(dir), 'lessons/02-understanding-permanent-numbness.mjml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        '</mj-text>',
        `  <p style="color:#111">Dear reader, <a href="https://example.com/more?a=1&amp;b=2" style="color:#0b5cad">example.com/more</a></p>\n</mj-text>`,
      ),
    );
    const compiled = await compileCopy(dir);
    expect(compiled.lessons[1]!.html).toMatch(
      /<p style="[^"]*">Dear reader, <a href="https:\/\/example\.com\/more\?a=1&amp;b=2" style="[^"]*">example\.com\/more<\/a><\/p>/,
    );
  });

  it("a lesson file is not a template: placeholders in it compile to text, and only the layout's are filled", async () => {
    const dir = await templatesCopy('lesson-placeholders');
    const file = join(courseIn(dir), 'lessons/02-understanding-permanent-numbness.mjml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        '</mj-text>',
        `  <p>Dear {{name}}, <a href="https://example.com/">{{unsubscribeUrl}}</a> {{confirmUrl}} {{openBrace}}</p>\n</mj-text>`,
      ),
    );
    const lesson = (await compileCopy(dir)).lessons[1]!;
    // The layout's own: the greeting and the footer link stay placeholders.
    expect(lesson.html).toContain(`Hi ${Placeholder.name},`);
    expect(lesson.html).toContain(`href="${Placeholder.unsubscribeUrl}"`);
    // The lesson's: kept literal, so they read back as written.
    expect(lesson.html).toContain('Dear {{openBrace}}{name}}, <a href="https://example.com/">{{openBrace}}{unsubscribeUrl}}</a>');
    expect(lesson.html).toContain('{{openBrace}}{confirmUrl}} {{openBrace}}{openBrace}}');
    expect(lesson.text).toContain('Dear {{openBrace}}{name}}');
  });
});

describe('consent links are never click-tracked (ses:no-track)', () => {
  /** Every anchor's opening tag in `html`. */
  const anchors = (html: string) => html.match(/<a\b[^>]*>/gi) ?? [];
  const hrefOf = (tag: string) => /\shref="([^"]*)"/.exec(tag)?.[1];

  it('every confirm and unsubscribe anchor of the compiled confirmation and lessons carries ses:no-track, and no other anchor', async () => {
    const compiled = await freshlyCompiledShippedCourse();
    const confirm = anchors(compiled.confirmation.html).filter((a) => hrefOf(a) === Placeholder.confirmUrl);
    // The button and the copy-this-link anchor.
    expect(confirm).toHaveLength(2);
    for (const a of confirm) expect(a).toMatch(/^<a ses:no-track\s/);
    expect(compiled.lessons.length).toBeGreaterThan(0);
    for (const lesson of compiled.lessons) {
      const unsubscribe = anchors(lesson.html).filter((a) => hrefOf(a) === Placeholder.unsubscribeUrl);
      expect(unsubscribe).toHaveLength(1);
      expect(unsubscribe[0]).toMatch(/^<a ses:no-track\s/);
      // The learner's own links (course page, web version, feedback) are the product's: untracked too.
      const learner = [Placeholder.learnUrl, Placeholder.webUrl, Placeholder.feedbackYesUrl, Placeholder.feedbackNoUrl] as string[];
      const own = anchors(lesson.html).filter((a) => learner.includes(hrefOf(a) ?? ''));
      expect(own).toHaveLength(4);
      for (const a of own) expect(a).toMatch(/^<a ses:no-track\s/);
      // The article's own links stay as the author wrote them (tracked only if the operator opts in).
      for (const a of anchors(lesson.html).filter((x) => hrefOf(x) !== Placeholder.unsubscribeUrl && !learner.includes(hrefOf(x) ?? '')))
        expect(a).not.toContain('ses:no-track');
    }
  });

  it('still carries it once personalised, on the real URLs', async () => {
    const compiled = await freshlyCompiledShippedCourse();
    const confirmUrl = 'https://course.example.com/confirm?token=abc';
    const unsubscribeUrl = 'https://course.example.com/unsubscribe?token=def';
    const learnUrl = 'https://example.com/learn?token=lrn';
    const confirmation = renderConfirmation(compiled, { confirmUrl });
    const toConfirm = anchors(confirmation.html).filter((a) => hrefOf(a)?.startsWith('https://course.example.com/confirm'));
    expect(toConfirm).toHaveLength(2);
    for (const a of toConfirm) expect(a).toContain('ses:no-track');
    const lesson = renderLesson(compiled, 0, { name: 'Ana', unsubscribeUrl, learnUrl });
    const toUnsubscribe = anchors(lesson.html).filter((a) => hrefOf(a)?.startsWith('https://course.example.com/unsubscribe'));
    expect(toUnsubscribe).toHaveLength(1);
    expect(toUnsubscribe[0]).toContain('ses:no-track');
  });

  it('marks only anchors whose href is exactly a consent placeholder, once, in any quoting', () => {
    expect(untrackConsentLinks('<a href="{{confirmUrl}}" class="b">x</a>')).toBe('<a ses:no-track href="{{confirmUrl}}" class="b">x</a>');
    expect(untrackConsentLinks("<A HREF='{{unsubscribeUrl}}'>x</A>")).toBe("<a ses:no-track HREF='{{unsubscribeUrl}}'>x</A>");
    expect(untrackConsentLinks('<a href={{unsubscribeUrl}}>x</a>')).toBe('<a ses:no-track href={{unsubscribeUrl}}>x</a>');
    const marked = '<a ses:no-track href="{{confirmUrl}}">x</a>';
    expect(untrackConsentLinks(marked)).toBe(marked);
    for (const other of [
      '<a href="https://example.org/{{confirmUrl}}">x</a>',
      '<a href="https://example.org/article">x</a>',
      '<a name="top">x</a>',
      '<abbr title="{{confirmUrl}}">x</abbr>',
    ]) {
      expect(untrackConsentLinks(other)).toBe(other);
    }
  });
});

describe('template errors', () => {
  it('a broken lesson fails with the lesson file and line', async () => {
    const dir = await templatesCopy('broken');
    const file = join(courseIn(dir), 'lessons/03-role-of-botox.mjml');
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    await writeFile(file, [...lines, '<mj-texx>not an element</mj-texx>'].join('\n')); // line 7
    const error = await compileCopy(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).toMatch(/Line 7 of lessons\/03-role-of-botox\.mjml/);
    expect((error as Error).message).toMatch(/mj-texx/);
  });

  it('an attribute mjml does not know fails strict validation, naming file and line', async () => {
    const dir = await templatesCopy('attribute');
    const file = join(courseIn(dir), 'lessons/08-conclusion.mjml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('<mj-text css-class="lesson">', '<mj-text css-class="lesson" colour="red">'),
    );
    await expect(compileCopy(dir)).rejects.toThrow(/Line 2 of lessons\/08-conclusion\.mjml.*Attribute colour is illegal/);
  });

  it('an unknown variable in the layout fails naming the layout file and line', async () => {
    const dir = await templatesCopy('variable');
    const file = join(dir, 'layout/lesson.mjml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('{{course.title}}</mj-text>', '{{course.titel}}</mj-text>'));
    await expect(compileCopy(dir)).rejects.toThrow(/layout\/lesson\.mjml:\d+: unknown variable \{\{course\.titel\}\}/);
  });

  it('a failed compile is not cached: fixing the file and compiling again works', async () => {
    const dir = await templatesCopy('fixed');
    const file = join(courseIn(dir), 'lessons/01-introduction.mjml');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('<mj-text', '<mj-txt').replace('</mj-text>', '</mj-txt>'));
    const course = loadCourse(courseIn(dir), dir);
    await expect(compileCourse(course, courseIn(dir), dir)).rejects.toThrow(TemplateError);
    await writeFile(file, good);
    await expect(compileCourse(course, courseIn(dir), dir)).resolves.toHaveProperty('lessons');
  });
});

describe('compile once', () => {
  it('a second call for the same course and folder returns the same compiled course without recompiling', async () => {
    const course = shippedCourse();
    const first = compileCourse(course, SHIPPED_COURSE_DIR);
    expect(compileCourse(course, SHIPPED_COURSE_DIR)).toBe(first);
    expect(await compileCourse(structuredClone(course), SHIPPED_COURSE_DIR)).toBe(await first);
  });

  it('the compiled course is plain JSON: it round-trips unchanged', async () => {
    const compiled = await freshlyCompiledShippedCourse();
    expect(JSON.parse(JSON.stringify(compiled))).toEqual(compiled);
  });
});
