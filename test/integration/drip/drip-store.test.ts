// The DynamoDB DripStore against DynamoDB Local: first the DripStore contract every store passes
// (test/support/drip-store-contract.ts: each step wins once per subscriber, a lost condition leaves out only
// that subscriber, the due Query reads only what is due), then what only DynamoDB has: a race between the
// batch read and the batch write, and keys a BatchGetItem leaves unprocessed (the check answers for both
// its reads or throws).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDripStore } from '../../../functions/adapters/dynamo-drip-store.js';
import { createDynamoStore } from '../../../functions/adapters/dynamo-store.js';
import { dueShardOf, dueShards, keys, suppressionHash } from '../../../functions/adapters/table.js';
import { DependencyError } from '../../../functions/core/errors.js';
import type { Subscriber } from '../../../functions/core/model.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { describeDripStoreContract } from '../../support/drip-store-contract.js';
import type { DripStoreRow } from '../../support/memory-drip-store.js';
import { readSubscriberItem, seedActive, unsubscribe } from '../../support/drip-fixtures.js';

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

describeDripStoreContract('DynamoDB', async ({ pageSize } = {}) => {
  const table = await stack.newTable();
  return {
    store: createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: SHARDS, pageSize }),
    shards: dueShards(SHARDS),
    shardOf: (id) => dueShardOf(id, SHARDS),
    seed: (o): Promise<Subscriber> => seedActive(stack, table, { course: 'c', timezone: 'UTC', shards: SHARDS, ...o }),
    async suppress(email) {
      await stack.doc.send(
        new PutCommand({ TableName: table, Item: { ...keys.suppression(suppressionHash(email)), reason: 'complaint' } }),
      );
    },
    unsubscribe: (id, when) => unsubscribe(stack, table, id, when, SHARDS),
    async read(id) {
      const item = await readSubscriberItem(stack, table, id);
      if (item === undefined) return undefined;
      const { pk: _pk, sk: _sk, ...row } = item;
      return row as unknown as DripStoreRow;
    },
  };
});

describe('DynamoDB drip store', () => {
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

  it("a learner's control between the batch read and the claim (same due entry, new pace): the claim is lost", async () => {
    const table = await stack.newTable();
    const racing = Object.create(stack.dripDynamo) as DynamoDBClient;
    const store = createDynamoDripStore({ dynamo: racing, tableName: table, dueShards: SHARDS });
    const s = await seedActive(stack, table, { course: 'c', timezone: 'UTC', dueAt: at(-1), shards: SHARDS, nextLesson: 2 });
    const entries = await store.findDue(NOW);
    const learner = createDynamoStore({ doc: stack.doc, tableName: table, dueShards: SHARDS });
    // The learner changes their cadence right after our read; their next lesson stays due when it was.
    racing.send = (async (command: unknown) => {
      if (command instanceof BatchExecuteStatementCommand) {
        const changed = await learner.updatePace(
          s.id,
          { set: { cadenceDays: 3, nextSendAt: s.nextSendAt! }, remove: [], due: 'in' },
          { status: 'active', nextLesson: 2, round: 1, paused: false, now: NOW },
        );
        expect(changed).toBe(true);
      }
      return stack.dripDynamo.send(command as BatchGetItemCommand);
    }) as DynamoDBClient['send'];
    expect((await store.findDue(NOW)).map((e) => e.dueAt)).toEqual(entries.map((e) => e.dueAt));
    // What we read has the old cadence: sending on it would schedule the next lesson wrongly.
    expect(await store.claim(entries, { claimId: 'mine', now: NOW, until: at(5) })).toEqual([]);
    racing.send = ((command: BatchGetItemCommand) => stack.dripDynamo.send(command)) as DynamoDBClient['send'];
    const [won] = await store.claim(await store.findDue(NOW), { claimId: 'mine', now: NOW, until: at(5) });
    expect(won?.subscriber).toMatchObject({ id: s.id, cadenceDays: 3 });
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
});
