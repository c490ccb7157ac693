// The eight lessons against the article: compiled with mjml at strict validation, every paragraph
// present word for word and in order, nothing added, and each email fit to send.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileCourse, type CompiledCourse } from '../../../functions/email/compile.js';
import { renderLesson } from '../../../functions/email/personalise.js';
import { articleSections } from './article.js';
import { SHIPPED_COURSE_DIR, shippedCourse } from '../../support/course.js';

const course = shippedCourse();
const sections = articleSections(course.lessons.slice(1).map((l) => l.title));
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

let compiled: CompiledCourse;
beforeAll(async () => {
  compiled = await compileCourse(course, SHIPPED_COURSE_DIR);
});

describe('the course manifest and the article', () => {
  it('has eight lessons: the untitled introduction, then the seven section headings in order', () => {
    expect(course.lessons).toHaveLength(8);
    expect(sections).toHaveLength(8);
    expect(sections.map((s) => s.heading)).toEqual([undefined, ...course.lessons.slice(1).map((l) => l.title)]);
  });

  it('every lesson has its own subject and preheader', () => {
    for (const lesson of course.lessons) {
      expect(lesson.subject.length).toBeGreaterThan(0);
      expect(lesson.preheader.length).toBeGreaterThan(0);
    }
    expect(new Set(course.lessons.map((l) => l.subject)).size).toBe(8);
  });
});

describe('each lesson file holds its article section word for word', () => {
  it.each(course.lessons.map((l, i) => [i + 1, l.file, i] as const))(
    'lesson %i (%s): the headings and paragraphs are exactly the section, nothing added or dropped',
    (_n, file, i) => {
      const source = readFileSync(join(SHIPPED_COURSE_DIR, file), 'utf8');
      const blocks = [...source.matchAll(/<(h1|h2|h3|p)>([\s\S]*?)<\/\1>/g)].map((m) => decode(m[2]!));
      const section = sections[i]!;
      expect(blocks).toEqual([...(section.heading ? [section.heading] : []), ...section.lines]);
    },
  );
});

describe('compiled lessons', () => {
  it('all eight lessons and the confirmation compile with zero mjml errors at strict validation', () => {
    // compileCourse uses validationLevel 'strict', which throws on any error; reaching here means none.
    expect(compiled.lessons).toHaveLength(8);
    expect(compiled.confirmation.html).toContain('<!doctype html>');
  });

  it.each(course.lessons.map((l, i) => [i + 1, l.title, i] as const))(
    "lesson %i (%s): the text part contains every paragraph of the section, in order, with the article's exact characters",
    (_n, _title, i) => {
      const text = squash(
        renderLesson(compiled, i, {
          name: 'Ann',
          unsubscribeUrl: 'https://example.com/unsubscribe?token=t',
          learnUrl: 'https://example.com/learn?token=t',
        }).text,
      );
      const section = sections[i]!;
      let from = 0;
      for (const paragraph of [...(section.heading ? [section.heading] : []), ...section.lines]) {
        const at = text.indexOf(squash(paragraph), from);
        expect(at, `missing or out of order: ${paragraph}`).toBeGreaterThanOrEqual(from);
        from = at + paragraph.length;
      }
    },
  );

  it("keeps the article's odd punctuation and curly apostrophes as written", () => {
    const text = squash(compiled.lessons[5]!.text);
    expect(text).toContain('exploring for Botox treatment:.');
    expect(text).toContain('4. Raynaud’s Disease');
    expect(squash(compiled.lessons[0]!.text)).toContain('one’s quality of life');
  });

  it.each(course.lessons.map((l, i) => [i + 1, l.title, i] as const))(
    'lesson %i (%s): under 102 KB, with lang, a title, the preheader, alt on images and an unsubscribe link',
    (n, _title, i) => {
      const email = renderLesson(compiled, i, {
        name: 'Ann',
        unsubscribeUrl: 'https://example.com/unsubscribe?token=abc',
        learnUrl: 'https://example.com/learn?token=abc',
      });
      const lesson = course.lessons[i]!;
      expect(Buffer.byteLength(email.html)).toBeLessThan(102 * 1024);
      expect(email.html).toMatch(/<html[^>]*\blang="en"/);
      expect(email.html).toContain(`<title>${lesson.subject}</title>`);
      expect(email.subject).toBe(lesson.subject);
      expect(email.preheader).toBe(lesson.preheader);
      // The preheader is the first text in the body, hidden: what inbox lists show after the subject.
      // Hidden by display/height, never by colouring it like the background (SpamAssassin's HTML_FONT_LOW_CONTRAST).
      const preheader = new RegExp(
        `<body[^>]*>\\s*<div [^>]*>\\s*<div class="preheader" style="(display:none;[^"]*)">${lesson.preheader.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</div>`,
      ).exec(email.html);
      expect(preheader?.[1]).toContain('mso-hide:all');
      expect(preheader?.[1]).not.toMatch(/(^|;)\s*(color|opacity)\s*:/);
      expect(email.text).not.toContain(lesson.preheader);
      for (const img of email.html.match(/<img\b[^>]*>/g) ?? []) expect(img).toMatch(/\balt="/);
      expect(email.html).toContain('href="https://example.com/unsubscribe?token=abc"');
      expect(email.text).toContain('https://example.com/unsubscribe?token=abc');
      expect(email.html).toContain(`Lesson ${n} of 8`);
      expect(email.html).toContain('not medical advice');
      expect(email.html).toContain(course.postalAddress);
    },
  );

  it("names next week's lesson in every lesson but the last", () => {
    course.lessons.forEach((_lesson, i) => {
      const next = course.lessons[i + 1];
      if (next) expect(squash(compiled.lessons[i]!.text)).toContain(`Next week: ${next.title}`);
      else expect(compiled.lessons[i]!.text).not.toContain('Next week');
    });
  });
});
