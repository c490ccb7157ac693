// The raw message for SES SendRawEmail: parses back (mailparser) into both parts and the
// one-click unsubscribe headers, and no input can add a header.
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { compileCourse, type CompiledCourse } from '../../../functions/email/compile.js';
import { loadCourse } from '../../../functions/email/manifest.js';
import { composeMessage, listIdFor, type OutgoingMessage } from '../../../functions/email/mime.js';
import { renderLesson } from '../../../functions/email/personalise.js';

const course = loadCourse();
const unsubscribeUrl = 'https://example.com/unsubscribe?token=abc.def-ghi';
let compiled: CompiledCourse;
beforeAll(async () => {
  compiled = await compileCourse(course);
});

function lessonMessage(overrides: Partial<OutgoingMessage> = {}, name = 'Ann'): OutgoingMessage {
  const email = renderLesson(compiled, 3, { name, unsubscribeUrl });
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
    const raw = await composeMessage(lessonMessage({ subject: 'Raynaud’s Disease — lesson', headers: { 'X-SES-CONFIGURATION-SET': 'course' } }));
    expect(raw.toString('utf8')).not.toContain('Raynaud’s');
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Raynaud’s Disease — lesson');
    expect(parsed.headers.get('x-ses-configuration-set')).toBe('course');
  });
});
