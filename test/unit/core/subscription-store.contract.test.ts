// The SubscriptionStore contract (test/support/subscription-store-contract.ts) against the in-memory store:
// it must keep the DynamoDB store's conditions, which the same contract checks on DynamoDB Local in
// test/integration/signup/subscription-store.test.ts. No I/O, no Java.
import { describeSubscriptionStoreContract } from '../../support/subscription-store-contract.js';
import { MemorySubscriptionStore } from '../../support/memory-subscription-store.js';

describeSubscriptionStoreContract('in memory', () => {
  const store = new MemorySubscriptionStore({ dueShards: 3 });
  return Promise.resolve({
    store,
    suppress: (email) => Promise.resolve(store.suppress(email)),
    legacyLock: (lock) => Promise.resolve(void store.locks.set(`${lock.course}#${lock.email}`, { ...lock })),
    read: (id) => {
      const row = store.rows.get(id);
      return Promise.resolve(row === undefined ? undefined : structuredClone(row));
    },
    unsubscribedAfter: (course, lesson) => Promise.resolve(store.unsubscribedAfter.get(`${course}/${lesson}`) ?? 0),
    heldSignups: (course) => Promise.resolve(store.heldSignups(course)),
    setAttributes: (id, values) => Promise.resolve(void Object.assign(store.rows.get(id)!, values)),
  });
});
