// The table reads and writes behind the operator CLI: whole-table pages of subscribers (export,
// stats), lesson counters, everything held about one address (show, erase), and the subscribers the
// drip holds after SES refused a lesson (held).
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../core/errors.js';
import type { Subscriber } from '../core/model.js';
import { dynamoCall } from '../adapters/dynamo-client.js';
import { subscriberFromItem } from '../adapters/dynamo-store.js';
import { addressLockKeys, keys, suppressionHash } from '../adapters/table.js';

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
  /** The SUPPRESS#<hash> item, if the address is suppressed. */
  suppression?: Item;
}

export function createOperatorStore({ doc, tableName }: OperatorStoreOptions) {
  const get = (key: { pk: string; sk: string }) =>
    dynamoCall('item read', () => doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).then((o) => o.Item);

  async function itemsOf(pk: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await dynamoCall('items read', () =>
        doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async function person(course: string, email: string): Promise<PersonRecord> {
    let addressLock: Item | undefined;
    for (const key of addressLockKeys(course, email)) {
      addressLock ??= await get(key);
    }
    const id = typeof addressLock?.id === 'string' ? addressLock.id : undefined;
    const subscriberItems = id === undefined ? [] : await itemsOf(keys.subscriber(id).pk);
    const suppression = await get(keys.suppression(suppressionHash(email)));
    return { email, course, addressLock, subscriberItems, suppression };
  }

  /**
   * Subscribers one Scan page at a time (about 1 MB each), narrowed by an extra filter: memory stays
   * flat however large the table. `pageSize` caps the items a page evaluates.
   */
  async function* scanSubscribers(o: {
    what: string;
    filter?: string;
    names?: Record<string, string>;
    values?: Item;
    pageSize?: number;
  }): AsyncGenerator<StoredSubscriber[]> {
    let start: Item | undefined;
    do {
      const page = await dynamoCall(o.what, () =>
        doc.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: `sk = :profile AND begins_with(pk, :sub)${o.filter ? ` AND ${o.filter}` : ''}`,
            ...(o.names ? { ExpressionAttributeNames: o.names } : {}),
            ExpressionAttributeValues: { ':profile': 'PROFILE', ':sub': 'SUB#', ...o.values },
            ExclusiveStartKey: start,
            ...(o.pageSize === undefined ? {} : { Limit: o.pageSize }),
          }),
        ),
      );
      const subscribers = (page.Items ?? []).map(subscriberFromItem);
      if (subscribers.length > 0) yield subscribers;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  return {
    /** Every subscriber, page by page (export, stats). */
    subscriberPages: (pageSize?: number) => scanSubscribers({ what: 'subscriber scan', pageSize }),

    /**
     * The held subscribers of one course, oldest hold first. A Scan: holds are rare and have no index
     * (the due index is exactly what they left), and this is an operator's occasional look.
     */
    async heldSubscribers(course: string): Promise<StoredSubscriber[]> {
      const held: StoredSubscriber[] = [];
      for await (const page of scanSubscribers({
        what: 'held subscriber scan',
        // Active only: a held subscriber who later unsubscribed or bounced is no longer waiting.
        filter: 'attribute_exists(heldAt) AND #status = :active AND #course = :course',
        names: { '#status': 'status', '#course': 'course' },
        values: { ':active': 'active', ':course': course },
      })) {
        held.push(...page);
      }
      return held.sort((a, b) => String(a.heldAt).localeCompare(String(b.heldAt)));
    },

    /** The STATS#<course> / LESSON#nn items. */
    lessonCounters: (course: string) => itemsOf(`STATS#${course}`),

    person,

    /**
     * Remove everything held about the address, keeping only its one-way hash. The hash is written
     * first, so an erase cut short still leaves the address suppressed; the lock goes last, so a rerun
     * finds what is left.
     */
    async erase(
      course: string,
      email: string,
      at: string,
    ): Promise<{ deleted: { pk: string; sk: string }[]; suppressionKey: { pk: string; sk: string } }> {
      const suppressionKey = keys.suppression(suppressionHash(email));
      // An address already suppressed (bounce, complaint) keeps its first reason and time.
      await dynamoCall('suppression hash write', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: suppressionKey,
            UpdateExpression:
              'SET reason = if_not_exists(reason, :erased), suppressedAt = if_not_exists(suppressedAt, :at), erasedAt = :at',
            ExpressionAttributeValues: { ':erased': 'erased', ':at': at },
          }),
        ),
      );
      const { addressLock, subscriberItems } = await person(course, email);
      const doomed = [
        ...subscriberItems.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
        ...(addressLock ? [{ pk: String(addressLock.pk), sk: String(addressLock.sk) }] : []),
      ];
      for (let i = 0; i < doomed.length; i += 25) {
        let requests: { DeleteRequest: { Key: { pk: string; sk: string } } }[] = doomed
          .slice(i, i + 25)
          .map((Key) => ({ DeleteRequest: { Key } }));
        // BatchWrite may hand some requests back (throttling); retry those until none are left.
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 8) throw new DependencyError('DynamoDB: could not finish deleting (throttled); run erase again', undefined);
          const out = await dynamoCall('batch delete', () => doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } })));
          requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
          if (requests.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        }
      }
      return { deleted: doomed, suppressionKey };
    },
  };
}

export type OperatorStore = ReturnType<typeof createOperatorStore>;
