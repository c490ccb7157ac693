// Headless Chromium for the checks that need a real browser (contrast, phone width) and for the
// e2e tests: Debian's own build (`apt-get install chromium`), never one downloaded at install time.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian puts Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Launch headless Chromium from CHROMIUM_PATH with no sandbox, GPU, background networking or
 * first-run work (a container has none of them). Answers undefined when Chromium is not installed;
 * a present Chromium that fails to start throws playwright's error.
 */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
