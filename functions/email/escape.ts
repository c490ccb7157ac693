// HTML escaping, one home for pages and emails: hono's escaper, the same one its `html` tag applies
// to every value of a page (http/pages.ts), so a name or title reads the same in a page and an email.
import { escapeToBuffer } from 'hono/utils/html';

/**
 * `s` made safe as HTML text or as a quoted attribute value: `&`, `<`, `>`, `"` and `'` become
 * `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`; everything else is kept as it is.
 */
export function escapeHtml(s: string): string {
  const buffer: [string] = [''];
  escapeToBuffer(s, buffer);
  return buffer[0];
}
