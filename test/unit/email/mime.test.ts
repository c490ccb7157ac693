// The raw message for SES SendRawEmail: parses back (mailparser) into both parts and the
// one-click unsubscribe headers, keeps to RFC 5322 line rules, and no input can add a header.
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { compileCourse, type CompiledCourse } from '../../../functions/email/compile.js';
import { composeMessage, listIdFor, type OutgoingMessage } from '../../../functions/email/mime.js';
import { renderLesson } from '../../../functions/email/personalise.js';
import { SHIPPED_COURSE_DIR, shippedCourse } from '../../support/course.js';

const course = shippedCourse();
const unsubscribeUrl = 'https://example.com/unsubscribe?token=abc.def-ghi';
const learnUrl = 'https://example.com/learn?token=lrn';
let compiled: CompiledCourse;
beforeAll(async () => {
  compiled = await compileCourse(course, SHIPPED_COURSE_DIR);
});

function lessonMessage(overrides: Partial<OutgoingMessage> = {}, name = 'Ann'): OutgoingMessage {
  const email = renderLesson(compiled, 3, { name, unsubscribeUrl, learnUrl });
  return {
    from: { name: course.sender.name, address: course.sender.email },
    to: 'reader@example.org',
    subject: email.subject,
    html: email.html,
    text: email.text,
    unsubscribeUrl,
    listId: listIdFor(course),
    ...overrides,
  };
}

const headerNames = (raw: Buffer): string[] =>
  raw
    .toString('utf8')
    .split(/\r\n\r\n/)[0]!
    .split(/\r\n(?![ \t])/)
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());

describe('composeMessage', () => {
  it('parses back into From with display name, To, Subject, HTML and text parts, and the one-click unsubscribe headers', async () => {
    const raw = await composeMessage(lessonMessage());
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value[0]).toEqual({ name: course.sender.name, address: course.sender.email });
    expect(parsed.subject).toBe(course.lessons[3]!.subject);
    expect(parsed.html).toContain('How Does Botox Work?');
    expect(parsed.text).toContain('Botox blocks the release of acetylcholine');
    // The raw header values, as a mail client's one-click unsubscribe reads them (names are case-insensitive).
    const values = new Map(parsed.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()]));
    expect(values.get('list-unsubscribe')).toBe(`<${unsubscribeUrl}>`);
    expect(values.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(values.get('list-id')).toBe('"Botox and Permanent Numbness" <botox-permanent-numbness.example.com>');
    expect(raw.toString('utf8')).toMatch(/Content-Type: multipart\/alternative/);
  });

  it('leaves out the list headers when no unsubscribe URL or list id is given (the confirmation email)', async () => {
    const raw = await composeMessage(lessonMessage({ unsubscribeUrl: undefined, listId: undefined }));
    const parsed = await simpleParser(raw);
    expect(parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(parsed.headers.has('list-unsubscribe-post')).toBe(false);
  });

  it('a subscriber name with CR/LF cannot create a header: the body shows it on one line', async () => {
    const raw = await composeMessage(lessonMessage({}, 'Ann\r\nBcc: victim@example.net\r\nX-Evil: 1'));
    const names = headerNames(raw);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-evil');
    const parsed = await simpleParser(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.text).toContain('Hi Ann Bcc: victim@example.net X-Evil: 1,');
  });

  it.each([
    ['subject', { subject: 'Lesson\r\nBcc: victim@example.net' }],
    ['from name', { from: { name: 'Course\nBcc: victim@example.net', address: 'course@example.com' } }],
    ['from address', { from: { name: 'Course', address: 'course@example.com\r\nBcc: victim@example.net' } }],
    ['to', { to: 'reader@example.org\r\nBcc: victim@example.net' }],
    ['unsubscribe URL', { unsubscribeUrl: 'https://example.com/u?t=1\r\nBcc: victim@example.net' }],
    ['list id', { listId: 'x\r\nBcc: victim@example.net' }],
    ['extra header value', { headers: { 'X-Course': 'a\r\nBcc: victim@example.net' } }],
    ['extra header name', { headers: { 'X-Course\r\nBcc': 'victim@example.net' } }],
  ] as const)('refuses CR/LF in the %s with a ValidationError', async (_what, overrides) => {
    await expect(composeMessage(lessonMessage(overrides as Partial<OutgoingMessage>))).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses extra headers that would replace the ones it sets', async () => {
    await expect(composeMessage(lessonMessage({ headers: { Bcc: 'victim@example.net' } }))).rejects.toThrow(/set by the composer/);
  });

  it('refuses a To that is a list of addresses', async () => {
    await expect(composeMessage(lessonMessage({ to: 'a@example.org, b@example.org' }))).rejects.toBeInstanceOf(ValidationError);
  });

  it('encodes a non-ASCII subject and passes extra headers through', async () => {
    const raw = await composeMessage(
      lessonMessage({ subject: 'Raynaud’s Disease — lesson', headers: { 'X-SES-CONFIGURATION-SET': 'course' } }),
    );
    expect(raw.toString('utf8')).not.toContain('Raynaud’s');
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Raynaud’s Disease — lesson');
    expect(parsed.headers.get('x-ses-configuration-set')).toBe('course');
  });
});

// Each physical line of the message, checked to end with CRLF: no bare CR or LF anywhere.
function crlfLines(raw: Buffer): string[] {
  const s = raw.toString('latin1');
  expect(s.endsWith('\r\n')).toBe(true);
  const lines = s.slice(0, -2).split('\r\n');
  expect(lines.filter((line) => /[\r\n]/.test(line))).toEqual([]);
  return lines;
}

// The physical lines of one header field: its first line and the folded ones after it.
function fieldLines(raw: Buffer, name: string): string[] {
  const fields = raw
    .toString('latin1')
    .split('\r\n\r\n')[0]!
    .split(/\r\n(?![ \t])/);
  const field = fields.find((f) => f.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  expect(field, name).toBeDefined();
  return field!.split('\r\n');
}

const encodedWordsOf = (lines: string[]): string[] => lines.join('').match(/=\?UTF-8\?B\?[A-Za-z0-9+/=]*\?=/g) ?? [];
const decodeWord = (word: string): string => Buffer.from(word.slice(10, -2), 'base64').toString('utf8');

describe('composeMessage round trip', () => {
  const name = 'Zoë Ångström 山田';
  const subject = `🎉 Lesson 4: ${'Zoë’s “Ångström” 😀👍🏽 山田 — '.repeat(6)}done`;
  const html = `<html><body>${'<p>Ünïcödé 😀 text &amp; <b>bold</b></p>\n'.repeat(2500)}</body></html>`;
  const text = 'Hi Zoë,\n\nLesson 4 😀 — read on.\n';
  const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
    from: { name, address: 'course@example.com' },
    to: 'reader@example.org',
    subject,
    html,
    text,
    unsubscribeUrl,
    listId: listIdFor(course),
    ...overrides,
  });

  it('a non-ASCII name, an emoji subject over 150 characters and a 100 KB HTML body parse back exactly', async () => {
    expect([...subject].length).toBeGreaterThan(150);
    expect(Buffer.byteLength(html)).toBeGreaterThan(100_000);
    const parsed = await simpleParser(await composeMessage(message()));
    expect(parsed.from?.value).toEqual([{ name, address: 'course@example.com' }]);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toEqual([{ name: '', address: 'reader@example.org' }]);
    expect(parsed.subject).toBe(subject);
    expect(parsed.html).toBe(html);
    expect(parsed.text).toBe(text);
  });

  it('is 7-bit, every line ends with CRLF within 998 octets, and the encoded subject and name stay within 78', async () => {
    const raw = await composeMessage(message());
    expect(raw.every((byte) => byte < 0x80)).toBe(true);
    expect(crlfLines(raw).filter((line) => line.length > 998)).toEqual([]);
    for (const field of ['Subject', 'From']) {
      const lines = fieldLines(raw, field);
      expect(
        lines.filter((line) => line.length > 78),
        field,
      ).toEqual([]);
    }
    expect(fieldLines(raw, 'Subject').length).toBeGreaterThan(3);
  });

  it('splits encoded-words only between characters, each at most 75 characters and decoding alone', async () => {
    const raw = await composeMessage(message());
    for (const [field, value] of [
      ['Subject', subject],
      ['From', name],
    ] as const) {
      const words = encodedWordsOf(fieldLines(raw, field));
      expect(words.length).toBeGreaterThan(0);
      expect(words.filter((w) => w.length > 75)).toEqual([]);
      // A split inside a UTF-8 sequence or a surrogate pair would decode to U+FFFD.
      const decoded = words.map(decodeWord);
      expect(decoded.filter((d) => d.includes('\uFFFD'))).toEqual([]);
      expect(decoded.join('')).toBe(value);
    }
  });

  it('sends the list headers exactly', async () => {
    const raw = await composeMessage(message());
    expect(fieldLines(raw, 'List-Unsubscribe')).toEqual([`List-Unsubscribe: <${unsubscribeUrl}>`]);
    expect(fieldLines(raw, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    expect(fieldLines(raw, 'List-Id')).toEqual([`List-Id: ${listIdFor(course)}`]);
    const parsed = await simpleParser(raw);
    expect(parsed.headers.get('list')).toEqual({
      unsubscribe: { url: unsubscribeUrl },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
      id: { name: course.title, id: `${course.slug}.example.com` },
    });
  });

  it('a non-ASCII list id keeps its <id> readable and encodes only its label', async () => {
    const raw = await composeMessage(message({ listId: listIdFor({ ...course, title: 'Cours de Zoë' }) }));
    const lines = fieldLines(raw, 'List-Id');
    expect(lines.join('')).toMatch(/ <botox-permanent-numbness\.example\.com>$/);
    expect(encodedWordsOf(lines).map(decodeWord).join('')).toBe('Cours de Zoë');
  });

  it('an ASCII name with specials goes in as a quoted string and parses back exactly', async () => {
    const special = 'Dr. "Bob", Smith <x>; a@b \\ (c) [d]: e';
    const raw = await composeMessage(message({ from: { name: special, address: 'course@example.com' } }));
    expect(fieldLines(raw, 'From')).toEqual(['From: "Dr. \\"Bob\\", Smith <x>; a@b \\\\ (c) [d]: e" <course@example.com>']);
    expect((await simpleParser(raw)).from?.value).toEqual([{ name: special, address: 'course@example.com' }]);
  });

  it.each([
    ['a long ASCII subject', 'Why the nerve grows back: '.repeat(12).trim()],
    ['an ASCII subject with one word longer than a line', `x${'y'.repeat(200)}z`],
    ['an ASCII subject that looks like an encoded-word', 'Read =?UTF-8?B?SGk=?= literally'],
  ])('%s parses back exactly and keeps its lines within 78', async (_what, value) => {
    const raw = await composeMessage(message({ subject: value }));
    expect(fieldLines(raw, 'Subject').filter((line) => line.length > 78)).toEqual([]);
    expect((await simpleParser(raw)).subject).toBe(value);
  });

  it('encodes a non-ASCII extra header value', async () => {
    const raw = await composeMessage(message({ headers: { 'X-Course': 'Cours de Zoë' } }));
    expect(encodedWordsOf(fieldLines(raw, 'X-Course')).map(decodeWord).join('')).toBe('Cours de Zoë');
  });

  it('gives each message its own Message-ID and boundary', async () => {
    const [a, b] = await Promise.all([composeMessage(message()), composeMessage(message())]);
    const messageId = (raw: Buffer) => fieldLines(raw, 'Message-ID').join('');
    const boundary = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString('latin1'))?.[1];
    expect(messageId(a)).toMatch(/^Message-ID: <[^@<>\s]+@example\.com>$/);
    expect(messageId(a)).not.toBe(messageId(b));
    expect(boundary(a)).toBeDefined();
    expect(boundary(a)).not.toBe(boundary(b));
  });

  const fields: [string, (bad: string) => Partial<OutgoingMessage>][] = [
    ['subject', (bad) => ({ subject: `Lesson${bad}Bcc: victim@example.net` })],
    ['from name', (bad) => ({ from: { name: `Course${bad}Bcc: victim@example.net`, address: 'course@example.com' } })],
    ['from address', (bad) => ({ from: { name: 'Course', address: `course@example.com${bad}Bcc: victim@example.net` } })],
    ['to', (bad) => ({ to: `reader@example.org${bad}Bcc: victim@example.net` })],
    ['unsubscribe URL', (bad) => ({ unsubscribeUrl: `https://example.com/u?t=1${bad}Bcc: victim@example.net` })],
    ['list id', (bad) => ({ listId: `x${bad}Bcc: victim@example.net` })],
    ['extra header value', (bad) => ({ headers: { 'X-Course': `a${bad}Bcc: victim@example.net` } })],
    ['extra header name', (bad) => ({ headers: { [`X-Course${bad}Bcc`]: 'victim@example.net' } })],
  ];
  it.each(
    fields.flatMap(([what, make]) =>
      [
        ['CR', '\r'],
        ['LF', '\n'],
        ['U+2028', '\u2028'],
      ].map(([sep, bad]) => [what, sep!, make(bad!)] as const),
    ),
  )('refuses a line break in the %s (%s) with header_injection', async (_what, _sep, overrides) => {
    await expect(composeMessage(message(overrides))).rejects.toMatchObject({ name: 'ValidationError', code: 'header_injection' });
  });
});

describe('listIdFor', () => {
  it('names the course under the domain the mail is sent from (the deploy’s fromAddress), the manifest’s sender as fallback', () => {
    expect(
      listIdFor({ slug: 'sleep', title: 'Sleep "well"', sender: { name: 'C', email: 'course@example.com' } }, 'lessons@mail.example.org'),
    ).toBe('"Sleep well" <sleep.mail.example.org>');
    expect(listIdFor({ slug: 'sleep', title: 'Sleep', sender: { name: 'C', email: 'course@example.com' } })).toBe(
      '"Sleep" <sleep.example.com>',
    );
  });
});
