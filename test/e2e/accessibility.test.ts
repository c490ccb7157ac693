// Every page and every email, for an English (the shipped course), a German and an Arabic course, in
// headless Chromium with axe-core's WCAG 2.0/2.1 A and AA rules: no violation in light or dark, at
// 375 and 1200 px, and nothing wider than the screen at 375 px or at 200 % zoom (640 px of a 1280 px
// window). The pages are the HTTP app's own page functions; the emails are compiled and personalised
// as the drip sends them. One browser, one page per viewport and scheme, reused for every document.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../../functions/authoring/chromium.js';
import { renderAlreadySubscribed } from '../../functions/email/already-subscribed.js';
import { compileCourse } from '../../functions/email/compile.js';
import { loadCourse, type Course } from '../../functions/email/manifest.js';
import { renderConfirmation, renderLesson } from '../../functions/email/personalise.js';
import {
  checkInboxPage,
  confirmedPage,
  confirmPage,
  coursesPage,
  errorPage,
  PAGE_CSP,
  signupPage,
  unsubscribedPage,
  unsubscribePage,
} from '../../functions/http/pages.js';
import { messagesFor } from '../../functions/i18n/messages.js';
import { learnerPage, votedPage, votePage, webLessonPage } from '../../functions/http/learner-pages.js';
import type { Subscriber } from '../../functions/core/model.js';
import { axeViolations } from '../support/axe.js';
import { SHIPPED_COURSE_DIR } from '../support/course.js';
import { requireTool } from '../support/tools.js';

const needsChromium = requireTool('chromium', CHROMIUM_PATH, 'apt-get install chromium');
const FIXTURES = join(import.meta.dirname, '../fixtures/courses');
const COURSE_DIRS = [SHIPPED_COURSE_DIR, join(FIXTURES, 'tee-de'), join(FIXTURES, 'qiraa-ar')];
const ERROR_STATUSES = [400, 403, 404, 410, 413, 415, 429, 503];

interface Document {
  label: string;
  html: string;
}

function pagesOf(course: Course): Document[] {
  const masked = 'a***@example.com';
  const page = (label: string, html: string) => ({ label: `${course.slug} ${label}`, html });
  return [
    page('signup', signupPage(course)),
    page('signup with an error', signupPage(course, { error: { message: 'Bad address', field: 'email' }, values: { email: 'x' } })),
    page('check your inbox', checkInboxPage(course)),
    page('confirm', confirmPage(course, masked, 'token')),
    page('confirmed', confirmedPage(course, 'active', 0)),
    page('unsubscribe', unsubscribePage(course, { maskedEmail: masked, courseTitle: course.title, status: 'active' }, 'token')),
    page('unsubscribed', unsubscribedPage(course, { maskedEmail: masked, courseTitle: course.title, status: 'unsubscribed' })),
    ...learnerPagesOf(course).map(([label, html]) => page(label, html)),
    ...ERROR_STATUSES.map((status) =>
      page(`error ${status}`, errorPage(course, status, { code: 'token_invalid', message: 'This link is not valid.' })),
    ),
  ];
}

/** The learner's pages: the course page running, paused until a date and completed (with a confirmation), and the feedback pages. */
function learnerPagesOf(course: Course): [string, string][] {
  const now = new Date('2026-12-07T12:00:00.000Z');
  const subscriber: Subscriber = {
    id: 'learner-1',
    course: course.slug,
    email: 'alex@example.com',
    name: 'Alex',
    timezone: 'Europe/Berlin',
    status: 'active',
    nextLesson: 1,
    nextSendAt: '2026-12-14T08:00:00.000Z',
    lastSentAt: '2026-12-07T08:00:00.000Z',
    consent: { at: '2026-12-01T10:00:00.000Z', ip: '192.0.2.1', userAgent: 'test', page: 'https://courses.example.com/' },
    createdAt: '2026-12-01T10:00:00.000Z',
    votes: { '0': 'yes' },
  };
  const learner = (s: Partial<Subscriber>) => ({ subscriber: { ...subscriber, ...s }, course: { course }, token: 't' });
  const unsubscribeUrl = 'unsubscribe?token=u';
  return [
    ['course page', learnerPage(learner({}), { now, unsubscribeUrl })],
    [
      'course page, paused until a date',
      learnerPage(learner({ pausedAt: now.toISOString(), pausedUntil: '2027-01-04T08:00:00.000Z' }), {
        now,
        unsubscribeUrl,
        done: 'paused',
      }),
    ],
    [
      'course page, completed',
      learnerPage(learner({ status: 'completed', nextLesson: course.lessons.length, nextSendAt: undefined }), { now, unsubscribeUrl }),
    ],
    ['feedback', votePage(learner({}), { lesson: 0, vote: 'no', previous: 'yes' })],
    ['feedback saved', votedPage(learner({}), { lesson: 0, vote: 'no', changed: true })],
  ];
}

async function emailsOf(course: Course, dir: string): Promise<Document[]> {
  const compiled = await compileCourse(course, dir);
  const email = (label: string, html: string) => ({ label: `${course.slug} ${label} email`, html });
  const personal = {
    name: 'Alex',
    unsubscribeUrl: 'https://courses.example.com/unsubscribe?token=t',
    learnUrl: 'https://courses.example.com/learn?token=t',
  };
  const lesson = (i: number) => renderLesson(compiled, i, personal).html;
  const facts = { manageUrl: 'https://courses.example.com/unsubscribe?token=t', timezone: 'Europe/Berlin', zoneDiffers: true };
  return [
    email('confirmation', renderConfirmation(compiled, { confirmUrl: 'https://courses.example.com/confirm?token=t' }).html),
    email('lesson 1', lesson(0)),
    email('last lesson', lesson(compiled.lessons.length - 1)),
    email('already subscribed', renderAlreadySubscribed(course, facts).html),
    // The learner's web version of lesson 1: the email in a page.
    { label: `${course.slug} lesson 1 on the web`, html: webLessonPage(lesson(0), { course, number: 1, back: 'learn?token=t' }) },
  ];
}

let browser: Browser;
let documents: Document[];

needsChromium.describe('accessibility of every page and email (axe-core, WCAG 2.1 AA)', () => {
  beforeAll(async () => {
    const courses = COURSE_DIRS.map((dir) => ({ dir, course: loadCourse(dir) }));
    const all = courses.map((c) => c.course);
    documents = [
      ...courses.flatMap(({ course }) => pagesOf(course)),
      ...['en', 'de', 'ar'].map((tag) => ({ label: `course list (${tag})`, html: coursesPage(all, messagesFor(tag)) })),
      ...(await Promise.all(courses.map(({ course, dir }) => emailsOf(course, dir)))).flat(),
    ];
    browser = (await launchChromium())!; // requireTool above: present here
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  /**
   * Every document at `width`; the error pages differ only in their words, so all of them are checked
   * in one of the four viewports (light, 1200 px) and the 404 page in the others.
   */
  async function check(page: Page, width: number, allErrors: boolean): Promise<string[]> {
    const found: string[] = [];
    for (const doc of documents.filter((d) => allErrors || !/ error (?!404)/.test(d.label))) {
      await page.setContent(doc.html, { waitUntil: 'load' });
      for (const v of await axeViolations(page)) found.push(`${doc.label}: ${v.id} (${v.impact}) ${v.help}\n  ${v.nodes.join('\n  ')}`);
      const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      if (scrollWidth > width) found.push(`${doc.label}: ${scrollWidth} px wide in a ${width} px viewport`);
    }
    return found;
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [375, 1200]) {
      it(`${colorScheme}, ${width} px: no violation on any page or email, nothing wider than the screen`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
        try {
          expect(await check(page, width, colorScheme === 'light' && width === 1200)).toEqual([]);
        } finally {
          await page.close();
        }
      }, 180_000);
    }
  }

  it('200 % zoom (640 px of a 1280 px window): every page and email still fits, nothing sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 });
    try {
      const wide: string[] = [];
      for (const doc of documents) {
        await page.setContent(doc.html, { waitUntil: 'load' });
        const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
        if (scrollWidth > 640) wide.push(`${doc.label}: ${scrollWidth} px`);
      }
      expect(wide).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("the signup form's script speaks the page's language: German for an error code and when offline", async () => {
    const german = loadCourse(join(FIXTURES, 'tee-de'));
    const page = await browser.newPage();
    try {
      // Served as the app serves it, with its Content-Security-Policy: the script runs only by its hash.
      await page.route('http://course.test/', (route) =>
        route.fulfill({ contentType: 'text/html', headers: { 'Content-Security-Policy': PAGE_CSP }, body: signupPage(german) }),
      );
      let answer: 'error' | 'offline' = 'error';
      await page.route('http://course.test/subscribe', (route) =>
        answer === 'offline'
          ? route.abort()
          : route.fulfill({
              status: 400,
              contentType: 'application/json',
              body: JSON.stringify({
                error: { code: 'invalid_email', message: 'That does not look like an email address.', field: 'email' },
              }),
            }),
      );
      await page.goto('http://course.test/');
      await page.getByLabel('E-Mail-Adresse').fill('lea@example.com');
      await page.getByRole('button', { name: 'Kurs zusenden' }).click();
      const message = page.locator('#form-message');
      await expect.poll(() => message.textContent()).toBe('Das sieht nicht wie eine E-Mail-Adresse aus. Bitte prüfen Sie sie.');
      answer = 'offline';
      await page.getByRole('button', { name: 'Kurs zusenden' }).click();
      await expect.poll(() => message.textContent()).toMatch(/^Das Formular konnte nicht gesendet werden/);
    } finally {
      await page.close();
    }
  });

  it('the check finds what it looks for: an unlabelled field and grey-on-white text fail', async () => {
    const page = await browser.newPage();
    try {
      await page.setContent(
        '<!doctype html><html lang="en"><title>t</title><main><input type="text"><p style="color:#bbb">Faint</p></main></html>',
      );
      const ids = (await axeViolations(page)).map((v) => v.id).sort();
      expect(ids).toEqual(['color-contrast', 'label']);
    } finally {
      await page.close();
    }
  });
});
