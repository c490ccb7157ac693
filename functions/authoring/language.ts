// The language of a new course: the author's `--lang` (a BCP 47 tag, checked), or the article's own,
// detected from its text with franc-min (trigram statistics over 82 languages, ISO 639-3 codes),
// which the author is shown to confirm. Only the article's words are read; nothing is sent anywhere.
import { franc } from 'franc-min';
import { ValidationError } from '../core/errors.js';

/**
 * franc's ISO 639-3 codes for the languages the product has catalogues for, as the tag a course
 * writes. Portuguese becomes `pt-BR`: franc cannot tell Brazilian from European Portuguese, and the
 * product's Portuguese catalogue is Brazilian; an author in Portugal writes `--lang pt-PT`.
 * Standard Arabic is `arb` in franc (`ara` is the macrolanguage): both are `ar`.
 */
const CATALOGUED: Readonly<Record<string, string>> = {
  eng: 'en',
  deu: 'de',
  fra: 'fr',
  spa: 'es',
  por: 'pt-BR',
  arb: 'ar',
  ara: 'ar',
};

/** Fewer letters than this and the guess is no better than chance: the course is English, with a warning. */
export const MIN_DETECTION_LETTERS = 100;

/** A language for a new course, and how it was chosen. */
export interface CourseLanguage {
  /** The BCP 47 tag course.json gets. */
  tag: string;
  /** The language's English name (`German`), for the author's terminal. */
  name: string;
  /** `given`: --lang; `detected`: from the article; `default`: nothing to go on, so English. */
  source: 'given' | 'detected' | 'default';
  /** Why it is the default (too little text, or no language franc knows). */
  warning?: string;
}

/** The English name of the language of `tag` (`de` → German, `pt-BR` → Brazilian Portuguese); the tag itself when Intl has none. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/**
 * `--lang`'s value as a canonical BCP 47 tag (`PT-br` → `pt-BR`). Throws ValidationError
 * `invalid_language` for anything that is not one (`german`, `de_DE`, an empty value).
 */
export function parseLanguageTag(value: string): string {
  const tag = value.trim();
  let canonical: string[] = [];
  try {
    canonical = tag === '' ? [] : Intl.getCanonicalLocales(tag);
  } catch {
    canonical = [];
  }
  // Syntax alone lets `german` through (a 5–8 letter language subtag is well-formed but never
  // assigned): the language subtag must be one Intl can name.
  if (canonical.length !== 1 || canonical[0] === 'und' || !knownLanguage(canonical[0]!))
    throw new ValidationError(
      'invalid_language',
      `--lang "${value}" is not a BCP 47 tag of a known language: use a tag such as en, de, fr, es, pt-BR or ar${/_/.test(tag) ? ` (a hyphen, not an underscore: ${tag.replace(/_/g, '-')})` : ''}`,
      'lang',
    );
  return canonical[0]!;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
/** Whether the tag's language subtag is an assigned language (two or three letters Intl has a name for). */
function knownLanguage(tag: string): boolean {
  const language = tag.split('-')[0]!;
  return /^[a-z]{2,3}$/.test(language) && languageNames.of(language) !== undefined;
}

/**
 * The language `text` is written in. Catalogued languages map as CATALOGUED; any other language franc
 * knows becomes its shortest BCP 47 tag (`ita` → `it`, through Intl's canonical aliases). Too little
 * text (MIN_DETECTION_LETTERS) or an undetermined one gives English, with a warning saying why.
 */
export function detectLanguage(text: string): CourseLanguage {
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (letters < MIN_DETECTION_LETTERS)
    return {
      tag: 'en',
      name: 'English',
      source: 'default',
      warning: `the article has too little text (${letters} letters) to tell its language`,
    };
  const code = franc(text, { minLength: MIN_DETECTION_LETTERS });
  const tag = CATALOGUED[code] ?? canonicalTag(code);
  if (tag === undefined) return { tag: 'en', name: 'English', source: 'default', warning: 'its language could not be told from the text' };
  return { tag, name: languageName(tag), source: 'detected' };
}

/** The BCP 47 tag of an ISO 639-3 code, or undefined for `und` and codes Intl does not know. */
function canonicalTag(code: string): string | undefined {
  if (code === 'und') return undefined;
  try {
    const [tag] = Intl.getCanonicalLocales(code);
    return tag === undefined || tag === 'und' ? undefined : tag;
  } catch {
    return undefined;
  }
}
