// The local publisher: one log line per event and the event as a JSON line in <DATA_DIR>/events.jsonl,
// in publish order; a file it cannot write is logged, never thrown.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localEventPublisher, localEventsPath } from '../../../functions/adapters/local-events.js';
import type { SubscriptionEvent } from '../../../functions/core/events.js';
import type { LogEntry } from '../../../functions/core/ports.js';
import { localEvents } from '../../../functions/wiring/local.js';

const confirmed: SubscriptionEvent = { type: 'confirmed', course: 'sleep', subscriberId: 's1', at: '2026-03-02T08:00:00.000Z' };
const sent: SubscriptionEvent = { ...confirmed, type: 'lesson_sent', detail: { lesson: 1, round: 1 } };
const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SubscriptionEvent);

describe('localEventPublisher', () => {
  it('appends each event as one JSON line to DATA_DIR/events.jsonl (the folder made if missing), in order', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'events-')), 'data');
    const p = localEventPublisher({ file: localEventsPath(dir), log: () => undefined });
    await p.publish([confirmed]);
    await p.publish([sent]);
    await p.settled();
    expect(p.file).toBe(join(dir, 'events.jsonl'));
    expect(readLines(p.file)).toEqual([confirmed, sent]);
  });

  it('logs one line per event: its type, course, subscriber and detail', async () => {
    const logs: LogEntry[] = [];
    const p = localEventPublisher({ file: join(mkdtempSync(join(tmpdir(), 'events-')), 'events.jsonl'), log: (e) => logs.push(e) });
    await p.publish([confirmed, sent]);
    expect(logs).toEqual([
      { msg: 'event', type: 'confirmed', course: 'sleep', subscriber: 's1' },
      { msg: 'event', type: 'lesson_sent', course: 'sleep', subscriber: 's1', lesson: 1, round: 1 },
    ]);
  });

  it('never throws when the file cannot be written: it says so in the log', async () => {
    const base = mkdtempSync(join(tmpdir(), 'events-'));
    writeFileSync(join(base, 'not-a-folder'), 'x');
    const logs: LogEntry[] = [];
    const p = localEventPublisher({ file: join(base, 'not-a-folder', 'events.jsonl'), log: (e) => logs.push(e) });
    await expect(p.publish([confirmed])).resolves.toBeUndefined();
    expect(logs.find((l) => l.msg === 'events.not_written')).toMatchObject({ level: 'error', count: 1 });
  });
});

describe('localEvents (the local stack’s wiring)', () => {
  it('leaves the address out unless EVENTS_INCLUDE_EMAIL, in the file and in the log', async () => {
    const withAddress = { ...confirmed, email: 'ann@example.com' };
    for (const includeEmail of [false, true]) {
      const logs: LogEntry[] = [];
      const events = localEvents({ dataDir: mkdtempSync(join(tmpdir(), 'events-')), includeEmail, log: (e) => logs.push(e) });
      await events.publish([withAddress]);
      await events.settled();
      const [line] = readLines(events.file);
      expect(line!.email).toBe(includeEmail ? 'ann@example.com' : undefined);
      expect(JSON.stringify(logs).includes('ann@example.com')).toBe(includeEmail);
    }
  });
});
