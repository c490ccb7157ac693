// HTML as course authoring needs it: an article's markup reduced to what a lesson may carry (a tag
// whitelist, links kept), and any fragment (an article, a lesson's MJML) read as its ordered text
// blocks: the paragraphs, list items and headings that `course check` compares word for word.
// Parsing is htmlparser2's (the parser html-to-text and cheerio use), never regular expressions.
import { Parser, parseDocument } from 'htmlparser2';
import { isTag, isText, type ChildNode } from 'domhandler';
import render from 'dom-serializer';

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
 * any other element is unwrapped so its text stays. The text itself is never changed.
 */
export function cleanHtml(html: string): string {
  const doc = parseDocument(html, { decodeEntities: true });
  return render(doc.children.flatMap(cleanNode), { encodeEntities: 'utf8', selfClosingTags: true });
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
 * addition cannot hide there. Empty blocks are left out.
 */
export function textBlocks(html: string): string[] {
  const blocks: string[] = [];
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
  return blocks.map(normaliseText).filter((b) => b !== '');
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
  return render(doc.children, { encodeEntities: 'utf8', selfClosingTags: true });
}
