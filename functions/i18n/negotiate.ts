// Which catalogue a browser's Accept-Language picks (RFC 9110 §12.5.4): its language ranges in order
// of q-value (ties keep the header's order), each matched against the catalogues exactly, then by
// its language alone (`de-CH` → `de`, `pt` → `pt-BR`). A small parse of our own:
// @formatjs/intl-localematcher is not a dependency, and the list page needs nothing more.
import { catalogueTag } from './messages.js';

/** The catalogue's tag `header` prefers among the catalogues; `fallback` when it names none (or is absent). */
export function languageFromAcceptLanguage(header: string | undefined, fallback = 'en'): string {
  const ranges = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { range: range.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.range !== '' && r.range !== '*' && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { range } of ranges) {
    const tag = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(range) ? catalogueTag(range) : undefined;
    if (tag !== undefined) return tag;
  }
  return fallback;
}
