// One drip run against DynamoDB Local and the SES emulator: who gets what, what is recorded, how the
// subscriber moves on, and the one summary line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { runDrip } from '../../../functions/core/drip/index.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { createTokens } from '../../../functions/core/tokens.js';
import type { Mailer } from '../../../functions/core/ports.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import {
  SettableClock,
  TEST_TOKEN_KEY,
  dripDeps,
  lessonsReceived,
  readSubscriberItem,
  seedActive,
  sendRecords,
} from '../../support/drip-fixtures.js';
import { compileShippedCourse } from '../../support/course.js';

let stack: TestStack;
let compiled: CompiledCourse;
const SHARDS = 4;

beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

const at = (iso: string) => new Date(iso);
const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);

describe('a drip run', () => {
  it('sends lesson 1 to everyone due, nothing to those not yet due, and schedules lesson 2 at 09:00 local a week on', async () => {
    const table = await stack.newTable();
    const now = at('2026-03-02T12:00:00.000Z');
    const due = await seedActive(stack, table, {
      course: compiled.course.slug,
      timezone: 'Europe/Paris',
      dueAt: minutes(now, -30),
      name: 'Ada',
      shards: SHARDS,
    });
    const later = await seedActive(stack, table, { course: compiled.course.slug, timezone: 'UTC', dueAt: minutes(now, 1), shards: SHARDS });
    const clock = new SettableClock(now);
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS });

    const summary = await runDrip(deps, { now, deadline: minutes(now, 5) });

    expect(summary).toMatchObject({ due: 1, claimed: 1, sent: 1, skipped: 0, failed: 0, stoppedEarly: false });
    expect(await lessonsReceived(stack, due.email)).toEqual([1]);
    expect(await lessonsReceived(stack, later.email)).toEqual([]);
    const records = await sendRecords(stack, table, due.id);
    expect(records).toMatchObject([{ lesson: 0, status: 'sent' }]);
    const item = await readSubscriberItem(stack, table, due.id);
    // Confirmed 11:30 UTC on 2 March → a week later is 9 March 12:30 Paris → next 09:00 Paris is 10 March 08:00 UTC.
    expect(item).toMatchObject({
      status: 'active',
      nextLesson: 1,
      nextSendAt: '2026-03-10T08:00:00.000Z',
      dueAt: `2026-03-10T08:00:00.000Z#${due.id}`,
    });
    expect(item?.claimId).toBeUndefined();
    const line = deps.logs.find((l) => l.msg === 'drip.summary');
    expect(line).toMatchObject({ msg: 'drip.summary', due: 1, claimed: 1, sent: 1, skipped: 0, failed: 0 });
    expect(line).toHaveProperty('durationMs');
    expect(line).toHaveProperty('emailsPerSecond');
  });

  it('composes a lesson with the one-click unsubscribe headers, a working signed link, the list id and SES tags', async () => {
    const table = await stack.newTable();
    const now = at('2026-03-02T12:00:00.000Z');
    const s = await seedActive(stack, table, {
      course: compiled.course.slug,
      timezone: 'UTC',
      dueAt: now,
      name: '<b>Bob</b>',
      shards: SHARDS,
    });
    const sent: { raw: Uint8Array; to: string; tags?: Record<string, string> }[] = [];
    const ses = createSesMailer({ client: stack.ses });
    const recording: Mailer = {
      sendRaw: (m) => {
        sent.push(m);
        return ses.sendRaw(m);
      },
    };
    const deps = dripDeps(stack, table, compiled, { clock: new SettableClock(now), shards: SHARDS, mailer: recording });
    await runDrip(deps, { now, deadline: minutes(now, 5) });

    expect(sent).toHaveLength(1);
    expect(sent[0]!.tags).toEqual({ course: compiled.course.slug, lesson: '1', subscriber: s.id });
    const mail = await simpleParser(Buffer.from(sent[0]!.raw));
    const header = (name: string) => mail.headerLines.find((h) => h.key === name)?.line ?? '';
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const token = /token=([A-Za-z0-9_-]+)/.exec(header('list-unsubscribe'))?.[1];
    expect(createTokens(TEST_TOKEN_KEY).verify(token, 'unsubscribe', now).subscriberId).toBe(s.id);
    expect(header('list-id')).toContain(`${compiled.course.slug}.`);
    expect(mail.html).toContain('&lt;b&gt;Bob&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Bob</b>');
    expect(mail.text).toContain('unsubscribe?token=');
  });

  it('reads every page of every shard', async () => {
    const table = await stack.newTable();
    const now = at('2026-03-02T12:00:00.000Z');
    const people = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        seedActive(stack, table, { course: compiled.course.slug, timezone: 'UTC', dueAt: minutes(now, -i), shards: SHARDS }),
      ),
    );
    const deps = dripDeps(stack, table, compiled, { clock: new SettableClock(now), shards: SHARDS, pageSize: 1 });
    const summary = await runDrip(deps, { now, deadline: minutes(now, 5) });
    expect(summary).toMatchObject({ due: 9, sent: 9 });
    for (const p of people) expect(await lessonsReceived(stack, p.email)).toEqual([1]);
  });

  it('after the last lesson the subscriber is completed and leaves the due index', async () => {
    const table = await stack.newTable();
    const now = at('2026-03-02T09:00:00.000Z');
    const s = await seedActive(stack, table, { course: compiled.course.slug, timezone: 'UTC', dueAt: now, nextLesson: 7, shards: SHARDS });
    const deps = dripDeps(stack, table, compiled, { clock: new SettableClock(now), shards: SHARDS });
    expect(await runDrip(deps, { now, deadline: minutes(now, 5) })).toMatchObject({ sent: 1 });
    expect(await lessonsReceived(stack, s.email)).toEqual([8]);
    const item = await readSubscriberItem(stack, table, s.id);
    expect(item).toMatchObject({ status: 'completed', nextLesson: 8 });
    expect(item?.dueAt).toBeUndefined();
    expect(item?.dueShard).toBeUndefined();
    expect(await runDrip(deps, { now: minutes(now, 60 * 24 * 30), deadline: minutes(now, 60 * 24 * 30 + 5) })).toMatchObject({
      due: 0,
      sent: 0,
    });
  });

  it('three runs at once send each due lesson once', async () => {
    const table = await stack.newTable();
    const now = at('2026-03-02T12:00:00.000Z');
    const people = await Promise.all(
      Array.from({ length: 12 }, () =>
        seedActive(stack, table, { course: compiled.course.slug, timezone: 'Asia/Kathmandu', dueAt: minutes(now, -5), shards: SHARDS }),
      ),
    );
    const deps = dripDeps(stack, table, compiled, { clock: new SettableClock(now), shards: SHARDS });
    const summaries = await Promise.all([0, 1, 2].map(() => runDrip(deps, { now, deadline: minutes(now, 5) })));
    expect(summaries.reduce((n, s) => n + s.sent, 0)).toBe(12);
    expect(summaries.reduce((n, s) => n + s.claimed, 0)).toBe(12);
    for (const p of people) expect(await lessonsReceived(stack, p.email)).toEqual([1]);
  });
});
