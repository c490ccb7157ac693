// The table reads and writes behind the operator CLI: whole-table pages of subscribers (export,
// stats), lesson counters, everything held about one address (show, erase), and the subscribers the
// drip holds after SES refused a lesson (held).
import {
  BatchWriteCommand,
  GetCommand,
  ScanCommand,
  UpdateCommand,
  paginateQuery,
  paginateScan,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { setMaxListeners } from 'node:events';
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
 * Segments of a whole-table read, by default and at most. The source of the rule: DynamoDB's
 * "Parallel scan" (Developer Guide, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan,
 * and the Scan API's Segment / TotalSegments):
 * TotalSegments may be 1 to 1,000,000, Segment is 0-based and below it, and a segment's
 * LastEvaluatedKey continues that segment only. The CLI keeps to 1..32: more workers than that only
 * add requests in flight for one operator's process (and on DynamoDB Local, a machine's cores).
 */
export const SCAN_SEGMENTS = { default: 4, min: 1, max: 32 } as const;

/** The Scan that reads subscribers: which items, which extra filter, and how it is split. */
interface SubscriberScan {
  /** Names the read in errors ("subscriber scan"). */
  what: string;
  filter?: string;
  names?: Record<string, string>;
  values?: Item;
  /** Caps the items a page evaluates (Scan's Limit); DynamoDB's 1 MB a page otherwise. */
  pageSize?: number;
  /** Parallel Scan segments (TotalSegments), 1..SCAN_SEGMENTS.max; 1 is the plain sequential Scan. */
  segments?: number;
}

/**
 * One segment's Scan pages (of `total`; a total of 1 sends no Segment at all, as before segments),
 * each request cancelled by `signal`. A page that cannot be read is a DependencyError naming the
 * segment ("DynamoDB subscriber scan (segment 2 of 4) failed").
 */
async function* scanSegment(
  { doc, tableName }: OperatorStoreOptions,
  o: SubscriberScan,
  segment: number,
  total: number,
  signal: AbortSignal,
): AsyncGenerator<Item[]> {
  const what = total === 1 ? o.what : `${o.what} (segment ${segment + 1} of ${total})`;
  let start: Item | undefined;
  do {
    const page = await dynamoCall(what, () =>
      doc.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: `sk = :profile AND begins_with(pk, :sub)${o.filter ? ` AND ${o.filter}` : ''}`,
          ...(o.names ? { ExpressionAttributeNames: o.names } : {}),
          ExpressionAttributeValues: { ':profile': 'PROFILE', ':sub': 'SUB#', ...o.values },
          ...(o.pageSize === undefined ? {} : { Limit: o.pageSize }),
          ...(total === 1 ? {} : { Segment: segment, TotalSegments: total }),
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
        { abortSignal: signal },
      ),
    );
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

/**
 * Subscribers one Scan page at a time (about 1 MB each), narrowed by an extra filter, read as
 * `segments` parallel Scan segments whose pages are handed on in the order they arrive: the pages
 * interleave, so the order is not the table's (nor the same from run to run). Each segment has at
 * most one page read ahead, waiting for the consumer: memory stays flat however large the table
 * (at most `segments` pages held), and a slow consumer (a full pipe) slows every segment.
 * The first segment that fails stops the read: the others' requests are cancelled and the error
 * (a DependencyError naming the segment) is thrown from the loop. Ending the loop early (break)
 * cancels them too.
 */
async function* scanSubscribers(table: OperatorStoreOptions, o: SubscriberScan): AsyncGenerator<StoredSubscriber[]> {
  const total = o.segments ?? 1;
  if (!Number.isInteger(total) || total < SCAN_SEGMENTS.min || total > SCAN_SEGMENTS.max)
    throw new RangeError(`Scan segments must be a whole number from ${SCAN_SEGMENTS.min} to ${SCAN_SEGMENTS.max}, not ${total}`);
  const stop = new AbortController();
  // Every segment's request in flight listens on this one signal (each listener is removed when its request closes).
  setMaxListeners(Math.max(10, 2 * total), stop.signal);
  const segments = Array.from({ length: total }, (_, i) => scanSegment(table, o, i, total, stop.signal));
  type Next = { i: number; next: IteratorResult<Item[]> };
  // The one read in flight (or waiting to be taken) per segment still going.
  const reading = new Map<number, Promise<Next>>();
  const readNext = (i: number) => {
    const read = segments[i]!.next().then((next) => ({ i, next }));
    // Handled from the start: a segment may fail while the consumer holds a page, before the next race.
    read.catch(() => undefined);
    reading.set(i, read);
  };
  segments.forEach((_, i) => readNext(i));
  try {
    while (reading.size > 0) {
      const { i, next } = await Promise.race(reading.values());
      if (next.done === true) {
        reading.delete(i);
        continue;
      }
      readNext(i);
      const subscribers = next.value.map(subscriberFromItem);
      if (subscribers.length > 0) yield subscribers;
    }
  } finally {
    if (reading.size > 0) {
      stop.abort();
      // The other segments' reads end in an abort error nobody needs: settle them quietly.
      await Promise.allSettled(reading.values());
    }
  }
}

/**
 * The held subscribers of one course, oldest hold first (then by address, then id, so the answer does
 * not depend on the order the Scan's segments arrive in). A Scan of `segments` parallel segments:
 * holds are rare and have no index (the due index is exactly what they left), and this is an
 * operator's occasional look. Throws a DependencyError naming the segment that could not be read.
 */
async function heldSubscribers(table: OperatorStoreOptions, course: string, segments?: number): Promise<StoredSubscriber[]> {
  const held: StoredSubscriber[] = [];
  for await (const page of scanSubscribers(table, {
    what: 'held subscriber scan',
    // Active only: a held subscriber who later unsubscribed or bounced is no longer waiting.
    filter: 'attribute_exists(heldAt) AND #status = :active AND #course = :course',
    names: { '#status': 'status', '#course': 'course' },
    values: { ':active': 'active', ':course': course },
    segments,
  })) {
    held.push(...page);
  }
  return held.sort(
    (a, b) => String(a.heldAt).localeCompare(String(b.heldAt)) || a.email.localeCompare(b.email) || a.id.localeCompare(b.id),
  );
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
    /**
     * Every subscriber, page by page (export, stats), read as `segments` parallel Scan segments
     * (default 1; 1..SCAN_SEGMENTS.max) whose pages interleave in arrival order, not the table's.
     * `pageSize` caps the items a page evaluates. A page that cannot be read throws a DependencyError.
     */
    subscriberPages: (o: { pageSize?: number; segments?: number } = {}) => scanSubscribers(table, { what: 'subscriber scan', ...o }),
    /** The held subscribers of `course` (a slug), oldest hold first; `segments` as for subscriberPages. */
    heldSubscribers: (course: string, segments?: number) => heldSubscribers(table, course, segments),
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
