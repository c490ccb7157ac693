// The drip's DripStore on the one DynamoDB table (key scheme in table.ts), batched across a page of due
// subscribers: a Query per shard of the sparse due index, then per page one consistent BatchGetItem of
// the subscribers, one PartiQL BatchExecuteStatement of conditional claims (each statement succeeds or
// fails on its own condition), one consistent BatchGetItem of send records and suppression items, one
// BatchWriteItem of the send log and one BatchExecuteStatement of conditional advances. A page of 50
// costs 8 DynamoDB calls (statements and writes go 25 to a request), 0.16 a subscriber.
//
// Raw commands on the drip's own client (marshalled here, as the DocumentClient would) rather than the
// DocumentClient: that client can then cache its middleware chains (createDynamoClient's
// cacheMiddleware); the DocumentClient refuses such a client.
import {
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  paginateQuery,
  type AttributeValue,
  type BatchStatementRequest,
  type BatchStatementResponse,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SendRecord } from '../core/model.js';
import type { AdvanceOutcome, Claimed, DripStore, DueEntry, SendCheck } from '../core/drip/index.js';
import { DependencyError } from '../core/errors.js';
import type { BackoffPolicy } from '../core/retry.js';
import { conditionalWrite, dynamoBatch, dynamoCall, dynamoPages } from './dynamo-client.js';
import { DUE_INDEX, DUE_SHARD_ATTR, DUE_SORT_ATTR, PACE_VERSION_ATTR, dueShardOf, dueShards, keys, suppressionKeys } from './table.js';
import { dueSortKey, subscriberFromItem } from './dynamo-store.js';
import { chunks } from '../core/concurrency.js';

export interface DynamoDripStoreOptions {
  /** A raw client of the drip's own (createDynamoClient with cacheMiddleware), not one under a DocumentClient. */
  dynamo: DynamoDBClient;
  tableName: string;
  /** Partitions of the due index (config.dueShards); must match what the subscription store writes. */
  dueShards: number;
  /** Items per Query page; default DynamoDB's (1 MB). Tests set it small to exercise paging. */
  pageSize?: number;
}

/**
 * The most subscribers one page may hold: BatchGetItem reads at most 100 keys a request (BATCH_LIMIT)
 * and the claim reads one per subscriber. Source:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 */
export const MAX_PAGE = 50;
/** Keys per BatchGetItem request, DynamoDB's limit (the check before sending reads up to three per subscriber). */
const BATCH_LIMIT = 100;
/**
 * Statements per BatchExecuteStatement and items per BatchWriteItem, DynamoDB's limit for both.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
 */
const WRITE_BATCH = 25;

// Attribute names used in expressions; `status` is a DynamoDB reserved word.
const names = { '#status': 'status', '#shard': DUE_SHARD_ATTR, '#dueAt': DUE_SORT_ATTR };

type Item = Record<string, AttributeValue>;
// What the DocumentClient does: optional model fields are left out of items rather than written as NULL.
const toItem = (value: Record<string, unknown>): Item => marshall(value, { removeUndefinedValues: true });
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

/** Retries of what a batch left unprocessed (throttling): 4 more tries within about a third of a second. */
const LEFTOVER_RETRY: BackoffPolicy = { retries: 4, baseMs: 20, maxMs: 160, jitter: 'equal' };

/**
 * The drip's PartiQL statements on `tableName` (PartiQL names the table in each statement; a
 * double-quoted identifier may hold any table name).
 */
function dripStatements(tableName: string) {
  const table = `"${tableName.replace(/"/g, '""')}"`;
  // Only the claim holder moves the subscriber on, and never back into the due index after they left
  // (an unsubscribe during the send keeps them out). The old image on a lost condition tells an
  // overtaking run (the lesson went out twice) from a person who left.
  // The round too: a restart (round + 1, lesson 1) is never advanced past by a run of the round before.
  // Round 1 is the item without a round, so each statement comes in two spellings.
  const advanceWhere = (round: number) =>
    `WHERE pk = ? AND sk = 'PROFILE' AND claimId = ? AND nextLesson = ? AND "status" = 'active' AND ${roundIs(round)}`;
  return {
    /** `version`: the pace version read (undefined: none yet); `round`: the round read. */
    claim: (round: number, version: number | undefined) =>
      `UPDATE ${table} SET claimId = ? SET claimUntil = ? REMOVE pausedAt REMOVE pausedUntil WHERE pk = ? AND sk = 'PROFILE' ` +
      // The index is keys-only and eventually consistent: this condition is the real check. dueAt
      // changes with every advance and goes with unsubscribe, so "same dueAt" means "still on the
      // lesson we found due"; the lesson, the round and the pace version say that no learner's control
      // changed what was read; an expired claim belongs to a run that died. A pause "until a date" is
      // in the index at that date's send time, so claiming it ends the pause.
      `AND "status" = 'active' AND dueAt = ? AND nextLesson = ? AND ${roundIs(round)} ` +
      `AND ${version === undefined ? `${PACE_VERSION_ATTR} IS MISSING` : `${PACE_VERSION_ATTR} = ?`} ` +
      `AND (claimUntil IS MISSING OR claimUntil < ?)`,
    advanceNext: (round: number) =>
      `UPDATE ${table} SET nextLesson = ? SET lastSentAt = ? SET nextSendAt = ? SET dueAt = ? REMOVE claimId REMOVE claimUntil ${advanceWhere(round)}`,
    advanceDone: (round: number) =>
      `UPDATE ${table} SET nextLesson = ? SET lastSentAt = ? SET "status" = 'completed' REMOVE nextSendAt REMOVE dueShard REMOVE dueAt REMOVE claimId REMOVE claimUntil ${advanceWhere(round)}`,
    release: `UPDATE ${table} REMOVE claimId REMOVE claimUntil WHERE pk = ? AND sk = 'PROFILE' AND claimId = ?`,
  };
}

/** The PartiQL condition "in round `round`": round 1 is the item without a round (its literal, a whole number, is inlined). */
function roundIs(round: number): string {
  if (!Number.isInteger(round) || round < 1) throw new Error(`a round is a whole number ≥ 1, got ${round}`);
  return round === 1 ? `("round" IS MISSING OR "round" = 1)` : `"round" = ${round}`;
}

/**
 * Runs conditional statements 25 to a request, all requests at once; answers each statement's
 * response in order. A lost condition is that statement's answer (Error.Code ConditionalCheckFailed);
 * any other error of a statement, or of a request, throws: a write we cannot account for fails the run.
 */
async function executeAll(dynamo: DynamoDBClient, what: string, statements: BatchStatementRequest[]): Promise<BatchStatementResponse[]> {
  const answers = await Promise.all(
    chunks(statements, WRITE_BATCH).map(async (batch) => {
      const out = await dynamoCall(what, () => dynamo.send(new BatchExecuteStatementCommand({ Statements: batch })));
      const responses = out.Responses ?? [];
      if (responses.length !== batch.length)
        throw new DependencyError(`DynamoDB ${what} failed`, new Error(`${responses.length} answers for ${batch.length} statements`));
      for (const r of responses) {
        const code = r.Error?.Code;
        if (code !== undefined && code !== 'ConditionalCheckFailed') {
          throw new DependencyError(`DynamoDB ${what} failed`, new Error(`${code}: ${r.Error?.Message ?? ''}`));
        }
      }
      return responses;
    }),
  );
  return answers.flat();
}

// eslint-disable-next-line max-lines-per-function -- a factory returning an object of short methods (each one held to 90 lines by this rule)
export function createDynamoDripStore({ dynamo, tableName, dueShards: shardCount, pageSize }: DynamoDripStoreOptions): DripStore {
  const statements = dripStatements(tableName);

  async function queryShard(shard: string, now: Date): Promise<DueEntry[]> {
    // dueAt = `<nextSendAt ISO>#<id>`; every entry due at or before `now` sorts before the ISO
    // instant one millisecond later (toISOString always has milliseconds and a Z).
    const upper = new Date(now.getTime() + 1).toISOString();
    const entries: DueEntry[] = [];
    const pages = paginateQuery(
      { client: dynamo, pageSize },
      {
        TableName: tableName,
        IndexName: DUE_INDEX,
        KeyConditionExpression: '#shard = :shard AND #dueAt < :upper',
        ExpressionAttributeNames: { '#shard': DUE_SHARD_ATTR, '#dueAt': DUE_SORT_ATTR },
        ExpressionAttributeValues: { ':shard': S(shard), ':upper': S(upper) },
      },
    );
    for await (const out of dynamoPages(`due query (${shard})`, pages)) {
      for (const item of out.Items ?? []) {
        const pk = item.pk?.S;
        const dueAt = item[DUE_SORT_ATTR]?.S;
        if (pk !== undefined && pk.startsWith('SUB#') && dueAt !== undefined) entries.push({ id: pk.slice(4), dueAt });
      }
    }
    return entries;
  }

  /** The items at `itemKeys` that exist, read consistently (≤ 100 keys); throws when DynamoDB cannot answer for all of them. */
  async function getConsistently(what: string, itemKeys: Record<string, string>[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    // Keys left over when DynamoDB throttles part of a batch are not an answer: asked again, then given up on.
    await dynamoBatch(
      what,
      itemKeys.map((k): Item => ({ pk: S(k.pk!), sk: S(k.sk!) })),
      async (Keys) => {
        const out = await dynamo.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys, ConsistentRead: true } } }));
        for (const item of out.Responses?.[tableName] ?? []) found.push(unmarshall(item));
        return out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      },
      LEFTOVER_RETRY,
    );
    return found;
  }

  return {
    async findDue(now, shards) {
      // All shards at once; one failing read fails the whole lookup (the run then sends nothing).
      const perShard = await Promise.all((shards ?? dueShards(shardCount)).map((shard) => queryShard(shard, now)));
      return perShard.flat().sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
    },

    async claim(entries, { claimId, now, until }) {
      if (entries.length > MAX_PAGE) throw new Error(`a page holds at most ${MAX_PAGE} subscribers, got ${entries.length}`);
      // One consistent read of the page: the whole subscriber (the index holds keys only), and who is
      // plainly not claimable, so no write is spent on them.
      const items = await getConsistently(
        'claim read',
        entries.map((e) => keys.subscriber(e.id)),
      );
      const byPk = new Map(items.map((i) => [String(i.pk), i]));
      const candidates: { entry: DueEntry; item: Record<string, unknown> }[] = [];
      for (const entry of entries) {
        const item = byPk.get(`SUB#${entry.id}`);
        if (item === undefined || item.status !== 'active' || item[DUE_SORT_ATTR] !== entry.dueAt) continue;
        if (typeof item.claimUntil === 'number' && item.claimUntil >= now.getTime()) continue;
        candidates.push({ entry, item });
      }
      const answers = await executeAll(
        dynamo,
        'claim',
        candidates.map(({ entry, item }) => {
          const round = typeof item.round === 'number' ? item.round : 1;
          const version = typeof item[PACE_VERSION_ATTR] === 'number' ? item[PACE_VERSION_ATTR] : undefined;
          return {
            Statement: statements.claim(round, version),
            Parameters: [
              S(claimId),
              N(until.getTime()),
              S(`SUB#${entry.id}`),
              S(entry.dueAt),
              N(Number(item.nextLesson)),
              ...(version === undefined ? [] : [N(version)]),
              N(now.getTime()),
            ],
          };
        }),
      );
      // Won: the item is the one read (same dueAt, so same lesson; the condition saw it unchanged).
      return candidates.flatMap(({ item }, i): Claimed[] =>
        answers[i]?.Error === undefined ? [{ subscriber: subscriberFromItem(item), tookOverExpiredClaim: item.claimId !== undefined }] : [],
      );
    },

    async checkBeforeSend(items) {
      if (items.length > MAX_PAGE) throw new Error(`a page holds at most ${MAX_PAGE} subscribers, got ${items.length}`);
      // One round trip for the page: each lesson's send record and each address's suppression item.
      const sendKeys = items.map((i) => keys.send(i.subscriberId, i.lesson, i.round));
      // Each address's suppression items: as typed and its mailbox's (suppressionKeys).
      const stopKeys = items.map((i) => suppressionKeys(i.email));
      const distinct = new Map([...sendKeys, ...stopKeys.flat()].map((k) => [`${k.pk}|${k.sk}`, k]));
      // Up to three keys per subscriber: in BatchGetItem's 100-key requests.
      const reads = await Promise.all(chunks([...distinct.values()], BATCH_LIMIT).map((part) => getConsistently('send check', part)));
      const found = new Map(reads.flat().map((i) => [`${String(i.pk)}|${String(i.sk)}`, i]));
      return items.map((it, n): SendCheck => {
        const sk = sendKeys[n]!;
        const suppressed = stopKeys[n]!.some((qk) => found.has(`${qk.pk}|${qk.sk}`));
        const item = found.get(`${sk.pk}|${sk.sk}`);
        if (item === undefined) return { suppressed };
        const sendRecord: SendRecord = {
          subscriberId: it.subscriberId,
          lesson: it.lesson,
          ...(it.round === undefined || it.round === 1 ? {} : { round: it.round }),
          status: item.status === 'failed' ? 'failed' : 'sent',
          at: String(item.at),
        };
        if (typeof item.messageId === 'string') sendRecord.messageId = item.messageId;
        if (typeof item.error === 'string') sendRecord.error = item.error;
        return { sendRecord, suppressed };
      });
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

    async logSends(records) {
      // The send log: plain puts, 25 to a request. What keeps a lesson from going twice is the
      // subscriber's own conditional advance (and the check of this log before a send), so a put
      // needs no condition; a second `sent` record of the same lesson (the SES window) only replaces
      // the first.
      await Promise.all(
        chunks(records, WRITE_BATCH).map((batch) =>
          dynamoBatch(
            'send log',
            batch.map((r): WriteRequest => ({ PutRequest: { Item: toItem({ ...keys.send(r.subscriberId, r.lesson, r.round), ...r }) } })),
            async (requests) => {
              const out = await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
              return out.UnprocessedItems?.[tableName] ?? [];
            },
            LEFTOVER_RETRY,
          ),
        ),
      );
    },

    async countSent(counts) {
      await Promise.all(
        counts.map(({ course, lesson, sent }) =>
          dynamoCall('sent counter update', () =>
            dynamo.send(
              new UpdateItemCommand({
                TableName: tableName,
                Key: toItem(keys.lessonStats(course, lesson)),
                // As the feedback path writes its counters (dynamo-feedback-store.ts): the lesson number kept as an attribute.
                UpdateExpression: 'ADD #sent :n SET #course = :course, #lesson = :lesson',
                ExpressionAttributeNames: { '#sent': 'sent', '#course': 'course', '#lesson': 'lesson' },
                ExpressionAttributeValues: toItem({ ':n': sent, ':course': course, ':lesson': lesson + 1 }),
              }),
            ),
          ),
        ),
      );
    },

    recordSend(record) {
      return conditionalWrite('send record', () =>
        dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: toItem({ ...keys.send(record.subscriberId, record.lesson, record.round), ...record }),
            // A `failed` record never replaces a `sent` one.
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: toItem({ ':failed': 'failed' }),
          }),
        ),
      );
    },

    async advance(items) {
      const answers = await executeAll(
        dynamo,
        'advance',
        items.map(({ subscriberId, advance: { claimId, lesson, round = 1, sentAt, next } }) => {
          const where = [S(`SUB#${subscriberId}`), S(claimId), N(lesson)];
          return next === 'completed'
            ? {
                Statement: statements.advanceDone(round),
                Parameters: [N(lesson + 1), S(sentAt), ...where],
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }
            : {
                Statement: statements.advanceNext(round),
                Parameters: [N(lesson + 1), S(sentAt), S(next.nextSendAt), S(dueSortKey(next.nextSendAt, subscriberId)), ...where],
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              };
        }),
      );
      return items.map(({ advance }, i): AdvanceOutcome => {
        const error = answers[i]?.Error;
        if (error === undefined) return 'advanced';
        const before = error.Item === undefined ? undefined : unmarshall(error.Item);
        // Someone else moved them past this lesson of this round: another run sent it too (our claim had expired).
        const sameRound = (typeof before?.round === 'number' ? before.round : 1) === (advance.round ?? 1);
        return sameRound && typeof before?.nextLesson === 'number' && before.nextLesson > advance.lesson ? 'overtaken' : 'lost';
      });
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

    async release(subscriberIds, claimId) {
      await executeAll(
        dynamo,
        'release claim',
        subscriberIds.map((id) => ({
          Statement: statements.release,
          Parameters: [S(`SUB#${id}`), S(claimId)],
        })),
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
export function requeueHeldSubscriber(
  o: { doc: DynamoDBDocumentClient; tableName: string; dueShards: number },
  subscriberId: string,
  at: Date,
): Promise<boolean> {
  const due = at.toISOString();
  return conditionalWrite('requeue', () =>
    o.doc.send(
      new UpdateCommand({
        TableName: o.tableName,
        Key: keys.subscriber(subscriberId),
        UpdateExpression: 'SET nextSendAt = :due, #shard = :shard, #dueAt = :dueAt REMOVE heldAt, heldReason',
        ConditionExpression: '#status = :active AND attribute_exists(heldAt)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':due': due,
          ':shard': dueShardOf(subscriberId, o.dueShards),
          ':dueAt': dueSortKey(due, subscriberId),
          ':active': 'active',
        },
      }),
    ),
  );
}
