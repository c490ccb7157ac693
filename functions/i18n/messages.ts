// The product's own words in the course's language: one catalogue per language (catalogues/), ICU
// MessageFormat through FormatJS's intl-messageformat (plurals, selects, numbers by CLDR rules) and
// dates and times through the platform's Intl. An author's `strings` in course.json override any key.
// The article itself is never translated: only what the product adds around it.
import { IntlMessageFormat } from 'intl-messageformat';
import { en } from './catalogues/en.js';

/** A key of the catalogues (the English catalogue names them all). */
export type MessageKey = keyof typeof en;
/** A language's catalogue: every key, each an ICU message with the English one's placeholders. */
export type Catalogue = Record<MessageKey, string>;
/** Values for a message's placeholders. */
export type MessageValues = Record<string, string | number | Date>;

/** The catalogues shipped, by BCP 47 tag. */
export const CATALOGUES: Readonly<Record<string, Catalogue>> = { en };

/** Languages written right to left (ISO 639 codes of the scripts' main languages). */
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** `rtl` when `tag`'s language is written right to left (BCP 47 tag; only its language subtag counts). */
export function textDirection(tag: string): 'ltr' | 'rtl' {
  return RTL_LANGUAGES.has(tag.split('-')[0]!.toLowerCase()) ? 'rtl' : 'ltr';
}

/**
 * The catalogue's tag for `tag` (BCP 47): the exact tag (any case), else the first catalogue of the
 * same language (`de-AT` → `de`, `pt` → `pt-BR`); undefined when there is none.
 */
export function catalogueTag(tag: string): string | undefined {
  const tags = Object.keys(CATALOGUES);
  const lower = tag.toLowerCase();
  const language = lower.split('-')[0];
  return tags.find((t) => t.toLowerCase() === lower) ?? tags.find((t) => t.split('-')[0]!.toLowerCase() === language);
}

/** The product's words for one course (or page) in one language. */
export interface Messages {
  /** The BCP 47 tag pages and emails carry in `lang`. */
  lang: string;
  dir: 'ltr' | 'rtl';
  /** The message `key` with `values` put in (ICU MessageFormat). Throws on a missing placeholder value. */
  t(key: MessageKey, values?: MessageValues): string;
}

const formats = new Map<string, IntlMessageFormat>();

/**
 * The messages for `language` (BCP 47), with the author's `overrides` (course.json `strings`) first,
 * then the language's catalogue, then English for a key neither has (`course check` reports such
 * keys as untranslated, so a shipped course has none).
 */
export function messagesFor(language = 'en', overrides: Partial<Record<string, string>> = {}): Messages {
  const tag = catalogueTag(language);
  const catalogue = tag === undefined ? undefined : CATALOGUES[tag];
  return {
    lang: language,
    dir: textDirection(language),
    t(key, values) {
      const own = overrides[key];
      const [source, locale] =
        own !== undefined ? [own, language] : catalogue?.[key] !== undefined ? [catalogue[key], language] : [en[key], 'en'];
      const id = `${locale}\u0000${source}`;
      let format = formats.get(id);
      if (format === undefined) {
        format = new IntlMessageFormat(source, locale);
        formats.set(id, format);
      }
      return String(format.format(values));
    },
  };
}
