// Property test of the hand-written MIME composer: random Unicode names, subjects, header values and
// URLs (List-Unsubscribe), composed and parsed back with mailparser. Every header comes back with the
// value it was given, and the parsed header set is exactly the composed one: no input adds a header.
// An input holding a line break or another control character is refused instead (header_injection).
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { CONTROL_CHARACTERS } from '../../../functions/core/text.js';
import { composeMessage, listIdFor } from '../../../functions/email/mime.js';

// What the composer refuses in a header value: the one control-character set (C0, DEL, C1, and the
// Unicode line and paragraph separators).
const UNSAFE = CONTROL_CHARACTERS;

// Characters that make headers hard: specials of quoted strings and encoded-words, folding spaces,
// line breaks and header-looking text, astral characters; then any code point at all.
const tricky = fc.constantFrom(
  ' ',
  '  ',
  '"',
  '\\',
  '=?',
  '?=',
  '=?UTF-8?B?SGk=?=',
  ':',
  ';',
  '<',
  '>',
  ',',
  '@',
  'é',
  '—',
  '😀',
  '山',
  '\u200b',
);
const injected = fc.constantFrom(
  '\r\n',
  '\n',
  '\r',
  '\r\nBcc: victim@example.net',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u009b',
  '\t',
  '\u0000',
  '\u007f',
);
// Clean text: any character a header may hold. Line breaks and controls come in through maybeInjected.
const char = fc
  .oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 3, arbitrary: tricky },
    // Any code point at all.
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  )
  .filter((c) => !UNSAFE.test(c));
const text = (maxLength: number) => fc.array(char, { maxLength }).map((parts) => parts.join(''));
/** One line break or control character somewhere in a text (about one text in eleven), or none. */
const maybeInjected = (maxLength: number) =>
  fc
    .tuple(text(maxLength), fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(injected, fc.nat()) }))
    .map(([value, inject]) => {
      if (inject === null) return value;
      const chars = Array.from(value); // between code points: a surrogate pair stays whole
      const at = inject[1] % (chars.length + 1);
      return [...chars.slice(0, at), inject[0], ...chars.slice(at)].join('');
    });

const slug = fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,8}){0,2}$/);

/** An unsubscribe URL with Unicode and specials in its path and query (the URL parser percent-encodes them). */
const unsubscribeUrl = fc
  .tuple(fc.constantFrom('https://example.com', 'http://localhost:3000', 'https://bücher.example'), text(20), maybeInjected(40))
  .map(([origin, path, token]) => `${origin}/${path}?token=${token}`);

const messageInput = fc.record({
  name: maybeInjected(60),
  subject: maybeInjected(160),
  title: maybeInjected(40),
  slug,
  header: maybeInjected(80),
  url: unsubscribeUrl,
  // A body is not a header: any text, line breaks as a lesson's text part has them (LF).
  body: text(50).map((b) => b.replace(/\r\n?/g, '\n')),
});

/** The value of each header line of a parsed message, unfolded, by lower-case name, in order. */
function headerValues(lines: readonly { key: string; line: string }[]): [string, string][] {
  return lines.map(({ key, line }) => [
    key,
    line
      .slice(line.indexOf(':') + 1)
      .replace(/\r\n(?=[ \t])/g, '')
      .trim(),
  ]);
}

/** RFC 2047 B-encoded UTF-8 words decoded (the space between two adjacent words is not part of the text). */
const decodeWords = (value: string): string =>
  value
    .replace(/(\?=)[ \t]+(?==\?)/g, '$1')
    .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));

/** A List-Id value's label and id: `"label" <id>`, or an encoded label before `<id>` (RFC 2919). */
function listIdParts(value: string): { label: string; id: string } {
  const quoted = /^"((?:[^"\\]|\\.)*)" <([^<>]*)>$/.exec(value);
  if (quoted) return { label: quoted[1]!.replace(/\\(.)/g, '$1'), id: quoted[2]! };
  const encoded = /^(.*?) *<([^<>]*)>$/.exec(value);
  return { label: decodeWords(encoded?.[1] ?? value), id: encoded?.[2] ?? '' };
}

/**
 * `got` is `given` as a reader sees it. White space at the ends of a value is not part of it for a
 * reader (mailparser trims a plain value, and keeps the spaces an encoded-word holds): everything
 * else comes back exactly, and a value with no white space at its ends comes back character for character.
 */
function expectSameValue(got: string, given: string): void {
  expect(got.trim()).toBe(given.trim());
  if (given === given.trim()) expect(got).toBe(given);
}

describe('composeMessage, property: what goes in comes out, and nothing else', () => {
  it('every header parses back to the value given, and the parsed header set is the composed one', async () => {
    const seen = { composed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(messageInput, async (m) => {
        const listId = listIdFor({ slug: m.slug, title: m.title, sender: { name: 'x', email: 'course@example.com' } });
        const message = {
          from: { name: m.name, address: 'course@example.com' },
          to: 'reader@example.org',
          subject: m.subject,
          html: `<p>${m.body}</p>`,
          text: m.body,
          unsubscribeUrl: m.url,
          listId,
          headers: { 'X-Course': m.header },
        };
        const unsafe = [m.name, m.subject, m.header, m.url, listId].some((v) => UNSAFE.test(v));
        if (unsafe) {
          await expect(composeMessage(message)).rejects.toMatchObject({ code: 'header_injection' });
          seen.refused++;
          return;
        }
        seen.composed++;
        const parsed = await simpleParser(await composeMessage(message));
        const values = headerValues(parsed.headerLines);
        expect(values.map(([key]) => key)).toEqual([
          'from',
          'to',
          'subject',
          'date',
          'message-id',
          'mime-version',
          'list-unsubscribe',
          'list-unsubscribe-post',
          'list-id',
          'x-course',
          'content-type',
        ]);
        expect(parsed.from?.value).toHaveLength(1);
        expect(parsed.from?.value[0]?.address).toBe('course@example.com');
        expectSameValue(parsed.from?.value[0]?.name ?? '', m.name);
        expectSameValue(parsed.subject ?? '', m.subject);
        const raw = new Map(values);
        expectSameValue(decodeWords(raw.get('x-course')!), m.header);
        expect(raw.get('list-unsubscribe')).toBe(`<${new URL(m.url).href}>`);
        expect(raw.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
        expect(listIdParts(raw.get('list-id')!)).toEqual({ label: m.title.replace(/["\\]/g, ''), id: `${m.slug}.example.com` });
        expect(parsed.text ?? '').toBe(m.body);
        expect(parsed.html).toBe(`<p>${m.body}</p>`);
      }),
      { numRuns: 200 },
    );
    // Both branches ran often enough to mean something.
    expect(seen.composed).toBeGreaterThan(60);
    expect(seen.refused).toBeGreaterThan(20);
  });

  it('refuses a line break or control character in any header value, whatever surrounds it', async () => {
    await fc.assert(
      fc.asyncProperty(
        text(30),
        injected,
        text(30),
        fc.constantFrom('name', 'subject', 'header', 'url', 'listId'),
        async (before, bad, after, field) => {
          const value = `${before}${bad}${after}`;
          const message = {
            from: { name: field === 'name' ? value : 'Course', address: 'course@example.com' },
            to: 'reader@example.org',
            subject: field === 'subject' ? value : 'Lesson',
            html: '<p>x</p>',
            text: 'x',
            unsubscribeUrl: field === 'url' ? `https://example.com/u?t=${value}` : 'https://example.com/u',
            listId: field === 'listId' ? value : '"x" <x.example.com>',
            headers: { 'X-Course': field === 'header' ? value : 'x' },
          };
          await expect(composeMessage(message)).rejects.toBeInstanceOf(ValidationError);
          await expect(composeMessage(message)).rejects.toMatchObject({ code: 'header_injection' });
        },
      ),
      { numRuns: 100 },
    );
  });
});
