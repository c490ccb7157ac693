// Every composed email in headless Chromium with prefers-color-scheme emulated light and dark:
// every visible text at least 4.5:1 against what is behind it, the dark styles really applied, and
// nothing wider than a phone.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIN_CONTRAST, measureAppearance, type ColorScheme } from '../../functions/authoring/appearance.js';
import { composeCourseEmails, type ComposedEmail } from '../../functions/authoring/deliverability.js';
import { runDeliverabilityCheck } from '../../functions/cli/deliverability-check.js';
import { courseFolders } from '../support/courses.js';
import { SHIPPED_COURSE_DIR } from '../support/course.js';
import { requireTool } from '../support/tools.js';
import { CHROMIUM_PATH, launchChromium } from '../../functions/authoring/chromium.js';

const needsChromium = requireTool('chromium', CHROMIUM_PATH, 'apt-get install chromium');

let browser: Browser;
let emails: ComposedEmail[];

needsChromium.describe('every email in light and dark mode', () => {
  beforeAll(async () => {
    emails = [];
    for (const dir of courseFolders()) {
      const { course, emails: composed } = await composeCourseEmails(dir);
      emails.push(...composed.map((e) => ({ ...e, label: `${course.slug}: ${e.label}` })));
    }
    browser = (await launchChromium())!; // requireTool above: present here
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const scheme of ['light', 'dark'] as const satisfies ColorScheme[]) {
    it(`${scheme}: every text, link, footer and disclaimer is at least ${MIN_CONTRAST}:1, and nothing is wider than 375 px`, async () => {
      for (const email of emails) {
        const seen = await measureAppearance(browser, email.rendered.html, { scheme, width: 375 });
        expect(seen.measured, email.label).toBeGreaterThan(8);
        expect(seen.lowContrast, `${email.label} (${scheme})`).toEqual([]);
        expect(seen.scrollWidth, email.label).toBeLessThanOrEqual(375);
      }
    });
  }

  it('the measure catches low contrast: grey on white, and light text left on a dark page', async () => {
    const grey = await measureAppearance(browser, '<p style="color:#aaaaaa">Faint words</p>', { scheme: 'light', width: 375 });
    expect(grey.lowContrast).toEqual([{ text: 'Faint words', color: 'rgb(170, 170, 170)', background: 'rgb(255, 255, 255)', ratio: 2.32 }]);
    const dark = await measureAppearance(browser, '<div style="background:#111418"><p style="color:#333333">Dim</p></div>', {
      scheme: 'dark',
      width: 375,
    });
    expect(dark.lowContrast.map((t) => t.text)).toEqual(['Dim']);
  });

  it("dark mode is the email's own: the card turns dark and the text light, rather than being left to the client", async () => {
    const lesson = emails.find((e) => e.id === 'lesson-1')!;
    const page = await browser.newPage({ colorScheme: 'dark' });
    try {
      await page.setContent(lesson.rendered.html);
      const seen = await page.evaluate<{ card: string; text: string; disclaimer: string; link: string; metas: string[] }>(`(() => ({
        card: getComputedStyle(document.querySelector('.card')).backgroundColor,
        text: getComputedStyle(document.querySelector('.lesson div p')).color,
        disclaimer: getComputedStyle(document.querySelector('.footer p')).color,
        link: getComputedStyle(document.querySelector('.footer a')).color,
        metas: [...document.querySelectorAll('meta[name$="color-schemes"], meta[name="color-scheme"]')].map((m) => m.name + '=' + m.content),
      }))()`);
      expect(seen.card).toBe('rgb(29, 35, 43)');
      expect(seen.text).toBe('rgb(230, 233, 238)');
      expect(seen.disclaimer).toBe('rgb(195, 202, 211)');
      expect(seen.link).toBe('rgb(156, 202, 255)');
      expect(seen.metas).toEqual(['color-scheme=light dark', 'supported-color-schemes=light dark']);
      // Outlook.com's dark mode: the same colours under its data-ogsc/data-ogsb markers.
      expect(lesson.rendered.html).toMatch(/\[data-ogsc\] \.card div[^{]*\{ color: #e6e9ee !important; \}/);
      expect(lesson.rendered.html).toMatch(/\[data-ogsb\] \.card[^{]*\{ background-color: #1d232b !important; \}/);
    } finally {
      await page.close();
    }
  });

  it("course check's deliverability part fails an author's one-lesson course with faint text, naming the lesson, the text and the ratio", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'course-faint-'));
    try {
      await cp(SHIPPED_COURSE_DIR, dir, { recursive: true });
      const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8')) as { lessons: { file: string }[] };
      manifest.lessons = manifest.lessons.slice(0, 1);
      await writeFile(join(dir, 'course.json'), JSON.stringify(manifest));
      await writeFile(
        join(dir, manifest.lessons[0]!.file),
        '<mj-text css-class="lesson"><p>Plain words.</p><p><span style="color:#b0b0b0">A faint aside.</span></p></mj-text>\n',
      );
      let report = '';
      const out = new Writable({ write: (chunk: Buffer, _enc, done) => ((report += chunk.toString()), done()) });
      const result = await runDeliverabilityCheck({ courseDir: dir, out, browser });
      expect(result.ok).toBe(false);
      expect(report).toMatch(
        /^FAIL Lesson 1: Introduction: contrast in light and dark, fits 375 px\n\s+contrast 2\.\d+:1 < 4\.5:1 in light mode: "A faint aside\." \(rgb\(176, 176, 176\) on rgb\(255, 255, 255\)\)/m,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
