// The emails in the course language: a German course's confirmation, lessons and "already
// subscribed" email carry lang="de" and German words only (no English product string is left in
// them or in its pages), an Arabic course's run right to left, and the English course's frame is as
// it always was.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAlreadySubscribed } from '../../../functions/email/already-subscribed.js';
import { compileCourse } from '../../../functions/email/compile.js';
import { loadCourse, type Course } from '../../../functions/email/manifest.js';
import { renderConfirmation, renderLesson } from '../../../functions/email/personalise.js';
import { confirmedPage, confirmPage, errorPage, signupPage, unsubscribedPage, unsubscribePage } from '../../../functions/http/pages.js';
import { en } from '../../../functions/i18n/catalogues/en.js';
import { compileShippedCourse } from '../../support/course.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/courses');
const URLS = { unsubscribeUrl: 'https://course.test/unsubscribe?token=t', confirmUrl: 'https://course.test/confirm?token=t' };

/** The English catalogue's literal runs of words (between placeholders), long enough to be telling. */
const englishPhrases = Object.values(en)
  .flatMap((message) => message.split(/[{}#]/))
  .map((run) => run.trim())
  .filter((run) => run.length >= 12 && /[a-z]{4}/.test(run) && !/(select|plural|other)/.test(run));

async function everythingOf(dir: string): Promise<{ course: Course; texts: Record<string, string> }> {
  const course = loadCourse(dir);
  const compiled = await compileCourse(course, dir);
  const already = renderAlreadySubscribed(course, { manageUrl: URLS.unsubscribeUrl, timezone: 'Europe/Berlin', zoneDiffers: true });
  const view = { maskedEmail: 'l***@example.com', courseTitle: course.title, status: 'active' as const };
  const texts: Record<string, string> = {
    confirmation: renderConfirmation(compiled, URLS).html + renderConfirmation(compiled, URLS).text,
    ...Object.fromEntries(
      compiled.lessons.map((_, i) => {
        const email = renderLesson(compiled, i, {
          unsubscribeUrl: URLS.unsubscribeUrl,
          learnUrl: 'https://courses.example.com/learn?token=t',
        });
        return [`lesson ${i + 1}`, email.html + email.text];
      }),
    ),
    'already subscribed': already.subject + already.html + already.text,
    signup: signupPage(course),
    confirm: confirmPage(course, view.maskedEmail, 't'),
    confirmed: confirmedPage(course, 'active', 0, true),
    unsubscribe: unsubscribePage(course, view, 't'),
    unsubscribed: unsubscribedPage(course, view),
    error: errorPage(course, 410, { code: 'token_expired', message: 'This confirmation link has expired.' }),
  };
  return { course, texts };
}

describe('emails and pages in the course language', () => {
  it('German: lang="de", German words, and no English product phrase anywhere', async () => {
    const { texts } = await everythingOf(join(FIXTURES, 'tee-de'));
    expect(englishPhrases.length).toBeGreaterThan(50);
    for (const [label, text] of Object.entries(texts)) {
      expect(text, label).toMatch(/lang="de"/);
      for (const phrase of englishPhrases) expect(text.includes(phrase), `${label}: "${phrase}"`).toBe(false);
    }
    expect(texts['lesson 1']).toContain('Lektion 1 von 2');
    expect(texts['lesson 1']).toContain('Hallo zusammen,');
    expect(texts['lesson 1']).toContain('Nächste Woche: <strong>Tee richtig zubereiten</strong>');
    expect(texts['lesson 2']).not.toContain('Nächste Woche');
    expect(texts.confirmation).toContain('2 Lektionen, jede Woche eine.');
    expect(texts['already subscribed']).toMatch(/^Sie haben Tee für Einsteiger bereits abonniert/);
    expect(texts['already subscribed']).toContain('Ihre Lektionen kommen um 08:00 Uhr in der Zeitzone Europe/Berlin.');
  });

  it('Arabic: lang="ar" dir="rtl" on the email, its sections right to left and its text aligned right', async () => {
    const { texts } = await everythingOf(join(FIXTURES, 'qiraa-ar'));
    for (const label of ['confirmation', 'lesson 1']) {
      expect(texts[label], label).toMatch(/<html lang="ar" dir="rtl"/);
      expect(texts[label], label).not.toContain('direction:ltr');
      expect(texts[label], label).toContain('text-align:right');
    }
    expect(texts['lesson 1']).toContain('الدرس 1 من 2');
    expect(texts['already subscribed']).toContain('<html lang="ar" dir="rtl">');
  });

  it('English: the frame of the shipped course is word for word what it was', async () => {
    const compiled = await compileShippedCourse();
    const lesson = renderLesson(compiled, 0, {
      unsubscribeUrl: URLS.unsubscribeUrl,
      learnUrl: 'https://courses.example.com/learn?token=t',
    });
    expect(lesson.html).toMatch(/<html lang="en" dir="ltr"/);
    expect(lesson.text).toContain('Lesson 1 of 8');
    expect(lesson.text).toContain('Hi there,');
    expect(lesson.text.replace(/\s+/g, ' ')).toContain(
      'You are getting this email because you signed up for Botox and Permanent Numbness and confirmed your address. One lesson arrives each week, 8 in all.',
    );
    expect(lesson.html.replace(/\s+/g, ' ')).toMatch(
      /<a ses:no-track href="[^"]+" style="[^"]*">Unsubscribe<\/a> from this course with one click\./,
    );
    const confirmation = renderConfirmation(compiled, URLS).text.replace(/\s+/g, ' ');
    expect(confirmation).toContain('at this address: 8 lessons, one each week.');
    expect(confirmation).toContain("without a click on the page's button, we will not write to you again.");
  });
});
