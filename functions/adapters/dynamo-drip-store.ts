// The drip's DripStore on the one DynamoDB table (key scheme in table.ts): a Query per shard of the
// sparse due index, one consistent BatchGet before each send, and one conditional write per step, so
// overlapping runs cannot both win a step.
//
// Raw commands on the drip's own client (marshalled here, as the DocumentClient would) rather than the
// DocumentClient: that client can then cache its middleware chains (createDynamoClient's
// cacheMiddleware), which the drip's five calls per email feel; the DocumentClient refuses such a client.
import {
  BatchGetItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SendRecord } from '../core/model.js';
import type { DripStore, DueEntry } from '../core/drip.js';
import { DependencyError } from '../core/errors.js';
import { conditionalWrite, dynamoCall } from './dynamo-client.js';
import { DUE_INDEX, DUE_SHARD_ATTR, DUE_SORT_ATTR, dueShardOf, dueShards, keys, suppressionHash } from './table.js';
import { dueSortKey, subscriberFromItem } from './dynamo-store.js';

export interface DynamoDripStoreOptions {
  /** A raw client of the drip's own (createDynamoClient with cacheMiddleware), not one under a DocumentClient. */
  dynamo: DynamoDBClient;
  tableName: string;
  /** Partitions of the due index (config.dueShards); must match what the subscription store writes. */
  dueShards: number;
  /** Items per Query page; default DynamoDB's (1 MB). Tests set it small to exercise paging. */
  pageSize?: number;
}

// Attribute names used in expressions; `status` is a DynamoDB reserved word.
const names = { '#status': 'status', '#shard': DUE_SHARD_ATTR, '#dueAt': DUE_SORT_ATTR };

type Item = Record<string, AttributeValue>;
// What the DocumentClient does: optional model fields are left out of items rather than written as NULL.
const toItem = (value: Record<string, unknown>): Item => marshall(value, { removeUndefinedValues: true });

/** Retries of the keys a BatchGet left unprocessed (throttling): 4 more tries within about a third of a second. */
const BATCH_GET_RETRIES = 4;
const BATCH_GET_BASE_MS = 20;

export function createDynamoDripStore({ dynamo, tableName, dueShards: shardCount, pageSize }: DynamoDripStoreOptions): DripStore {
  async function queryShard(shard: string, now: Date): Promise<DueEntry[]> {
    // dueAt = `<nextSendAt ISO>#<id>`; every entry due at or before `now` sorts before the ISO
    // instant one millisecond later (toISOString always has milliseconds and a Z).
    const upper = new Date(now.getTime() + 1).toISOString();
    const entries: DueEntry[] = [];
    let start: Item | undefined;
    do {
      const out = await dynamoCall(`due query (${shard})`, () =>
        dynamo.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: DUE_INDEX,
            KeyConditionExpression: '#shard = :shard AND #dueAt < :upper',
            ExpressionAttributeNames: { '#shard': DUE_SHARD_ATTR, '#dueAt': DUE_SORT_ATTR },
            ExpressionAttributeValues: toItem({ ':shard': shard, ':upper': upper }),
            ExclusiveStartKey: start,
            Limit: pageSize,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const pk = item.pk?.S;
        const dueAt = item[DUE_SORT_ATTR]?.S;
        if (pk !== undefined && pk.startsWith('SUB#') && dueAt !== undefined) entries.push({ id: pk.slice(4), dueAt });
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return entries;
  }

  /** The items at `itemKeys` that exist, read consistently; throws when DynamoDB cannot answer for all of them. */
  async function getConsistently(what: string, itemKeys: Record<string, string>[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let request: KeysAndAttributes = { Keys: itemKeys.map(toItem), ConsistentRead: true };
    for (let attempt = 1; ; attempt++) {
      const ask = request;
      const out = await dynamoCall(what, () => dynamo.send(new BatchGetItemCommand({ RequestItems: { [tableName]: ask } })));
      for (const item of out.Responses?.[tableName] ?? []) found.push(unmarshall(item));
      const left = out.UnprocessedKeys?.[tableName];
      if (left?.Keys === undefined || left.Keys.length === 0) return found;
      // Left over when DynamoDB throttles part of a batch: not an answer, so asked again, then given up on.
      if (attempt > BATCH_GET_RETRIES) throw new DependencyError(`DynamoDB ${what} failed`, new Error(`keys still unprocessed after ${attempt} tries`));
      const cap = BATCH_GET_BASE_MS * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, cap / 2 + Math.random() * (cap / 2)));
      request = left;
    }
  }

  return {
    async findDue(now) {
      // All shards at once; one failing read fails the whole lookup (the run then sends nothing).
      const perShard = await Promise.all(dueShards(shardCount).map((shard) => queryShard(shard, now)));
      return perShard.flat().sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
    },

    async claim(entry, { claimId, now, until }) {
      let before: Item | undefined;
      const won = await conditionalWrite('claim', async () => {
        const out = await dynamo.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: toItem(keys.subscriber(entry.id)),
            UpdateExpression: 'SET claimId = :claim, claimUntil = :until',
            // The index is keys-only and eventually consistent: this condition is the real check.
            // dueAt changes with every advance and goes with unsubscribe, so "same dueAt" means
            // "still on the lesson we found due"; an expired claim belongs to a run that died.
            ConditionExpression: '#status = :active AND #dueAt = :dueAt AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status', '#dueAt': DUE_SORT_ATTR },
            ExpressionAttributeValues: toItem({ ':claim': claimId, ':until': until.getTime(), ':active': 'active', ':dueAt': entry.dueAt, ':now': now.getTime() }),
            // The old image: the whole subscriber, plus whether a dead run's claim was there.
            ReturnValues: 'ALL_OLD',
          }),
        );
        before = out.Attributes;
      });
      if (!won || before === undefined) return undefined;
      const item = unmarshall(before);
      return { subscriber: subscriberFromItem(item), tookOverExpiredClaim: item.claimId !== undefined };
    },

    async checkBeforeSend(subscriberId, lesson, email) {
      // Both reads in one round trip: the lesson's send record and the address's suppression item.
      const sendKey = keys.send(subscriberId, lesson);
      const suppressionKey = keys.suppression(suppressionHash(email));
      const items = await getConsistently('send check', [sendKey, suppressionKey]);
      const suppressed = items.some((i) => i.pk === suppressionKey.pk && i.sk === suppressionKey.sk);
      const item = items.find((i) => i.pk === sendKey.pk && i.sk === sendKey.sk);
      if (item === undefined) return { suppressed };
      const sendRecord: SendRecord = { subscriberId, lesson, status: item.status === 'failed' ? 'failed' : 'sent', at: String(item.at) };
      if (typeof item.messageId === 'string') sendRecord.messageId = item.messageId;
      if (typeof item.error === 'string') sendRecord.error = item.error;
      return { sendRecord, suppressed };
    },

    async holdsClaim(subscriberId, claimId) {
      const out = await dynamoCall('claim check', () =>
        dynamo.send(
          new GetItemCommand({
            TableName: tableName,
            Key: toItem(keys.subscriber(subscriberId)),
            ConsistentRead: true,
            ProjectionExpression: '#status, claimId',
            ExpressionAttributeNames: { '#status': 'status' },
          }),
        ),
      );
      return out.Item?.status?.S === 'active' && out.Item.claimId?.S === claimId;
    },

    recordSend(record) {
      return conditionalWrite('send record', () =>
        dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: toItem({ ...keys.send(record.subscriberId, record.lesson), ...record }),
            // One `sent` record per (subscriber, lesson), ever; a `failed` one may be replaced when an
            // operator requeues the subscriber and the lesson goes out after all.
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: toItem({ ':failed': 'failed' }),
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
              ExpressionAttributeValues: toItem({ ...common, ':completed': 'completed' }),
            }
          : {
              UpdateExpression: 'SET nextLesson = :next, lastSentAt = :sent, nextSendAt = :due, #dueAt = :dueAt REMOVE claimId, claimUntil',
              ExpressionAttributeNames: { '#status': 'status', '#dueAt': DUE_SORT_ATTR },
              ExpressionAttributeValues: toItem({ ...common, ':due': next.nextSendAt, ':dueAt': dueSortKey(next.nextSendAt, subscriberId) }),
            };
      return conditionalWrite('advance', () =>
        dynamo.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: toItem(keys.subscriber(subscriberId)),
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
        dynamo.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: toItem(keys.subscriber(subscriberId)),
            UpdateExpression: 'SET heldAt = :at, heldReason = :reason REMOVE #shard, #dueAt, claimId, claimUntil',
            ConditionExpression: 'claimId = :claim AND nextLesson = :lesson AND #status = :active',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: toItem({ ':claim': claimId, ':lesson': lesson, ':active': 'active', ':at': at, ':reason': reason }),
          }),
        ),
      );
    },

    async release(subscriberId, claimId) {
      await conditionalWrite('release claim', () =>
        dynamo.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: toItem(keys.subscriber(subscriberId)),
            UpdateExpression: 'REMOVE claimId, claimUntil',
            ConditionExpression: 'claimId = :claim',
            ExpressionAttributeValues: toItem({ ':claim': claimId }),
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
