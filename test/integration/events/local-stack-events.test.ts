// The local stack (`npm start`) keeps its subscription events where a test or a person can read them:
// one log line each, and one JSON line each in DATA_DIR/events.jsonl, in order, without the address.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionEvent } from '../../../functions/core/events.js';
import type { LogEntry } from '../../../functions/core/ports.js';
import { emulatorEmails } from '../../../functions/local/services.js';
import { parseLocalSettings } from '../../../functions/local/settings.js';
import { startLocalStack, type LocalStack } from '../../../functions/local/stack.js';
import { localStackEnv } from '../../support/stack.js';

let dataDir: string;
let stack: LocalStack;
const logs: LogEntry[] = [];
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'course-local-events-'));
  stack = await startLocalStack({
    settings: { ...parseLocalSettings({ DATA_DIR: dataDir, DRIP_EVERY: '0', ...localStackEnv() }), port: 0, sesPort: 0, dynamodbPort: 0 },
    log: (e) => logs.push(e),
  });
});
afterAll(async () => {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const fileEvents = async () =>
  (await readFile(join(dataDir, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SubscriptionEvent);

describe('events in the local stack', () => {
  it('signup, confirm, lesson 1 and unsubscribe: four events in DATA_DIR/events.jsonl and four log lines, no address', async () => {
    const email = 'events-local@example.com';
    await fetch(`${stack.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, timezone: 'Europe/Berlin' }),
    });
    await stack.signupsSettled();
    const mail = (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(email))).at(-1);
    const confirmUrl = /(http:\/\/localhost:\d+\/confirm\?token=[A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
    expect((await fetch(confirmUrl!, { method: 'POST' })).status).toBe(200);
    await stack.runDripNow!();
    const lesson = (await emulatorEmails(stack.inboxUrl)).filter((e) => e.destination.to.some((t) => t.includes(email))).at(-1);
    const unsubscribeUrl = /(http:\/\/localhost:\d+\/unsubscribe\?token=[A-Za-z0-9_-]+)/.exec(lesson?.body.text ?? '')?.[1];
    expect((await fetch(unsubscribeUrl!, { method: 'POST' })).status).toBe(200);

    await stack.stop();
    const events = await fileEvents();
    expect(events.map((e) => e.type)).toEqual(['signed_up', 'confirmed', 'lesson_sent', 'unsubscribed']);
    expect(new Set(events.map((e) => e.subscriberId)).size).toBe(1);
    expect(events[2]!.detail).toEqual({ lesson: 1, round: 1 });
    expect(JSON.stringify(events)).not.toContain(email);
    expect(logs.filter((l) => l.msg === 'event').map((l) => l.type)).toEqual(['signed_up', 'confirmed', 'lesson_sent', 'unsubscribed']);
  });
});
