// The drip's DripStore on the one DynamoDB table (key scheme in table.ts): a Query per shard of the
// sparse due index, and one conditional write per step, so overlapping runs cannot both win a step.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendRecord } from '../core/model.js';
import type { DripStore, DueEntry } from '../core/drip.js';
import { conditionalWrite, dynamoCall } from './dynamo-client.js';
import { DUE_INDEX, DUE_SHARD_ATTR, DUE_SORT_ATTR, dueShardOf, dueShards, keys, suppressionHash } from './table.js';
import { dueSortKey, subscriberFromItem } from './dynamo-store.js';

export interface DynamoDripStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Partitions of the due index (config.dueShards); must match what the subscription store writes. */
  dueShards: number;
  /** Items per Query page; default DynamoDB's (1 MB). Tests set it small to exercise paging. */
  pageSize?: number;
}

// Attribute names used in expressions; `status` is a DynamoDB reserved word.
const names = { '#status': 'status', '#shard': DUE_SHARD_ATTR, '#dueAt': DUE_SORT_ATTR };

export function createDynamoDripStore({ doc, tableName, dueShards: shardCount, pageSize }: DynamoDripStoreOptions): DripStore {
  async function queryShard(shard: string, now: Date): Promise<DueEntry[]> {
    // dueAt = `<nextSendAt ISO>#<id>`; every entry due at or before `now` sorts before the ISO
    // instant one millisecond later (toISOString always has milliseconds and a Z).
    const upper = new Date(now.getTime() + 1).toISOString();
    const entries: DueEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await dynamoCall(`due query (${shard})`, () =>
        doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: DUE_INDEX,
            KeyConditionExpression: '#shard = :shard AND #dueAt < :upper',
            ExpressionAttributeNames: { '#shard': DUE_SHARD_ATTR, '#dueAt': DUE_SORT_ATTR },
            ExpressionAttributeValues: { ':shard': shard, ':upper': upper },
            ExclusiveStartKey: start,
            Limit: pageSize,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const pk: unknown = item.pk;
        const dueAt: unknown = item[DUE_SORT_ATTR];
        if (typeof pk === 'string' && pk.startsWith('SUB#') && typeof dueAt === 'string') entries.push({ id: pk.slice(4), dueAt });
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return entries;
  }

  return {
    async findDue(now) {
      // All shards at once; one failing read fails the whole lookup (the run then sends nothing).
      const perShard = await Promise.all(dueShards(shardCount).map((shard) => queryShard(shard, now)));
      return perShard.flat().sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
    },

    async claim(entry, { claimId, now, until }) {
      let before: Record<string, unknown> | undefined;
      const won = await conditionalWrite('claim', async () => {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(entry.id),
            UpdateExpression: 'SET claimId = :claim, claimUntil = :until',
            // The index is keys-only and eventually consistent: this condition is the real check.
            // dueAt changes with every advance and goes with unsubscribe, so "same dueAt" means
            // "still on the lesson we found due"; an expired claim belongs to a run that died.
            ConditionExpression: '#status = :active AND #dueAt = :dueAt AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status', '#dueAt': DUE_SORT_ATTR },
            ExpressionAttributeValues: { ':claim': claimId, ':until': until.getTime(), ':active': 'active', ':dueAt': entry.dueAt, ':now': now.getTime() },
            // The old image: the whole subscriber, plus whether a dead run's claim was there.
            ReturnValues: 'ALL_OLD',
          }),
        );
        before = out.Attributes;
      });
      if (!won || before === undefined) return undefined;
      return { subscriber: subscriberFromItem(before), tookOverExpiredClaim: before.claimId !== undefined };
    },

    async findSendRecord(subscriberId, lesson) {
      const out = await dynamoCall('send record read', () => doc.send(new GetCommand({ TableName: tableName, Key: keys.send(subscriberId, lesson), ConsistentRead: true })));
      const item = out.Item;
      if (item === undefined) return undefined;
      const record: SendRecord = { subscriberId, lesson, status: item.status === 'failed' ? 'failed' : 'sent', at: String(item.at) };
      if (typeof item.messageId === 'string') record.messageId = item.messageId;
      if (typeof item.error === 'string') record.error = item.error;
      return record;
    },

    async isSuppressed(email) {
      const out = await dynamoCall('suppression read', () =>
        doc.send(new GetCommand({ TableName: tableName, Key: keys.suppression(suppressionHash(email)), ConsistentRead: true, ProjectionExpression: 'pk' })),
      );
      return out.Item !== undefined;
    },

    async holdsClaim(subscriberId, claimId) {
      const out = await dynamoCall('claim check', () =>
        doc.send(
          new GetCommand({
            TableName: tableName,
            Key: keys.subscriber(subscriberId),
            ConsistentRead: true,
            ProjectionExpression: '#status, claimId',
            ExpressionAttributeNames: { '#status': 'status' },
          }),
        ),
      );
      return out.Item?.status === 'active' && out.Item.claimId === claimId;
    },

    recordSend(record) {
      return conditionalWrite('send record', () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.send(record.subscriberId, record.lesson), ...record },
            // One `sent` record per (subscriber, lesson), ever; a `failed` one may be replaced when an
            // operator requeues the subscriber and the lesson goes out after all.
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':failed': 'failed' },
          }),
        ),
      );
    },

    advance(subscriberId, { claimId, lesson, sentAt, next }) {
      const common = { ':claim': claimId, ':lesson': lesson, ':next': lesson + 1, ':sent': sentAt, ':active': 'active' };
      // DynamoDB refuses unused attribute names, so each shape names only what it uses.
      const input =
        next === 'completed'
          ? {
              UpdateExpression: 'SET #status = :completed, nextLesson = :next, lastSentAt = :sent REMOVE nextSendAt, #shard, #dueAt, claimId, claimUntil',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...common, ':completed': 'completed' },
            }
          : {
              UpdateExpression: 'SET nextLesson = :next, lastSentAt = :sent, nextSendAt = :due, #dueAt = :dueAt REMOVE claimId, claimUntil',
              ExpressionAttributeNames: { '#status': 'status', '#dueAt': DUE_SORT_ATTR },
              ExpressionAttributeValues: { ...common, ':due': next.nextSendAt, ':dueAt': dueSortKey(next.nextSendAt, subscriberId) },
            };
      return conditionalWrite('advance', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(subscriberId),
            ...input,
            // Only the claim holder moves the subscriber on, and never back into the due index after
            // they left (an unsubscribe during the send keeps them out).
            ConditionExpression: 'claimId = :claim AND nextLesson = :lesson AND #status = :active',
          }),
        ),
      );
    },

    hold(subscriberId, { claimId, lesson, at, reason }) {
      return conditionalWrite('hold', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(subscriberId),
            UpdateExpression: 'SET heldAt = :at, heldReason = :reason REMOVE #shard, #dueAt, claimId, claimUntil',
            ConditionExpression: 'claimId = :claim AND nextLesson = :lesson AND #status = :active',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':claim': claimId, ':lesson': lesson, ':active': 'active', ':at': at, ':reason': reason },
          }),
        ),
      );
    },

    async release(subscriberId, claimId) {
      await conditionalWrite('release claim', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(subscriberId),
            UpdateExpression: 'REMOVE claimId, claimUntil',
            ConditionExpression: 'claimId = :claim',
            ExpressionAttributeValues: { ':claim': claimId },
          }),
        ),
      );
    },
  };
}

/**
 * Operator action after fixing why SES refused a lesson (a verified sender, an account unpaused, a
 * corrected address): put a held subscriber back in the due index, due at `at`. The held lesson is
 * then sent by the next run (its `failed` record is replaced by `sent`); nothing was skipped.
 * False when the subscriber is not held (or no longer active).
 */
export function requeueHeldSubscriber(o: { doc: DynamoDBDocumentClient; tableName: string; dueShards: number }, subscriberId: string, at: Date): Promise<boolean> {
  const due = at.toISOString();
  return conditionalWrite('requeue', () =>
    o.doc.send(
      new UpdateCommand({
        TableName: o.tableName,
        Key: keys.subscriber(subscriberId),
        UpdateExpression: 'SET nextSendAt = :due, #shard = :shard, #dueAt = :dueAt REMOVE heldAt, heldReason',
        ConditionExpression: '#status = :active AND attribute_exists(heldAt)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':due': due, ':shard': dueShardOf(subscriberId, o.dueShards), ':dueAt': dueSortKey(due, subscriberId), ':active': 'active' },
      }),
    ),
  );
}
