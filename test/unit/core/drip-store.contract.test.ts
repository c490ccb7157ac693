// The DripStore contract (test/support/drip-store-contract.ts) against the in-memory store runDrip's
// unit tests use: it must keep the DynamoDB store's conditions, which the same contract checks on
// DynamoDB Local in test/integration/drip/drip-store.test.ts. No I/O.
import { randomUUID } from 'node:crypto';
import { dueShardOf, dueShards } from '../../../functions/adapters/table.js';
import { describeDripStoreContract } from '../../support/drip-store-contract.js';
import { MemoryDripStore } from '../../support/memory-drip-store.js';

const SHARDS = 3;

describeDripStoreContract('in memory', () => {
  const store = new MemoryDripStore({ course: 'c', dueShards: SHARDS });
  return Promise.resolve({
    store,
    shards: dueShards(SHARDS),
    shardOf: (id) => dueShardOf(id, SHARDS),
    seed: ({ dueAt, nextLesson, email, extra }) =>
      Promise.resolve(
        store.add(randomUUID(), dueAt, {
          ...(nextLesson === undefined ? {} : { nextLesson }),
          ...(email === undefined ? {} : { email }),
          ...extra,
        }),
      ),
    suppress: (email) => Promise.resolve(void store.suppressed.add(email)),
    unsubscribe: (id, at) => (store.unsubscribe(id, at) ? Promise.resolve() : Promise.reject(new Error(`could not unsubscribe ${id}`))),
    read: (id) => {
      const row = store.rows.get(id);
      return Promise.resolve(row === undefined ? undefined : structuredClone(row));
    },
  });
});
