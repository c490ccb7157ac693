// Builds the raw MIME message for SES SendRawEmail. Hand-written because the drip composes one per
// recipient and nodemailer's MailComposer cost ~1 ms each (quoted-printable and encoding scans); the
// mailparser round trips in test/unit/email/mime.test.ts guard the format. Every header value is
// checked first: a CR or LF anywhere is refused, so no input can add a header.
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import { hasControlCharacter, isEmailAddress } from '../core/text.js';
import type { Course } from './manifest.js';
import { absoluteHttpUrl } from './links.js';

export interface OutgoingMessage {
  from: { name: string; address: string };
  to: string;
  subject: string;
  html: string;
  text: string;
  /** One-click unsubscribe URL (RFC 8058); adds List-Unsubscribe and List-Unsubscribe-Post. */
  unsubscribeUrl?: string;
  /** RFC 2919 list identifier, e.g. `Course title <slug.example.com>` (see listIdFor). */
  listId?: string;
  headers?: Record<string, string>;
}

// Headers the composer owns; a caller's `headers` may not replace them.
const RESERVED = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'sender',
  'reply-to',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-id',
]);
// A name alone must fit on a line.
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/;
// Printable ASCII without "=?", which a reader would take for the start of an encoded-word.
const PLAIN_TEXT = /^(?:[\x20-\x3c\x3e-\x7e]|=(?!\?))*$/;

const SOFT_LIMIT = 78; // RFC 5322 2.1.1: lines SHOULD be at most 78 characters…
const HARD_LIMIT = 998; // …and MUST be at most 998.

function headerSafe(value: string, field: string): string {
  // Control characters (CR, LF, NUL…) and Unicode line separators some parsers treat as line breaks.
  if (hasControlCharacter(value)) {
    throw new ValidationError('header_injection', `${field} must not contain line breaks or control characters`, field);
  }
  return value;
}

function address(value: string, field: string): string {
  headerSafe(value, field);
  // ASCII only (SES takes no SMTPUTF8 mailboxes and an address is never encoded), one address, no display name.
  if (!isEmailAddress(value)) throw new ValidationError('invalid_email', `${field} is not a plain email address`, field);
  return value;
}

function httpUrl(value: string, field: string): string {
  headerSafe(value, field);
  return absoluteHttpUrl(value, field);
}

const lastLineLength = (s: string): number => s.length - (s.lastIndexOf('\n') + 1);
const longestLine = (s: string): number => Math.max(...s.split('\r\n').map((l) => l.length));

/** `line` folded before spaces so lines stay within 78 where a word allows; a longer word stays whole. */
function fold(line: string): string {
  if (line.length <= SOFT_LIMIT) return line;
  const words = line.split(' ');
  let out = words[0]!;
  let width = out.length;
  for (const word of words.slice(1)) {
    // Never fold before an empty word: the new line would hold only whitespace.
    if (width + 1 + word.length > SOFT_LIMIT && word !== '') {
      out += `\r\n ${word}`;
      width = 1 + word.length;
    } else {
      out += ` ${word}`;
      width += 1 + word.length;
    }
  }
  return out;
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * `text` as RFC 2047 `=?UTF-8?B?…?=` words, the first sized to fit after `used` characters of its
 * line, the rest on folded lines. Words split only between code points (a surrogate pair stays whole),
 * so each decodes alone, and none passes 75 characters (45 bytes → 60 base64 characters + 12).
 */
function encodedWords(text: string, used: number): string {
  const first = Math.min(45, Math.floor((SOFT_LIMIT - used - 12) / 4) * 3);
  // No room for a 4-byte character after the header name: start on the next line.
  const nextLine = first < 4;
  let max = nextLine ? 45 : first;
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const ch of text) {
    const n = utf8Length(ch.codePointAt(0)!);
    if (bytes + n > max) {
      words.push(`=?UTF-8?B?${Buffer.from(chunk, 'utf8').toString('base64')}?=`);
      chunk = '';
      bytes = 0;
      max = 45;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk !== '') words.push(`=?UTF-8?B?${Buffer.from(chunk, 'utf8').toString('base64')}?=`);
  return (nextLine ? '\r\n ' : '') + words.join('\r\n ');
}

/** An unstructured header (Subject, a caller's header): folded ASCII, else encoded-words. */
function unstructured(name: string, value: string, limit: number): string {
  if (PLAIN_TEXT.test(value)) {
    const line = fold(`${name}: ${value}`);
    if (longestLine(line) <= limit) return line;
  }
  return `${name}: ${encodedWords(value, name.length + 2)}`;
}

/** `Name: phrase <id>`: an ASCII phrase quoted, a non-ASCII or long one as encoded-words. */
function phraseAndAngle(name: string, phrase: string, angle: string): string {
  if (phrase === '') return `${name}: ${angle}`;
  if (PLAIN_TEXT.test(phrase)) {
    const line = `${name}: "${phrase.replace(/["\\]/g, '\\$&')}" ${angle}`;
    if (line.length <= SOFT_LIMIT) return line;
  }
  const words = encodedWords(phrase, name.length + 2);
  const fits = lastLineLength(`${name}: ${words}`) + 1 + angle.length <= SOFT_LIMIT;
  return `${name}: ${words}${fits ? ' ' : '\r\n '}${angle}`;
}

/** List-Id: an ASCII value exactly as given (it is already `"label" <id>`); otherwise its label encoded. */
function listIdHeader(value: string): string {
  if (PLAIN_TEXT.test(value)) {
    const line = `List-Id: ${value}`;
    if (line.length <= HARD_LIMIT) return line;
    const folded = fold(line);
    if (longestLine(folded) <= HARD_LIMIT) return folded;
  }
  const parts = /^(.*?) *(<[\x21-\x3b\x3d\x3f-\x7e]{1,900}>)$/.exec(value);
  if (!parts) return unstructured('List-Id', value, SOFT_LIMIT);
  const label = parts[1]!.replace(/^"(.*)"$/, (_, quoted: string) => quoted.replace(/\\(.)/g, '$1'));
  return phraseAndAngle('List-Id', label, parts[2]!);
}

/** Base64 in 76-character lines (RFC 2045 6.8): no line-length or leading-dot concerns in transit. */
function base64Lines(body: string): string {
  const b64 = Buffer.from(body, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

/** The raw RFC 5322 message, ready for SendRawEmail. Rejects with ValidationError on unsafe input. */
export function composeMessage(m: OutgoingMessage): Promise<Buffer> {
  // The work is synchronous; the executor turns a refusal into a rejection, as callers expect.
  return new Promise((resolve) => resolve(compose(m)));
}

function compose(m: OutgoingMessage): Buffer {
  const extra: string[] = [];
  for (const [key, value] of Object.entries(m.headers ?? {})) {
    if (!HEADER_NAME.test(key)) throw new ValidationError('header_injection', `header name "${key}" is not a plain header name`, 'headers');
    if (RESERVED.has(key.toLowerCase()))
      throw new ValidationError('header_reserved', `header ${key} is set by the composer`, `headers.${key}`);
    extra.push(unstructured(key, headerSafe(value, `headers.${key}`), HARD_LIMIT));
  }
  const list: string[] = [];
  if (m.unsubscribeUrl !== undefined) {
    // A URL cannot be folded (clients would not rejoin it), so it has to fit on one line.
    const line = `List-Unsubscribe: <${httpUrl(m.unsubscribeUrl, 'unsubscribeUrl')}>`;
    if (line.length > HARD_LIMIT)
      throw new ValidationError('invalid_url', 'unsubscribeUrl is too long for a header line', 'unsubscribeUrl');
    list.push(line, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  }
  if (m.listId !== undefined) list.push(listIdHeader(headerSafe(m.listId, 'listId')));

  const fromName = headerSafe(m.from.name, 'from.name');
  const fromAddress = address(m.from.address, 'from.address');
  const to = address(m.to, 'to');
  const subject = headerSafe(m.subject, 'subject');

  // "=_" cannot occur in base64, so the boundary never matches a body line.
  const boundary = `=_${randomUUID()}`;
  const head = [
    phraseAndAngle('From', fromName, `<${fromAddress}>`),
    `To: ${to}`,
    unstructured('Subject', subject, SOFT_LIMIT),
    `Date: ${new Date().toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: <${randomUUID()}@${fromAddress.slice(fromAddress.lastIndexOf('@') + 1)}>`,
    'MIME-Version: 1.0',
    ...list,
    ...extra,
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  const part = (type: string, body: string) =>
    `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(body)}\r\n`;
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${part('text/plain', m.text)}${part('text/html', m.html)}--${boundary}--\r\n`, 'utf8');
}

/**
 * RFC 2919 List-Id for a course: its title and `<slug.from-domain>`. The domain is the one the mail
 * is actually sent from (in AWS the deploy's `fromAddress`, which SES verified), since a list id
 * belongs under a domain the list owner controls; the manifest's sender is the fallback.
 */
export function listIdFor(course: Pick<Course, 'slug' | 'title' | 'sender'>, fromAddress: string = course.sender.email): string {
  const domain = fromAddress.split('@')[1] ?? 'localhost';
  const label = course.title.replace(/["\\]/g, '');
  return `"${label}" <${course.slug}.${domain}>`;
}
