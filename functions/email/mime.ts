// Builds the raw MIME message for SES SendRawEmail with nodemailer's MailComposer (no hand-written
// MIME). Every header value is checked first: a CR or LF anywhere is refused, so no input can add a header.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { ValidationError } from '../core/errors.js';
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
const RESERVED = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'sender', 'reply-to', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id']);
const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

function headerSafe(value: string, field: string): string {
  // C0 controls (CR, LF, NUL…), DEL, and Unicode line separators some parsers treat as line breaks.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(value)) {
    throw new ValidationError('header_injection', `${field} must not contain line breaks or control characters`, field);
  }
  return value;
}

function address(value: string, field: string): string {
  headerSafe(value, field);
  if (!ADDRESS.test(value)) throw new ValidationError('invalid_email', `${field} is not a plain email address`, field);
  return value;
}

function httpUrl(value: string, field: string): string {
  headerSafe(value, field);
  return absoluteHttpUrl(value, field);
}

/**
 * nodemailer re-encodes List-* headers it recognises (quotes become =?UTF-8?Q?…?=); an ASCII value
 * already checked for control characters goes in exactly as given. Non-ASCII is left to nodemailer.
 */
function asIs(value: string): string | { prepared: boolean; value: string } {
  // Past ~900 characters a prepared line could exceed SMTP's 998 limit: let nodemailer fold it.
  return value.length <= 900 && /^[\x20-\x7e]*$/.test(value) ? { prepared: true, value } : value;
}

/** The raw RFC 5322 message, ready for SendRawEmail. Throws ValidationError on unsafe input. */
export async function composeMessage(m: OutgoingMessage): Promise<Buffer> {
  const headers: Record<string, string | { prepared: boolean; value: string }> = {};
  for (const [key, value] of Object.entries(m.headers ?? {})) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) throw new ValidationError('header_injection', `header name "${key}" is not a plain header name`, 'headers');
    if (RESERVED.has(key.toLowerCase())) throw new ValidationError('header_reserved', `header ${key} is set by the composer`, `headers.${key}`);
    headers[key] = headerSafe(value, `headers.${key}`);
  }
  if (m.unsubscribeUrl !== undefined) {
    headers['List-Unsubscribe'] = asIs(`<${httpUrl(m.unsubscribeUrl, 'unsubscribeUrl')}>`);
    headers['List-Unsubscribe-Post'] = asIs('List-Unsubscribe=One-Click');
  }
  if (m.listId !== undefined) headers['List-Id'] = asIs(headerSafe(m.listId, 'listId'));

  const composer = new MailComposer({
    from: { name: headerSafe(m.from.name, 'from.name'), address: address(m.from.address, 'from.address') },
    to: address(m.to, 'to'),
    subject: headerSafe(m.subject, 'subject'),
    text: m.text,
    html: m.html,
    headers,
    // The bodies are already final; keep nodemailer from rewriting links or adding a plain-text guess.
    disableUrlAccess: true,
    disableFileAccess: true,
  });
  return new Promise<Buffer>((resolve, reject) => {
    composer.compile().build((err, message) => {
      if (err) reject(new Error('Could not compose the message', { cause: err }));
      else resolve(message);
    });
  });
}

/** RFC 2919 List-Id for a course: its title and `<slug.sender-domain>`. */
export function listIdFor(course: Pick<Course, 'slug' | 'title' | 'sender'>): string {
  const domain = course.sender.email.split('@')[1] ?? 'localhost';
  const label = course.title.replace(/["\\]/g, '');
  return `"${label}" <${course.slug}.${domain}>`;
}
