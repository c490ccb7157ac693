// What a message expects from its caller: each placeholder's name and kind (a plain value, a
// number, a date, a plural or a select), read from the message's ICU syntax tree. A translation or an
// author's override must expect exactly what the English message does, or the caller's values would
// not fit it. Used by the course manifest's check of `strings` (functions/email/manifest.ts).
import { IntlMessageFormat } from 'intl-messageformat';
import type { MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { en } from './catalogues/en.js';
import type { MessageKey } from './catalogue.js';

// The parser's element kinds (its TYPE enum), by number: literal and # carry no placeholder.
const KIND: Record<number, string | undefined> = { 1: 'argument', 2: 'number', 3: 'date', 4: 'time', 5: 'select', 6: 'plural', 8: 'tag' };

function collect(elements: readonly MessageFormatElement[], into: Set<string>): void {
  for (const element of elements) {
    const kind = KIND[element.type];
    if (kind !== undefined && 'value' in element) into.add(`${element.value} (${kind})`);
    if ('options' in element) for (const option of Object.values(element.options)) collect(option.value, into);
    if ('children' in element) collect(element.children, into);
  }
}

/** `message`'s placeholders as sorted `name (kind)` strings. Throws when the message is not valid ICU MessageFormat. */
export function placeholdersOf(message: string): string[] {
  const found = new Set<string>();
  collect(new IntlMessageFormat(message, 'en', undefined, { ignoreTag: true }).getAst(), found);
  return [...found].sort();
}

/**
 * What is wrong with an author's `strings` (course.json), one line per problem, each naming the key:
 * a key no catalogue has, a message that is not ICU MessageFormat, or placeholders that differ from
 * the English message's. Empty when all is well.
 */
export function problemsWithStrings(strings: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [key, message] of Object.entries(strings)) {
    if (!Object.hasOwn(en, key)) {
      problems.push(`"${key}" is not a message key (the keys are those of functions/i18n/catalogues/en.ts)`);
      continue;
    }
    let own: string[];
    try {
      own = placeholdersOf(message);
    } catch (e: unknown) {
      problems.push(`"${key}" is not a valid ICU message: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const expected = placeholdersOf(en[key as MessageKey]);
    if (own.join() !== expected.join())
      problems.push(`"${key}" must use the placeholders ${expected.join(', ') || '(none)'}, not ${own.join(', ') || '(none)'}`);
  }
  return problems;
}
