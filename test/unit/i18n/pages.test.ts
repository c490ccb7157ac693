// The HTTP app in the course's language: a German course's pages and answers are German with
// lang="de", an Arabic one's right to left, the English course's words are as they always were, and
// the list of several courses takes its own words from Accept-Language (and says it varies by it).
// The app runs on the in-memory subscription store: no page here reads the table.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseCatalog } from '../../../functions/core/courses.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { loadCourse, type Course } from '../../../functions/email/manifest.js';
import { createApp } from '../../../functions/http/app.js';
import { MemorySubscriptionStore } from '../../support/memory-subscription-store.js';
import { SHIPPED_COURSE_DIR } from '../../support/course.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/courses');
const english = loadCourse(SHIPPED_COURSE_DIR);
const german = loadCourse(join(FIXTURES, 'tee-de'));
const arabic = loadCourse(join(FIXTURES, 'qiraa-ar'));

function appFor(courses: Course[]) {
  return createApp({
    deps: {
      store: new MemorySubscriptionStore(),
      clock: { now: () => new Date('2026-12-01T10:00:00Z') },
      tokens: createTokens(new Uint8Array(32).fill(7)),
      courses: courseCatalog(courses.map((course) => ({ course }))),
      config: { publicUrl: 'http://course.test', signupsPerIpPerHour: 100 },
    },
    log: () => undefined,
  });
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '192.0.2.1' },
  body: new URLSearchParams(fields).toString(),
});

describe('pages in the course language', () => {
  it('a German course: the signup page, its check-your-inbox answer and a bad field are German, lang="de"', async () => {
    const app = appFor([german]);
    const page = await (await app.request('/')).text();
    expect(page).toContain('<html lang="de" dir="ltr">');
    expect(page).toContain('2 Lektionen, eine pro Woche, jeweils gegen 08:00 Uhr in Ihrer Zeitzone.');
    expect(page).toContain('>Kurs zusenden</button>');
    expect(page).toContain('data-sending="Wird gesendet …"');
    expect(page).not.toMatch(/Sign up|Email address|Send me the course/);

    const thanks = await (await app.request('/subscribe', form({ email: 'lea@example.com', timezone: 'Europe/Berlin' }))).text();
    expect(thanks).toContain('<h1>Sehen Sie in Ihr Postfach</h1>');
    const json = await app.request('/subscribe', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '192.0.2.1' },
      body: JSON.stringify({ email: 'max@example.com' }),
    });
    expect(((await json.json()) as { message: string }).message).toMatch(/^Vielen Dank\./);

    const bad = await app.request('/subscribe', form({ email: 'not an address' }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Das sieht nicht wie eine E-Mail-Adresse aus. Bitte prüfen Sie sie.');
  });

  it('JSON errors stay English with their stable codes, whatever the course language', async () => {
    const res = await appFor([german]).request('/subscribe', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '192.0.2.1' },
      body: JSON.stringify({ email: '' }),
    });
    expect(await res.json()).toEqual({ error: { code: 'invalid_email', message: 'Please enter your email address.', field: 'email' } });
  });

  it('an Arabic course: error pages are Arabic and right to left', async () => {
    const res = await appFor([arabic]).request('/confirm?token=nonsense');
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('<html lang="ar" dir="rtl">');
    expect(page).toContain('<h1>لم ينجح ذلك</h1>');
    expect(page).toContain('هذا الرابط غير صالح');
  });

  it('the English course keeps its words', async () => {
    const page = await (await appFor([english]).request('/')).text();
    expect(page).toContain('<html lang="en" dir="ltr">');
    expect(page).toContain('8 lessons, one a week, arriving around 09:00 in your time zone.');
    expect(page).toContain('The first arrives as soon as you confirm your address, then one lesson a week.');
    const bad = await (await appFor([english]).request('/subscribe', form({ email: '' }))).text();
    expect(bad).toContain('Please enter your email address.');
  });
});

describe('the list of several courses', () => {
  const app = appFor([english, german, arabic]);

  it.each([
    ['de-DE,de;q=0.9,en;q=0.5', 'de', 'E-Mail-Kurse'],
    ['ar', 'ar', 'دورات بالبريد الإلكتروني'],
    ['sw', 'en', 'Email courses'],
    [undefined, 'en', 'Email courses'],
  ])('Accept-Language %s: the list speaks %s', async (accept, lang, title) => {
    const res = await app.request('/', accept === undefined ? {} : { headers: { 'Accept-Language': accept } });
    expect(res.headers.get('vary')).toMatch(/Accept-Language/i);
    const page = await res.text();
    expect(page).toContain(`<html lang="${lang}"`);
    expect(page).toContain(`<h1>${title}</h1>`);
  });

  it('names each course in its own language, with lang on its entry', async () => {
    const page = await (await app.request('/', { headers: { 'Accept-Language': 'fr' } })).text();
    expect(page).toContain('<section class="card" lang="de" dir="ltr" aria-labelledby="course-tee-de">');
    expect(page).toContain('Sprache: Deutsch');
    expect(page).toContain('<section class="card" lang="ar" dir="rtl" aria-labelledby="course-qiraa-ar">');
    expect(page).toContain('اللغة: العربية');
    expect(page).toContain('Language: English');
    expect(page).toContain('<h1>Cours par e-mail</h1>');
  });
});
