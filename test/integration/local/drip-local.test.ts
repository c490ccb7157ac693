// The drip as wired into the local stack (`npm start`): a person signs up and confirms over HTTP,
// `POST /__local/drip` sends lesson 1 now and lesson 2 when the clock reads a week on, and the
// lesson's one-click List-Unsubscribe link stops the rest.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DripSummary } from '../../../functions/core/ports.js';
import { emulatorEmails } from '../../../functions/local/services.js';
import { parseLocalSettings } from '../../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../../functions/local/stack.js';
import { localStackEnv } from '../../support/stack.js';

let dataDir: string;
let stack: LocalStack;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'course-drip-local-'));
  stack = await startLocalStack({
    settings: { ...parseLocalSettings({ DATA_DIR: dataDir, DRIP_EVERY: '0', ...localStackEnv() }), port: 0, sesPort: 0, dynamodbPort: 0 },
    log: () => undefined,
  });
});
afterAll(async () => {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const inboxOf = async (email: string) =>
  (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(email)));

async function drip(at?: Date): Promise<DripSummary> {
  const res = await fetch(`${stack.url}/__local/drip`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: at === undefined ? '' : JSON.stringify({ at: at.toISOString() }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as DripSummary;
}

describe('the drip in the local stack', () => {
  it('confirm → lesson 1 at the next tick → lesson 2 a week on → one-click unsubscribe → nothing more', async () => {
    const email = 'learner@example.com';
    const res = await fetch(`${stack.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Learner', timezone: 'America/St_Johns' }),
    });
    expect(res.status).toBe(200);
    await stack.signupsSettled();
    const confirmation = (await inboxOf(email)).at(-1);
    const confirmUrl = /(http:\/\/localhost:\d+\/confirm\?token=[A-Za-z0-9_-]+)/.exec(confirmation?.body.text ?? '')?.[1];
    expect(confirmUrl).toBeDefined();
    // Opening the link shows the page; its button (a POST) confirms.
    expect((await fetch(confirmUrl!)).status).toBe(200);
    expect((await fetch(confirmUrl!, { method: 'POST' })).status).toBe(200);

    expect(await drip()).toMatchObject({ sent: 1 });
    const lesson1 = (await inboxOf(email)).at(-1);
    expect(lesson1?.subject).toMatch(/^Lesson 1 of 8/);
    // Nothing more until a week on.
    expect(await drip()).toMatchObject({ due: 0, sent: 0 });

    expect(await drip(new Date(Date.now() + 8 * 86_400_000))).toMatchObject({ sent: 1 });
    const afterTwo = await inboxOf(email);
    expect(afterTwo.at(-1)?.subject).toMatch(/^Lesson 2 of 8/);

    // One-click unsubscribe (RFC 8058 POST) on the link the lesson carries.
    const lessonText = afterTwo.at(-1)?.body.text ?? '';
    const unsubscribeUrl = /(http:\/\/localhost:\d+\/unsubscribe\?token=[A-Za-z0-9_-]+)/.exec(lessonText)?.[1];
    expect(unsubscribeUrl).toBeDefined();
    const one = await fetch(unsubscribeUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(one.status).toBe(200);

    expect(await drip(new Date(Date.now() + 16 * 86_400_000))).toMatchObject({ due: 0, sent: 0 });
    expect((await inboxOf(email)).filter((m) => m.subject.startsWith('Lesson'))).toHaveLength(2);
  });
});
