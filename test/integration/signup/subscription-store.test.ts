// The DynamoDB SubscriptionStore (functions/adapters/dynamo-store.ts, with its signup outbox half) against
// DynamoDB Local: the SubscriptionStore contract every store passes (test/support/subscription-store-contract.ts:
// one subscription per mailbox, one confirmation per window, each status change once, the outbox's leases).
// Each test gets its own table. The suppression is written by the feedback store and the held confirmations
// read by the operator store, as in production.
import { afterAll, beforeAll } from 'vitest';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoStore } from '../../../functions/adapters/dynamo-store.js';
import { createDynamoFeedbackStore } from '../../../functions/adapters/dynamo-feedback-store.js';
import { createOperatorStore } from '../../../functions/cli/operator-store.js';
import { TTL_ATTR, keys } from '../../../functions/adapters/table.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { describeSubscriptionStoreContract } from '../../support/subscription-store-contract.js';
import type { SubscriptionRow } from '../../support/memory-subscription-store.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

describeSubscriptionStoreContract('DynamoDB', async () => {
  const tableName = await stack.newTable();
  const table = { doc: stack.doc, tableName };
  return {
    store: createDynamoStore({ ...table, dueShards: 3 }),
    suppress: (email) => createDynamoFeedbackStore(table).suppressAddress(email, 'complaint', new Date().toISOString()),
    async legacyLock({ course, email, id, expiresAt }) {
      const item = { ...keys.address(course, email), id, course, email, ...(expiresAt === undefined ? {} : { [TTL_ATTR]: expiresAt }) };
      await stack.doc.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    async read(id) {
      const out = await stack.doc.send(new GetCommand({ TableName: tableName, Key: keys.subscriber(id), ConsistentRead: true }));
      if (out.Item === undefined) return undefined;
      const { pk: _pk, sk: _sk, ...row } = out.Item;
      return row as SubscriptionRow;
    },
    async unsubscribedAfter(course, lesson) {
      const out = await stack.doc.send(
        new GetCommand({ TableName: tableName, Key: keys.lessonStats(course, lesson), ConsistentRead: true }),
      );
      return Number(out.Item?.unsubscribed ?? 0);
    },
    heldSignups: (course) => createOperatorStore(table).heldSignups(course),
    async setAttributes(id, values) {
      const entries = Object.entries(values);
      await stack.doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.subscriber(id),
          UpdateExpression: `SET ${entries.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#a${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
        }),
      );
    },
  };
});
