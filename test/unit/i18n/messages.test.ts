// The messages of a course: its language's catalogue, the author's overrides, English for a language
// without one; the markup a page or email puts into a message; the list page's pick from
// Accept-Language; and course.json `strings` refused with the key named.
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../functions/email/escape.js';
import { parseCourse } from '../../../functions/email/manifest.js';
import { cadenceValues, formatHtml, formatSendHour, languageName, messagesFor } from '../../../functions/i18n/messages.js';
import { languageFromAcceptLanguage } from '../../../functions/i18n/negotiate.js';

const manifest = {
  slug: 'a',
  title: 'A',
  description: 'd',
  sender: { name: 'n', email: 'a@example.com' },
  postalAddress: 'x',
  confirmation: { file: 'system/confirm.mjml', subject: 's', preheader: 'p' },
  lessons: [{ file: 'lessons/a.mjml', title: 't', subject: 's', preheader: 'p' }],
};

describe('messagesFor', () => {
  it('speaks the course language, with its direction', () => {
    const de = messagesFor('de');
    expect(de.t('signup.submit')).toBe('Kurs zusenden');
    expect([de.lang, de.dir]).toEqual(['de', 'ltr']);
    expect(messagesFor('ar').dir).toBe('rtl');
    expect(messagesFor('de-AT').t('signup.heading')).toBe('Anmelden');
    expect(messagesFor('pt').t('signup.heading')).toBe('Inscreva-se');
  });

  it("puts the author's override first and says where each text comes from", () => {
    const m = messagesFor('de', { 'signup.submit': 'Los geht’s' });
    expect(m.t('signup.submit')).toBe('Los geht’s');
    expect(m.source('signup.submit')).toBe('author');
    expect(m.source('signup.heading')).toBe('catalogue');
    expect(messagesFor('en').source('signup.heading')).toBe('english');
    expect(messagesFor('sw').t('signup.heading')).toBe('Sign up');
  });

  it('counts with CLDR plural rules', () => {
    const values = (count: number) => ({ count, cadence: 'x', time: '09:00' });
    expect(messagesFor('en').t('signup.summary', values(1))).toMatch(/^1 lesson,/);
    expect(messagesFor('ar').t('signup.summary', values(2))).toMatch(/^درسان/);
    expect(messagesFor('en').t('cadence.lessons', cadenceValues(14))).toBe('one lesson every 2 weeks');
    expect(messagesFor('de').t('cadence.lessons', cadenceValues(3))).toBe('eine Lektion alle 3 Tage');
  });

  it('writes times and language names through Intl', () => {
    expect(formatSendHour('en', '09:00')).toBe('09:00');
    expect(formatSendHour('de', '18:30')).toBe('18:30');
    expect(languageName('de')).toBe('Deutsch');
    expect(languageName('ar')).toBe('العربية');
  });

  it('escapes the message and a value, and puts markup in only where the message names it', () => {
    const m = messagesFor('en', { 'confirm.question': 'Start <b>{course}</b> at {email}?' });
    const out = formatHtml(m, 'confirm.question', escapeHtml, {}, { course: '<strong>C</strong>', email: '<span>a&amp;b</span>' });
    expect(out).toBe('Start &lt;b&gt;<strong>C</strong>&lt;/b&gt; at <span>a&amp;b</span>?');
  });
});

describe('languageFromAcceptLanguage', () => {
  it.each([
    ['de-DE,de;q=0.9,en;q=0.8', 'de'],
    ['fr;q=0.5, ar;q=0.9', 'ar'],
    ['pt-BR', 'pt-BR'],
    ['pt-PT;q=1', 'pt-BR'],
    ['sw, es;q=0.1', 'es'],
    ['sw, *;q=0.5', 'en'],
    ['de;q=0, fr', 'fr'],
    [undefined, 'en'],
    ['<script>', 'en'],
  ])('%s → %s', (header, tag) => {
    expect(languageFromAcceptLanguage(header)).toBe(tag);
  });
});

describe("course.json's strings", () => {
  it('accepts an override of a known key with the same placeholders', () => {
    expect(parseCourse({ ...manifest, strings: { 'signup.submit': 'Go' } }).strings).toEqual({ 'signup.submit': 'Go' });
  });

  it('refuses an unknown key, naming it', () => {
    expect(() => parseCourse({ ...manifest, strings: { 'signup.sumbit': 'Go' } })).toThrow(/strings: "signup.sumbit" is not a message key/);
  });

  it('refuses a message that is not ICU MessageFormat, naming the key', () => {
    expect(() => parseCourse({ ...manifest, strings: { 'signup.summary': '{count, plural, one {x}}' } })).toThrow(
      /"signup.summary" is not a valid ICU message/,
    );
  });

  it('refuses placeholders that differ from the English message', () => {
    expect(() => parseCourse({ ...manifest, strings: { 'confirm.question': 'Start {title}?' } })).toThrow(
      /"confirm.question" must use the placeholders course \(argument\), email \(argument\)/,
    );
  });
});
