// The DynamoDB DripStore's conditions against DynamoDB Local, a page at a time: each step wins once per
// subscriber, a lost condition leaves out only that subscriber (never an error, never the page), the
// due Query reads only what is due, and the check before a send answers for both its reads or throws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDripStore } from '../../functions/adapters/dynamo-drip-store.js';
import { keys, suppressionHash } from '../../functions/adapters/table.js';
import { DependencyError } from '../../functions/core/errors.js';
import type { Advance } from '../../functions/core/drip.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { readSubscriberItem, seedActive, unsubscribe } from './drip-fixtures.js';

let stack: TestStack;
const SHARDS = 3;
const NOW = new Date('2026-03-02T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

async function setup() {
  const table = await stack.newTable();
  const store = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
  const s = await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: at(-1), shards: SHARDS });
  const [entry] = await store.findDue(NOW);
  return { table, store, s, entry: entry! };
}

describe('DynamoDB drip store', () => {
  it('finds exactly the subscribers due at or before now, oldest first, across shards', async () => {
    const table = await stack.newTable();
    const store = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS, pageSize: 2 });
    const due = [];
    for (const m of [-30, -5, 0, -60, -1])
      due.push(await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: at(m), shards: SHARDS }));
    await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: new Date(NOW.getTime() + 1), shards: SHARDS });
    const found = await store.findDue(NOW);
    expect(found.map((e) => e.id)).toEqual([due[3]!.id, due[0]!.id, due[1]!.id, due[4]!.id, due[2]!.id]);
  });

  it('a claim wins once; a live claim blocks others; an expired one is taken over and says so', async () => {
    const { store, entry, s } = await setup();
    const [first] = await store.claim([entry], { claimId: 'a', now: NOW, until: at(5) });
    expect(first?.subscriber).toMatchObject({ id: s.id, email: s.email, nextLesson: 0, status: 'active' });
    expect(first?.tookOverExpiredClaim).toBe(false);
    expect(await store.claim([entry], { claimId: 'b', now: at(4), until: at(9) })).toEqual([]);
    const [later] = await store.claim([entry], { claimId: 'c', now: at(6), until: at(11) });
    expect(later?.tookOverExpiredClaim).toBe(true);
  });

  it('a claim on a due entry that has moved on (advanced, or unsubscribed) is lost', async () => {
    const { store, entry } = await setup();
    expect(
      await store.claim([{ ...entry, dueAt: `2026-01-01T00:00:00.000Z#${entry.id}` }], { claimId: 'a', now: NOW, until: at(5) }),
    ).toEqual([]);
  });

  it('a page of claims where some lose their condition: only those are skipped, each of the rest is won', async () => {
    const table = await stack.newTable();
    const store = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
    const people = [];
    for (let i = 0; i < 30; i++)
      people.push(await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: at(-1 - i / 100), shards: SHARDS }));
    const entries = await store.findDue(NOW);
    expect(entries).toHaveLength(30);
    // Three lose: one left the list, one is held by a live claim of another run, one has moved on.
    const [left, held, moved] = [entries[3]!, entries[11]!, entries[27]!];
    await unsubscribe(stack, table, left.id, NOW, SHARDS);
    expect(await store.claim([held], { claimId: 'other-run', now: NOW, until: at(5) })).toHaveLength(1);
    const stale = entries.map((e) => (e === moved ? { ...e, dueAt: `2026-01-01T00:00:00.000Z#${e.id}` } : e));
    // The candidates also lose a race between the read and the write: the first one's claim goes first.
    const won = await store.claim(stale, { claimId: 'mine', now: NOW, until: at(5) });
    expect(won.map((c) => c.subscriber.id)).toEqual(entries.filter((e) => ![left, held, moved].includes(e)).map((e) => e.id));
    for (const e of [left, held, moved]) expect((await readSubscriberItem(stack, table, e.id))?.claimId).not.toBe('mine');
    expect((await readSubscriberItem(stack, table, held.id))?.claimId).toBe('other-run');
    // Over 25 candidates: two statement batches, both answered in order.
    expect(won).toHaveLength(27);
  });

  it('a condition lost between the batch read and the batch write skips only that subscriber', async () => {
    const table = await stack.newTable();
    // A stand-in that is still a DynamoDBClient (the SDK's paginators insist), its send replaced below.
    const racing = Object.create(stack.dripDynamo) as DynamoDBClient;
    const store = createDynamoDripStore({ dynamo: racing, tableName: table, dueShards: SHARDS });
    for (let i = 0; i < 4; i++) await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: at(-1 - i), shards: SHARDS });
    const entries = await store.findDue(NOW);
    const rival = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
    // Another run claims entry 2 right after our read, before our conditional writes.
    racing.send = (async (command: unknown) => {
      if (command instanceof BatchExecuteStatementCommand) await rival.claim([entries[2]!], { claimId: 'rival', now: NOW, until: at(5) });
      return stack.dripDynamo.send(command as BatchGetItemCommand);
    }) as DynamoDBClient['send'];
    const won = await store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
    expect(won.map((c) => c.subscriber.id)).toEqual([entries[0]!.id, entries[1]!.id, entries[3]!.id]);
    expect((await readSubscriberItem(stack, table, entries[2]!.id))?.claimId).toBe('rival');
  });

  it('the send log keeps one record per (subscriber, lesson); a failed record never replaces a sent one', async () => {
    const { store, s } = await setup();
    expect(
      await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString(), error: 'MessageRejected' }),
    ).toBe(true);
    await store.logSends([{ subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' }]);
    expect(await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString() })).toBe(false);
    expect(
      await store.checkBeforeSend([
        { subscriberId: s.id, lesson: 0, email: s.email },
        { subscriberId: s.id, lesson: 1, email: s.email },
      ]),
    ).toEqual([
      { sendRecord: { subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' }, suppressed: false },
      { suppressed: false },
    ]);
  });

  it('the check before a send sees a suppressed address, with or without a send record', async () => {
    const { table, store, s } = await setup();
    await stack.doc.send(
      new PutCommand({ TableName: table, Item: { ...keys.suppression(suppressionHash(s.email)), reason: 'complaint' } }),
    );
    expect(await store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: s.email }])).toEqual([{ suppressed: true }]);
    await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString(), error: 'MessageRejected' });
    expect(await store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: s.email }])).toMatchObject([
      { sendRecord: { status: 'failed', error: 'MessageRejected' }, suppressed: true },
    ]);
    expect(await store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: 'someone.else@example.com' }])).toMatchObject([
      { suppressed: false },
    ]);
  });

  it('keys DynamoDB leaves unprocessed are asked again; keys it never answers for make the check throw', async () => {
    const { table, store, s } = await setup();
    await stack.doc.send(new PutCommand({ TableName: table, Item: { ...keys.suppression(suppressionHash(s.email)) } }));
    await store.logSends([{ subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' }]);

    // A throttled BatchGet as DynamoDB answers it, `times` times: the last key left unprocessed.
    const throttled = (times: number) => {
      let left = times;
      const calls: number[] = [];
      const client = {
        async send(command: unknown) {
          if (!(command instanceof BatchGetItemCommand)) throw new Error('only BatchGetItem is expected here');
          const request = command.input.RequestItems![table]!;
          const asked = request.Keys!;
          calls.push(asked.length);
          if (left-- <= 0) return stack.dripDynamo.send(command);
          const read: BatchGetItemCommandOutput =
            asked.length > 1
              ? await stack.dripDynamo.send(
                  new BatchGetItemCommand({ RequestItems: { [table]: { ...request, Keys: asked.slice(0, -1) } } }),
                )
              : { $metadata: {}, Responses: { [table]: [] } };
          return { ...read, UnprocessedKeys: { [table]: { ...request, Keys: asked.slice(-1) } } };
        },
      };
      return { store: createDynamoDripStore({ dynamo: client as unknown as DynamoDBClient, tableName: table, dueShards: SHARDS }), calls };
    };

    const once = throttled(1);
    expect(await once.store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: s.email }])).toMatchObject([
      { sendRecord: { status: 'sent', messageId: 'm1' }, suppressed: true },
    ]);
    expect(once.calls).toEqual([2, 1]);

    // The suppression item (asked last) never answered, whatever the retries: not knowing is not "not suppressed".
    const always = throttled(Number.POSITIVE_INFINITY);
    const failed = always.store.checkBeforeSend([{ subscriberId: s.id, lesson: 0, email: s.email }]);
    await expect(failed).rejects.toThrow(DependencyError);
    await expect(failed).rejects.toThrow('DynamoDB send check failed');
    expect(always.calls).toEqual([2, 1, 1, 1, 1]);
  });

  it('only the claim holder advances, and the claim goes with it', async () => {
    const { table, store, entry, s } = await setup();
    await store.claim([entry], { claimId: 'mine', now: NOW, until: at(5) });
    const step = { lesson: 0, sentAt: NOW.toISOString(), next: { nextSendAt: '2026-03-09T09:00:00.000Z' } };
    expect(await store.advance([{ subscriberId: s.id, advance: { ...step, claimId: 'theirs' } }])).toEqual(['lost']);
    expect(await store.advance([{ subscriberId: s.id, advance: { ...step, claimId: 'mine' } }])).toEqual(['advanced']);
    // Moved past this lesson by then: the lesson went out twice (the SES window), and it says so.
    expect(await store.advance([{ subscriberId: s.id, advance: { ...step, claimId: 'mine' } }])).toEqual(['overtaken']);
    const item = await readSubscriberItem(stack, table, s.id);
    expect(item).toMatchObject({
      nextLesson: 1,
      nextSendAt: '2026-03-09T09:00:00.000Z',
      dueAt: `2026-03-09T09:00:00.000Z#${s.id}`,
      lastSentAt: NOW.toISOString(),
    });
    expect(item?.claimId).toBeUndefined();
    expect(item?.dueShard).toBeDefined();
  });

  it('a page of advances where some lose their condition: only those stay put', async () => {
    const table = await stack.newTable();
    const store = createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS });
    for (let i = 0; i < 4; i++) await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: at(-1 - i), shards: SHARDS });
    const entries = await store.findDue(NOW);
    const won = await store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) });
    expect(won).toHaveLength(4);
    // One unsubscribes during the send; the last one finishes the course.
    await unsubscribe(stack, table, entries[1]!.id, NOW, SHARDS);
    const step = (id: string, next: Advance['next']) => ({
      subscriberId: id,
      advance: { claimId: 'mine', lesson: 0, sentAt: NOW.toISOString(), next },
    });
    const outcomes = await store.advance([
      step(entries[0]!.id, { nextSendAt: '2026-03-09T09:00:00.000Z' }),
      step(entries[1]!.id, { nextSendAt: '2026-03-09T09:00:00.000Z' }),
      step(entries[2]!.id, { nextSendAt: '2026-03-09T09:00:00.000Z' }),
      step(entries[3]!.id, 'completed'),
    ]);
    expect(outcomes).toEqual(['advanced', 'lost', 'advanced', 'advanced']);
    expect(await readSubscriberItem(stack, table, entries[1]!.id)).toMatchObject({ status: 'unsubscribed', nextLesson: 0 });
    const done = await readSubscriberItem(stack, table, entries[3]!.id);
    expect(done).toMatchObject({ status: 'completed', nextLesson: 1 });
    expect(done?.dueAt).toBeUndefined();
    expect(done?.dueShard).toBeUndefined();
  });

  it('release drops only our own claim', async () => {
    const { table, store, entry, s } = await setup();
    await store.claim([entry], { claimId: 'mine', now: NOW, until: at(5) });
    await store.release([s.id], 'theirs');
    expect((await readSubscriberItem(stack, table, s.id))?.claimId).toBe('mine');
    await store.release([s.id], 'mine');
    expect((await readSubscriberItem(stack, table, s.id))?.claimId).toBeUndefined();
    expect(await store.claim([entry], { claimId: 'next', now: NOW, until: at(5) })).toHaveLength(1);
  });
});
