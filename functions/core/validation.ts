// Checks what a person types into the signup form before anything is stored or mailed: address
// syntax and length (an internationalised domain becomes its ASCII form), control characters (header
// injection), the name (length; nothing that reads as a link or an address), time zone.
import LinkifyIt from 'linkify-it';
import tlds from 'tlds';
import { ValidationError } from './errors.js';
import { canonicalTimezone } from './schedule.js';
import {
  MAX_EMAIL_LENGTH,
  asciiEmail,
  graphemeLength,
  hasControlCharacter,
  isAscii,
  isValidEmail,
  normaliseEmail,
  withoutBidiControls,
} from './text.js';

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

/** The longest name, in characters as a person counts them (grapheme clusters). */
export const MAX_NAME_LENGTH = 100;
/**
 * The longest name in UTF-16 code units, whatever its characters: four per character is room for
 * any script's letters with their marks (a Devanagari conjunct with a vowel sign is four or five
 * code points), and keeps a name stacked with hundreds of combining marks out of every email.
 */
export const MAX_NAME_CODE_UNITS = 4 * MAX_NAME_LENGTH;

/** Longer than any IANA zone name (the longest, `America/Argentina/ComodRivadavia`, has 32 characters). */
export const MAX_TIMEZONE_LENGTH = 64;
// The shape of an IANA tz database name (tz-link.html "Names of timezones": ASCII letters, digits,
// `_`, `-`, `+`, parts separated by `/`): `Europe/Berlin`, `Etc/GMT+5`, `EST5EDT`, `Etc/Unknown`.
const TIMEZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

// Links as readers and mail clients see them: with a scheme, `www.`, a bare domain under any IANA
// top-level domain (`win.example.com`, `bit.ly/x`), or an email address. linkify-it is the link
// finder markdown-it uses; the full `tlds` list replaces its short built-in one. Built on first use
// (a few ms): only a signup's name check needs it, not a cold start that serves a page.
let linkFinder: LinkifyIt | undefined;
const finder = () => (linkFinder ??= new LinkifyIt({}, { fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true }).tlds(tlds, false));

/**
 * True when a name reads as a link or an address. Such a name is refused at signup: a name is
 * mailed in every lesson, and a bot would otherwise use the form to put a URL in front of a reader.
 */
export function looksLikeLink(name: string): boolean {
  return name.includes('@') || /:\/\//.test(name) || /(^|[^\p{L}\p{N}])www\./iu.test(name) || finder().test(name);
}

/**
 * The signup form's fields, checked. Throws ValidationError naming the field:
 * `invalid_input` (not an object), `invalid_email` (also: a domain that has no ASCII form, a non-ASCII
 * local part), `control_characters`, `invalid_name` (over MAX_NAME_LENGTH grapheme clusters or
 * MAX_NAME_CODE_UNITS code units, or reads as a link or address; bidirectional controls are removed),
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

  // Bidirectional controls are removed, not refused: they are invisible, and in a greeting they would
  // reorder the words after the name.
  const trimmedName = withoutBidiControls(name ?? '').trim();
  if (trimmedName !== '') {
    // Counted in grapheme clusters, so "李", "कि" (a letter and its vowel sign) or an emoji counts as
    // one character, as a person would count it.
    if (graphemeLength(trimmedName) > MAX_NAME_LENGTH) {
      throw new ValidationError('invalid_name', `Please keep the name to ${MAX_NAME_LENGTH} characters or fewer.`, 'name');
    }
    if (trimmedName.length > MAX_NAME_CODE_UNITS) {
      throw new ValidationError('invalid_name', 'That name has too many accents or marks to store. Please shorten it.', 'name');
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
