// Courses in other languages, made and checked as an author does (`npx course new`, `npx course
// check`): a German and an Arabic article written for these tests (neutral health education, not
// translations of the shipped course) become one lesson per section, word for word, with the language
// detected and printed; --lang overrides it and a bad tag is refused; a language with no catalogue
// fails the check naming the missing strings unless the author chose "stringsFallback": "en".
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCourse, compileCheck, disclaimerCheck, fidelityCheck, sizeCheck } from '../../../functions/authoring/check.js';
import { textBlocks } from '../../../functions/authoring/html.js';
import { main } from '../../../functions/cli/main.js';
import { loadCourse } from '../../../functions/email/manifest.js';
import { catalogueTag } from '../../../functions/i18n/messages.js';
import { collector } from '../../support/collector.js';

const fixture = (name: string) => new URL(`../../fixtures/articles/${name}`, import.meta.url).pathname;
let scratch: string;
let n = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'language-courses-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** `npx course <args>`: exit code, stdout, stderr. */
async function course(args: string[]) {
  const out = collector();
  const err = collector();
  const code = await main(args, { out, err, env: { COURSES_DIR: join(scratch, 'courses') } });
  return { code, out: out.text(), err: err.text() };
}
const freshDir = () => join(scratch, `c${++n}`);
/** A slug no other course of this file has (they all share the scratch folder, and a slug clash is refused). */
const freshSlug = () => `walking-${n}`;

/** The fixture's paragraphs (blank-line separated, hard wraps joined), as `course new` reads them. */
async function paragraphs(name: string): Promise<string[]> {
  return (await readFile(fixture(name), 'utf8'))
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p !== '');
}

/** The text checks (everything but the strings and deliverability): the article word for word, compiled, sized, with its disclaimer. */
const TEXT_CHECKS = [compileCheck, fidelityCheck, sizeCheck, disclaimerCheck];

describe.each([
  {
    file: 'de-wasser-trinken.txt',
    tag: 'de',
    name: 'German',
    slug: 'wasser-trinken-im-alltag',
    titles: [
      'Einleitung',
      'Wie viel Wasser braucht der Körper?',
      'Woran erkennt man Flüssigkeitsmangel?',
      'Trinken bei Hitze und Sport',
      'Tipps für den Alltag',
      'Fazit',
    ],
  },
  {
    file: 'ar-hand-washing.txt',
    tag: 'ar',
    name: 'Arabic',
    // The title has no Latin letters: the slug comes from the file name.
    slug: 'ar-hand-washing',
    titles: ['مقدمة', 'لماذا نغسل أيدينا؟', 'متى نغسل اليدين؟', 'خطوات الغسل الصحيح', 'المعقمات الكحولية', 'خاتمة'],
  },
])('course new on the $name article', ({ file, tag, name, slug, titles }) => {
  let dir: string;
  let printed: string;
  beforeAll(async () => {
    dir = freshDir();
    const made = await course(['new', fixture(file), '--out', dir]);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    printed = made.out;
  });

  it('detects the language, prints it for the author to confirm, and writes it into course.json', async () => {
    expect(printed).toContain(`Detected language: ${name} (${tag}). If that is wrong, run again with --lang <tag>.`);
    const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8')) as { language: string; slug: string };
    expect(manifest).toMatchObject({ language: tag, slug });
  });

  it('makes one lesson per section, titled by its heading', () => {
    expect(loadCourse(dir).lessons.map((l) => l.title)).toEqual(titles);
  });

  it('keeps the text word for word: every paragraph of the article is a block of its lesson, in order', async () => {
    const course = loadCourse(dir);
    const blocks = (await Promise.all(course.lessons.map(async (l) => textBlocks(await readFile(join(dir, l.file), 'utf8'))))).flat();
    const [, ...afterTitle] = await paragraphs(file);
    expect(blocks).toEqual(afterTitle);
    expect((await checkCourse(dir, TEXT_CHECKS)).problems).toEqual([]);
  });

  it("passes course check once the language's catalogue exists; until then the check names the missing strings", async () => {
    const { problems } = await checkCourse(dir);
    if (catalogueTag(tag) === undefined)
      expect(problems).toEqual([
        {
          check: 'strings',
          message: expect.stringMatching(new RegExp(`^no catalogue for ${name} \\(${tag}\\): \\d+ strings are missing: `)) as unknown,
        },
      ]);
    else expect(problems).toEqual([]);
  });
});

describe('npx course new --lang', () => {
  it('sets the language the author gives, whatever the text is in, and says so', async () => {
    const dir = freshDir();
    const { code, out } = await course(['new', fixture('walking.txt'), '--out', dir, '--slug', freshSlug(), '--lang', 'PT-br']);
    expect(code).toBe(0);
    expect(out).toContain('Language: Brazilian Portuguese (pt-BR), as given with --lang.');
    expect(loadCourse(dir).language).toBe('pt-BR');
  });

  it.each([
    ['german', '--lang "german" is not a BCP 47 tag of a known language: use a tag such as en, de, fr, es, pt-BR or ar'],
    ['de_DE', '(a hyphen, not an underscore: de-DE)'],
  ])('refuses --lang %j with what to write instead, and writes nothing', async (given, message) => {
    const dir = freshDir();
    const { code, err } = await course(['new', fixture('walking.txt'), '--out', dir, '--lang', given]);
    expect(code).toBe(1);
    expect(err).toContain(message);
    expect(existsSync(dir)).toBe(false);
  });

  it('an article too short to tell is English, with a warning that says how to change it', async () => {
    const dir = freshDir();
    const path = join(scratch, 'kurz.txt');
    await writeFile(path, 'Wasser\n\nTrinken\n\nWasser ist gesund.\n');
    const { code, out } = await course(['new', path, '--out', dir]);
    expect(code).toBe(0);
    expect(out).toContain('Warning: the article has too little text (28 letters) to tell its language: the course is English (en).');
    expect(out).toContain('If it is not, run again with --lang <tag>.');
    expect(loadCourse(dir).language).toBe('en');
  });

  it('course new --help documents --lang', async () => {
    const { out } = await course(['new', '--help']);
    expect(out).toContain('[--lang <tag>]');
  });
});

describe('npx course check on a language with no catalogue', () => {
  it('fails naming the missing strings, and passes with a warning once course.json sets "stringsFallback": "en"', async () => {
    const dir = freshDir();
    const made = await course(['new', fixture('walking.txt'), '--out', dir, '--slug', freshSlug(), '--lang', 'sw']);
    expect(made.code).toBe(0);
    // course new says so at once.
    expect(made.out).toContain("There is no catalogue for Swahili yet: the product's words around the article are English.");
    const failed = await course(['check', '--course', dir, '--no-deliverability']);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/\[strings\] no catalogue for Swahili \(sw\): \d+ strings are missing: .*authoring\.lessonSubject/);
    expect(failed.out).toContain('or set "stringsFallback": "en" to show them in English');

    const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'course.json'), JSON.stringify({ ...manifest, stringsFallback: 'en' }, null, 2));
    const passed = await course(['check', '--course', dir, '--no-deliverability']);
    expect(passed.code).toBe(0);
    expect(passed.out).toMatch(/^✓ walking-\d+: /);
    expect(passed.out).toMatch(
      /warning: \[strings\] no catalogue for Swahili \(sw\): \d+ strings shown in English, as "stringsFallback": "en" chooses/,
    );
  });

  it('refuses a "stringsFallback" other than "en", naming the field', async () => {
    const dir = freshDir();
    expect((await course(['new', fixture('walking.txt'), '--out', dir, '--slug', freshSlug(), '--lang', 'sw'])).code).toBe(0);
    const manifest = JSON.parse(await readFile(join(dir, 'course.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'course.json'), JSON.stringify({ ...manifest, stringsFallback: 'de' }, null, 2));
    const { code, out } = await course(['check', '--course', dir, '--no-deliverability']);
    expect(code).toBe(1);
    expect(out).toContain('[manifest] course.json: stringsFallback: must be "en" (the only fallback: English)');
  });
});
