// The SubscriptionStore on the one DynamoDB table (key scheme in table.ts). Every rule that must hold
// under concurrency (one subscription per address, one confirmation per 10 minutes, status changes)
// is a single conditional write: DynamoDB decides the race, not a read followed by a write.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { findAddressLock, updateAddressLock } from './address-lock.js';
import { createDynamoSignupOutboxStore } from './dynamo-signup-outbox.js';
import type { Subscriber } from '../core/model.js';
import { countUnsubscribeAfter } from './dynamo-feedback-store.js';
import { recordVote } from './dynamo-votes.js';
import { conditionalWrite, dynamoCall, type DocTable } from './dynamo-client.js';
import type { AddressRecord, PaceExpectation, PaceUpdate, PendingRenewal, SubscriptionStore } from '../core/subscription-store.js';
import { mailboxKey } from '../core/mailbox.js';
import { DUE_SHARD_ATTR, DUE_SORT_ATTR, PACE_VERSION_ATTR, TTL_ATTR, dueShardOf, keys, suppressionKeys } from './table.js';

export interface DynamoStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Partitions of the due index (config.dueShards). */
  dueShards: number;
}

// Attributes of a subscriber item that are storage bookkeeping, not part of model.Subscriber.
const BOOKKEEPING = new Set(['pk', 'sk', DUE_SHARD_ATTR, DUE_SORT_ATTR, 'claimId', 'claimUntil', PACE_VERSION_ATTR]);

/** A subscriber item (SUB#<id> / PROFILE) as the domain sees it. */
export function subscriberFromItem(item: Record<string, unknown>): Subscriber {
  const subscriber: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!BOOKKEEPING.has(k)) subscriber[k] = v;
  return subscriber as unknown as Subscriber;
}

/** The `dueAt` sort key of the due index: due time first, id to keep equal times apart. */
export function dueSortKey(nextSendAt: string, id: string): string {
  return `${nextSendAt}#${id}`;
}

/** The subscriber item of `id`, read consistently; undefined when there is none. */
async function getSubscriber({ doc, tableName }: DocTable, id: string): Promise<Subscriber | undefined> {
  const out = await dynamoCall('read subscriber', () =>
    doc.send(new GetCommand({ TableName: tableName, Key: keys.subscriber(id), ConsistentRead: true })),
  );
  return out.Item === undefined ? undefined : subscriberFromItem(out.Item);
}

/**
 * The update that renews a pending (or unsubscribed) subscription for a new signup: status back to
 * pending, the new consent, zone, name and expiry; out of the due index; the confirmation request
 * and send time replaced (or removed when the renewal has none).
 */
function renewalUpdate(renewal: PendingRenewal, resendCutoff: Date) {
  const names: Record<string, string> = { '#status': 'status', '#ttl': TTL_ATTR, '#tz': 'timezone' };
  const values: Record<string, unknown> = {
    ':pending': 'pending',
    ':unsubscribed': 'unsubscribed',
    ':consent': renewal.consent,
    ':tz': renewal.timezone,
    ':ttl': renewal.expiresAt,
    ':cutoff': resendCutoff.toISOString(),
  };
  const set = ['#status = :pending', 'consent = :consent', '#tz = :tz', '#ttl = :ttl'];
  if (renewal.name !== undefined) {
    set.push('#name = :name');
    names['#name'] = 'name';
    values[':name'] = renewal.name;
  }
  const remove = [DUE_SHARD_ATTR, DUE_SORT_ATTR, 'nextSendAt'];
  if (renewal.unknownTimezone !== undefined) {
    set.push('unknownTimezone = :unknownTz');
    values[':unknownTz'] = renewal.unknownTimezone;
  } else remove.push('unknownTimezone');
  if (renewal.confirmationRequest !== undefined) {
    set.push('confirmationRequest = :request');
    values[':request'] = renewal.confirmationRequest;
  } else remove.push('confirmationRequest');
  if (renewal.confirmationSentAt !== undefined) {
    set.push('confirmationSentAt = :sent');
    values[':sent'] = renewal.confirmationSentAt;
  }
  return {
    UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The conditional update of a learner's control (SubscriptionStore.updatePace): the fields set and
 * removed, the due index entry put or taken out, an expired drip claim dropped and the pace version
 * bumped; on the condition that the subscriber is as read and no drip run holds a live claim.
 */
export function paceUpdate(id: string, update: PaceUpdate, expected: PaceExpectation, dueShards: number) {
  const names: Record<string, string> = { '#status': 'status', '#round': 'round', '#version': PACE_VERSION_ATTR };
  const values: Record<string, unknown> = {
    ':expectStatus': expected.status,
    ':expectLesson': expected.nextLesson,
    ':expectRound': expected.round,
    ':nowMs': expected.now.getTime(),
    ':zero': 0,
    ':one': 1,
  };
  const set = ['#version = if_not_exists(#version, :zero) + :one'];
  for (const [field, value] of Object.entries(update.set)) {
    if (value === undefined) continue;
    names[`#f_${field}`] = field;
    values[`:f_${field}`] = value;
    set.push(`#f_${field} = :f_${field}`);
  }
  const remove: string[] = ['claimId', 'claimUntil'];
  for (const field of update.remove) {
    names[`#r_${field}`] = field;
    remove.push(`#r_${field}`);
  }
  if (update.due === 'in') {
    const due = update.set.nextSendAt;
    if (due === undefined) throw new Error('A learner in the due index needs nextSendAt');
    set.push(`${DUE_SHARD_ATTR} = :shard`, `${DUE_SORT_ATTR} = :dueAt`);
    Object.assign(values, { ':shard': dueShardOf(id, dueShards), ':dueAt': dueSortKey(due, id) });
  } else remove.push(DUE_SHARD_ATTR, DUE_SORT_ATTR);
  const condition = [
    '#status = :expectStatus',
    'nextLesson = :expectLesson',
    // Round 1 is the item without a round.
    expected.round === 1 ? '(attribute_not_exists(#round) OR #round = :expectRound)' : '#round = :expectRound',
    expected.paused ? 'attribute_exists(pausedAt)' : 'attribute_not_exists(pausedAt)',
    // Held by the drip (SES refused a lesson): only an operator puts them back.
    'attribute_not_exists(heldAt)',
    // A live claim means a run is sending their lesson now; an expired one belongs to a run that died.
    '(attribute_not_exists(claimUntil) OR claimUntil < :nowMs)',
  ];
  if (expected.nextNowBefore !== undefined) {
    condition.push('(attribute_not_exists(nextNowAt) OR nextNowAt <= :nextNowBefore)');
    values[':nextNowBefore'] = expected.nextNowBefore;
  }
  return {
    UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
    ConditionExpression: condition.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The SubscriptionStore: one short method per operation, each one DynamoDB call or one conditional write (a lock update may try both of its keys). */
// eslint-disable-next-line max-lines-per-function -- a factory returning an object of short methods (each one held to 90 lines by this rule)
export function createDynamoStore({ doc, tableName, dueShards }: DynamoStoreOptions): SubscriptionStore {
  const table: DocTable = { doc, tableName };
  return {
    ...createDynamoSignupOutboxStore(table),

    async findByAddress(course, email) {
      const lock = await findAddressLock(table, 'read address', course, email);
      if (lock === undefined) return undefined;
      const id = String(lock.id);
      const record: AddressRecord = { id };
      if (typeof lock[TTL_ATTR] === 'number') record.expiresAt = lock[TTL_ATTR];
      const subscriber = await getSubscriber(table, id);
      if (subscriber !== undefined) record.subscriber = subscriber;
      return record;
    },

    getSubscriber: (id) => getSubscriber(table, id),

    async isSuppressed(email) {
      // Under the address as typed and under its mailbox: either stops every spelling of the inbox.
      const found = await Promise.all(
        suppressionKeys(email).map((Key) =>
          dynamoCall('read suppression', () => doc.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))),
        ),
      );
      return found.some((out) => out.Item !== undefined);
    },

    async hitRateLimit(key, now, windowSeconds) {
      const window = Math.floor(now.getTime() / 1000 / windowSeconds);
      const out = await dynamoCall('count rate limit', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.rate(key, window),
            UpdateExpression: 'ADD hits :one SET #ttl = if_not_exists(#ttl, :ttl)',
            ExpressionAttributeNames: { '#ttl': TTL_ATTR },
            // Kept one window past its end, then TTL removes it.
            ExpressionAttributeValues: { ':one': 1, ':ttl': (window + 2) * windowSeconds },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return Number(out.Attributes?.hits ?? 1);
    },

    claimAddress({ course, email, id, expiresAt }, now) {
      return conditionalWrite('claim address', () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            // Under the mailbox: every alias of one inbox meets this lock (addressLockKeys).
            Item: {
              ...keys.address(course, mailboxKey(email)),
              id,
              course,
              email,
              ...(expiresAt === undefined ? {} : { [TTL_ATTR]: expiresAt }),
            },
            // Free, or held by an unconfirmed subscription that has expired (TTL deletes lazily).
            ConditionExpression: 'attribute_not_exists(pk) OR (attribute_exists(#ttl) AND #ttl <= :now)',
            ExpressionAttributeNames: { '#ttl': TTL_ATTR },
            ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
          }),
        ),
      );
    },

    createSubscriber(subscriber) {
      return conditionalWrite('create subscriber', () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.subscriber(subscriber.id), ...subscriber },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async renewPending(id, renewal: PendingRenewal, resendCutoff) {
      let updated: Record<string, unknown> | undefined;
      const ok = await conditionalWrite('renew pending subscription', async () => {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            ...renewalUpdate(renewal, resendCutoff),
            // ISO instants compare correctly as strings. This one condition is the 10-minute limit:
            // of ten parallel signups exactly one finds the old send time and takes the window.
            ConditionExpression:
              'attribute_exists(pk) AND #status IN (:pending, :unsubscribed) AND (attribute_not_exists(confirmationSentAt) OR confirmationSentAt < :cutoff)',
            ReturnValues: 'ALL_NEW',
          }),
        );
        updated = out.Attributes;
      });
      if (!ok || updated === undefined) return undefined;
      const subscriber = subscriberFromItem(updated);
      // The lock's expiry follows the subscription's, but only while it has one: a confirmed
      // (kept) lock must never get a TTL back, whatever order this and a confirm land in.
      await updateAddressLock(table, 'extend address lock', subscriber.course, subscriber.email, {
        UpdateExpression: 'SET #ttl = :ttl',
        ConditionExpression: 'attribute_exists(#ttl) AND id = :id',
        ExpressionAttributeValues: { ':ttl': renewal.expiresAt, ':id': id },
      });
      return subscriber;
    },

    async forgetConfirmationSent(id, sentAt) {
      await conditionalWrite('forget confirmation send', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            UpdateExpression: 'REMOVE confirmationSentAt',
            ConditionExpression: 'confirmationSentAt = :sent',
            ExpressionAttributeValues: { ':sent': sentAt },
          }),
        ),
      );
    },

    keepAddress(course, email, id) {
      return updateAddressLock(table, 'keep address lock', course, email, {
        UpdateExpression: 'REMOVE #ttl',
        ConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': id },
      });
    },

    activate(id, { at, status, nextSendAt }) {
      const values: Record<string, unknown> = {
        ':pending': 'pending',
        ':status': status,
        ':at': at.toISOString(),
        ':now': Math.floor(at.getTime() / 1000),
      };
      // A pause left from before an unsubscribe does not outlive the new confirmation.
      let update = 'SET #status = :status, confirmedAt = :at REMOVE #ttl, pausedAt, pausedUntil';
      if (status === 'active') {
        if (nextSendAt === undefined) throw new Error('An active subscriber needs nextSendAt');
        const due = nextSendAt.toISOString();
        update = `SET #status = :status, confirmedAt = :at, nextSendAt = :due, ${DUE_SHARD_ATTR} = :shard, ${DUE_SORT_ATTR} = :dueAt REMOVE #ttl, pausedAt, pausedUntil`;
        Object.assign(values, { ':due': due, ':shard': dueShardOf(id, dueShards), ':dueAt': dueSortKey(due, id) });
      }
      return conditionalWrite('activate subscriber', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            UpdateExpression: update,
            // An expired pending item may still be there (TTL deletes within days, and DynamoDB Local never).
            ConditionExpression: '#status = :pending AND (attribute_not_exists(#ttl) OR #ttl > :now)',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTR },
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    async unsubscribe(id, at) {
      let before: Record<string, unknown> | undefined;
      const ok = await conditionalWrite('unsubscribe', async () => {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            // Out of the due index at once: the drip's claim also checks the status, so a run that
            // already read this subscriber as due loses its claim.
            UpdateExpression: `SET #status = :unsubscribed, unsubscribedAt = :at REMOVE ${DUE_SHARD_ATTR}, ${DUE_SORT_ATTR}, nextSendAt`,
            ConditionExpression: '#status IN (:pending, :active, :completed)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':unsubscribed': 'unsubscribed',
              ':pending': 'pending',
              ':active': 'active',
              ':completed': 'completed',
              ':at': at.toISOString(),
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        before = out.Attributes;
      });
      return ok && before !== undefined ? subscriberFromItem(before) : undefined;
    },

    claimKnownSignupNotice(id, at, cutoff) {
      return conditionalWrite('claim already-subscribed email', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            UpdateExpression: 'SET knownSignupNoticeAt = :at',
            // ISO instants compare as strings; one write decides the 10-minute window among parallel signups.
            ConditionExpression: '#status = :active AND (attribute_not_exists(knownSignupNoticeAt) OR knownSignupNoticeAt < :cutoff)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':at': at.toISOString(), ':active': 'active', ':cutoff': cutoff.toISOString() },
          }),
        ),
      );
    },

    async forgetKnownSignupNotice(id, at) {
      await conditionalWrite('forget already-subscribed email', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            UpdateExpression: 'REMOVE knownSignupNoticeAt',
            ConditionExpression: 'knownSignupNoticeAt = :at',
            ExpressionAttributeValues: { ':at': at.toISOString() },
          }),
        ),
      );
    },

    updatePace(id, update, expected) {
      return conditionalWrite('learner pace', () =>
        doc.send(new UpdateCommand({ TableName: tableName, Key: keys.subscriber(id), ...paceUpdate(id, update, expected, dueShards) })),
      );
    },

    // The feedback module owns the per-lesson counters' layout; this flow only adds to one of them.
    countUnsubscribeAfter: (course, lessonIndex) => countUnsubscribeAfter({ doc, tableName }, course, lessonIndex),
    recordVote: (change) => recordVote({ doc, tableName }, change),
  };
}
