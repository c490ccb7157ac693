// The signup journey in headless Chromium against the local stack started in-process on free ports:
// subscribe with JavaScript on (inline answer, no reload) and off (form post), confirm from the
// emulator's inbox, unsubscribe with the button. Screenshots go to /tmp/shots/ for a person to look at.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/table.js';
import { emulatorEmails } from '../../functions/local/services.js';
import { parseLocalSettings } from '../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../functions/local/stack.js';
import { localStackEnv } from '../support/stack.js';
import { requireTool } from '../support/tools.js';
import { CHROMIUM_PATH, launchChromium } from '../../functions/authoring/chromium.js';

const needsChromium = requireTool('chromium', CHROMIUM_PATH, 'apt-get install chromium');
const SHOTS = '/tmp/shots';
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

let browser: Browser;
let stack: LocalStack;
let dataDir: string;

needsChromium.describe('signup in a browser', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'course-e2e-'));
    await mkdir(SHOTS, { recursive: true });
    const settings = {
      ...parseLocalSettings({ DATA_DIR: dataDir, DRIP_EVERY: '0', ...localStackEnv() }),
      port: 0,
      sesPort: 0,
      dynamodbPort: 0,
    };
    [stack, browser] = await Promise.all([startLocalStack({ settings, log: () => undefined }), launchChromium().then((b) => b!)]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function subscriberOf(email: string): Promise<Record<string, unknown> | undefined> {
    await stack.signupsSettled();
    const lock = await stack.doc.send(
      new GetCommand({ TableName: stack.tableName, Key: keys.address(stack.courses.all[0]!.course.slug, email), ConsistentRead: true }),
    );
    if (!lock.Item) return undefined;
    return (
      await stack.doc.send(new GetCommand({ TableName: stack.tableName, Key: keys.subscriber(String(lock.Item.id)), ConsistentRead: true }))
    ).Item;
  }

  async function confirmLink(email: string): Promise<string> {
    await stack.signupsSettled();
    const mail = (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(email))).at(-1);
    const link = /(http:\/\/localhost:\d+\/confirm\?token=[A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
    if (!link) throw new Error(`no confirmation email for ${email}`);
    return link;
  }

  async function shot(page: Page, name: string): Promise<void> {
    for (const [label, size] of [
      ['375', PHONE],
      ['1280', DESKTOP],
    ] as const) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
      // Nothing sideways-scrolls on a phone.
      if (label === '375') expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    }
  }

  it('with JavaScript: subscribes inline without a reload, confirms from the inbox and unsubscribes with the button', async () => {
    const context = await browser.newContext({ viewport: PHONE, timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.url}/`);
      expect(await page.title()).toBe(stack.courses.all[0]!.course.title);
      await shot(page, 'signup');
      // The hidden field was filled from Intl by the page's own (CSP-allowed) script.
      expect(await page.inputValue('#timezone')).toBe('Europe/Berlin');

      const email = 'js-reader@example.com';
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('First name').fill('Jo');
      let navigated = false;
      page.on('framenavigated', (f) => {
        if (f === page.mainFrame()) navigated = true;
      });
      await page.getByRole('button', { name: 'Send me the course' }).click();
      const message = page.locator('#form-message');
      await message.getByText('check your inbox', { exact: false }).waitFor();
      expect(await message.getAttribute('aria-live')).toBe('polite');
      expect(navigated).toBe(false);
      expect(page.url()).toBe(`${stack.url}/`);
      await page.setViewportSize(DESKTOP);
      await page.screenshot({ path: join(SHOTS, 'signup-sent-1280.png'), fullPage: true });
      expect(await subscriberOf(email)).toMatchObject({ status: 'pending', name: 'Jo', timezone: 'Europe/Berlin' });

      // The link opens a page (mail scanners fetch links too): nothing changes until the button.
      await page.goto(await confirmLink(email));
      await page.getByRole('heading', { name: 'Confirm your subscription' }).waitFor();
      expect(await page.locator('.address').textContent()).toBe('j***@example.com');
      await shot(page, 'confirm-page');
      expect((await subscriberOf(email))?.status).toBe('pending');
      await Promise.all([page.waitForURL(/\/confirm\?token=/), page.getByRole('button', { name: 'Yes, start the course' }).click()]);
      await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
      await shot(page, 'confirmed');
      const active = await subscriberOf(email);
      expect(active?.status).toBe('active');

      // The next drip tick sends lesson 1, greeting by the name given at signup.
      const tick = await fetch(`${stack.url}/__local/drip`, { method: 'POST' });
      expect(await tick.json()).toMatchObject({ sent: 1 });
      const lesson1 = (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(email))).at(-1);
      expect(lesson1?.subject).toBe(stack.courses.all[0]!.lessons[0]?.subject);
      expect(lesson1?.body.text).toContain('Hi Jo,');

      const token = stack.tokens.sign({ subscriberId: String(active?.id), purpose: 'unsubscribe', issuedAt: new Date() });
      await page.goto(`${stack.url}/unsubscribe?token=${token}`);
      await page.getByText('j***@example.com').waitFor();
      await shot(page, 'unsubscribe');
      expect((await subscriberOf(email))?.status).toBe('active');
      await page.getByRole('button', { name: 'Unsubscribe' }).click();
      await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
      await shot(page, 'unsubscribed');
      expect((await subscriberOf(email))?.status).toBe('unsubscribed');
    } finally {
      await context.close();
    }
  });

  it('with JavaScript: a bad address gets an inline error at the field', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.url}/`);
      // Bypass the browser's own check to see the server's answer.
      await page.evaluate("document.getElementById('signup').noValidate = true");
      await page.getByLabel('Email address').fill('someone@localhost');
      await page.getByRole('button', { name: 'Send me the course' }).click();
      await page.locator('#form-message.error').waitFor();
      expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
      expect(await page.getAttribute('#email', 'aria-describedby')).toBe('form-message');
      expect(await page.evaluate<string>('document.activeElement.id')).toBe('email');
      await page.screenshot({ path: join(SHOTS, 'signup-error-375.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('with JavaScript: a browser time zone the server does not know still subscribes, in the course time zone', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    // As Chromium does when it cannot tell the system's zone (or has tz data newer than the server's).
    await context.addInitScript(`(() => {
      const Real = Intl.DateTimeFormat;
      Intl.DateTimeFormat = function (...args) {
        const format = new Real(...args);
        const resolved = format.resolvedOptions.bind(format);
        format.resolvedOptions = () => ({ ...resolved(), timeZone: 'Etc/Unknown' });
        return format;
      };
    })()`);
    const page = await context.newPage();
    try {
      await page.goto(`${stack.url}/`);
      expect(await page.inputValue('#timezone')).toBe('Etc/Unknown');
      const email = 'odd-zone@example.com';
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Send me the course' }).click();
      await page.locator('#form-message.ok').waitFor();
      expect(await subscriberOf(email)).toMatchObject({ status: 'pending', timezone: stack.courses.all[0]!.course.defaultTimezone });
    } finally {
      await context.close();
    }
  });

  it('without JavaScript: the form posts and answers a page, and the confirmation works', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.url}/`);
      const email = 'no-js@example.com';
      await page.getByLabel('Email address').fill(email);
      await Promise.all([page.waitForURL(`${stack.url}/subscribe`), page.getByRole('button', { name: 'Send me the course' }).click()]);
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await shot(page, 'check-inbox');
      // No script filled the time zone: the course's own is used.
      expect(await subscriberOf(email)).toMatchObject({ status: 'pending', timezone: stack.courses.all[0]!.course.defaultTimezone });

      await page.goto(await confirmLink(email));
      await page.getByRole('button', { name: 'Yes, start the course' }).click();
      await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
      expect((await subscriberOf(email))?.status).toBe('active');
    } finally {
      await context.close();
    }
  });
});
