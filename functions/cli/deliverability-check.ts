// The deliverability part of `course check`: every email of one course composed for a sample
// recipient, scored by SpamAssassin, linted against caniemail, and (when Chromium is given) measured
// for contrast in light and dark and for width on a phone. Prints a report; answers whether it passed.
import type { Writable } from 'node:stream';
import type { Browser } from 'playwright-core';
import { MIN_CONTRAST, measureAppearance, type Appearance } from '../authoring/appearance.js';
import { checkEmails, composeCourseEmails, formatChecks, passes } from '../authoring/deliverability.js';

/** The phone width the emails must fit, in CSS px (an iPhone SE/mini viewport). */
export const PHONE_WIDTH = 375;

export interface DeliverabilityCheckResult {
  /** True when every email passes every check that ran. */
  ok: boolean;
  /** Checks that could not run here, with why (e.g. SpamAssassin not installed). */
  skipped: string[];
}

function appearanceProblems(seen: Appearance): string[] {
  const problems = seen.lowContrast.map(
    (t) => `contrast ${t.ratio}:1 < ${MIN_CONTRAST}:1 in ${seen.scheme} mode: "${t.text}" (${t.color} on ${t.background})`,
  );
  if (seen.scrollWidth > seen.width)
    problems.push(`${seen.scrollWidth} px wide on a ${seen.width} px screen in ${seen.scheme} mode: a long word or URL does not wrap`);
  return problems;
}

/**
 * Check every email of the course in `courseDir` and write the report to `out`. `browser`, when
 * given, adds the Chromium checks (contrast in both schemes, width at PHONE_WIDTH); without it they
 * are listed as skipped. Throws the manifest's or compiler's error when the course does not build.
 */
export async function runDeliverabilityCheck(options: {
  courseDir: string;
  templatesDir?: string;
  out: Writable;
  browser?: Browser;
}): Promise<DeliverabilityCheckResult> {
  const { emails } = await composeCourseEmails(options.courseDir, options.templatesDir);
  const checks = await checkEmails(emails);
  let ok = checks.every(passes);
  const skipped = [...new Set(checks.flatMap((c) => (c.spam.status === 'skipped' ? [`SpamAssassin: ${c.spam.reason}`] : [])))];
  options.out.write(`${formatChecks(checks)}\n`);

  if (options.browser) {
    for (const email of emails) {
      const problems: string[] = [];
      for (const scheme of ['light', 'dark'] as const)
        problems.push(...appearanceProblems(await measureAppearance(options.browser, email.rendered.html, { scheme, width: PHONE_WIDTH })));
      options.out.write(
        `${problems.length ? 'FAIL' : 'ok  '} ${email.label}: contrast in light and dark, fits ${PHONE_WIDTH} px\n${problems.map((p) => `     ${p}\n`).join('')}`,
      );
      ok &&= problems.length === 0;
    }
  } else {
    skipped.push('Chromium: contrast and phone width not measured (no browser at /usr/bin/chromium)');
  }
  for (const s of skipped) options.out.write(`skipped: ${s}\n`);
  return { ok, skipped };
}
