// Two courses in one local stack (COURSES_DIR with the shipped course and one made by `course new`):
// the same address subscribes to both, confirms both, gets lesson 1 of each with its own List-Id and
// unsubscribe link, leaves one, and keeps receiving the other.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCourse } from '../../../functions/authoring/new-course.js';
import type { DripSummary, Mailer } from '../../../functions/core/ports.js';
import { emulatorEmails } from '../../../functions/local/services.js';
import { parseLocalSettings } from '../../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../../functions/local/stack.js';
import { localStackEnv } from '../../support/stack.js';
import { SHIPPED_COURSE_DIR } from '../../support/course.js';

const BOTOX = 'botox-permanent-numbness';
const WALKING = 'walking-for-health';
let dataDir: string;
let stack: LocalStack;
/** The raw messages the stack sent, by recipient: their List-Id headers are read from here. */
const sent: { to: string; raw: Uint8Array }[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'course-several-'));
  const coursesDir = join(dataDir, 'courses');
  await cp(SHIPPED_COURSE_DIR, join(coursesDir, BOTOX), { recursive: true });
  await newCourse({ article: new URL('../../fixtures/articles/walking.txt', import.meta.url).pathname, coursesDir });
  const settings = {
    ...parseLocalSettings({ DATA_DIR: join(dataDir, 'data'), DRIP_EVERY: '0', COURSES_DIR: coursesDir, ...localStackEnv() }),
    port: 0,
    sesPort: 0,
    dynamodbPort: 0,
  };
  const recording = (mailer: Mailer): Mailer => ({
    sendRaw: (message) => {
      sent.push({ to: message.to, raw: message.raw });
      return mailer.sendRaw(message);
    },
  });
  stack = await startLocalStack({ settings, decorateMailer: recording, log: () => undefined });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const inboxOf = async (email: string) =>
  (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(email)));
const link = (text: string | undefined, path: 'confirm' | 'unsubscribe') =>
  new RegExp(`(http://localhost:\\d+/${path}\\?token=[A-Za-z0-9_.-]+)`).exec(text ?? '')?.[1];

async function drip(at?: Date): Promise<DripSummary> {
  const res = await fetch(`${stack.url}/__local/drip`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: at === undefined ? '' : JSON.stringify({ at: at.toISOString() }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as DripSummary;
}

async function subscribe(body: Record<string, string>): Promise<Response> {
  return fetch(`${stack.url}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('two courses in one local stack', () => {
  it('GET / lists both courses; each has its own page whose form names its course', async () => {
    const home = await (await fetch(`${stack.url}/`)).text();
    expect(home).toContain('<a href="courses/botox-permanent-numbness">Botox and Permanent Numbness</a>');
    expect(home).toContain('<a href="courses/walking-for-health">Walking for Health</a>');
    expect(home).not.toContain('<form');
    const page = await fetch(`${stack.url}/courses/${WALKING}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Walking for Health</h1>');
    expect(html).toContain('action="../subscribe"');
    expect(html).toContain(`<input id="course" name="course" type="hidden" value="${WALKING}">`);
    expect((await fetch(`${stack.url}/courses/no-such-course`)).status).toBe(404);
  });

  it('a signup without a course, or with an unknown one, is refused naming the field, and nothing is sent', async () => {
    const before = (await emulatorEmails(stack.inboxUrl)).length;
    const none = await subscribe({ email: 'nobody@example.com' });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ error: { code: 'course_required', field: 'course' } });
    const unknown = await subscribe({ email: 'nobody@example.com', course: 'cooking' });
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_course', field: 'course' } });
    expect(await emulatorEmails(stack.inboxUrl)).toHaveLength(before);
  });

  it('one address on both: two confirmations, lesson 1 of each, leaves one and keeps receiving the other', async () => {
    const email = 'both@example.com';
    for (const course of [BOTOX, WALKING]) expect((await subscribe({ email, name: 'Bo', course })).status).toBe(200);
    // The confirmations go out from the signup outbox, right after the answers.
    await stack.signupsSettled();
    const confirmations = await inboxOf(email);
    expect(confirmations.map((m) => m.subject).sort()).toEqual([
      'Please confirm your subscription to Botox and Permanent Numbness',
      'Please confirm your subscription to Walking for Health',
    ]);
    const confirmLinks = confirmations.map((m) => link(m.body.text, 'confirm'));
    expect(new Set(confirmLinks).size).toBe(2);
    for (const url of confirmLinks) {
      // The link opens a page naming its course; its button (a POST) confirms.
      expect(await (await fetch(url!)).text()).toMatch(/Botox and Permanent Numbness|Walking for Health/);
      const res = await fetch(url!, { method: 'POST' });
      expect(res.status).toBe(200);
    }

    expect(await drip()).toMatchObject({ sent: 2 });
    const lessons = (await inboxOf(email)).filter((m) => m.subject.startsWith('Lesson 1 of'));
    expect(lessons.map((m) => m.subject).sort()).toEqual([
      'Lesson 1 of 4: Walking for Health, an introduction',
      'Lesson 1 of 8: Botox and permanent numbness, an introduction',
    ]);
    // Each its own List-Id and its own unsubscribe link.
    const listIds = sent
      .filter((m) => m.to === email)
      .slice(-2)
      .map((m) => /^List-Id: (.*)$/m.exec(Buffer.from(m.raw).toString('utf8'))?.[1] ?? '');
    expect(listIds.sort()).toEqual([expect.stringContaining(`<${BOTOX}.`), expect.stringContaining(`<${WALKING}.`)]);
    const botoxLesson = lessons.find((m) => m.subject.startsWith('Lesson 1 of 8'))!;
    const walkingLesson = lessons.find((m) => m.subject.startsWith('Lesson 1 of 4'))!;
    const leave = link(botoxLesson.body.text, 'unsubscribe');
    expect(leave).toBeDefined();
    expect(leave).not.toBe(link(walkingLesson.body.text, 'unsubscribe'));

    // The unsubscribe page names the course it is about; the one-click POST leaves that course only.
    expect(await (await fetch(leave!)).text()).toContain('Botox and Permanent Numbness');
    const left = await fetch(leave!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(left.status).toBe(200);

    const weekOn = new Date(Date.now() + 8 * 86_400_000);
    expect(await drip(weekOn)).toMatchObject({ sent: 1 });
    const after = await inboxOf(email);
    expect(after.at(-1)?.subject).toBe('Lesson 2 of 4: Why Walk?');
    expect(after.filter((m) => m.subject.startsWith('Lesson 2 of 8'))).toEqual([]);
  });
});
