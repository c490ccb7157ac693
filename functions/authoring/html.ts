// HTML as course authoring needs it: an article's markup reduced to what a lesson may carry (a tag
// whitelist, links kept), and any fragment (an article, a lesson's MJML) read as its ordered text
// blocks: the paragraphs, list items and headings that `course check` compares word for word.
// Parsing is htmlparser2's (the parser html-to-text and cheerio use), never regular expressions.
import { Parser, parseDocument } from 'htmlparser2';
import { isTag, isText, type ChildNode } from 'domhandler';
import { ValidationError } from '../core/errors.js';

/** Elements whose own text is one block (a paragraph, a list item, a heading…). */
const BLOCKS = new Set([
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'li',
  'blockquote',
  'pre',
  'td',
  'th',
  'dt',
  'dd',
  'figcaption',
  'caption',
]);
/** Elements whose text is never article text. */
const DROPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'head',
  'title',
  'form',
  'button',
  'input',
  'select',
  'textarea',
  'nav',
]);
/** What a lesson may contain, with the attributes kept on each (anything else is unwrapped: its text stays). */
const KEPT: Record<string, readonly string[]> = {
  p: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  ul: [],
  ol: ['start'],
  li: [],
  blockquote: [],
  pre: [],
  code: [],
  br: [],
  hr: [],
  a: ['href', 'title'],
  strong: [],
  b: [],
  em: [],
  i: [],
  u: [],
  s: [],
  del: [],
  ins: [],
  mark: [],
  small: [],
  sub: [],
  sup: [],
  abbr: ['title'],
  cite: [],
  q: [],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: ['colspan', 'rowspan'],
  td: ['colspan', 'rowspan'],
  caption: [],
  dl: [],
  dt: [],
  dd: [],
  figure: [],
  figcaption: [],
};
/** Links a reader can follow from an email; anything else (javascript:, data:, relative) loses its href. */
const SAFE_HREF = /^(https?:|mailto:)/i;

/** Whitespace runs become one space; Unicode is compared in NFC (a copy may store é as e + ◌́). */
export function normaliseText(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * A code block's text as `course check` compares it: every space and line kept (its indentation is
 * its meaning), only line endings unified, the newline HTML drops right after `<pre>` and the
 * whitespace at its end left out. Unicode in NFC, as for other blocks.
 */
export function normaliseCode(s: string): string {
  return s.normalize('NFC').replace(/\r\n?/g, '\n').replace(/^\n/, '').trimEnd();
}

/**
 * How deep elements may nest in an article or lesson. Real articles stay far below it (a list in a
 * list in a quote is a handful of levels); beyond it the markup is refused with a clear message
 * rather than read by code that recurses once per level.
 */
export const MAX_NESTING = 200;

/**
 * Throws ValidationError `nested_too_deeply` when elements in `html` nest deeper than MAX_NESTING,
 * naming the line (1-based, of `html`) where the limit is crossed. A streaming read: no recursion, no tree.
 */
export function refuseDeepNesting(html: string, what = 'the article'): void {
  // Fewer tags than the limit cannot nest beyond it: most pieces (a paragraph, a heading) stop here.
  let tags = 0;
  for (let i = html.indexOf('<'); i !== -1 && tags <= MAX_NESTING; i = html.indexOf('<', i + 1)) tags++;
  if (tags <= MAX_NESTING) return;
  let depth = 0;
  let crossedAt: number | undefined;
  const parser = new Parser(
    {
      onopentag() {
        depth++;
        if (depth > MAX_NESTING && crossedAt === undefined) crossedAt = parser.startIndex;
      },
      onclosetag() {
        depth--;
      },
    },
    { recognizeSelfClosing: true },
  );
  parser.end(html);
  if (crossedAt === undefined) return;
  const line = html.slice(0, crossedAt).split('\n').length;
  throw new ValidationError(
    'nested_too_deeply',
    `${what}, line ${line}: elements are nested more than ${MAX_NESTING} deep; an article never needs this: remove the extra nesting and run again`,
  );
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\u00a0': '&nbsp;' };
/** Text between tags: `&`, `<`, `>` and no-break spaces as entities (as dom-serializer writes text). */
const escapeText = (s: string) => s.replace(/[&<>\u00a0]/g, (c) => escapes[c]!);
/** A quoted attribute value: the same and `"`. `<` and `>` too, so no markup survives in an attribute, whatever reads it. */
const escapeAttribute = (s: string) => s.replace(/[&<>"\u00a0]/g, (c) => escapes[c]!);

/**
 * Cleaned nodes as HTML: text and elements only (comments and the like were dropped before), every
 * attribute value escaped fully. `<br>` is written `<br />`, as before. Nesting is bounded by
 * MAX_NESTING (refuseDeepNesting runs first), so recursion here stays shallow.
 */
function serialise(nodes: readonly ChildNode[]): string {
  let html = '';
  for (const node of nodes) {
    if (isText(node)) html += escapeText(node.data);
    else if (isTag(node)) {
      const attributes = Object.entries(node.attribs)
        .map(([key, value]) => (value === '' ? ` ${key}` : ` ${key}="${escapeAttribute(value)}"`))
        .join('');
      html +=
        node.name === 'br' && node.children.length === 0
          ? `<br${attributes} />`
          : `<${node.name}${attributes}>${serialise(node.children)}</${node.name}>`;
    }
  }
  return html;
}

function cleanNode(node: ChildNode): ChildNode[] {
  if (isText(node)) return [node];
  if (!isTag(node)) return []; // comments, directives, CDATA
  const el = node;
  const name = el.name.toLowerCase();
  if (DROPPED.has(name)) return [];
  const children = el.children.flatMap(cleanNode);
  const allowed = KEPT[name];
  if (allowed === undefined) return children; // unwrapped: the text stays, the element goes
  const attribs: Record<string, string> = {};
  for (const key of allowed) {
    const value = el.attribs[key];
    if (value === undefined) continue;
    if (key === 'href' && !SAFE_HREF.test(value.trim())) continue;
    attribs[key] = value;
  }
  el.attribs = attribs;
  el.name = name;
  el.children = children;
  for (const c of children) c.parent = el;
  return [el];
}

/**
 * `html` with only the elements a lesson may carry (paragraphs, headings, lists, quotes, code, tables,
 * links with http(s)/mailto hrefs, emphasis); scripts, styles, forms and navigation are dropped,
 * any other element is unwrapped so its text stays. The text itself is never changed. Attribute values
 * are escaped fully (`<`, `>` included). Throws ValidationError `nested_too_deeply` (refuseDeepNesting).
 */
export function cleanHtml(html: string): string {
  refuseDeepNesting(html);
  const doc = parseDocument(html, { decodeEntities: true });
  return serialise(doc.children.flatMap(cleanNode));
}

/** The text of an HTML fragment, whitespace-normalised. */
export function textOf(html: string): string {
  let text = '';
  let dropped = 0;
  const parser = new Parser(
    {
      onopentagname: (name) => void (DROPPED.has(name) && dropped++),
      onclosetag: (name) => void (DROPPED.has(name) && dropped--),
      ontext: (t) => void (dropped === 0 && (text += t)),
    },
    { decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.end(html);
  return normaliseText(text);
}

/**
 * The ordered text blocks of an HTML or MJML fragment: each heading, paragraph, list item, quote,
 * table cell… is one block holding its own text (a nested list's items are blocks of their own, after
 * their parent's). Text outside any block (loose text in a div or an mj-text) is a block too, so an
 * addition cannot hide there. Empty blocks are left out. A code block (`<pre>`) keeps its spaces and
 * lines (normaliseCode); every other block is whitespace-normalised (normaliseText).
 */
export function textBlocks(html: string): string[] {
  const blocks: string[] = [];
  const code = new Set<number>(); // indexes in `blocks` of <pre> blocks: compared with their whitespace
  const open: number[] = []; // indexes in `blocks` of the block elements open now, innermost last
  let loose: number | undefined; // the loose-text block being filled, if any
  let dropped = 0;
  const breakLoose = () => {
    loose = undefined;
  };
  const parser = new Parser(
    {
      onopentagname(name) {
        if (DROPPED.has(name)) dropped++;
        if (BLOCKS.has(name)) {
          if (name === 'pre') code.add(blocks.length);
          open.push(blocks.length);
          blocks.push('');
          breakLoose();
        } else if (!INLINE.has(name)) breakLoose();
      },
      onclosetag(name) {
        if (DROPPED.has(name)) dropped--;
        if (BLOCKS.has(name)) open.pop();
        if (!INLINE.has(name)) breakLoose();
      },
      ontext(text) {
        if (dropped > 0) return;
        const inner = open[open.length - 1];
        if (inner !== undefined) {
          blocks[inner] += text;
          return;
        }
        if (text.trim() === '' && loose === undefined) return;
        if (loose === undefined) {
          loose = blocks.length;
          blocks.push('');
        }
        blocks[loose] += text;
      },
    },
    { decodeEntities: true, recognizeSelfClosing: true, lowerCaseTags: true },
  );
  parser.end(html);
  return blocks.map((b, i) => (code.has(i) ? normaliseCode(b) : normaliseText(b))).filter((b) => b !== '');
}

/** Elements that sit inside a line of text: they neither start nor end a block. */
const INLINE = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'data',
  'del',
  'dfn',
  'em',
  'i',
  'ins',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'time',
  'u',
  'var',
  'wbr',
  'br',
  'img',
  'font',
]);

/**
 * Inline styles a lesson's quotes, lists and code need in email clients (the shared layout styles only
 * headings and paragraphs): a quote gets a rule at its left instead of the browser's 40 px indent on
 * both sides, lists a phone-sized indent, code a wrapping block, links the layout's colour.
 * Presentation only: no text changes.
 */
const EMAIL_STYLES: Record<string, string> = {
  blockquote: 'margin:0 0 16px;padding:0 0 0 14px;border-left:3px solid #cbd5e1;',
  ul: 'margin:0 0 16px;padding:0 0 0 24px;',
  ol: 'margin:0 0 16px;padding:0 0 0 24px;',
  li: 'margin:0 0 6px;',
  pre: 'margin:0 0 16px;white-space:pre-wrap;font-size:14px;',
  code: 'font-size:15px;',
  table: 'border-collapse:collapse;margin:0 0 16px;',
  th: 'border:1px solid #d1d5db;padding:4px 8px;text-align:left;',
  td: 'border:1px solid #d1d5db;padding:4px 8px;',
  // The layout's link colour (head.mjml's `.content a`); dark mode's `.card a` rule overrides it (!important).
  a: 'color:#0b5cad;text-decoration:underline;',
};

export function styleForEmail(html: string): string {
  refuseDeepNesting(html);
  const doc = parseDocument(html, { decodeEntities: true });
  const walk = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (!isTag(node)) continue;
      const style = EMAIL_STYLES[node.name];
      if (style !== undefined) node.attribs.style = style;
      // A list's last item and a nested list need no extra space below.
      const parent = node.parent;
      if ((node.name === 'ul' || node.name === 'ol') && parent !== null && isTag(parent) && parent.name === 'li')
        node.attribs.style = 'margin:6px 0 0;padding:0 0 0 24px;';
      walk(node.children);
    }
  };
  walk(doc.children);
  return serialise(doc.children);
}
