// The lessons as a reader sees them, in headless Chromium at a phone (375 px) and a desktop
// email pane (600 px): nothing wider than the screen, even with a very long link or name; and a
// course made by `course new` from Markdown (quotes, nested lists, code) fits too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileCourse, type CompiledCourse } from '../../functions/email/compile.js';
import { newCourse } from '../../functions/authoring/new-course.js';
import { renderConfirmation, renderLesson } from '../../functions/email/personalise.js';
import { compileShippedCourse } from '../support/course.js';
import { requireTool } from '../support/tools.js';
import { CHROMIUM_PATH, launchChromium } from '../../functions/authoring/chromium.js';

const needsChromium = requireTool('chromium', CHROMIUM_PATH, 'apt-get install chromium');
const longToken = `${'a'.repeat(180)}.${'b'.repeat(43)}`;

let browser: Browser;
let compiled: CompiledCourse;
let generated: CompiledCourse;
let scratch: string;

needsChromium.describe('lesson emails in Chromium', () => {
  beforeAll(async () => {
    compiled = await compileShippedCourse();
    scratch = await mkdtemp(join(tmpdir(), 'course-layout-'));
    const made = await newCourse({ article: new URL('../fixtures/articles/sleep.md', import.meta.url).pathname, coursesDir: scratch });
    generated = await compileCourse(made.course, made.dir);
    browser = (await launchChromium())!; // requireTool above: present here
  });
  afterAll(async () => {
    await browser?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  async function layout(html: string, width: number): Promise<{ scrollWidth: number; bodyFontPx: number }> {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    try {
      await page.setContent(html, { waitUntil: 'load' });
      // A string, not a function: the project's TypeScript has no DOM types, and this runs in the page.
      return await page.evaluate<{ scrollWidth: number; bodyFontPx: number }>(`(() => {
        const p = document.querySelector('.lesson p') ?? document.querySelector('p');
        return {
          scrollWidth: document.documentElement.scrollWidth,
          bodyFontPx: p ? parseFloat(getComputedStyle(p).fontSize) : 0,
        };
      })()`);
    } finally {
      await page.close();
    }
  }

  for (const width of [375, 600]) {
    it(`every lesson fits ${width} px without sideways scrolling, with body text of at least 16 px`, async () => {
      for (let i = 0; i < compiled.lessons.length; i++) {
        const email = renderLesson(compiled, i, {
          name: 'Alex',
          unsubscribeUrl: 'http://localhost:3000/unsubscribe?token=sample',
          learnUrl: 'http://localhost:3000/learn?token=sample',
        });
        const seen = await layout(email.html, width);
        expect(seen.scrollWidth, `lesson ${i + 1}`).toBeLessThanOrEqual(width);
        expect(seen.bodyFontPx, `lesson ${i + 1}`).toBeGreaterThanOrEqual(16);
      }
    });

    it(`every lesson of a course made from Markdown fits ${width} px, its quote marked by a rule at its left`, async () => {
      for (let i = 0; i < generated.lessons.length; i++) {
        const email = renderLesson(generated, i, {
          name: 'Alex',
          unsubscribeUrl: 'http://localhost:3000/unsubscribe?token=sample',
          learnUrl: 'http://localhost:3000/learn?token=sample',
        });
        expect((await layout(email.html, width)).scrollWidth, `lesson ${i + 1}`).toBeLessThanOrEqual(width);
      }
      expect(generated.lessons[1]!.html).toMatch(/<blockquote style="[^"]*border-left:3px solid/);
    });

    it(`a very long confirm link and name wrap inside ${width} px`, async () => {
      const email = renderConfirmation(compiled, { confirmUrl: `https://example.com/confirm?token=${longToken}` });
      expect((await layout(email.html, width)).scrollWidth).toBeLessThanOrEqual(width);
    });
  }
});
