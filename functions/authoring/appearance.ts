// How an email looks in a real browser engine: text contrast in the light and the dark colour scheme
// and whether anything widens the page, measured in Chromium (playwright-core). Used by the e2e test
// and `course check`; the caller owns the browser, so one launch serves every email.
import type { Browser } from 'playwright-core';

/** WCAG 2.x AA for normal text (Success Criterion 1.4.3): at least 4.5:1. */
export const MIN_CONTRAST = 4.5;

export type ColorScheme = 'light' | 'dark';

/** A run of visible text and the colours it is drawn in, as Chromium computed them. */
export interface TextContrast {
  /** The element's own text, trimmed to 60 characters. */
  text: string;
  /** CSS colours as computed, e.g. `rgb(31, 41, 51)`. */
  color: string;
  background: string;
  /** WCAG contrast ratio, 1 to 21. */
  ratio: number;
}

export interface Appearance {
  scheme: ColorScheme;
  /** Viewport width in CSS px. */
  width: number;
  /** document.documentElement.scrollWidth: above `width` means the reader scrolls sideways. */
  scrollWidth: number;
  /** How many elements with their own visible text were measured. */
  measured: number;
  /** The lowest ratio on the page (21 when there is no text). */
  minContrast: number;
  /** Every visible text below MIN_CONTRAST, lowest first. */
  lowContrast: TextContrast[];
}

// Runs in the page (a string: the project's TypeScript has no DOM types). For each visible element
// with its own text: its computed colour against the first opaque background up its ancestors, or
// the canvas colour of the active scheme; ratio by WCAG 2.x relative luminance.
const MEASURE = `(() => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g) || []; return { r: +m[0], g: +m[1], b: +m[2], a: m[3] === undefined ? 1 : +m[3] }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const probe = document.createElement('div');
  probe.style.cssText = 'background-color: Canvas; position: absolute';
  document.body.appendChild(probe);
  const canvas = getComputedStyle(probe).backgroundColor;
  probe.remove();
  const backgroundOf = (el) => {
    for (let e = el; e; e = e.parentElement) { const bg = getComputedStyle(e).backgroundColor; if (parse(bg).a > 0) return bg; }
    return canvas;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').replace(/\\s+/g, ' ').trim();
    if (!own || el.getClientRects().length === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || parseFloat(style.opacity) === 0) continue;
    const color = style.color, background = backgroundOf(el);
    const [hi, lo] = [lum(parse(color)), lum(parse(background))].sort((a, b) => b - a);
    out.push({ text: own.slice(0, 60), color, background, ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 });
  }
  return { scrollWidth: document.documentElement.scrollWidth, texts: out };
})()`;

/**
 * Load `html` in a new Chromium page `width` px wide with `prefers-color-scheme` emulated as
 * `scheme` (Playwright's emulateMedia), and measure every visible text's contrast and the page width.
 * External resources are not fetched (the emails have none; a tracking pixel would not load).
 */
export async function measureAppearance(
  browser: Browser,
  html: string,
  options: { scheme: ColorScheme; width: number },
): Promise<Appearance> {
  const page = await browser.newPage({ viewport: { width: options.width, height: 800 }, colorScheme: options.scheme });
  try {
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    const seen = await page.evaluate<{ scrollWidth: number; texts: TextContrast[] }>(MEASURE);
    const lowContrast = seen.texts.filter((t) => t.ratio < MIN_CONTRAST).sort((a, b) => a.ratio - b.ratio);
    const minContrast = Math.min(21, ...seen.texts.map((t) => t.ratio));
    return {
      scheme: options.scheme,
      width: options.width,
      scrollWidth: seen.scrollWidth,
      measured: seen.texts.length,
      minContrast,
      lowContrast,
    };
  } finally {
    await page.close();
  }
}

/** A full-page PNG of `html` in `scheme` at `width` px, for people to look at. */
export async function screenshot(
  browser: Browser,
  html: string,
  options: { scheme: ColorScheme; width: number; path: string },
): Promise<void> {
  const page = await browser.newPage({ viewport: { width: options.width, height: 800 }, colorScheme: options.scheme });
  try {
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path: options.path, fullPage: true });
  } finally {
    await page.close();
  }
}
