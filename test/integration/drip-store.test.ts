// The DynamoDB DripStore's conditions against DynamoDB Local: each step wins once, a lost condition is
// `undefined`/`false` rather than an error, the due Query reads only what is due, and the check before
// a send answers for both its reads or throws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchGetItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDripStore } from '../../functions/adapters/dynamo-drip-store.js';
import { keys, suppressionHash } from '../../functions/adapters/table.js';
import { DependencyError } from '../../functions/core/errors.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { readSubscriberItem, seedActive } from './drip-fixtures.js';

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
    for (const m of [-30, -5, 0, -60, -1]) due.push(await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: at(m), shards: SHARDS }));
    await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: new Date(NOW.getTime() + 1), shards: SHARDS });
    const found = await store.findDue(NOW);
    expect(found.map((e) => e.id)).toEqual([due[3]!.id, due[0]!.id, due[1]!.id, due[4]!.id, due[2]!.id]);
  });

  it('a claim wins once; a live claim blocks others; an expired one is taken over and says so', async () => {
    const { store, entry, s } = await setup();
    const first = await store.claim(entry, { claimId: 'a', now: NOW, until: at(5) });
    expect(first?.subscriber).toMatchObject({ id: s.id, email: s.email, nextLesson: 0, status: 'active' });
    expect(first?.tookOverExpiredClaim).toBe(false);
    expect(await store.claim(entry, { claimId: 'b', now: at(4), until: at(9) })).toBeUndefined();
    const later = await store.claim(entry, { claimId: 'c', now: at(6), until: at(11) });
    expect(later?.tookOverExpiredClaim).toBe(true);
  });

  it('a claim on a due entry that has moved on (advanced, or unsubscribed) is lost', async () => {
    const { store, entry } = await setup();
    expect(await store.claim({ ...entry, dueAt: `2026-01-01T00:00:00.000Z#${entry.id}` }, { claimId: 'a', now: NOW, until: at(5) })).toBeUndefined();
  });

  it('one sent record per (subscriber, lesson); a failed one may be replaced by a later send', async () => {
    const { store, s } = await setup();
    expect(await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString(), error: 'MessageRejected' })).toBe(true);
    expect(await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' })).toBe(true);
    expect(await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm2' })).toBe(false);
    expect(await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString() })).toBe(false);
    expect(await store.checkBeforeSend(s.id, 0, s.email)).toEqual({ sendRecord: { subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' }, suppressed: false });
    expect(await store.checkBeforeSend(s.id, 1, s.email)).toEqual({ suppressed: false });
  });

  it('the check before a send sees a suppressed address, with or without a send record', async () => {
    const { table, store, s } = await setup();
    await stack.doc.send(new PutCommand({ TableName: table, Item: { ...keys.suppression(suppressionHash(s.email)), reason: 'complaint' } }));
    expect(await store.checkBeforeSend(s.id, 0, s.email)).toEqual({ suppressed: true });
    await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'failed', at: NOW.toISOString(), error: 'MessageRejected' });
    expect(await store.checkBeforeSend(s.id, 0, s.email)).toMatchObject({ sendRecord: { status: 'failed', error: 'MessageRejected' }, suppressed: true });
    expect(await store.checkBeforeSend(s.id, 0, 'someone.else@example.com')).toMatchObject({ suppressed: false });
  });

  it('keys DynamoDB leaves unprocessed are asked again; keys it never answers for make the check throw', async () => {
    const { table, store, s } = await setup();
    await stack.doc.send(new PutCommand({ TableName: table, Item: { ...keys.suppression(suppressionHash(s.email)) } }));
    await store.recordSend({ subscriberId: s.id, lesson: 0, status: 'sent', at: NOW.toISOString(), messageId: 'm1' });

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
            asked.length > 1 ? await stack.dripDynamo.send(new BatchGetItemCommand({ RequestItems: { [table]: { ...request, Keys: asked.slice(0, -1) } } })) : { $metadata: {}, Responses: { [table]: [] } };
          return { ...read, UnprocessedKeys: { [table]: { ...request, Keys: asked.slice(-1) } } };
        },
      };
      return { store: createDynamoDripStore({ dynamo: client as unknown as DynamoDBClient, tableName: table, dueShards: SHARDS }), calls };
    };

    const once = throttled(1);
    expect(await once.store.checkBeforeSend(s.id, 0, s.email)).toMatchObject({ sendRecord: { status: 'sent', messageId: 'm1' }, suppressed: true });
    expect(once.calls).toEqual([2, 1]);

    // The suppression item (asked last) never answered, whatever the retries: not knowing is not "not suppressed".
    const always = throttled(Number.POSITIVE_INFINITY);
    const failed = always.store.checkBeforeSend(s.id, 0, s.email);
    await expect(failed).rejects.toThrow(DependencyError);
    await expect(failed).rejects.toThrow('DynamoDB send check failed');
    expect(always.calls).toEqual([2, 1, 1, 1, 1]);
  });

  it('only the claim holder advances, and the claim goes with it', async () => {
    const { table, store, entry, s } = await setup();
    await store.claim(entry, { claimId: 'mine', now: NOW, until: at(5) });
    const step = { lesson: 0, sentAt: NOW.toISOString(), next: { nextSendAt: '2026-03-09T09:00:00.000Z' } };
    expect(await store.advance(s.id, { ...step, claimId: 'theirs' })).toBe(false);
    expect(await store.advance(s.id, { ...step, claimId: 'mine' })).toBe(true);
    expect(await store.advance(s.id, { ...step, claimId: 'mine' })).toBe(false);
    const item = await readSubscriberItem(stack, table, s.id);
    expect(item).toMatchObject({ nextLesson: 1, nextSendAt: '2026-03-09T09:00:00.000Z', dueAt: `2026-03-09T09:00:00.000Z#${s.id}`, lastSentAt: NOW.toISOString() });
    expect(item?.claimId).toBeUndefined();
    expect(item?.dueShard).toBeDefined();
  });

  it('release drops only our own claim', async () => {
    const { table, store, entry, s } = await setup();
    await store.claim(entry, { claimId: 'mine', now: NOW, until: at(5) });
    await store.release(s.id, 'theirs');
    expect((await readSubscriberItem(stack, table, s.id))?.claimId).toBe('mine');
    await store.release(s.id, 'mine');
    expect((await readSubscriberItem(stack, table, s.id))?.claimId).toBeUndefined();
    expect(await store.claim(entry, { claimId: 'next', now: NOW, until: at(5) })).toBeDefined();
  });
});
