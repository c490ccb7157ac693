// Rules for text that comes from outside (a signup form, a course manifest, a setting, an SES error
// message): the one set of control characters, and the one check of an email address.
import { domainToASCII } from 'node:url';
import * as z from 'zod';

// C0 controls (CR, LF, TAB, NUL…), DEL, C1 controls (NEL, CSI…), and the Unicode line/paragraph
// separators that some clients treat as line breaks: any of them could smuggle a header, break a
// line of an email, or redraw a terminal.
const CONTROL_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]';

/** Matches one control character (see CONTROL_CLASS); not global, so `.test` keeps no state. */
export const CONTROL_CHARACTERS = new RegExp(CONTROL_CLASS);
const CONTROL_RUNS = new RegExp(`${CONTROL_CLASS}+`, 'g');

/** True when `s` holds a control character or a Unicode line/paragraph separator. */
export function hasControlCharacter(s: string): boolean {
  return CONTROL_CHARACTERS.test(s);
}

/** `s` on one line: each run of control characters becomes one space (`"a\r\nb"` → `"a b"`). */
export function controlCharactersToSpaces(s: string): string {
  return s.replace(CONTROL_RUNS, ' ');
}

// Bidirectional formatting characters (Unicode UAX #9 §2: the embeddings and overrides U+202A–U+202E,
// the isolates U+2066–U+2069, the marks LRM, RLM and ALM). In a name they would reorder the rest of
// the greeting line around it ("Hi ‮Ann, welcome" reads backwards); a name needs none of them, since
// the bidi algorithm already orders right-to-left letters by their own direction.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` without bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C). */
export function withoutBidiControls(s: string): string {
  return s.replace(BIDI_CONTROLS, '');
}

// Built on first use: constructing a Segmenter loads ICU's break rules (about 8 ms), which a cold
// start that only serves a page need not pay.
let segmenter: Intl.Segmenter | undefined;
const graphemes = () => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));

/**
 * How many characters a person sees in `s`: extended grapheme clusters (UAX #29, Intl.Segmenter), so
 * a letter with its combining marks (Devanagari `कि`, Tamil `கொ`) or an emoji sequence counts as one.
 */
export function graphemeLength(s: string): number {
  let n = 0;
  for (const _ of graphemes().segment(s)) n++;
  return n;
}

/** The first `max` grapheme clusters of `s` (never half a letter). */
export function truncateGraphemes(s: string, max: number): string {
  // Every grapheme cluster is at least one UTF-16 code unit, so a string this short is whole (the drip
  // truncates every greeting's name: most never reach the segmenter).
  if (s.length <= max) return s;
  let out = '';
  let n = 0;
  for (const { segment } of graphemes().segment(s)) {
    if (n++ >= max) break;
    out += segment;
  }
  return out;
}

/** RFC 5321 limits: the whole path 254, the local part 64, a domain label 63. */
export const MAX_EMAIL_LENGTH = 254;

/** Addresses are compared case-insensitively everywhere: one address, one spelling. */
export function normaliseEmail(s: string): string {
  return s.trim().toLowerCase();
}

const ASCII = /^\p{ASCII}*$/u;

/** True when `s` is ASCII only. */
export function isAscii(s: string): boolean {
  return ASCII.test(s);
}

/**
 * The address with its domain in ASCII: `anna@bücher.example` → `anna@xn--bcher-kva.example`
 * (UTS #46 processing via WHATWG URL's domainToASCII, as SES requires an ASCII domain). Undefined
 * when the domain cannot be converted; the local part is left as it is (checked by isValidEmail).
 */
export function asciiEmail(normalised: string): string | undefined {
  const at = normalised.lastIndexOf('@');
  if (at < 0) return normalised;
  const domain = normalised.slice(at + 1);
  if (isAscii(domain) && !domain.includes('xn--')) return normalised;
  // A label may not begin or end with a hyphen (RFC 5891 §4.2.3.1); WHATWG's conversion lets it pass.
  if (domain.split('.').some((label) => label.startsWith('-') || label.endsWith('-'))) return undefined;
  // Also checks ASCII punycode labels (`xn--…`): one that does not decode comes back empty.
  const ascii = domainToASCII(domain);
  return ascii === '' ? undefined : `${normalised.slice(0, at)}@${ascii}`;
}

// The local part: dot-atoms of RFC 5322 atext (no quoted strings, no comments: no real sign-up needs
// them and they are where parsers disagree). ASCII only, since SES does not accept SMTPUTF8 mailboxes.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// A host name label; IDN domains arrive as punycode (xn--…).
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL_LABEL = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * True when a normalised address (lower case, ASCII domain: normaliseEmail, then asciiEmail) is one
 * we are willing to mail: RFC 5321 lengths, an RFC 5322 dot-atom local part, a domain of at least
 * two labels under a letter or punycode top-level domain. No quoted strings, address literals,
 * display names or lists.
 */
export function isValidEmail(email: string): boolean {
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH) return false;
  const parts = email.split('@');
  if (parts.length !== 2) return false;
  const [local = '', domain = ''] = parts;
  if (local.length === 0 || local.length > 64 || !LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return false;
  return TOP_LEVEL_LABEL.test(labels[labels.length - 1] ?? '');
}

/**
 * True when an address written by an operator or a program (a sender in a manifest or a setting, an
 * address a message is composed for) passes isValidEmail in any letter case. Nothing is trimmed or
 * converted: the value is used as written, so it must already be plain ASCII.
 */
export function isEmailAddress(address: string): boolean {
  return isValidEmail(address.toLowerCase());
}

/** The zod part for an address setting or manifest field: a string that passes isEmailAddress; `message` for any failure. */
export function emailAddressSchema(message: string) {
  return z.string(message).refine(isEmailAddress, message);
}
