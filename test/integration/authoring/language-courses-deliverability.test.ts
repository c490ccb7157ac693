// The German and the Arabic course made by `course new` from the fixture articles pass the
// deliverability check as the shipped course does: SpamAssassin (where installed), caniemail's client
// support, and in Chromium contrast in light and dark and the width at 375 px, for the confirmation
// and every lesson.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../../../functions/authoring/chromium.js';
import { newCourse } from '../../../functions/authoring/new-course.js';
import { runDeliverabilityCheck } from '../../../functions/cli/deliverability-check.js';
import { collector } from '../../support/collector.js';
import { requireTool } from '../../support/tools.js';

const needsChromium = requireTool('chromium', CHROMIUM_PATH, 'apt-get install chromium');
let scratch: string;
let browser: Browser;

needsChromium.describe('courses in other languages', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'language-deliverability-'));
    browser = (await launchChromium())!; // requireTool above: present here
  });
  afterAll(async () => {
    await browser?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it.each([
    ['German', 'de-wasser-trinken.txt', 'de'],
    ['Arabic', 'ar-hand-washing.txt', 'ar'],
  ])(
    'the %s course passes the deliverability check',
    async (_name, file, language) => {
      const made = await newCourse({
        article: new URL(`../../fixtures/articles/${file}`, import.meta.url).pathname,
        coursesDir: join(scratch, language),
      });
      expect(made.language.tag).toBe(language);
      const out = collector();
      const { ok } = await runDeliverabilityCheck({ courseDir: made.dir, out, browser });
      expect(out.text()).not.toMatch(/^FAIL/m);
      expect(ok).toBe(true);
      // The confirmation and every lesson were measured in Chromium.
      expect(out.text().match(/contrast in light and dark, fits 375 px/g)).toHaveLength(1 + made.lessons.length);
    },
    60_000,
  );
});
