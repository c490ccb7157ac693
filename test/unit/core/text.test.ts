// The one control-character set and the one email address check, and the places that use them:
// each refuses (or, for display, flattens) exactly the same characters and addresses.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import {
  CONTROL_CHARACTERS,
  controlCharactersToSpaces,
  emailAddressSchema,
  hasControlCharacter,
  isEmailAddress,
  isValidEmail,
  normaliseEmail,
  truncateGraphemes,
} from '../../../functions/core/text.js';
import fc from 'fast-check';
import { parseSignupInput } from '../../../functions/core/validation.js';
import { parseCourse } from '../../../functions/email/manifest.js';
import { composeMessage } from '../../../functions/email/mime.js';
import { displayName } from '../../../functions/email/personalise.js';
import { SHIPPED_COURSE_DIR } from '../../support/course.js';

// The edges of each range in the set, and the characters attacks use most.
const CONTROLS: [string, string][] = [
  ['NUL', '\u0000'],
  ['TAB', '\t'],
  ['LF', '\n'],
  ['CR', '\r'],
  ['ESC', '\u001b'],
  ['U+001F', '\u001f'],
  ['DEL', '\u007f'],
  ['U+0080', '\u0080'],
  ['NEL', '\u0085'],
  ['CSI', '\u009b'],
  ['U+009F', '\u009f'],
  ['LINE SEPARATOR', '\u2028'],
  ['PARAGRAPH SEPARATOR', '\u2029'],
];
// Next to the set, or look like it, and are ordinary text.
const NOT_CONTROLS: [string, string][] = [
  ['space', ' '],
  ['tilde', '~'],
  ['no-break space', '\u00a0'],
  ['é', 'é'],
  ['zero-width joiner', '\u200d'],
  ['U+2027', '\u2027'],
  ['U+202A', '\u202a'],
  ['emoji', '🙂'],
];

describe('the control-character set', () => {
  it.each(CONTROLS)('holds %s', (_name, ch) => {
    expect(hasControlCharacter(`a${ch}b`)).toBe(true);
    expect(CONTROL_CHARACTERS.test(ch)).toBe(true);
  });

  it.each(NOT_CONTROLS)('does not hold %s', (_name, ch) => {
    expect(hasControlCharacter(`a${ch}b`)).toBe(false);
  });

  it('is tested without state: the same string answers the same twice', () => {
    expect([hasControlCharacter('\n'), hasControlCharacter('\n')]).toEqual([true, true]);
  });

  it('controlCharactersToSpaces makes each run one space and leaves other text alone', () => {
    expect(controlCharactersToSpaces('SES said:\r\n\tAddress\u0000blocked\u2028\u2029.')).toBe('SES said: Address blocked .');
    expect(controlCharactersToSpaces('Zoë 🙂\u00a0x')).toBe('Zoë 🙂\u00a0x');
  });
});

const course = JSON.parse(await readFile(join(SHIPPED_COURSE_DIR, 'course.json'), 'utf8')) as { lessons: { subject: string }[] };
const courseWithSubject = (subject: string): unknown => {
  const copy = structuredClone(course);
  copy.lessons[0]!.subject = subject;
  return copy;
};
const message = (subject: string) => ({
  from: { name: 'Course', address: 'course@example.com' },
  to: 'reader@example.org',
  subject,
  html: '<p>Hello</p>',
  text: 'Hello',
});

describe('every place that takes outside text uses the one set', () => {
  it.each(CONTROLS)('%s: the signup form, the manifest and the MIME composer refuse it; a greeting shows a space', async (_name, ch) => {
    expect(() => parseSignupInput({ email: 'a@example.com', name: `Ann${ch}Lee` })).toThrow(
      expect.objectContaining({ code: 'control_characters' }) as Error,
    );
    expect(() => parseCourse(courseWithSubject(`Lesson${ch}one`))).toThrow(/must not contain control characters/);
    await expect(composeMessage(message(`Lesson${ch}one`))).rejects.toMatchObject({ code: 'header_injection' });
    expect(displayName(`Ann${ch}Lee`)).toBe('Ann Lee');
  });

  it.each(NOT_CONTROLS)('%s: all of them take it as text', async (_name, ch) => {
    // A name drops bidirectional controls (U+202A is one: they would reorder the greeting line); the
    // manifest and the MIME composer keep it as text.
    const inName = ch === '\u202a' ? '' : ch;
    expect(parseSignupInput({ email: 'a@example.com', name: `Ann${ch}Lee` }).name).toBe(`Ann${inName}Lee`);
    expect(parseCourse(courseWithSubject(`Lesson${ch}one`)).lessons[0]!.subject).toBe(`Lesson${ch}one`);
    await expect(composeMessage(message(`Lesson${ch}one`))).resolves.toBeInstanceOf(Buffer);
  });
});

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Alice.Smith@Example.COM \t')).toBe('alice.smith@example.com');
  });
});

describe('email syntax', () => {
  it.each([
    'a@example.com',
    'alice+course@example.com',
    'alice.smith@mail.example.co.uk',
    "o'brien@example.ie",
    'first_last-1@sub-domain.example.org',
    'x@xn--bcher-kva.example',
    'user@example.xn--p1ai',
    '1234567890@example.com',
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    ['no @', 'alice.example.com'],
    ['two @', 'a@b@example.com'],
    ['no dot in the domain', 'a@b'],
    ['empty local part', '@example.com'],
    ['empty domain', 'alice@'],
    ['space inside', 'ali ce@example.com'],
    ['leading dot', '.alice@example.com'],
    ['trailing dot in the local part', 'alice.@example.com'],
    ['double dot', 'al..ice@example.com'],
    ['domain starting with a dot', 'alice@.example.com'],
    ['empty domain label', 'alice@example..com'],
    ['label starting with a hyphen', 'alice@-example.com'],
    ['label ending with a hyphen', 'alice@example-.com'],
    ['one-letter top-level domain', 'alice@example.c'],
    ['numeric top-level domain', 'alice@127.0.0.1'],
    ['address literal', 'alice@[127.0.0.1]'],
    ['quoted local part', '"alice smith"@example.com'],
    ['angle brackets', '<alice@example.com>'],
    ['display name', 'Alice <alice@example.com>'],
    ['comma list', 'a@example.com,b@example.com'],
    ['semicolon', 'a@example.com;b@example.com'],
    ['non-ASCII local part', 'zoë@example.com'],
    ['non-ASCII domain', 'a@exämple.com'],
    ['local part over 64', `${'a'.repeat(65)}@example.com`],
    ['label over 63', `a@${'b'.repeat(64)}.com`],
  ])('rejects %s', (_why, email) => {
    expect(isValidEmail(email)).toBe(false);
  });
});

describe('isEmailAddress: an address written in a setting, a manifest or a message', () => {
  it.each(['course@example.com', 'Course@Example.COM', 'Lessons+Weekly@Mail.Example.org', 'x@xn--bcher-kva.example'])(
    'accepts %s in any letter case',
    (address) => {
      expect(isEmailAddress(address)).toBe(true);
    },
  );

  it.each([
    ['surrounding spaces (used as written, so never trimmed)', ' course@example.com '],
    ['a domain not yet in its ASCII form', 'course@bücher.example'],
    ['no top-level domain', 'course@localhost'],
    ['a display name', 'Course <course@example.com>'],
    ['two addresses', 'a@example.com, b@example.com'],
    ['a line break', 'course@example.com\r\nBcc: victim@example.net'],
    ['an overlong address', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`],
  ])('refuses %s', (_why, address) => {
    expect(isEmailAddress(address)).toBe(false);
  });

  it('agrees with the signup form on every address the form takes as typed', () => {
    for (const typed of ['a@example.com', "o'brien@example.ie", 'first_last-1@sub-domain.example.org', 'Alice+Course@Example.COM']) {
      expect(parseSignupInput({ email: typed }).email).toBe(typed.toLowerCase());
      expect(isEmailAddress(typed)).toBe(true);
    }
    for (const typed of ['a@b', 'alice@example.c', '<alice@example.com>', 'zoë@example.com']) {
      expect(() => parseSignupInput({ email: typed })).toThrow(ValidationError);
      expect(isEmailAddress(typed)).toBe(false);
    }
  });
});

describe('emailAddressSchema: the zod part for settings and manifests', () => {
  const schema = emailAddressSchema('must be an email address');

  it('keeps an address as written', () => {
    expect(schema.parse('Course@Example.com')).toBe('Course@Example.com');
  });

  it.each([['nobody'], ['a@b'], [''], [42], [undefined], [null]])('refuses %j with the one message', (value) => {
    const result = schema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['must be an email address']);
  });
});

describe('truncateGraphemes', () => {
  const segmented = (s: string, max: number) =>
    [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)]
      .slice(0, max)
      .map((g) => g.segment)
      .join('');

  it('keeps the first max grapheme clusters, never half of one, short or long', () => {
    expect(truncateGraphemes('👩‍👩‍👧‍👦 family', 1)).toBe('👩‍👩‍👧‍👦');
    expect(truncateGraphemes('कि'.repeat(3), 2)).toBe('किकि');
    expect(truncateGraphemes('Ann', 3)).toBe('Ann');
    expect(truncateGraphemes('', 5)).toBe('');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.integer({ min: 0, max: 40 }), (s, max) => {
        expect(truncateGraphemes(s, max)).toBe(segmented(s, max));
      }),
    );
  });
});
