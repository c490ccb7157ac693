// The product's own words in the course's language: one catalogue per language (catalogues/), ICU
// MessageFormat through FormatJS's intl-messageformat (plurals, selects, numbers by CLDR rules) and
// dates and times through the platform's Intl. An author's `strings` in course.json override any key.
// The article itself is never translated: only what the product adds around it.
import { IntlMessageFormat } from 'intl-messageformat';
import { ar } from './catalogues/ar.js';
import { de } from './catalogues/de.js';
import { en } from './catalogues/en.js';
import { es } from './catalogues/es.js';
import { fr } from './catalogues/fr.js';
import { ptBR } from './catalogues/pt-BR.js';
import type { Catalogue, MessageKey } from './catalogue.js';

export type { Catalogue, MessageKey } from './catalogue.js';

/** Values for a message's placeholders. */
export type MessageValues = Record<string, string | number | Date>;

/** The catalogues shipped, by BCP 47 tag. */
export const CATALOGUES: Readonly<Record<string, Catalogue>> = { en, de, fr, es, 'pt-BR': ptBR, ar };

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
  /**
   * Where `key`'s text comes from: the author's `strings`, the language's own catalogue, or the
   * English fallback (a language without a catalogue, or a key its catalogue lacks).
   */
  source(key: MessageKey): 'author' | 'catalogue' | 'english';
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
    source: (key) => (overrides[key] !== undefined ? 'author' : tag !== 'en' && catalogue?.[key] !== undefined ? 'catalogue' : 'english'),
    t(key, values) {
      const own = overrides[key];
      const [source, locale] =
        own !== undefined ? [own, language] : catalogue?.[key] !== undefined ? [catalogue[key], language] : [en[key], 'en'];
      const id = `${locale}\u0000${source}`;
      let format = formats.get(id);
      if (format === undefined) {
        // Tags (`<b>`) are text like any other: a message is plain text, escaped where it lands.
        format = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
        formats.set(id, format);
      }
      return String(format.format(values));
    },
  };
}

/** The messages of a course: its language and the author's overrides (course.json `language`, `strings`). */
export function courseMessages(course: { language?: string; strings?: Partial<Record<string, string>> }): Messages {
  return messagesFor(course.language, course.strings);
}

/**
 * The values the cadence messages (`cadence.*`) take for a cadence of `days`: `unit` day, week,
 * weeks (a whole number of weeks) or days, and `n` the number of weeks or days.
 */
export function cadenceValues(days: number): { unit: 'day' | 'week' | 'weeks' | 'days'; n: number; days: number } {
  if (days === 1) return { unit: 'day', n: 1, days };
  if (days === 7) return { unit: 'week', n: 1, days };
  if (days % 7 === 0) return { unit: 'weeks', n: days / 7, days };
  return { unit: 'days', n: days, days };
}

/** A course's send hour (`HH:MM`, 24-hour) as `lang` writes a time of day, through Intl (`09:00`, `٠٩:٠٠`). */
export function formatSendHour(lang: string, sendHour: string): string {
  const [hours, minutes] = sendHour.split(':').map(Number);
  const at = new Date(Date.UTC(2000, 0, 1, hours ?? 0, minutes ?? 0));
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(at);
}

/** `tag`'s language named in that language (`de` → "Deutsch", `pt-BR` → "português (Brasil)"), through Intl. */
export function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
    return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
  } catch {
    return tag;
  }
}

/**
 * The message `key` as HTML: its own text escaped with `escape`, and each of `markup`'s values (HTML
 * the caller built and escaped) put in where the message names it. A message's words never become
 * markup; the markup's words come from wherever the caller took them.
 */
export function formatHtml(
  messages: Messages,
  key: MessageKey,
  escape: (text: string) => string,
  values: MessageValues = {},
  markup: Record<string, string> = {},
): string {
  const slots = Object.entries(markup);
  // Characters no message or value has (private use, U+E000…), so the escaper keeps them as they are.
  const slot = (i: number) => `\uE000${String.fromCharCode(0xe001 + i)}\uE000`;
  const withSlots: MessageValues = { ...values };
  slots.forEach(([name], i) => (withSlots[name] = slot(i)));
  let out = escape(messages.t(key, withSlots));
  slots.forEach(([, value], i) => (out = out.split(slot(i)).join(value)));
  return out;
}
