// A lesson's links to the learner's own pages (templates/layout/lesson.mjml's learner block, filled by
// personalise.ts): the course page, this lesson on the web, Yes / No, each for this lesson and
// untracked; and the last lesson's "course complete" note.
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { type CompiledCourse } from '../../../functions/email/compile.js';
import { renderLesson } from '../../../functions/email/personalise.js';
import { compileShippedCourse } from '../../support/course.js';

const unsubscribeUrl = 'https://example.com/unsubscribe?token=u';
const learnUrl = 'https://example.com/learn?token=L-1_x';
let compiled: CompiledCourse;
beforeAll(async () => {
  compiled = await compileShippedCourse();
});

describe("the learner's links", () => {
  it('name the lesson being read, in the HTML (untracked) and the text', () => {
    const email = renderLesson(compiled, 2, { name: 'Ann', unsubscribeUrl, learnUrl });
    for (const href of [
      'https://example.com/learn?token=L-1_x',
      'https://example.com/learn/lessons/3?token=L-1_x',
      'https://example.com/feedback?token=L-1_x&amp;lesson=3&amp;vote=yes',
      'https://example.com/feedback?token=L-1_x&amp;lesson=3&amp;vote=no',
    ])
      expect(email.html).toContain(`<a ses:no-track href="${href}"`);
    expect(email.text).toMatch(/Read this lesson on the web\s+\[https:\/\/example\.com\/learn\/lessons\/3\?token=L-1_x\]/);
    expect(email.text).toMatch(/Was this lesson useful\? Yes\s+\[https:\/\/example\.com\/feedback\?token=L-1_x&lesson=3&vote=yes\]/);
  });

  it('only the last lesson says the course is complete and that it can be restarted from the course page', () => {
    const last = compiled.lessons.length - 1;
    const note = `This was the last lesson: you have completed ${compiled.course.title}.`;
    for (let i = 0; i < compiled.lessons.length; i++) {
      const email = renderLesson(compiled, i, { unsubscribeUrl, learnUrl });
      expect(email.text.replace(/\s+/g, ' ').includes(note), `lesson ${i + 1}`).toBe(i === last);
    }
    expect(renderLesson(compiled, last, { unsubscribeUrl, learnUrl }).html).toContain('start again from lesson 1 on your course page');
  });

  it('refuses a course page link that is not absolute http(s)', () => {
    expect.assertions(2);
    for (const bad of ['javascript:alert(1)', 'learn?token=x']) {
      try {
        renderLesson(compiled, 0, { unsubscribeUrl, learnUrl: bad });
      } catch (e: unknown) {
        expect(e).toBeInstanceOf(ValidationError);
      }
    }
  });
});
