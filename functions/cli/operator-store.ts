// The table reads and writes behind the operator CLI: whole-table pages of subscribers (export,
// stats), lesson counters, everything held about one address (show, erase), and the subscribers the
// drip holds after SES refused a lesson (held).
import {
  BatchWriteCommand,
  GetCommand,
  UpdateCommand,
  paginateQuery,
  paginateScan,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Subscriber } from '../core/model.js';
import type { HeldSignup } from '../core/signup-outbox.js';
import type { BackoffPolicy } from '../core/retry.js';
import { dynamoBatch, dynamoCall, dynamoPages } from '../adapters/dynamo-client.js';
import { subscriberFromItem } from '../adapters/dynamo-store.js';
import { addressLockKeys, keys, suppressionKeys } from '../adapters/table.js';
import { chunks } from '../core/concurrency.js';

export interface OperatorStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

type Item = Record<string, unknown>;

/**
 * A subscriber as stored, with the drip's hold: set when SES permanently refused the current lesson
 * (the subscriber stays active but leaves the due index until `course requeue`).
 */
export type StoredSubscriber = Subscriber & { heldAt?: string; heldReason?: string };

/** Everything the table holds about one address in one course. */
export interface PersonRecord {
  email: string;
  course: string;
  /** ADDR#<course>#<email> / ADDR */
  addressLock?: Item;
  /** SUB#<id> / PROFILE, then SEND#nn items, as stored. */
  subscriberItems: Item[];
  /** A SUPPRESS#<hash> item (the address's own or its mailbox's), if the address is suppressed. */
  suppression?: Item;
}

/**
 * Deletes DynamoDB hands back unprocessed (throttling) are sent again after 50, 100, … 6400 ms: an
 * operator's erase can wait, and stops after about 13 s with a message saying to run it again.
 */
const ERASE_RETRY: BackoffPolicy = { retries: 8, baseMs: 50, maxMs: 6_400, jitter: 'none' };
/** Deletes per BatchWriteItem, DynamoDB's limit. */
const DELETE_BATCH = 25;

type Key = { pk: string; sk: string };

function getItem({ doc, tableName }: OperatorStoreOptions, key: Key): Promise<Item | undefined> {
  return dynamoCall('item read', () => doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).then(
    (o) => o.Item,
  );
}

/** Every item under partition key `pk`, read consistently, page by page. */
async function itemsOf({ doc, tableName }: OperatorStoreOptions, pk: string): Promise<Item[]> {
  const items: Item[] = [];
  const pages = paginateQuery(
    { client: doc },
    { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true },
  );
  for await (const page of dynamoPages('items read', pages)) items.push(...(page.Items ?? []));
  return items;
}

async function person(table: OperatorStoreOptions, course: string, email: string): Promise<PersonRecord> {
  let addressLock: Item | undefined;
  for (const key of addressLockKeys(course, email)) {
    addressLock ??= await getItem(table, key);
  }
  const id = typeof addressLock?.id === 'string' ? addressLock.id : undefined;
  const subscriberItems = id === undefined ? [] : await itemsOf(table, keys.subscriber(id).pk);
  let suppression: Item | undefined;
  for (const key of suppressionKeys(email)) suppression ??= await getItem(table, key);
  return { email, course, addressLock, subscriberItems, suppression };
}

/**
 * Subscribers one Scan page at a time (about 1 MB each), narrowed by an extra filter: memory stays
 * flat however large the table. `pageSize` caps the items a page evaluates.
 */
async function* scanSubscribers(
  { doc, tableName }: OperatorStoreOptions,
  o: { what: string; filter?: string; names?: Record<string, string>; values?: Item; pageSize?: number },
): AsyncGenerator<StoredSubscriber[]> {
  const pages = paginateScan(
    { client: doc, pageSize: o.pageSize },
    {
      TableName: tableName,
      FilterExpression: `sk = :profile AND begins_with(pk, :sub)${o.filter ? ` AND ${o.filter}` : ''}`,
      ...(o.names ? { ExpressionAttributeNames: o.names } : {}),
      ExpressionAttributeValues: { ':profile': 'PROFILE', ':sub': 'SUB#', ...o.values },
    },
  );
  for await (const page of dynamoPages(o.what, pages)) {
    const subscribers = (page.Items ?? []).map(subscriberFromItem);
    if (subscribers.length > 0) yield subscribers;
  }
}

/**
 * The held subscribers of one course, oldest hold first. A Scan: holds are rare and have no index
 * (the due index is exactly what they left), and this is an operator's occasional look.
 */
async function heldSubscribers(table: OperatorStoreOptions, course: string): Promise<StoredSubscriber[]> {
  const held: StoredSubscriber[] = [];
  for await (const page of scanSubscribers(table, {
    what: 'held subscriber scan',
    // Active only: a held subscriber who later unsubscribed or bounced is no longer waiting.
    filter: 'attribute_exists(heldAt) AND #status = :active AND #course = :course',
    names: { '#status': 'status', '#course': 'course' },
    values: { ':active': 'active', ':course': course },
  })) {
    held.push(...page);
  }
  return held.sort((a, b) => String(a.heldAt).localeCompare(String(b.heldAt)));
}

/**
 * Writes one SUPPRESS item. An address already suppressed keeps its first reason and time; `extra`
 * attributes (erasedAt) are set every time.
 */
async function writeSuppression({ doc, tableName }: OperatorStoreOptions, key: Key, reason: string, at: string, extra: Item = {}) {
  const names = Object.keys(extra);
  await dynamoCall('suppression hash write', () =>
    doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: [
          'SET reason = if_not_exists(reason, :reason), suppressedAt = if_not_exists(suppressedAt, :at)',
          ...names.map((n, i) => `${n} = :x${i}`),
        ].join(', '),
        ExpressionAttributeValues: { ':reason': reason, ':at': at, ...Object.fromEntries(names.map((n, i) => [`:x${i}`, extra[n]])) },
      }),
    ),
  );
}

/** What `course migrate-suppressions` did. */
export interface SuppressionMigration {
  /** Bounced or complained subscribers read (they still hold their address). */
  stopped: number;
  /** SUPPRESS items written under a mailbox key (or found already there: the writes are idempotent). */
  mailboxKeysWritten: number;
  /** SUPPRESS items in the table after the run. */
  suppressionItems: number;
}

/**
 * Re-keys what was suppressed before mailbox keys: each bounced or complained subscriber (whose item
 * still holds the address) gets its SUPPRESS items under both keys (suppressionKeys). An erased
 * address left only its one-way hash, which cannot be re-keyed: those are counted, not changed.
 * Idempotent; safe to run while the service runs.
 */
async function migrateSuppressions(table: OperatorStoreOptions, at: string): Promise<SuppressionMigration> {
  const result: SuppressionMigration = { stopped: 0, mailboxKeysWritten: 0, suppressionItems: 0 };
  for await (const page of scanSubscribers(table, {
    what: 'stopped subscriber scan',
    filter: '#status IN (:bounced, :complained)',
    names: { '#status': 'status' },
    values: { ':bounced': 'bounced', ':complained': 'complained' },
  })) {
    for (const s of page as (StoredSubscriber & { stoppedReason?: string; stoppedAt?: string })[]) {
      result.stopped++;
      const reason = s.stoppedReason ?? (s.status === 'complained' ? 'complaint' : 'permanent-bounce');
      const written = suppressionKeys(s.email);
      for (const key of written) await writeSuppression(table, key, reason, s.stoppedAt ?? at);
      if (written.length > 1) result.mailboxKeysWritten++;
    }
  }
  const pages = paginateScan(
    { client: table.doc },
    {
      TableName: table.tableName,
      FilterExpression: 'begins_with(pk, :p)',
      ExpressionAttributeValues: { ':p': 'SUPPRESS#' },
      ProjectionExpression: 'pk',
    },
  );
  for await (const page of dynamoPages('suppression scan', pages)) result.suppressionItems += page.Items?.length ?? 0;
  return result;
}

/**
 * Remove everything held about the address, keeping only its one-way hash. The hash is written
 * first, so an erase cut short still leaves the address suppressed; the lock goes last, so a rerun
 * finds what is left.
 */
async function erase(
  table: OperatorStoreOptions,
  course: string,
  email: string,
  at: string,
): Promise<{ deleted: Key[]; suppressionKeys: Key[] }> {
  const { doc, tableName } = table;
  // Under the address and its mailbox (suppressionKeys), so no other spelling of the inbox is mailed.
  const kept = suppressionKeys(email);
  for (const Key of kept) await writeSuppression(table, Key, 'erased', at, { erasedAt: at });
  const { addressLock, subscriberItems } = await person(table, course, email);
  const doomed = [
    ...subscriberItems.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
    ...(addressLock ? [{ pk: String(addressLock.pk), sk: String(addressLock.sk) }] : []),
  ];
  for (const batch of chunks(doomed, DELETE_BATCH)) {
    await dynamoBatch(
      'batch delete',
      batch.map((Key) => ({ DeleteRequest: { Key } })),
      async (requests) => {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        return (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      },
      ERASE_RETRY,
      'DynamoDB: could not finish deleting (throttled); run erase again',
    );
  }
  return { deleted: doomed, suppressionKeys: kept };
}

export function createOperatorStore(table: OperatorStoreOptions) {
  return {
    /** Every subscriber, page by page (export, stats). */
    subscriberPages: (pageSize?: number) => scanSubscribers(table, { what: 'subscriber scan', pageSize }),
    heldSubscribers: (course: string) => heldSubscribers(table, course),
    /** Signups whose confirmation SES refused for good (HELDSIGNUP#<course>), oldest hold first: one Query. */
    heldSignups: async (course: string): Promise<HeldSignup[]> =>
      (await itemsOf(table, `HELDSIGNUP#${course}`)).map((i) => ({
        requestId: String(i.requestId),
        course: String(i.course),
        email: String(i.email),
        receivedAt: String(i.receivedAt),
        heldAt: String(i.heldAt),
        reason: String(i.reason),
        attempts: typeof i.attempts === 'number' ? i.attempts : 1,
      })),
    /** The STATS#<course> / LESSON#nn items. */
    lessonCounters: (course: string) => itemsOf(table, `STATS#${course}`),
    person: (course: string, email: string) => person(table, course, email),
    erase: (course: string, email: string, at: string) => erase(table, course, email, at),
    migrateSuppressions: (at: string) => migrateSuppressions(table, at),
  };
}

export type OperatorStore = ReturnType<typeof createOperatorStore>;
