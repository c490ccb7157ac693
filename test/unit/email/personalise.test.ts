// Per-recipient filling: names are escaped where they land, URLs are checked and escaped for
// attributes, and nothing a person types can add markup or break a line.
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { type CompiledCourse } from '../../../functions/email/compile.js';
import { displayName, renderConfirmation, renderLesson } from '../../../functions/email/personalise.js';
import { compileShippedCourse } from '../../support/course.js';

const unsubscribeUrl = 'https://example.com/unsubscribe?token=abc.def';
const learnUrl = 'https://example.com/learn?token=lrn';
let compiled: CompiledCourse;
beforeAll(async () => {
  compiled = await compileShippedCourse();
});

describe('the name', () => {
  it('a <script> name is escaped in the HTML and shown literally in the text', () => {
    const email = renderLesson(compiled, 0, { name: '<script>alert(1)</script>', unsubscribeUrl, learnUrl });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(email.text).toContain('Hi <script>alert(1)</script>,');
  });

  it('Ann "A&B" is escaped in a lesson\'s HTML (quote and ampersand) and kept as typed in the text', () => {
    const email = renderLesson(compiled, 0, { name: 'Ann "A&B"', unsubscribeUrl, learnUrl });
    expect(email.html).toContain('Hi Ann &quot;A&amp;B&quot;,');
    expect(email.html).not.toContain('Ann "A&B"');
    expect(email.text).toContain('Hi Ann "A&B",');
    expect(email.text).not.toContain('&amp;');
  });

  it('the confirmation carries no name at all: it goes to an address nobody has confirmed yet', () => {
    const email = renderConfirmation(compiled, { confirmUrl: 'https://example.com/confirm?token=x' });
    expect(email.html).not.toContain('{{name}}');
    expect(email.text).toContain('Hello,');
    expect(email.text.replace(/\s+/g, ' ')).toContain('One more click there, on its button, starts the course');
  });

  it('falls back to "there" when absent, empty or only spaces', () => {
    for (const name of [undefined, '', '   ', '\r\n']) {
      expect(renderLesson(compiled, 1, { name, unsubscribeUrl, learnUrl }).text).toContain('Hi there,');
    }
  });

  it('CR, LF and other control characters in a name become single spaces', () => {
    expect(displayName('Ann\r\nBcc: evil@example.com\u0000\t\u2028x')).toBe('Ann Bcc: evil@example.com x');
    const email = renderLesson(compiled, 2, { name: 'Ann\r\nBcc: evil@example.com', unsubscribeUrl, learnUrl });
    expect(email.text).toContain('Hi Ann Bcc: evil@example.com,');
    expect(email.html).not.toMatch(/Ann[\r\n]/);
  });

  it('a name that looks like a placeholder is not expanded', () => {
    const email = renderLesson(compiled, 0, { name: '{{unsubscribeUrl}}', unsubscribeUrl, learnUrl });
    expect(email.text).toContain('Hi {{unsubscribeUrl}},');
  });

  it.each(['\u202e', '\u202d', '\u2067', '\u2066', '\u2068', '\u200f', '\u061c'])(
    'a stored name holding bidi control %# cannot reorder the greeting, in HTML or text',
    (control) => {
      const email = renderLesson(compiled, 0, { name: `Ann${control}, you win`, unsubscribeUrl, learnUrl });
      for (const part of [email.html, email.text]) expect(part).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
      expect(email.text).toContain('Hi Ann, you win,');
    },
  );

  it('caps a long Indic name at whole letters, never between a consonant and its vowel sign', () => {
    const name = 'कि'.repeat(150);
    expect(displayName(name)).toBe('कि'.repeat(100));
  });

  it('caps very long names', () => {
    expect(displayName('x'.repeat(500))).toHaveLength(100);
  });
});

describe('the links', () => {
  it('puts the unsubscribe URL in the HTML link (attribute-escaped) and the text', () => {
    const url = 'https://example.com/unsubscribe?token=a&b=c';
    const email = renderLesson(compiled, 7, { unsubscribeUrl: url, learnUrl });
    expect(email.html).toContain('href="https://example.com/unsubscribe?token=a&amp;b=c"');
    expect(email.text).toContain(url);
    expect(email.html).not.toContain('{{');
    expect(email.text).not.toContain('{{');
  });

  it('a quote in a URL cannot close the attribute', () => {
    const email = renderConfirmation(compiled, { confirmUrl: 'https://example.com/confirm?token="><script>x</script>' });
    expect(email.html).not.toContain('"><script>');
    expect(email.html).not.toContain('<script>');
  });

  it('refuses a URL that is not absolute http(s)', () => {
    expect.assertions(3);
    for (const bad of ['javascript:alert(1)', '/unsubscribe?token=x', 'not a url']) {
      try {
        renderLesson(compiled, 0, { unsubscribeUrl: bad, learnUrl });
      } catch (e: unknown) {
        expect(e).toBeInstanceOf(ValidationError);
      }
    }
  });

  it('refuses a lesson index outside the course', () => {
    expect(() => renderLesson(compiled, 8, { unsubscribeUrl, learnUrl })).toThrow(RangeError);
    expect(() => renderLesson(compiled, -1, { unsubscribeUrl, learnUrl })).toThrow(RangeError);
    expect(() => renderLesson(compiled, 1.5, { unsubscribeUrl, learnUrl })).toThrow(RangeError);
  });
});
