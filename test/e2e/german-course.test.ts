// A German course end to end, as a German reader meets it: `course new` makes a course from a German
// article written for this test (test/fixtures/articles/de-wasser-trinken.txt), the local stack serves
// it, and headless Chromium goes signup page → thanks page → confirmation email (from the SES emulator)
// → confirm page → confirmed page → lesson 1 (one drip tick) → unsubscribe page → its result. Every
// visible string on the way (page text, titles, labels, each email's subject, preheader, HTML and text
// parts) must be the article's own text, the German catalogue's words, or the reader's own data (name,
// address, masked address) with numbers, dates and links: anything else is English (or other) chrome
// left in a German course, and the test prints each such string. Selectors are ids and roles, never
// English labels: the same test holds whatever language the pages speak.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { articleTextBlocks, parseArticle } from '../../functions/authoring/article.js';
import { CHROMIUM_PATH, launchChromium } from '../../functions/authoring/chromium.js';
import { normaliseText } from '../../functions/authoring/html.js';
import { main } from '../../functions/cli/main.js';
import { loadCourse, type Course } from '../../functions/email/manifest.js';
import { CATALOGUES, catalogueTag } from '../../functions/i18n/messages.js';
import { emulatorEmails, type EmulatedEmail } from '../../functions/local/services.js';
import { parseLocalSettings } from '../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../functions/local/stack.js';
import { collector } from '../support/collector.js';
import { localStackEnv } from '../support/stack.js';
import { requireTool } from '../support/tools.js';

const needsChromium = requireTool('chromium', CHROMIUM_PATH, 'apt-get install chromium');
const ARTICLE = new URL('../fixtures/articles/de-wasser-trinken.txt', import.meta.url).pathname;
const SHOTS = '/tmp/shots/german-course';
const READER = { name: 'Jana', email: 'jana.beispiel@example.com', masked: 'j***@example.com' };

let browser: Browser;
let stack: LocalStack;
let scratch: string;
let course: Course;

/** One visible string and where it was seen. */
interface Seen {
  where: string;
  text: string;
}

needsChromium.describe('a German course in a browser', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'german-course-'));
    await mkdir(SHOTS, { recursive: true });
    const coursesDir = join(scratch, 'courses');
    const out = collector();
    const err = collector();
    // As an author makes it: the language is detected from the article (and printed to confirm).
    expect(await main(['new', ARTICLE], { out, err, env: { COURSES_DIR: coursesDir } })).toBe(0);
    expect(out.text()).toContain('Detected language: German (de).');
    course = loadCourse(join(coursesDir, 'wasser-trinken-im-alltag'));
    expect(course.language).toBe('de');
    const settings = {
      ...parseLocalSettings({ DATA_DIR: join(scratch, 'data'), DRIP_EVERY: '0', COURSES_DIR: coursesDir, ...localStackEnv() }),
      port: 0,
      sesPort: 0,
      dynamodbPort: 0,
    };
    [stack, browser] = await Promise.all([startLocalStack({ settings, log: () => undefined }), launchChromium().then((b) => b!)]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('every page and email of the German course speaks only the article, the German catalogue and the reader’s own data', async () => {
    const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin', javaScriptEnabled: false });
    const seen: Seen[] = [];
    try {
      const page = await context.newPage();
      // Signup page → thanks page (the form posted, as without JavaScript).
      await page.goto(`${stack.url}/`);
      seen.push(...(await visibleStrings(page, 'signup page')));
      await page.locator('#email').fill(READER.email);
      await page.locator('#name').fill(READER.name);
      await Promise.all([page.waitForURL(`${stack.url}/subscribe`), page.locator('form#signup [type=submit]').click()]);
      seen.push(...(await visibleStrings(page, 'thanks page')));

      // The confirmation email → the confirm page → its button → the confirmed page.
      await stack.signupsSettled();
      const confirmation = await lastEmailTo(READER.email);
      seen.push(...(await emailStrings(context, confirmation, 'confirmation email', course.confirmation.preheader)));
      await page.goto(linkIn(confirmation, 'confirm'));
      seen.push(...(await visibleStrings(page, 'confirm page')));
      // The answer is a new document at the same address: wait for its load, not for the URL.
      await Promise.all([page.waitForEvent('load'), page.locator('form [type=submit]').first().click()]);
      seen.push(...(await visibleStrings(page, 'confirmed page')));

      // One drip tick sends lesson 1.
      const tick = await fetch(`${stack.url}/__local/drip`, { method: 'POST' });
      expect(await tick.json()).toMatchObject({ sent: 1 });
      const lesson = await lastEmailTo(READER.email);
      expect(lesson.subject).toBe(course.lessons[0]!.subject);
      seen.push(...(await emailStrings(context, lesson, 'lesson 1 email', course.lessons[0]!.preheader)));

      // The unsubscribe link of the lesson → its page → its button → the result.
      await page.goto(linkIn(lesson, 'unsubscribe'));
      seen.push(...(await visibleStrings(page, 'unsubscribe page')));
      await Promise.all([page.waitForEvent('load'), page.locator('form [type=submit]').first().click()]);
      seen.push(...(await visibleStrings(page, 'unsubscribed page')));
    } finally {
      await context.close();
    }

    // The whole journey ran: whatever fails below is the words, not the way.
    expect([...new Set(seen.map((s) => s.where.replace(/ (subject|preheader|html|text)$/, '')))]).toEqual([
      'signup page',
      'thanks page',
      'confirmation email',
      'confirm page',
      'confirmed page',
      'lesson 1 email',
      'unsubscribe page',
      'unsubscribed page',
    ]);
    const foreign = foreignStrings(seen, await allowedMaterial());
    if (foreign.length > 0)
      console.log(
        `Strings outside the article, the German catalogue and the reader's data (${foreign.length}):\n${foreign.map((f) => `  ${f.where}: “${f.text}”  (left: ${f.left})`).join('\n')}`,
      );
    expect(foreign.map((f) => `${f.where}: ${f.text}`)).toEqual([]);
  }, 120_000);
});

/** The newest email the emulator holds for `address`. */
async function lastEmailTo(address: string): Promise<EmulatedEmail> {
  const mail = (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(address))).at(-1);
  if (!mail) throw new Error(`no email for ${address}`);
  return mail;
}

/** The `/confirm` or `/unsubscribe` link of an email's text part. */
function linkIn(mail: EmulatedEmail, path: 'confirm' | 'unsubscribe'): string {
  const link = new RegExp(`(http://localhost:\\d+/${path}\\?token=[A-Za-z0-9_.-]+)`).exec(mail.body.text ?? '')?.[1];
  if (!link) throw new Error(`no ${path} link in “${mail.subject}”`);
  return link;
}

/**
 * What a reader sees on the page: its title, its rendered text line by line, and the words in
 * attributes a browser shows or reads out (placeholder, aria-label, title, alt, a button's value).
 * A screenshot of it goes to /tmp/shots/german-course/.
 */
async function visibleStrings(page: Page, where: string): Promise<Seen[]> {
  await page.screenshot({ path: join(SHOTS, `${where.replace(/\s+/g, '-')}.png`), fullPage: true });
  // A string, not a function: the project's TypeScript has no DOM types, and this runs in the page.
  const texts = await page.evaluate<string[]>(`(() => {
    const out = [document.title, ...document.body.innerText.split('\\n')];
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]'))
      for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
        const value = el.getAttribute(name);
        if (value) out.push(value);
      }
    for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) out.push(el.value);
    return out;
  })()`);
  return texts.map((text) => ({ where, text }));
}

/** An email's subject, its preheader (shown by inboxes), its HTML part as rendered, and its text part paragraph by paragraph. */
async function emailStrings(context: BrowserContext, mail: EmulatedEmail, where: string, preheader: string): Promise<Seen[]> {
  const page = await context.newPage();
  try {
    await page.setContent(mail.body.html ?? '', { waitUntil: 'load' });
    const html = await visibleStrings(page, `${where} html`);
    // The text part wraps paragraphs across lines: a blank line ends one.
    const text = (mail.body.text ?? '').split(/\n\s*\n/).map((p) => ({ where: `${where} text`, text: p.replace(/\s+/g, ' ') }));
    return [{ where: `${where} subject`, text: mail.subject }, { where: `${where} preheader`, text: preheader }, ...html, ...text];
  } finally {
    await page.close();
  }
}

/** The words a German course may show. */
interface AllowedMaterial {
  /** Whole strings, longest first: the article's title and blocks, the catalogue messages' literal parts, the reader's data. */
  pieces: string[];
  /** German month, weekday, time zone, relative day and language names (Intl's, as dates are written) and "Uhr". */
  dateWords: RegExp;
}

async function allowedMaterial(): Promise<AllowedMaterial> {
  const article = parseArticle(await readFile(ARTICLE, 'utf8'), 'text');
  const tag = catalogueTag('de');
  // Until the German catalogue is merged there is none: every word of chrome is then reported.
  const catalogue: Record<string, string> = { ...(tag === undefined ? {} : CATALOGUES[tag]), ...(course.strings ?? {}) };
  const pieces = [
    article.title ?? '',
    ...articleTextBlocks(article),
    ...Object.values(catalogue).flatMap((message) => literalParts(message)),
    READER.name,
    READER.email,
    READER.masked,
  ]
    .map((p) => normaliseText(p).toLocaleLowerCase('de'))
    .filter((p) => /\p{L}/u.test(p))
    .sort((a, b) => b.length - a.length);
  const names: string[] = ['Uhr'];
  for (let m = 0; m < 12; m++)
    for (const month of ['long', 'short'] as const)
      names.push(new Intl.DateTimeFormat('de', { month }).format(new Date(Date.UTC(2026, m, 15))));
  for (let d = 0; d < 7; d++)
    for (const weekday of ['long', 'short'] as const)
      names.push(new Intl.DateTimeFormat('de', { weekday, timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 0, 5 + d))));
  // Time zones and days as Intl names them in German (a page may say when the next lesson comes).
  for (const timeZone of ['Europe/Berlin', course.defaultTimezone])
    for (const timeZoneName of ['long', 'short'] as const)
      names.push(
        new Intl.DateTimeFormat('de', { timeZone, timeZoneName }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value ??
          '',
      );
  const relative = new Intl.RelativeTimeFormat('de', { numeric: 'auto' });
  for (const n of [-1, 0, 1, 2]) names.push(relative.format(n, 'day'));
  names.push(new Intl.DisplayNames('de', { type: 'language' }).of('de') ?? '');
  const escaped = [...new Set(names.filter((n) => n !== ''))]
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .sort((a, b) => b.length - a.length);
  return { pieces, dateWords: new RegExp(`(?<!\\p{L})(?:${escaped.join('|')})(?!\\p{L})`, 'giu') };
}

/** The literal text of an ICU message (outside its placeholders), in pieces: a plural's and a select's branches too. */
function literalParts(message: string): string[] {
  const parts: string[] = [];
  const walk = (elements: ReturnType<IntlMessageFormat['getAst']>) => {
    for (const el of elements) {
      if ('options' in el && typeof el.options === 'object')
        for (const option of Object.values(el.options as Record<string, { value: typeof elements }>)) walk(option.value);
      else if ('children' in el)
        walk(el.children); // a rich-text tag: <b>…</b>
      // TYPE.literal of the parser intl-messageformat uses (a package this project does not import itself).
      else if (Number(el.type) === 0 && 'value' in el) parts.push(el.value);
    }
  };
  walk(new IntlMessageFormat(message, 'de').getAst());
  return parts;
}

/** Each seen string with what is left once the allowed pieces, links, addresses, dates, numbers and punctuation are taken out, when a letter is left. */
function foreignStrings(seen: readonly Seen[], allowed: AllowedMaterial): (Seen & { left: string })[] {
  const foreign: (Seen & { left: string })[] = [];
  for (const { where, text } of seen) {
    const line = normaliseText(text);
    if (line === '') continue;
    // Compared in lower case: a stylesheet may set a title in capitals (text-transform), and innerText shows them so.
    let left = ` ${line.toLocaleLowerCase('de')} `.replace(/https?:\/\/\S+/g, ' ').replace(/[^\s@]+@[^\s@]+\.[a-z]{2,}/gi, ' ');
    for (const piece of allowed.pieces) left = left.split(piece).join(' ');
    left = left.replace(allowed.dateWords, ' ');
    if (/\p{L}/u.test(left))
      foreign.push({
        where,
        text: line,
        left: left
          .replace(/[^\p{L}\s]+/gu, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      });
  }
  return foreign;
}
