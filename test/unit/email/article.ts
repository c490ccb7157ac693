// Test support: the article split into its sections, read from the source file itself (the
// repository's byte-for-byte copy, next to its course), so the lesson tests compare against the article.
import { readFileSync } from 'node:fs';
import { SHIPPED_SOURCE_PATH } from '../../support/course.js';

export const ARTICLE_PATH = SHIPPED_SOURCE_PATH;

/** The intro (no heading) then one section per heading; `lines` are the section's paragraphs and sub-headings. */
export function articleSections(headings: readonly string[]): { heading?: string; lines: string[] }[] {
  const lines = readFileSync(ARTICLE_PATH, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const sections: { heading?: string; lines: string[] }[] = [{ lines: [] }];
  for (const line of lines) {
    if (headings.includes(line)) sections.push({ heading: line, lines: [] });
    else sections[sections.length - 1]!.lines.push(line);
  }
  return sections;
}
