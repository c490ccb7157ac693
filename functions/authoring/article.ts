// An article read as a course author needs it: its title, and a flat list of headings (with levels)
// and body pieces (clean HTML), from Markdown (marked's lexer), HTML (htmlparser2) or plain text
// (a heading heuristic the author can override). `course new` splits it into lessons; `course check`
// reads the same list to compare the lessons against it.
import { extname } from 'node:path';
import { lexer, parser, type Token, type TokensList } from 'marked';
import { parseDocument } from 'htmlparser2';
import { isTag, isText, type ChildNode, type Element } from 'domhandler';
import render from 'dom-serializer';
import { ValidationError } from '../core/errors.js';
import { cleanHtml, normaliseText, refuseDeepNesting, textBlocks, textOf } from './html.js';
import { escapeHtml } from '../email/escape.js';
import { hasVisibleCharacter } from '../email/manifest.js';

export type ArticleFormat = 'markdown' | 'text' | 'html';

export type ArticleItem =
  /** `html`: the heading's inner HTML (links and emphasis kept); `text`: its plain text; `line`: where it is (1-based). */
  | { kind: 'heading'; level: number; text: string; html: string; line?: number }
  /** A paragraph, list, quote, code block or table, as clean HTML. */
  | { kind: 'body'; html: string };

export interface Article {
  format: ArticleFormat;
  /** The article's own title: a Markdown/HTML first-level heading that is the only one; in plain text, a heading-like first line. */
  title?: string;
  /** The title's line in the article (1-based), when known. */
  titleLine?: number;
  /** Everything after the title, in order. */
  items: ArticleItem[];
}

/** Plain text only: where the heading guess is wrong, the author names the lines (whitespace-normalised). */
export interface TextOverrides {
  /** Lines that start a lesson, whatever they look like. */
  headings?: readonly string[];
  /** Lines that are body text, whatever they look like. */
  notHeadings?: readonly string[];
}

/** `.md`/`.markdown` → markdown, `.txt`/`.text` → text, `.html`/`.htm` → html; anything else is a ValidationError. */
export function articleFormat(fileName: string): ArticleFormat {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.txt' || ext === '.text') return 'text';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new ValidationError('unknown_article_format', `${fileName}: an article must be Markdown (.md), plain text (.txt) or HTML (.html)`);
}

/** Read an article. `wantTitle`: false when the author gives the title (--title), so plain text keeps its first line. */
export function parseArticle(
  content: string,
  format: ArticleFormat,
  options: { wantTitle?: boolean; overrides?: TextOverrides } = {},
): Article {
  const text = content.replace(/^\uFEFF/, '');
  refuseControlCharacters(text);
  const article =
    format === 'markdown'
      ? withTitle(
          format,
          readingDeepNesting(() => markdownItems(text)),
        )
      : format === 'html'
        ? withTitle(format, htmlItems(text))
        : textArticle(text, options.wantTitle ?? true, options.overrides ?? {});
  refuseInvisibleHeadings(article);
  // Written as entities (`&#27;`) control characters only appear once decoded: the text itself is checked too.
  for (const block of articleTextBlocks(article))
    // The excerpt shows each control character as U+FFFD: printed raw, an ESC would drive the author's terminal.
    refuseControlCharacters(block, `the text “${showControlCharacters(block.slice(0, 60))}”`);
  return article;
}

/** C0 and C1 control characters and DEL; tab, line feed and carriage return are the text's own whitespace. */
const CONTROL_CLASS = '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]';
const CONTROL = new RegExp(CONTROL_CLASS, 'g');
const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 7: 'BEL', 8: 'BS', 0x0b: 'VT', 0x0c: 'FF', 0x1b: 'ESC', 0x7f: 'DEL' };
const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** `text` with each control character (as CONTROL) shown as U+FFFD: safe to print on a terminal. */
export function showControlCharacters(text: string): string {
  return text.replace(CONTROL, '\uFFFD');
}

/** The first control character in `text` (as CONTROL), as `U+001B (ESC)`; undefined when there is none. */
export function controlCharacterIn(text: string): string | undefined {
  const m = new RegExp(CONTROL_CLASS).exec(text);
  if (!m) return undefined;
  const name = CONTROL_NAMES[m[0].codePointAt(0)!];
  return `${codePoint(m[0])}${name ? ` (${name})` : ''}`;
}

/**
 * Throws ValidationError `control_character` when `text` holds a control character (NUL, ESC…; not
 * tab or a line break): invisible in an editor, they reach the email as they are. The article is never
 * changed, so it is refused, naming where (line and column, up to five places) and what.
 */
function refuseControlCharacters(text: string, where?: string): void {
  const found: string[] = [];
  for (const m of text.matchAll(CONTROL)) {
    if (found.length === 5) {
      found.push('…');
      break;
    }
    const before = text.slice(0, m.index);
    const line = before.split('\n').length;
    const column = m.index - before.lastIndexOf('\n');
    const name = CONTROL_NAMES[m[0].codePointAt(0)!];
    found.push(`${where ?? `line ${line}, column ${column}`}: ${codePoint(m[0])}${name ? ` (${name})` : ''}`);
    if (where !== undefined) break;
  }
  if (found.length > 0)
    throw new ValidationError(
      'control_character',
      `the article has control characters, which are invisible and would reach the email: ${found.join('; ')}. Remove them and run again`,
    );
}

/**
 * Throws ValidationError `invisible_heading` for a heading (or the title) of invisible characters
 * only: it would become a lesson title and subject nobody can read. Names the line and the characters.
 */
function refuseInvisibleHeadings(article: Article): void {
  const headings = article.items.flatMap((i) => (i.kind === 'heading' ? [{ text: i.text, line: i.line }] : []));
  if (article.title !== undefined) headings.unshift({ text: article.title, line: article.titleLine });
  for (const { text, line } of headings) {
    if (hasVisibleCharacter(text)) continue;
    const chars = [...new Set(Array.from(text).map(codePoint))].slice(0, 5).join(', ');
    throw new ValidationError(
      'invisible_heading',
      `${line === undefined ? 'a heading' : `the heading on line ${line}`} has no visible characters (only ${chars}): write its words, or delete it, and run again`,
    );
  }
}

/** Markdown nested so deep that the parser runs out of stack (10,000 quote levels) is refused, not a crash. */
function readingDeepNesting<T>(read: () => T): T {
  try {
    return read();
  } catch (e: unknown) {
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new ValidationError(
        'nested_too_deeply',
        'the article is nested too deeply to read (quotes or lists inside each other thousands of times): remove the extra nesting and run again',
      );
    throw e;
  }
}

/**
 * The article's text blocks in order (headings, paragraphs, list items…), without its title: what
 * every lesson together must hold, word for word.
 */
export function articleTextBlocks(article: Article): string[] {
  return article.items.flatMap((item) => (item.kind === 'heading' ? [item.text] : textBlocks(item.html)));
}

/** A first-level heading that opens the article and is its only one is the title, not a lesson. */
function withTitle(format: ArticleFormat, items: ArticleItem[]): Article {
  const first = items[0];
  const level1 = items.filter((i) => i.kind === 'heading' && i.level === 1).length;
  if (first?.kind === 'heading' && first.level === 1 && level1 === 1)
    return { format, title: first.text, ...(first.line === undefined ? {} : { titleLine: first.line }), items: items.slice(1) };
  return { format, items };
}

function markdownItems(markdown: string): ArticleItem[] {
  const tokens = lexer(markdown);
  // One token at a time through marked's parser; reference-style links need the document's link map.
  const html = (token: Token) => parser(Object.assign<Token[], Pick<TokensList, 'links'>>([token], { links: tokens.links }));
  const items: ArticleItem[] = [];
  let line = 1; // where the token starts: the lines of the tokens before it (marked keeps every character in `raw`)
  for (const token of tokens) {
    const at = line;
    line += token.raw.split('\n').length - 1;
    if (token.type === 'space' || token.type === 'hr' || token.type === 'def') continue;
    const clean = (piece: string) => {
      try {
        return cleanHtml(piece);
      } catch (e: unknown) {
        if (e instanceof ValidationError && e.code === 'nested_too_deeply')
          throw new ValidationError(
            e.code,
            `${e.message.replace(/^the article, line (\d+)/, (_m, n: string) => `the article, line ${at + Number(n) - 1}`)}`,
          );
        throw e;
      }
    };
    if (token.type === 'heading') {
      const inner = clean(html(token).replace(/^\s*<h\d[^>]*>|<\/h\d>\s*$/g, ''));
      items.push({ kind: 'heading', level: (token as { depth: number }).depth, text: textOf(inner), html: inner, line: at });
      continue;
    }
    const body = clean(html(token)).trim();
    if (textBlocks(body).length > 0) items.push({ kind: 'body', html: body });
  }
  return items;
}

/** Containers whose children are read as the article's own blocks. */
const FLATTENED = new Set(['html', 'body', 'main', 'article', 'section', 'div', 'header', 'hgroup']);
/** Page furniture, not article text. */
const SKIPPED = new Set(['head', 'script', 'style', 'noscript', 'template', 'nav', 'aside', 'footer', 'form', 'iframe', 'svg']);
const HEADING = /^h([1-6])$/;

function htmlItems(html: string): ArticleItem[] {
  refuseDeepNesting(html);
  const doc = parseDocument(html, { decodeEntities: true, withStartIndices: true });
  const lineOf = lineFinder(html);
  // The article element (or main, or body) when there is one: the rest of a page is not the article.
  const root = findFirst(doc.children, 'article') ?? findFirst(doc.children, 'main') ?? findFirst(doc.children, 'body');
  const items: ArticleItem[] = [];
  let inline: ChildNode[] = [];
  const flushInline = () => {
    const body = cleanHtml(render(inline)).trim();
    if (textOf(body) !== '') items.push({ kind: 'body', html: `<p>${body}</p>` });
    inline = [];
  };
  const walk = (nodes: readonly ChildNode[]) => {
    for (const node of nodes) {
      if (isText(node)) {
        inline.push(node);
        continue;
      }
      if (!isTag(node)) continue;
      const el = node;
      const name = el.name.toLowerCase();
      if (SKIPPED.has(name)) continue;
      const heading = HEADING.exec(name);
      if (heading || FLATTENED.has(name) || BLOCK_LEVEL.has(name)) flushInline();
      if (heading) {
        const inner = cleanHtml(render(el.children)).trim();
        if (textOf(inner) !== '')
          items.push({ kind: 'heading', level: Number(heading[1]), text: textOf(inner), html: inner, line: lineOf(el.startIndex ?? 0) });
      } else if (FLATTENED.has(name)) walk(el.children);
      else if (BLOCK_LEVEL.has(name)) {
        const body = cleanHtml(render(el)).trim();
        if (textBlocks(body).length > 0) items.push({ kind: 'body', html: body });
      } else inline.push(el);
    }
  };
  walk(root ? root.children : doc.children);
  flushInline();
  return items;
}

/** The 1-based line of an offset in `text` (a binary search over where its lines start). */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    for (let hi = starts.length - 1; lo < hi;) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

const BLOCK_LEVEL = new Set(['p', 'ul', 'ol', 'blockquote', 'pre', 'table', 'dl', 'figure', 'address', 'details']);

function findFirst(nodes: readonly ChildNode[], name: string): Element | undefined {
  for (const node of nodes) {
    if (!isTag(node)) continue;
    const el = node;
    if (el.name.toLowerCase() === name) return el;
    const inner = findFirst(el.children, name);
    if (inner) return inner;
  }
  return undefined;
}

// ---- Plain text -------------------------------------------------------------------------------

// The guess reads punctuation and length, never letter case: German capitalises every noun, Arabic
// has no case, and a French or Spanish heading capitalises its first word only, so "Title Case" tells
// nothing outside English.

/**
 * Sentence-ending punctuation a heading does not close with: Latin `.` `,` `;` `:` `!` `…`, Arabic
 * `،` `؛` and `۔`, the ideographic `。` and full-width `！`. A question mark it may close with
 * ("How Does Botox Work?", "¿Por qué caminar?", "لماذا المشي؟").
 */
const CLOSING = /[.,;:!…،؛۔。！]$/u;
/**
 * Closing quotes and brackets, in the languages' styles ("…", „…“, «…», »…«, ‹…›), and the (narrow)
 * no-break space French sets inside guillemets: they do not hide the punctuation before them.
 */
const CLOSING_QUOTES = /["'”’“‘»«›‹)\]\s]+$/u;
/**
 * "1. ", "2) ", "1- ", "1.2 ", "IV. ", "a) ", "أ) ": a numbered heading, one level per number; digits of
 * any script ("١. مقدمة" in Arabic-Indic digits).
 */
const NUMBERED = /^((?:\p{Nd}+[.)-])+|\p{Nd}+(?:\.\p{Nd}+)+|[ivxlcdm]+[.)]|[a-z\u0621-\u064a][.)])\s+\S/iu;
const MAX_HEADING_WORDS = 12;
const MAX_HEADING_CHARS = 100;

/**
 * Section names an article's opening and closing sections carry in the catalogued languages: such a
 * line is a heading even with a colon after it ("Fazit:"), and never the article's title (it names
 * the first section, not the article).
 */
const SECTION_NAMES = new Set(
  [
    ['introduction', 'conclusion', 'summary', 'conclusions'],
    ['einleitung', 'einführung', 'fazit', 'zusammenfassung', 'schluss', 'schlussfolgerung', 'schlussfolgerungen'],
    ['introduction', 'conclusion', 'résumé', 'en résumé', 'conclusions'],
    ['introducción', 'conclusión', 'conclusiones', 'resumen'],
    ['introdução', 'conclusão', 'conclusões', 'resumo', 'considerações finais'],
    ['مقدمة', 'المقدمة', 'خاتمة', 'الخاتمة', 'الخلاصة', 'خلاصة', 'ملخص', 'الملخص'],
  ].flat(),
);

/** Whether `line` is only an opening or closing section's name (SECTION_NAMES), maybe numbered, maybe with a colon. */
export function isSectionName(line: string): boolean {
  const s = normaliseText(line)
    .replace(NUMBERED, (m) => m.slice(-1))
    .replace(/\s*[:：]$/u, '')
    .trim()
    .toLocaleLowerCase();
  return SECTION_NAMES.has(s);
}

/** Whether one line of plain text looks like a heading: short, a letter in it, no closing punctuation, not a bullet. */
export function looksLikeHeading(line: string): boolean {
  const s = normaliseText(line);
  if (s === '' || s.length > MAX_HEADING_CHARS || s.split(' ').length > MAX_HEADING_WORDS) return false;
  if (!/\p{L}/u.test(s) || /^[-*•–]\s/.test(s)) return false;
  if (isSectionName(s)) return true;
  // Closing quotes or brackets after the punctuation do not hide it: 'He said "no."', 'Er sagte „nein.“'
  return !CLOSING.test(s.replace(CLOSING_QUOTES, ''));
}

/** 1 for an unnumbered heading, 2 for "1. …", 3 for "1.2 …": numbered headings sit under plain ones. */
function headingLevel(line: string): number {
  const m = NUMBERED.exec(normaliseText(line));
  if (!m) return 1;
  const numbers = m[1]!.split(/[.)-]/).filter((p) => p !== '').length;
  return 1 + Math.max(1, numbers);
}

// `{` too: a lesson's text must never read as a placeholder (`{{name}}`) once it is in a template.
const escapeText = (s: string) => escapeHtml(s).replace(/\{/g, '&#123;');

/**
 * Plain text has no markup. Paragraphs are lines, or, when the text has blank lines, the runs of
 * lines between them (hard-wrapped lines joined with a space). A one-line paragraph that looks like a
 * heading (looksLikeHeading) and is followed by body text is a heading; `overrides` settle the lines
 * the guess gets wrong. Every paragraph's text is kept exactly (only whitespace is normalised).
 */
function textArticle(text: string, wantTitle: boolean, overrides: TextOverrides): Article {
  const lines = text.split(/\r\n|\r|\n/);
  const byBlankLines = /\S[^\n]*\n\s*\n\s*\S/.test(text.replace(/\r\n?/g, '\n'));
  const forced = new Set((overrides.headings ?? []).map(normaliseText));
  const refused = new Set((overrides.notHeadings ?? []).map(normaliseText));
  for (const [flag, set] of [
    ['--heading', forced],
    ['--not-heading', refused],
  ] as const) {
    for (const line of set) {
      if (!lines.some((l) => normaliseText(l) === line))
        throw new ValidationError('unknown_line', `${flag} "${line}": no such line in the article`);
    }
  }

  // Paragraphs: { lines } in order. In blank-line mode a forced heading inside a run is split out.
  const paragraphs: string[][] = [];
  const firstLine: number[] = []; // each paragraph's first line in the article (1-based)
  let run: string[] = [];
  let runStart = 0;
  const flush = () => {
    if (run.length > 0) {
      paragraphs.push(run);
      firstLine.push(runStart);
    }
    run = [];
  };
  for (const [index, raw] of lines.entries()) {
    const line = normaliseText(raw);
    if (line === '') {
      flush();
      continue;
    }
    if (!byBlankLines || forced.has(line)) {
      flush();
      paragraphs.push([line]);
      firstLine.push(index + 1);
      continue;
    }
    if (run.length === 0) runStart = index + 1;
    run.push(line);
  }
  flush();

  const isHeadingLike = (p: string[] | undefined) =>
    p !== undefined && p.length === 1 && !refused.has(p[0]!) && (forced.has(p[0]!) || looksLikeHeading(p[0]!));
  const levelOf = (line: string) => (forced.has(line) ? 1 : headingLevel(line));
  let title: string | undefined;
  let start = 0;
  // "Einleitung" on the first line opens the first section: the article then has no title line.
  if (wantTitle && paragraphs[0] !== undefined && isHeadingLike(paragraphs[0]) && !isSectionName(paragraphs[0][0]!)) {
    title = paragraphs[0][0];
    start = 1;
  }
  const items: ArticleItem[] = [];
  for (let i = start; i < paragraphs.length; i++) {
    const p = paragraphs[i]!;
    const line = p.join(' ');
    const next = paragraphs[i + 1];
    // A heading is followed by body text or by a heading under it; a heading-like last line, or one
    // before a heading of its own level or above, is text.
    const opensSomething = next !== undefined && (!isHeadingLike(next) || levelOf(next.join(' ')) > levelOf(line));
    const heading = p.length === 1 && (forced.has(line) || (!refused.has(line) && looksLikeHeading(line) && opensSomething));
    if (heading) items.push({ kind: 'heading', level: levelOf(line), text: line, html: escapeText(line), line: firstLine[i]! });
    else items.push({ kind: 'body', html: `<p>${escapeText(line)}</p>` });
  }
  return { format: 'text', ...(title === undefined ? {} : { title, titleLine: firstLine[0]! }), items };
}
