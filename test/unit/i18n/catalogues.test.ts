// Every catalogue has every key of the English one, each a valid ICU message expecting exactly the
// placeholders the English message does (names and kinds: plain, plural, select…), and each plural
// has the `other` case; so a page or email in any language gets the values it needs, no more.
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { en } from '../../../functions/i18n/catalogues/en.js';
import { CATALOGUES, messagesFor, type MessageKey } from '../../../functions/i18n/messages.js';

const KINDS: Partial<Record<TYPE, string>> = {
  [TYPE.argument]: 'argument',
  [TYPE.number]: 'number',
  [TYPE.date]: 'date',
  [TYPE.time]: 'time',
  [TYPE.select]: 'select',
  [TYPE.plural]: 'plural',
  [TYPE.tag]: 'tag',
};

/** `message`'s placeholders as sorted `name (kind)`, and for selects their cases. */
function placeholders(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      const kind = KINDS[e.type];
      if (kind !== undefined && 'value' in e) found.add(`${e.value} (${kind})`);
      if (e.type === TYPE.select) found.add(`${e.value} cases ${Object.keys(e.options).sort().join('|')}`);
      if ('options' in e) for (const o of Object.values(e.options)) walk(o.value);
      if ('children' in e) walk(e.children);
    }
  };
  walk(parse(message, { ignoreTag: true }));
  return [...found].sort();
}

const keys = Object.keys(en) as MessageKey[];
const languages = Object.keys(CATALOGUES).filter((tag) => tag !== 'en');

describe('the catalogues', () => {
  it('ship English, German, French, Spanish, Brazilian Portuguese and Arabic', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual(['ar', 'de', 'en', 'es', 'fr', 'pt-BR']);
  });

  it.each(languages)('%s has exactly the English keys', (tag) => {
    expect(Object.keys(CATALOGUES[tag]!).sort()).toEqual([...keys].sort());
  });

  it.each(languages)('%s: every message parses and expects the English placeholders', (tag) => {
    const catalogue = CATALOGUES[tag]!;
    for (const key of keys) expect(placeholders(catalogue[key]), `${tag} ${key}`).toEqual(placeholders(en[key]));
  });

  /** Words a language spells as English does (French "Introduction"). */
  const SAME_WORD: Partial<Record<string, string[]>> = { fr: ['authoring.introductionTitle'] };

  it.each(languages)('%s: every message differs from English where English has words (nothing left untranslated)', (tag) => {
    const same = keys.filter(
      (key) => CATALOGUES[tag]![key] === en[key] && !SAME_WORD[tag]?.includes(key) && /[a-z]{3}/.test(en[key].replace(/\{[^}]*\}/g, '')),
    );
    expect(same).toEqual([]);
  });

  it.each(Object.keys(CATALOGUES))('%s: every message formats with the values the product passes', (tag) => {
    const m = messagesFor(tag);
    const values = {
      unit: 'days',
      n: 3,
      days: 3,
      count: 8,
      number: 2,
      cadence: 'c',
      time: '09:00',
      course: 'C',
      email: 'e',
      link: 'l',
      title: 't',
      name: 'n',
      label: 'L',
      language: 'x',
      url: 'u',
      zone: 'z',
      courseTitle: 'T',
      headings: 'h',
      titles: 'ts',
      sent: 2,
      total: 8,
      round: 2,
      date: 'd',
      vote: 'yes',
      lesson: 'l',
    };
    for (const key of keys) expect(m.t(key, values), `${tag} ${key}`).not.toBe('');
  });
});
