// The DripStore contract: what the drip relies on from its store, as tests any implementation must pass.
// The DynamoDB store (functions/adapters/dynamo-drip-store.ts, on DynamoDB Local) is the truth; the
// in-memory store runDrip's unit tests use (memory-drip-store.ts) runs the same tests, so a rule the unit
// tests lean on cannot drift from what DynamoDB does. Each test makes its own store (its own key space).
//
// Run from test/unit/core/drip-store.contract.test.ts (in memory) and test/integration/drip/drip-store.test.ts (DynamoDB).
import { describe, expect, it } from 'vitest';
import { PAGE_MAX, type Advance, type DripStore, type DueEntry } from '../../functions/core/drip/index.js';
import type { Subscriber } from '../../functions/core/model.js';
import type { DripStoreRow } from './memory-drip-store.js';

/** A fresh store with what a test needs to set the scene and look at it. */
export interface DripStoreFixture {
  store: DripStore;
  /** Every shard of the due index (findDue's default). */
  shards: readonly string[];
  /** The shard a subscriber's due entry is written to. */
  shardOf(id: string): string;
  /** An active subscriber as confirmation leaves them: in the due index at `dueAt`, on lesson `nextLesson` (default 0). */
  seed(o: { dueAt: Date; nextLesson?: number; email?: string; extra?: Partial<Subscriber> }): Promise<Subscriber>;
  /** The address gets a suppression item, as a bounce, complaint or erasure leaves. */
  suppress(email: string): Promise<void>;
  /** Unsubscribe as the unsubscribe page does (the subscription store): out of the due index at once. */
  unsubscribe(id: string, at: Date): Promise<void>;
  /** The subscriber as stored, model fields and bookkeeping (due entry, claim, hold); undefined when there is none. */
  read(id: string): Promise<DripStoreRow | undefined>;
}

/** Makes a fresh fixture; `pageSize` is the due query's page (stores that page), small to exercise paging. */
export type MakeDripStore = (options?: { pageSize?: number }) => Promise<DripStoreFixture>;

const NOW = new Date('2026-03-02T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const NEXT_WEEK = '2026-03-09T09:00:00.000Z';
const moved = (e: DueEntry): DueEntry => ({ ...e, dueAt: `2026-01-01T00:00:00.000Z#${e.id}` });
const step = (id: string, claimId: string, next: Advance['next'], lesson = 0) => ({
  subscriberId: id,
  advance: { claimId, lesson, sentAt: NOW.toISOString(), next },
});

/** Seeds `count` subscribers due a little before NOW (the first oldest) and answers them with their entries in due order. */
async function seedDue(f: DripStoreFixture, count: number): Promise<{ people: Subscriber[]; entries: DueEntry[] }> {
  const people = await Promise.all(Array.from({ length: count }, (_, i) => f.seed({ dueAt: at(-count + i) })));
  const entries = await f.store.findDue(NOW);
  expect(entries.map((e) => e.id)).toEqual(people.map((p) => p.id));
  return { people, entries };
}

/** The contract's tests for the store `makeStore` makes, under `DripStore contract: <name>`. */
export function describeDripStoreContract(name: string, makeStore: MakeDripStore): void {
  describe(`DripStore contract: ${name}`, () => {
    describeFindDue(makeStore);
    describeClaim(makeStore);
    describeSendChecks(makeStore);
    describeAdvance(makeStore);
    describeHoldAndRelease(makeStore);
    describeRoundsAndPauses(makeStore);
  });
}

function describeRoundsAndPauses(makeStore: MakeDripStore): void {
  describe("rounds and the learner's pauses", () => {
    it('a claim ends a pause "until a date" (they are due: the date has come) and leaves the rest as it was', async () => {
      const f = await makeStore();
      const s = await f.seed({
        dueAt: at(-1),
        nextLesson: 2,
        extra: { pausedAt: at(-60 * 24 * 3).toISOString(), pausedUntil: at(-1).toISOString(), round: 2, sendHour: '18:00' },
      });
      const entries = await f.store.findDue(NOW);
      const [won] = await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
      expect(won?.subscriber).toMatchObject({ id: s.id, nextLesson: 2, round: 2, sendHour: '18:00' });
      const row = await f.read(s.id);
      expect(row?.pausedAt).toBeUndefined();
      expect(row?.pausedUntil).toBeUndefined();
      expect(row).toMatchObject({ claimId: 'mine', round: 2, nextLesson: 2, sendHour: '18:00' });
    });

    it("the send log keeps one record per (subscriber, round, lesson): round 2 never finds round 1's record", async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1), extra: { round: 2 } });
      const check = (round?: number) =>
        f.store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: s.email, ...(round === undefined ? {} : { round }) }]);
      await f.store.logSends([{ subscriberId: s.id, lesson: 0, status: 'sent', at: at(-60 * 24 * 60).toISOString(), messageId: 'r1' }]);
      expect((await check())[0]?.sendRecord).toMatchObject({ lesson: 0, status: 'sent', messageId: 'r1' });
      expect((await check(1))[0]?.sendRecord).toMatchObject({ messageId: 'r1' });
      expect((await check(2))[0]?.sendRecord).toBeUndefined();
      await f.store.logSends([{ subscriberId: s.id, lesson: 0, round: 2, status: 'sent', at: NOW.toISOString(), messageId: 'r2' }]);
      expect((await check(2))[0]?.sendRecord).toEqual({
        subscriberId: s.id,
        lesson: 0,
        round: 2,
        status: 'sent',
        at: NOW.toISOString(),
        messageId: 'r2',
      });
      expect((await check(1))[0]?.sendRecord).toMatchObject({ messageId: 'r1' });
      // A failed record of round 3 does not touch round 2's sent one.
      expect(
        await f.store.recordSend({ subscriberId: s.id, lesson: 0, round: 3, status: 'failed', at: NOW.toISOString(), error: 'x' }),
      ).toBe(true);
      expect((await check(2))[0]?.sendRecord).toMatchObject({ status: 'sent', messageId: 'r2' });
      expect((await check(3))[0]?.sendRecord).toMatchObject({ status: 'failed', round: 3 });
    });

    it('an advance is conditional on the round: another round is lost (never "overtaken"), its own round advances', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1), nextLesson: 0, extra: { round: 2 } });
      await f.store.claim(await f.store.findDue(NOW), { claimId: 'mine', now: NOW, until: at(5) });
      const advance = (round?: number) => ({
        ...step(s.id, 'mine', { nextSendAt: NEXT_WEEK }),
        advance: { ...step(s.id, 'mine', { nextSendAt: NEXT_WEEK }).advance, ...(round === undefined ? {} : { round }) },
      });
      expect(await f.store.advance([advance()])).toEqual(['lost']);
      expect(await f.store.advance([advance(1)])).toEqual(['lost']);
      expect(await f.store.advance([advance(3)])).toEqual(['lost']);
      expect((await f.read(s.id))?.nextLesson).toBe(0);
      expect(await f.store.advance([advance(2)])).toEqual(['advanced']);
      expect(await f.read(s.id)).toMatchObject({ nextLesson: 1, round: 2, nextSendAt: NEXT_WEEK });
      // A round-1 subscriber moved past lesson 1 by another run: that is "overtaken" (same round).
      const t = await f.seed({ dueAt: at(-2), nextLesson: 1 });
      const [entry] = (await f.store.findDue(NOW)).filter((e) => e.id === t.id);
      await f.store.claim([entry!], { claimId: 'other', now: NOW, until: at(5) });
      expect(await f.store.advance([step(t.id, 'other', { nextSendAt: NEXT_WEEK }, 1)])).toEqual(['advanced']);
      expect(await f.store.advance([{ ...step(t.id, 'mine', { nextSendAt: NEXT_WEEK }, 0) }])).toEqual(['overtaken']);
    });
  });
}

function describeFindDue(makeStore: MakeDripStore): void {
  describe('findDue', () => {
    it('finds exactly the subscribers due at or before now, oldest first, across shards', async () => {
      const f = await makeStore({ pageSize: 2 });
      const due = [];
      for (const m of [-30, -5, 0, -60, -1]) due.push(await f.seed({ dueAt: at(m) }));
      await f.seed({ dueAt: new Date(NOW.getTime() + 1) });
      const found = await f.store.findDue(NOW);
      expect(found.map((e) => e.id)).toEqual([due[3]!.id, due[0]!.id, due[1]!.id, due[4]!.id, due[2]!.id]);
      expect(found.map((e) => e.dueAt)).toEqual([-60, -30, -5, -1, 0].map((m, i) => `${at(m).toISOString()}#${found[i]!.id}`));
    });

    it('reads a shard to its end whatever the page size: twelve due, one to a page', async () => {
      const f = await makeStore({ pageSize: 1 });
      const { people } = await seedDue(f, 12);
      expect((await f.store.findDue(NOW)).map((e) => e.id)).toEqual(people.map((p) => p.id));
    });

    it('given shards, answers only the entries in them; all the shards together answer everyone; no shards, nobody', async () => {
      const f = await makeStore({ pageSize: 2 });
      const { entries } = await seedDue(f, 12);
      expect(new Set(entries.map((e) => f.shardOf(e.id))).size).toBeGreaterThan(1);
      const perShard = await Promise.all(f.shards.map((shard) => f.store.findDue(NOW, [shard])));
      f.shards.forEach((shard, i) => expect(perShard[i]).toEqual(entries.filter((e) => f.shardOf(e.id) === shard)));
      expect(await f.store.findDue(NOW, f.shards)).toEqual(entries);
      const [first, second] = f.shards;
      expect(await f.store.findDue(NOW, [first!, second!])).toEqual(entries.filter((e) => [first, second].includes(f.shardOf(e.id))));
      expect(await f.store.findDue(NOW, [])).toEqual([]);
    });

    it('still lists a claimed subscriber (a claim is not the index); leaves out who unsubscribed, was held or completed', async () => {
      const f = await makeStore();
      const { people, entries } = await seedDue(f, 4);
      expect(await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) })).toHaveLength(4);
      await f.unsubscribe(people[1]!.id, NOW);
      expect(await f.store.hold(people[2]!.id, { claimId: 'mine', lesson: 0, at: NOW.toISOString(), reason: 'MessageRejected' })).toBe(
        true,
      );
      expect(await f.store.advance([step(people[3]!.id, 'mine', 'completed')])).toEqual(['advanced']);
      expect(await f.store.findDue(at(60 * 24 * 30))).toEqual([entries[0]]);
    });
  });
}

function describeClaim(makeStore: MakeDripStore): void {
  describe('claim', () => {
    it('a claim wins once; a live claim blocks others; an expired one is taken over and says so', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      const [entry] = await f.store.findDue(NOW);
      const [first] = await f.store.claim([entry!], { claimId: 'a', now: NOW, until: at(5) });
      expect(first?.subscriber).toMatchObject({ id: s.id, email: s.email, nextLesson: 0, status: 'active' });
      expect(first?.subscriber).toEqual(s);
      expect(first?.tookOverExpiredClaim).toBe(false);
      expect(await f.store.claim([entry!], { claimId: 'b', now: at(4), until: at(9) })).toEqual([]);
      const [later] = await f.store.claim([entry!], { claimId: 'c', now: at(6), until: at(11) });
      expect(later?.tookOverExpiredClaim).toBe(true);
      expect(later?.subscriber).toEqual(s);
    });

    it('writes its id and expiry (epoch ms) on the subscriber and leaves the rest as it was', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      const before = await f.read(s.id);
      expect(before).toMatchObject({ ...s, dueShard: f.shardOf(s.id), dueAt: `${s.nextSendAt}#${s.id}` });
      await f.store.claim(await f.store.findDue(NOW), { claimId: 'a', now: NOW, until: at(5) });
      expect(await f.read(s.id)).toEqual({ ...before, claimId: 'a', claimUntil: at(5).getTime() });
    });

    it('a claim stays live up to and including its until instant; one millisecond later it can be taken over', async () => {
      const f = await makeStore();
      await f.seed({ dueAt: at(-1) });
      const entries = await f.store.findDue(NOW);
      await f.store.claim(entries, { claimId: 'a', now: NOW, until: at(5) });
      expect(await f.store.claim(entries, { claimId: 'b', now: at(5), until: at(10) })).toEqual([]);
      const won = await f.store.claim(entries, { claimId: 'b', now: new Date(at(5).getTime() + 1), until: at(10) });
      expect(won.map((c) => c.tookOverExpiredClaim)).toEqual([true]);
    });

    it('a claim on a due entry that has moved on (advanced, or unsubscribed) is lost', async () => {
      const f = await makeStore();
      await f.seed({ dueAt: at(-1) });
      const [entry] = await f.store.findDue(NOW);
      expect(await f.store.claim([moved(entry!)], { claimId: 'a', now: NOW, until: at(5) })).toEqual([]);
    });

    it('a page of claims where some lose their condition: only those are skipped, each of the rest is won', async () => {
      const f = await makeStore();
      await Promise.all(Array.from({ length: 30 }, (_, i) => f.seed({ dueAt: at(-1 - i / 100) })));
      const entries = await f.store.findDue(NOW);
      expect(entries).toHaveLength(30);
      // Three lose: one left the list, one is held by a live claim of another run, one has moved on.
      const [left, held, gone] = [entries[3]!, entries[11]!, entries[27]!];
      await f.unsubscribe(left.id, NOW);
      expect(await f.store.claim([held], { claimId: 'other-run', now: NOW, until: at(5) })).toHaveLength(1);
      const stale = entries.map((e) => (e === gone ? moved(e) : e));
      const won = await f.store.claim(stale, { claimId: 'mine', now: NOW, until: at(5) });
      expect(won.map((c) => c.subscriber.id)).toEqual(entries.filter((e) => ![left, held, gone].includes(e)).map((e) => e.id));
      for (const e of [left, held, gone]) expect((await f.read(e.id))?.claimId).not.toBe('mine');
      expect((await f.read(held.id))?.claimId).toBe('other-run');
      expect(won).toHaveLength(27);
    });

    it('a claim of someone unknown, held or completed is lost; an empty page claims nobody', async () => {
      const f = await makeStore();
      const { people, entries } = await seedDue(f, 2);
      await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
      await f.store.hold(people[0]!.id, { claimId: 'mine', lesson: 0, at: NOW.toISOString(), reason: 'MessageRejected' });
      await f.store.advance([step(people[1]!.id, 'mine', 'completed')]);
      const unknown = { id: 'nobody', dueAt: `${at(-1).toISOString()}#nobody` };
      expect(await f.store.claim([...entries, unknown], { claimId: 'later', now: at(10), until: at(15) })).toEqual([]);
      expect(await f.store.claim([], { claimId: 'later', now: at(10), until: at(15) })).toEqual([]);
    });

    it(`a page of more than PAGE_MAX (${PAGE_MAX}) is refused`, async () => {
      const f = await makeStore();
      const page = Array.from({ length: PAGE_MAX + 1 }, (_, i) => ({ id: `x${i}`, dueAt: `${NOW.toISOString()}#x${i}` }));
      await expect(f.store.claim(page, { claimId: 'a', now: NOW, until: at(5) })).rejects.toThrow(`at most ${PAGE_MAX}`);
    });

    it('holdsClaim: true for the claim id while they are active, expired or not, until another run takes it or it goes', async () => {
      const f = await makeStore();
      const { people, entries } = await seedDue(f, 3);
      const [a, b, c] = people.map((p) => p.id) as [string, string, string];
      await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
      expect(await f.store.holdsClaim(a, 'mine')).toBe(true);
      expect(await f.store.holdsClaim(a, 'theirs')).toBe(false);
      expect(await f.store.holdsClaim('nobody', 'mine')).toBe(false);
      // Past its until nobody has taken it yet: the id is still on the subscriber, so still ours.
      await f.store.claim([entries[0]!], { claimId: 'theirs', now: at(4), until: at(9) });
      expect(await f.store.holdsClaim(a, 'mine')).toBe(true);
      await f.store.claim([entries[0]!], { claimId: 'theirs', now: at(6), until: at(11) });
      expect(await f.store.holdsClaim(a, 'mine')).toBe(false);
      expect(await f.store.holdsClaim(a, 'theirs')).toBe(true);
      await f.unsubscribe(b, NOW);
      expect(await f.store.holdsClaim(b, 'mine')).toBe(false);
      await f.store.release([c], 'mine');
      expect(await f.store.holdsClaim(c, 'mine')).toBe(false);
      await f.store.advance([step(a, 'theirs', { nextSendAt: NEXT_WEEK })]);
      expect(await f.store.holdsClaim(a, 'theirs')).toBe(false);
    });
  });
}

function describeSendChecks(makeStore: MakeDripStore): void {
  describe('checkBeforeSend, logSends and recordSend', () => {
    it('the send log keeps one record per (subscriber, lesson); a failed record never replaces a sent one', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      expect(
        await f.store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString(), error: 'MessageRejected' }),
      ).toBe(true);
      await f.store.logSends([{ subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' }]);
      expect(await f.store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString() })).toBe(false);
      expect(
        await f.store.checkBeforeSend([
          { subscriberId: s.id, lesson: 0, email: s.email },
          { subscriberId: s.id, lesson: 1, email: s.email },
        ]),
      ).toEqual([
        { sendRecord: { subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' }, suppressed: false },
        { suppressed: false },
      ]);
    });

    it('a failed record replaces a failed one; a second sent record replaces the first (the SES window); each reads back whole', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      const check = async () => (await f.store.checkBeforeSend([{ subscriberId: s.id, lesson: 2, email: s.email }]))[0];
      expect(await f.store.recordSend({ subscriberId: s.id, lesson: 2, status: 'failed', at: at(1).toISOString(), error: 'first' })).toBe(
        true,
      );
      expect(await f.store.recordSend({ subscriberId: s.id, lesson: 2, status: 'failed', at: at(2).toISOString(), error: 'second' })).toBe(
        true,
      );
      expect(await check()).toEqual({
        sendRecord: { subscriberId: s.id, lesson: 2, status: 'failed', at: at(2).toISOString(), error: 'second' },
        suppressed: false,
      });
      await f.store.logSends([{ subscriberId: s.id, lesson: 2, status: 'sent', at: at(3).toISOString(), messageId: 'm1' }]);
      await f.store.logSends([{ subscriberId: s.id, lesson: 2, status: 'sent', at: at(4).toISOString(), messageId: 'm2' }]);
      expect(await check()).toEqual({
        sendRecord: { subscriberId: s.id, lesson: 2, status: 'sent', at: at(4).toISOString(), messageId: 'm2' },
        suppressed: false,
      });
    });

    it('the check before a send sees a suppressed address, with or without a send record', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      await f.suppress(s.email);
      expect(await f.store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: s.email }])).toEqual([{ suppressed: true }]);
      await f.store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString(), error: 'MessageRejected' });
      expect(await f.store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: s.email }])).toMatchObject([
        { sendRecord: { status: 'failed', error: 'MessageRejected' }, suppressed: true },
      ]);
      expect(await f.store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: 'someone.else@example.com' }])).toMatchObject([
        { suppressed: false },
      ]);
    });

    it('a page of thirty checks answers each in the order asked, two people on one suppressed address included', async () => {
      const f = await makeStore();
      const { people } = await seedDue(f, 28);
      const twins = [
        await f.seed({ dueAt: at(-1), email: 'shared@example.com' }),
        await f.seed({ dueAt: at(-1), email: 'shared@example.com' }),
      ];
      await f.suppress('shared@example.com');
      const logged = people.filter((_, i) => i % 3 === 0);
      await f.store.logSends(
        logged.map((p, i) => ({ subscriberId: p.id, lesson: 1, status: 'sent', at: NOW.toISOString(), messageId: `m${i}` })),
      );
      const asked = [...twins, ...people].reverse().map((p) => ({ subscriberId: p.id, lesson: 1, email: p.email }));
      const answers = await f.store.checkBeforeSend(asked);
      expect(answers).toEqual(
        asked.map(({ subscriberId, email }) => {
          const i = logged.findIndex((p) => p.id === subscriberId);
          const suppressed = email === 'shared@example.com';
          return i < 0
            ? { suppressed }
            : { sendRecord: { subscriberId, lesson: 1, status: 'sent', at: NOW.toISOString(), messageId: `m${i}` }, suppressed };
        }),
      );
      expect(await f.store.checkBeforeSend([])).toEqual([]);
      await f.store.logSends([]);
    });

    it(`a check of more than PAGE_MAX (${PAGE_MAX}) is refused`, async () => {
      const f = await makeStore();
      const page = Array.from({ length: PAGE_MAX + 1 }, (_, i) => ({ subscriberId: `x${i}`, lesson: 0, email: `x${i}@example.com` }));
      await expect(f.store.checkBeforeSend(page)).rejects.toThrow(`at most ${PAGE_MAX}`);
    });
  });
}

function describeAdvance(makeStore: MakeDripStore): void {
  describe('advance', () => {
    it('only the claim holder advances, and the claim goes with it', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      await f.store.claim(await f.store.findDue(NOW), { claimId: 'mine', now: NOW, until: at(5) });
      expect(await f.store.advance([step(s.id, 'theirs', { nextSendAt: NEXT_WEEK })])).toEqual(['lost']);
      expect(await f.store.advance([step(s.id, 'mine', { nextSendAt: NEXT_WEEK })])).toEqual(['advanced']);
      // Moved past this lesson by then: the lesson went out twice (the SES window), and it says so.
      expect(await f.store.advance([step(s.id, 'mine', { nextSendAt: NEXT_WEEK })])).toEqual(['overtaken']);
      const row = await f.read(s.id);
      expect(row).toMatchObject({ nextLesson: 1, nextSendAt: NEXT_WEEK, dueAt: `${NEXT_WEEK}#${s.id}`, lastSentAt: NOW.toISOString() });
      expect(row?.claimId).toBeUndefined();
      expect(row?.dueShard).toBeDefined();
      expect(row).toEqual({
        ...s,
        nextLesson: 1,
        nextSendAt: NEXT_WEEK,
        lastSentAt: NOW.toISOString(),
        dueShard: f.shardOf(s.id),
        dueAt: `${NEXT_WEEK}#${s.id}`,
      });
    });

    it('an advanced subscriber is due again at the next send time under a new entry: the old entry claims nobody', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      const [old] = await f.store.findDue(NOW);
      await f.store.claim([old!], { claimId: 'mine', now: NOW, until: at(5) });
      await f.store.advance([step(s.id, 'mine', { nextSendAt: NEXT_WEEK })]);
      expect(await f.store.findDue(NOW)).toEqual([]);
      expect(await f.store.findDue(new Date(new Date(NEXT_WEEK).getTime() - 1))).toEqual([]);
      const due = await f.store.findDue(new Date(NEXT_WEEK));
      expect(due).toEqual([{ id: s.id, dueAt: `${NEXT_WEEK}#${s.id}` }]);
      const week = new Date(NEXT_WEEK);
      expect(await f.store.claim([old!], { claimId: 'late', now: week, until: new Date(week.getTime() + 300_000) })).toEqual([]);
      const [next] = await f.store.claim(due, { claimId: 'next', now: week, until: new Date(week.getTime() + 300_000) });
      expect(next).toEqual({
        subscriber: { ...s, nextLesson: 1, nextSendAt: NEXT_WEEK, lastSentAt: NOW.toISOString() },
        tookOverExpiredClaim: false,
      });
    });

    it('a page of advances where some lose their condition: only those stay put', async () => {
      const f = await makeStore();
      const { people, entries } = await seedDue(f, 4);
      const won = await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
      expect(won).toHaveLength(4);
      // One unsubscribes during the send; the last one finishes the course.
      await f.unsubscribe(entries[1]!.id, NOW);
      const outcomes = await f.store.advance([
        step(entries[0]!.id, 'mine', { nextSendAt: NEXT_WEEK }),
        step(entries[1]!.id, 'mine', { nextSendAt: NEXT_WEEK }),
        step(entries[2]!.id, 'mine', { nextSendAt: NEXT_WEEK }),
        step(entries[3]!.id, 'mine', 'completed'),
      ]);
      expect(outcomes).toEqual(['advanced', 'lost', 'advanced', 'advanced']);
      expect(await f.read(entries[1]!.id)).toMatchObject({ status: 'unsubscribed', nextLesson: 0 });
      const done = await f.read(entries[3]!.id);
      expect(done).toMatchObject({ status: 'completed', nextLesson: 1 });
      expect(done?.dueAt).toBeUndefined();
      expect(done?.dueShard).toBeUndefined();
      // Completed: out of the due index for good, no next send time, no claim; the rest as it was.
      const { nextSendAt: _, ...rest } = people[3]!;
      expect(done).toEqual({ ...rest, status: 'completed', nextLesson: 1, lastSentAt: NOW.toISOString() });
    });

    it('an advance is lost for a lesson other than the next one, for someone unknown, and after the claim was taken over', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      const entries = await f.store.findDue(NOW);
      await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
      expect(await f.store.advance([step(s.id, 'mine', { nextSendAt: NEXT_WEEK }, 1), step('nobody', 'mine', 'completed')])).toEqual([
        'lost',
        'lost',
      ]);
      // Our claim expired mid-send and another run took the subscriber over.
      await f.store.claim(entries, { claimId: 'theirs', now: at(6), until: at(11) });
      expect(await f.store.advance([step(s.id, 'mine', { nextSendAt: NEXT_WEEK })])).toEqual(['lost']);
      expect(await f.read(s.id)).toMatchObject({ nextLesson: 0, claimId: 'theirs' });
      expect(await f.store.advance([step(s.id, 'theirs', { nextSendAt: NEXT_WEEK })])).toEqual(['advanced']);
      expect(await f.store.advance([step(s.id, 'mine', { nextSendAt: NEXT_WEEK })])).toEqual(['overtaken']);
      expect(await f.store.advance([])).toEqual([]);
    });
  });
}

function describeHoldAndRelease(makeStore: MakeDripStore): void {
  describe('hold and release', () => {
    it('a hold with our claim takes them out of the due index, still active on the same lesson, with when and why', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      const entries = await f.store.findDue(NOW);
      await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
      expect(await f.store.hold(s.id, { claimId: 'mine', lesson: 0, at: at(1).toISOString(), reason: 'MessageRejected: bad' })).toBe(true);
      expect(await f.read(s.id)).toEqual({ ...s, heldAt: at(1).toISOString(), heldReason: 'MessageRejected: bad' });
      expect(await f.store.findDue(at(60 * 24 * 30))).toEqual([]);
      expect(await f.store.holdsClaim(s.id, 'mine')).toBe(false);
      expect(await f.store.claim(entries, { claimId: 'later', now: at(10), until: at(15) })).toEqual([]);
    });

    it('a hold is refused without our claim, on another lesson, and after they left: nothing changes', async () => {
      const f = await makeStore();
      const { people, entries } = await seedDue(f, 2);
      const [a, b] = people.map((p) => p.id) as [string, string];
      await f.store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
      const hold = { claimId: 'mine', lesson: 0, at: NOW.toISOString(), reason: 'MessageRejected' };
      const before = await f.read(a);
      expect(await f.store.hold(a, { ...hold, claimId: 'theirs' })).toBe(false);
      expect(await f.store.hold(a, { ...hold, lesson: 1 })).toBe(false);
      expect(await f.store.hold('nobody', hold)).toBe(false);
      expect(await f.read(a)).toEqual(before);
      await f.unsubscribe(b, NOW);
      const left = await f.read(b);
      expect(await f.store.hold(b, hold)).toBe(false);
      expect(await f.read(b)).toEqual(left);
      expect(left?.heldReason).toBeUndefined();
    });

    it('release drops only our own claim', async () => {
      const f = await makeStore();
      const s = await f.seed({ dueAt: at(-1) });
      const [entry] = await f.store.findDue(NOW);
      await f.store.claim([entry!], { claimId: 'mine', now: NOW, until: at(5) });
      await f.store.release([s.id], 'theirs');
      expect((await f.read(s.id))?.claimId).toBe('mine');
      await f.store.release([s.id], 'mine');
      expect((await f.read(s.id))?.claimId).toBeUndefined();
      expect(await f.store.claim([entry!], { claimId: 'next', now: NOW, until: at(5) })).toHaveLength(1);
    });

    it('a release of several, some not ours or unknown: ours go back to the due index as they were, the rest stand', async () => {
      const f = await makeStore();
      const { people, entries } = await seedDue(f, 3);
      const [a, b, c] = people.map((p) => p.id) as [string, string, string];
      const rows = await Promise.all([a, b].map((id) => f.read(id)));
      await f.store.claim(entries.slice(0, 2), { claimId: 'mine', now: NOW, until: at(5) });
      await f.store.claim(entries.slice(2), { claimId: 'theirs', now: NOW, until: at(5) });
      await f.store.release([a, b, c, 'nobody'], 'mine');
      expect(await Promise.all([a, b].map((id) => f.read(id)))).toEqual(rows);
      expect((await f.read(c))?.claimId).toBe('theirs');
      expect(await f.store.findDue(NOW)).toEqual(entries);
      const again = await f.store.claim(entries, { claimId: 'next', now: NOW, until: at(5) });
      expect(again.map((w) => [w.subscriber.id, w.tookOverExpiredClaim])).toEqual([
        [a, false],
        [b, false],
      ]);
      await f.store.release([], 'mine');
    });
  });
}
