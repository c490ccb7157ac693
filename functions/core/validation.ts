// Checks what a person types into the signup form before anything is stored or mailed: address
// syntax and length (an internationalised domain becomes its ASCII form), control characters (header
// injection), the name (length; nothing that reads as a link or an address), time zone.
import LinkifyIt from 'linkify-it';
import tlds from 'tlds';
import { ValidationError } from './errors.js';
import { canonicalTimezone } from './schedule.js';
import { MAX_EMAIL_LENGTH, asciiEmail, hasControlCharacter, isAscii, isValidEmail, normaliseEmail } from './text.js';

export interface SignupInput {
  /** Trimmed and lower-cased; the domain in its ASCII (punycode) form. */
  email: string;
  /** Trimmed; absent when empty. */
  name?: string;
  /** A known IANA zone in its canonical spelling; absent when not given or unknown (the caller uses the course's). */
  timezone?: string;
  /** A well-formed zone name this runtime does not know (a browser's `Etc/Unknown`): kept as a record; the course's zone applies. */
  unknownTimezone?: string;
  /** The honeypot, untouched: people never fill it, so the caller answers as if successful and sends nothing. */
  website?: string;
}

export const MAX_NAME_LENGTH = 100;

/** Longer than any IANA zone name (the longest, `America/Argentina/ComodRivadavia`, has 32 characters). */
export const MAX_TIMEZONE_LENGTH = 64;
// The shape of an IANA tz database name (tz-link.html "Names of timezones": ASCII letters, digits,
// `_`, `-`, `+`, parts separated by `/`): `Europe/Berlin`, `Etc/GMT+5`, `EST5EDT`, `Etc/Unknown`.
const TIMEZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

// Links as readers and mail clients see them: with a scheme, `www.`, a bare domain under any IANA
// top-level domain (`win.example.com`, `bit.ly/x`), or an email address. linkify-it is the link
// finder markdown-it uses; the full `tlds` list replaces its short built-in one.
const linkFinder = new LinkifyIt({}, { fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true }).tlds(tlds, false);

/**
 * True when a name reads as a link or an address. Such a name is refused at signup: a name is
 * mailed in every lesson, and a bot would otherwise use the form to put a URL in front of a reader.
 */
export function looksLikeLink(name: string): boolean {
  return name.includes('@') || /:\/\//.test(name) || /(^|[^\p{L}\p{N}])www\./iu.test(name) || linkFinder.test(name);
}

/**
 * The signup form's fields, checked. Throws ValidationError naming the field:
 * `invalid_input` (not an object), `invalid_email` (also: a domain that has no ASCII form, a non-ASCII
 * local part), `control_characters`, `invalid_name` (too long, or reads as a link or address),
 * `invalid_timezone` (malformed or overlong; a well-formed unknown zone is `unknownTimezone`, not an
 * error), `invalid_website` (honeypot not a string). Unknown fields are ignored.
 */
export function parseSignupInput(input: unknown): SignupInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('invalid_input', 'The form could not be read.');
  }
  const fields = input as Record<string, unknown>;
  const email = optionalString(fields, 'email');
  const name = optionalString(fields, 'name');
  const timezone = optionalString(fields, 'timezone');
  const website = optionalString(fields, 'website');

  // Control characters are checked on the raw values, before trimming: "a@b.com\r\nBcc: …" is an attack
  // even when trimming would hide the tail.
  for (const [field, value] of [
    ['email', email],
    ['name', name],
    ['timezone', timezone],
  ] as const) {
    if (value !== undefined && hasControlCharacter(value)) {
      throw new ValidationError('control_characters', `The ${field} field contains a line break or control character.`, field);
    }
  }

  const result: SignupInput = { email: signupEmail(email) };

  const trimmedName = name?.trim() ?? '';
  if (trimmedName !== '') {
    // Counted in code points, so "李" or an emoji counts as one character, as a person would count it.
    if ([...trimmedName].length > MAX_NAME_LENGTH) {
      throw new ValidationError('invalid_name', `Please keep the name to ${MAX_NAME_LENGTH} characters or fewer.`, 'name');
    }
    if (looksLikeLink(trimmedName)) {
      throw new ValidationError('invalid_name', 'Please enter just your first name, without a web address or email address.', 'name');
    }
    result.name = trimmedName;
  }

  const trimmedZone = timezone?.trim() ?? '';
  if (trimmedZone !== '') {
    // Malformed is an error (nobody's browser sends it); well-formed but unknown (a browser's
    // `Etc/Unknown`, or tz data newer than ours) is something the person can neither see nor fix.
    if (trimmedZone.length > MAX_TIMEZONE_LENGTH || !TIMEZONE_SHAPE.test(trimmedZone)) {
      throw new ValidationError('invalid_timezone', 'The time zone is not a time zone name.', 'timezone');
    }
    const canonical = canonicalTimezone(trimmedZone);
    if (canonical === undefined) result.unknownTimezone = trimmedZone;
    else result.timezone = canonical;
  }

  if (website !== undefined) result.website = website;
  return result;
}

/** The typed address, normalised (trimmed, lower case, ASCII domain), or ValidationError `invalid_email` saying what is wrong. */
function signupEmail(email: string | undefined): string {
  const typed = normaliseEmail(email ?? '');
  if (typed === '') throw new ValidationError('invalid_email', 'Please enter your email address.', 'email');
  const normalised = asciiEmail(typed);
  if (normalised === undefined) {
    throw new ValidationError('invalid_email', 'The part after the @ is not a domain name we can send to. Please check it.', 'email');
  }
  if (!isAscii(normalised.slice(0, normalised.lastIndexOf('@')))) {
    throw new ValidationError(
      'invalid_email',
      'The part before the @ can only use Latin letters, digits and . _ + - (our mail service cannot deliver to other characters there).',
      'email',
    );
  }
  if (normalised.length > MAX_EMAIL_LENGTH) {
    throw new ValidationError('invalid_email', `That email address is too long (at most ${MAX_EMAIL_LENGTH} characters).`, 'email');
  }
  if (!isValidEmail(normalised)) {
    throw new ValidationError('invalid_email', 'That does not look like an email address. Please check it.', 'email');
  }
  return normalised;
}

/** `alice@example.com` → `a***@example.com`: enough for a person to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const first = [...email.slice(0, at)][0] ?? '';
  return `${first}***${email.slice(at)}`;
}

/** The field's value when it is a string, undefined when absent; anything else is an error naming it. */
function optionalString(fields: Record<string, unknown>, field: string): string | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ValidationError(`invalid_${field}`, `The ${field} field must be text.`, field);
  }
  return value;
}
