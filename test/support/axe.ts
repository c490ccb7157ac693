// axe-core in a real Chromium page: the WCAG 2.0 and 2.1 A and AA rules run on whatever the page
// shows, and each violation comes back as one readable line (rule, impact, the elements it found).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rule sets checked: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** One violation: the rule's id and help, its impact, and each element it flagged with why. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core on `page` as it is now and answers its WCAG 2.x A/AA violations (none is a pass). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // The pages' own Content-Security-Policy is a response header; setContent has none to refuse this.
  await page.addScriptTag({ content: AXE_SOURCE });
  // A string, not a function: the project's TypeScript has no DOM types, and this runs in the page.
  return page.evaluate<AxeViolation[]>(`axe
    .run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_AA_TAGS)} }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + (n.failureSummary ?? '').replace(/\\s+/g, ' ')),
    })))`);
}
