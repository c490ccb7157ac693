// The batched drip against DynamoDB Local and the SES emulator: overlapping runs claiming and advancing
// whole pages send nothing twice; a page where some subscribers lose their condition skips only those;
// and a crash sends again at most the emails that were in flight or not yet in the send log (one page).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrip, type DripStore } from '../../../functions/core/drip/index.js';
import type { Mailer } from '../../../functions/core/ports.js';
import { createDynamoDripStore } from '../../../functions/adapters/dynamo-drip-store.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { SettableClock, dripDeps, readSubscriberItem, seedActive, sendRecords, unsubscribe } from '../../support/drip-fixtures.js';
import { compileShippedCourse } from '../../support/course.js';

let stack: TestStack;
let compiled: CompiledCourse;
const SHARDS = 4;
const MINUTE = 60_000;
const NOW = new Date('2026-03-02T12:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

/** Stands for the process dying (Lambda killed, out of memory): runDrip stops where it is. */
class Crash extends Error {}

async function seed(table: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      seedActive(stack, table, { course: compiled.course.slug, timezone: 'Europe/Paris', dueAt: later(-MINUTE - i), shards: SHARDS }),
    ),
  );
}

/** Emails the emulator holds per recipient, among `emails`. */
async function receivedBy(emails: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await stack.emails()) {
    for (const email of emails) if (m.destination.to.some((to) => to.includes(email))) counts.set(email, (counts.get(email) ?? 0) + 1);
  }
  return counts;
}

describe('batched drip', () => {
  it(
    'four runs at once, each claiming and advancing pages of 7 of 40 due,, send every due lesson exactly once',
    { timeout: 120_000 },
    async () => {
      const table = await stack.newTable();
      const people = await seed(table, 40);
      const clock = new SettableClock(NOW);
      const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, settings: { pageSize: 7, sendConcurrency: 3 } });
      const summaries = await Promise.all([0, 1, 2, 3].map(() => runDrip(deps, { now: NOW, deadline: later(5 * MINUTE) })));
      expect(summaries.reduce((n, s) => n + s.sent, 0)).toBe(40);
      expect(summaries.reduce((n, s) => n + s.claimed, 0)).toBe(40);
      for (const s of summaries) expect(s.sent + s.skipped + s.failed).toBe(40);
      // The runs did overlap: more than one of them sent something.
      expect(summaries.filter((s) => s.sent > 0).length).toBeGreaterThan(1);
      const received = await receivedBy(people.map((p) => p.email));
      for (const p of people) expect(received.get(p.email), p.email).toBe(1);
      for (const p of people) expect(await readSubscriberItem(stack, table, p.id)).toMatchObject({ nextLesson: 1, status: 'active' });
      // A second round finds nobody due: every advance landed.
      expect(await runDrip(deps, { now: later(MINUTE), deadline: later(6 * MINUTE) })).toMatchObject({ due: 0, sent: 0 });
    },
  );

  it('a page where some lose their condition between the due query and the claim skips only those', async () => {
    const table = await stack.newTable();
    const people = await seed(table, 10);
    const store = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
    const rival = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
    const leaving = new Set([people[1]!.id, people[4]!.id, people[8]!.id]);
    const taken = new Set([people[2]!.id, people[6]!.id]);
    const racing: DripStore = {
      ...store,
      async claim(entries, c) {
        // After the due query: three unsubscribe, and another run claims two.
        for (const id of leaving) await unsubscribe(stack, table, id, NOW, SHARDS);
        await rival.claim(
          entries.filter((e) => taken.has(e.id)),
          { claimId: 'rival', now: c.now, until: new Date(c.now.getTime() + 5 * MINUTE) },
        );
        return store.claim(entries, c);
      },
    };
    const deps = dripDeps(stack, table, compiled, {
      clock: new SettableClock(NOW),
      shards: SHARDS,
      store: racing,
      settings: { pageSize: 10 },
    });
    expect(await runDrip(deps, { now: NOW, deadline: later(5 * MINUTE) })).toMatchObject({
      due: 10,
      claimed: 5,
      sent: 5,
      skipped: 5,
      failed: 0,
    });
    const received = await receivedBy(people.map((p) => p.email));
    for (const p of people) expect(received.get(p.email) ?? 0, p.id).toBe(leaving.has(p.id) || taken.has(p.id) ? 0 : 1);
    for (const id of taken) expect((await readSubscriberItem(stack, table, id))?.claimId).toBe('rival');
    for (const id of leaving) expect(await readSubscriberItem(stack, table, id)).toMatchObject({ status: 'unsubscribed', nextLesson: 0 });
  });

  it(
    'a crash before the send log is written sends again at most one page of emails (pageSize), each once, and says so',
    { timeout: 120_000 },
    async () => {
      const table = await stack.newTable();
      const people = await seed(table, 40);
      const PAGE = 8;
      const store = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
      // The process dies the moment it is about to write the send log the third time.
      let writes = 0;
      const crashing: DripStore = {
        ...store,
        logSends(records) {
          if (++writes === 3) return Promise.reject(new Crash('process died before writing the send log'));
          return store.logSends(records);
        },
      };
      const ses = createSesMailer({ client: stack.ses });
      let accepted = 0;
      const counting: Mailer = {
        async sendRaw(m) {
          const out = await ses.sendRaw(m);
          accepted++;
          return out;
        },
      };
      const clock = new SettableClock(NOW);
      const first = dripDeps(stack, table, compiled, {
        clock,
        shards: SHARDS,
        store: crashing,
        mailer: counting,
        settings: { pageSize: PAGE, sendConcurrency: 4 },
      });
      await expect(runDrip(first, { now: NOW, deadline: later(5 * MINUTE) })).rejects.toThrow(Crash);
      const summary = first.logs.find((l) => l.msg === 'drip.summary')!;
      expect(summary).toMatchObject({ pageSize: PAGE });
      expect(summary.maxUnrecorded as number).toBeLessThanOrEqual(PAGE);

      const logged = new Set<string>();
      for (const p of people) if ((await sendRecords(stack, table, p.id)).length > 0) logged.add(p.id);
      const atRisk = accepted - logged.size;
      // Some were accepted and not logged (that is the crash), never more than a page.
      expect(atRisk).toBeGreaterThan(0);
      expect(atRisk).toBeLessThanOrEqual(PAGE);

      // Claims expire; the next runs finish the list. Only the unlogged ones go twice, each once.
      clock.set(later(6 * MINUTE));
      const next = dripDeps(stack, table, compiled, { clock, shards: SHARDS, settings: { pageSize: PAGE } });
      await runDrip(next, { now: later(6 * MINUTE), deadline: later(11 * MINUTE) });
      const received = await receivedBy(people.map((p) => p.email));
      const twice = people.filter((p) => received.get(p.email) === 2);
      expect(people.every((p) => (received.get(p.email) ?? 0) >= 1)).toBe(true);
      expect(people.every((p) => (received.get(p.email) ?? 0) <= 2)).toBe(true);
      expect(twice.length).toBe(atRisk);
      expect(twice.every((p) => !logged.has(p.id))).toBe(true);
      // Each duplicate is named in the log by the run that took over.
      const named = new Set(next.logs.filter((l) => l.msg === 'drip.possible_duplicate').map((l) => l.subscriber));
      for (const p of twice) expect(named.has(p.id), p.id).toBe(true);
      for (const p of people) expect(await readSubscriberItem(stack, table, p.id)).toMatchObject({ nextLesson: 1 });
    },
  );
});
