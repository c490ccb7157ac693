// The drip under faults, against DynamoDB Local and the SES emulator: SES throttling, a process that dies at
// each step of claim → send → record → advance, an unsubscribe racing the run, a permanent rejection,
// failed reads, the deadline and the daily quota. Wrappers around the real adapters inject the faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrip, type DripStore } from '../../../functions/core/drip/index.js';
import { SendError, type Mailer } from '../../../functions/core/ports.js';
import { DependencyError } from '../../../functions/core/errors.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { createDynamoDripStore, requeueHeldSubscriber } from '../../../functions/adapters/dynamo-drip-store.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import {
  SettableClock,
  dripDeps,
  lessonsReceived,
  readSubscriberItem,
  seedActive,
  sendRecords,
  unsubscribe,
} from '../../support/drip-fixtures.js';
import { compileShippedCourse } from '../../support/course.js';

let stack: TestStack;
let compiled: CompiledCourse;
const SHARDS = 2;
const MINUTE = 60_000;

beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

/** Stands for the process dying (Lambda killed, out of memory): runDrip stops where it is. */
class Crash extends Error {}

const NOW = new Date('2026-03-02T12:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

async function setup(count = 1) {
  const table = await stack.newTable();
  const people = await Promise.all(
    Array.from({ length: count }, () =>
      seedActive(stack, table, { course: compiled.course.slug, timezone: 'Europe/Paris', dueAt: later(-MINUTE), shards: SHARDS }),
    ),
  );
  const store = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
  const ses = createSesMailer({ client: stack.ses });
  const clock = new SettableClock(NOW);
  return { table, people, store, ses, clock };
}

/** A run at calendar time `at`, its deadline 5 minutes later. */
function tick(deps: Parameters<typeof runDrip>[0], clock: SettableClock, at: Date) {
  clock.set(at);
  return runDrip(deps, { now: at, deadline: new Date(at.getTime() + 5 * MINUTE) });
}

describe('drip faults', () => {
  it('SES throttling for a while: every lesson still goes out later, none twice', async () => {
    const { table, people, ses, clock } = await setup(6);
    // The emulator never throttles, so this wrapper answers the way AWS does when over the rate.
    let throttlesLeft = 7;
    const throttling: Mailer = {
      sendRaw(m) {
        if (throttlesLeft > 0) {
          throttlesLeft--;
          return Promise.reject(new SendError('throttled', 'SES SendRawEmail failed (Throttling, throttled)'));
        }
        return ses.sendRaw(m);
      },
    };
    const deps = dripDeps(stack, table, compiled, {
      clock,
      shards: SHARDS,
      mailer: throttling,
      settings: { retries: 2, sendConcurrency: 2 },
    });

    const first = await tick(deps, clock, NOW);
    // Retries ran out for at least one: its claim went back and the run started nothing new.
    expect(first.stoppedEarly).toBe(true);
    expect(first.sent).toBeLessThan(6);
    expect(first.sent + first.skipped + first.failed).toBe(6);
    expect(deps.logs.some((l) => l.msg === 'drip.send_deferred' && l.kind === 'throttled')).toBe(true);

    let sent = first.sent;
    for (let i = 1; i <= 5 && sent < 6; i++) sent += (await tick(deps, clock, later(i * MINUTE))).sent;
    expect(sent).toBe(6);
    for (const p of people) expect(await lessonsReceived(stack, p.email)).toEqual([1]);
    for (const p of people) expect((await readSubscriberItem(stack, table, p.id))?.nextLesson).toBe(1);
  });

  it('dies after claiming, before sending: the next run after the claim expires sends the lesson, once', async () => {
    const { table, people, ses, clock } = await setup();
    const [p] = people;
    let crash = true;
    const mailer: Mailer = {
      sendRaw(m) {
        if (crash) {
          crash = false;
          return Promise.reject(new Crash('process died before the SES call'));
        }
        return ses.sendRaw(m);
      },
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer });

    await expect(tick(deps, clock, NOW)).rejects.toThrow(Crash);
    expect(await lessonsReceived(stack, p!.email)).toEqual([]);
    expect((await readSubscriberItem(stack, table, p!.id))?.claimId).toBeDefined();

    // The dead run's claim is still live a minute later: nobody else may take it yet.
    expect(await tick(deps, clock, later(MINUTE))).toMatchObject({ due: 1, claimed: 0, sent: 0, skipped: 1 });
    // Five minutes on it has expired: the next run takes the work over.
    expect(await tick(deps, clock, later(6 * MINUTE))).toMatchObject({ due: 1, claimed: 1, sent: 1 });
    expect(await lessonsReceived(stack, p!.email)).toEqual([1]);
    expect(await sendRecords(stack, table, p!.id)).toMatchObject([{ lesson: 0, status: 'sent' }]);
  });

  it('dies after SES accepted the email, before recording it: the next run sends it again (the documented at-most-one duplicate) and logs it', async () => {
    const { table, people, ses, clock } = await setup();
    const [p] = people;
    let crash = true;
    const mailer: Mailer = {
      async sendRaw(m) {
        const out = await ses.sendRaw(m);
        if (crash) {
          crash = false;
          throw new Crash('process died after the SES call');
        }
        return out;
      },
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer });

    await expect(tick(deps, clock, NOW)).rejects.toThrow(Crash);
    expect(await lessonsReceived(stack, p!.email)).toEqual([1]);
    expect(await sendRecords(stack, table, p!.id)).toEqual([]);

    expect(await tick(deps, clock, later(6 * MINUTE))).toMatchObject({ claimed: 1, sent: 1 });
    expect(await lessonsReceived(stack, p!.email)).toEqual([1, 1]);
    expect(deps.logs).toContainEqual(expect.objectContaining({ msg: 'drip.possible_duplicate', subscriber: p!.id, lesson: 1 }));
    // One record, and the course moves on: nothing more until lesson 2 is due.
    expect(await sendRecords(stack, table, p!.id)).toHaveLength(1);
    expect(await tick(deps, clock, later(2 * 24 * 60 * MINUTE))).toMatchObject({ due: 0, sent: 0 });
    expect(await lessonsReceived(stack, p!.email)).toEqual([1, 1]);
  });

  it('dies after recording, before advancing: the next run advances without sending again', async () => {
    const { table, people, store, clock } = await setup();
    const [p] = people;
    let crash = true;
    const crashing: DripStore = {
      ...store,
      advance(items) {
        if (crash) {
          crash = false;
          return Promise.reject(new Crash('process died before advancing'));
        }
        return store.advance(items);
      },
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, store: crashing });

    await expect(tick(deps, clock, NOW)).rejects.toThrow(Crash);
    expect(await sendRecords(stack, table, p!.id)).toHaveLength(1);

    expect(await tick(deps, clock, later(6 * MINUTE))).toMatchObject({ claimed: 1, sent: 0, skipped: 1 });
    expect(await lessonsReceived(stack, p!.email)).toEqual([1]);
    expect(await readSubscriberItem(stack, table, p!.id)).toMatchObject({ nextLesson: 1, status: 'active' });
  });

  it('unsubscribing between the due query and the claim: no email', async () => {
    const { table, people, store, clock } = await setup();
    const [p] = people;
    const racing: DripStore = {
      ...store,
      async claim(entries, c) {
        // The person clicks unsubscribe after the run read the due index.
        for (const entry of entries) await unsubscribe(stack, table, entry.id, NOW, SHARDS);
        return store.claim(entries, c);
      },
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, store: racing });

    expect(await tick(deps, clock, NOW)).toMatchObject({ due: 1, claimed: 0, sent: 0, skipped: 1 });
    expect(await lessonsReceived(stack, p!.email)).toEqual([]);
    expect(await sendRecords(stack, table, p!.id)).toEqual([]);
    expect(await readSubscriberItem(stack, table, p!.id)).toMatchObject({ status: 'unsubscribed' });
  });

  it('unsubscribing while the run backs off from SES throttling: the retry sends nothing', async () => {
    const { table, people, ses, clock } = await setup();
    const [p] = people;
    let calls = 0;
    // The emulator never throttles, so this wrapper answers the way AWS does when over the rate.
    const throttling: Mailer = {
      async sendRaw(m) {
        calls++;
        if (calls === 1) {
          // The person clicks unsubscribe while the run waits out the backoff.
          await unsubscribe(stack, table, p!.id, NOW, SHARDS);
          throw new SendError('throttled', 'SES SendRawEmail failed (Throttling, throttled)');
        }
        return ses.sendRaw(m);
      },
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer: throttling, settings: { retries: 3 } });

    expect(await tick(deps, clock, NOW)).toMatchObject({ due: 1, claimed: 1, sent: 0, skipped: 1, failed: 0 });
    expect(calls).toBe(1);
    expect(await lessonsReceived(stack, p!.email)).toEqual([]);
    expect(await sendRecords(stack, table, p!.id)).toEqual([]);
    const item = await readSubscriberItem(stack, table, p!.id);
    expect(item).toMatchObject({ status: 'unsubscribed', nextLesson: 0 });
    expect(item?.claimId).toBeUndefined();
  });

  it('a permanent rejection records the failure, holds that subscriber out of the due index and lets the run go on', async () => {
    const { table, people, ses, clock } = await setup(3);
    const refused = people[1]!;
    const mailer: Mailer = {
      sendRaw(m) {
        if (m.to === refused.email)
          return Promise.reject(new SendError('permanent', 'SES SendRawEmail failed (MessageRejected, permanent)'));
        return ses.sendRaw(m);
      },
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer });

    expect(await tick(deps, clock, NOW)).toMatchObject({ due: 3, sent: 2, failed: 1 });
    expect(await lessonsReceived(stack, refused.email)).toEqual([]);
    expect(await sendRecords(stack, table, refused.id)).toMatchObject([{ lesson: 0, status: 'failed' }]);
    const item = await readSubscriberItem(stack, table, refused.id);
    expect(item).toMatchObject({ status: 'active', nextLesson: 0 });
    expect(item?.heldReason).toContain('MessageRejected');
    expect(item?.dueAt).toBeUndefined();
    // Not retried on every run: held until an operator requeues.
    expect(await tick(deps, clock, later(10 * MINUTE))).toMatchObject({ due: 0 });
    for (const p of [people[0]!, people[2]!]) expect(await lessonsReceived(stack, p.email)).toEqual([1]);

    // The operator fixes the cause and requeues: the held lesson (not the next one) goes out.
    expect(await requeueHeldSubscriber({ doc: stack.doc, tableName: table, dueShards: SHARDS }, refused.id, later(20 * MINUTE))).toBe(true);
    const fixed = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer: ses });
    expect(await tick(fixed, clock, later(20 * MINUTE))).toMatchObject({ due: 1, sent: 1 });
    expect(await lessonsReceived(stack, refused.email)).toEqual([1]);
    expect(await sendRecords(stack, table, refused.id)).toMatchObject([{ lesson: 0, status: 'sent' }]);
    expect(await requeueHeldSubscriber({ doc: stack.doc, tableName: table, dueShards: SHARDS }, refused.id, later(30 * MINUTE))).toBe(
      false,
    );
  });

  it('a failed due query sends nothing and the run fails', async () => {
    const { table, people, store, clock } = await setup(2);
    const failing: DripStore = {
      ...store,
      findDue: () => Promise.reject(new DependencyError('DynamoDB due query (DUE#1) failed', new Error('boom'))),
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, store: failing });
    await expect(tick(deps, clock, NOW)).rejects.toThrow(DependencyError);
    for (const p of people) expect(await lessonsReceived(stack, p.email)).toEqual([]);
    expect(deps.logs).toContainEqual(expect.objectContaining({ msg: 'drip.summary', sent: 0 }));
  });

  it('a send record or suppression item that cannot be read is not sent (fail closed)', async () => {
    const { table, people, store, clock } = await setup();
    const failing: DripStore = {
      ...store,
      checkBeforeSend: () => Promise.reject(new DependencyError('DynamoDB send check failed', new Error('boom'))),
    };
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, store: failing });
    await expect(tick(deps, clock, NOW)).rejects.toThrow(DependencyError);
    expect(await lessonsReceived(stack, people[0]!.email)).toEqual([]);
  });

  it('starts no send it could not finish before the deadline, and leaves the work for the next run', async () => {
    const { table, people, clock } = await setup(3);
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, settings: { sendReserveMs: 20_000 } });
    clock.set(NOW);
    const summary = await runDrip(deps, { now: NOW, deadline: later(10_000) });
    expect(summary).toMatchObject({ due: 3, claimed: 0, sent: 0, skipped: 3, stoppedEarly: true });
    expect(await tick(deps, clock, later(MINUTE))).toMatchObject({ sent: 3 });
    for (const p of people) expect(await lessonsReceived(stack, p.email)).toEqual([1]);
  });

  it('keeps under the SES 24-hour quota left', async () => {
    const { table, clock } = await setup(3);
    const deps = {
      ...dripDeps(stack, table, compiled, { clock, shards: SHARDS }),
      sendQuota: () => Promise.resolve({ maxSendRate: 14, remaining24h: 2 }),
    };
    expect(await tick(deps, clock, NOW)).toMatchObject({ due: 3, sent: 2, skipped: 1, stoppedEarly: true });
  });
});
