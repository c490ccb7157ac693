// DynamoDB side of the SES feedback path (core/feedback.ts): event dedupe, stopping and suppressing
// addresses, the transient-bounce streak, and the per-lesson counters (atomic ADDs).
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FeedbackStore, SuppressionReason } from '../core/feedback.js';
import type { LessonCounter } from '../core/model.js';
import { conditionalWrite, dynamoCall } from './dynamo-client.js';
import { DUE_SHARD_ATTR, DUE_SORT_ATTR, keys, suppressionKeys } from './table.js';
import { findAddressLock } from './address-lock.js';

export interface DynamoFeedbackStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** ADD 1 to one lesson counter; shared by the feedback path and the unsubscribe flow. */
async function addToLessonCounter(
  doc: DynamoDBDocumentClient,
  tableName: string,
  course: string,
  lessonIndex: number,
  counter: LessonCounter,
): Promise<void> {
  if (!Number.isInteger(lessonIndex) || lessonIndex < 0)
    throw new RangeError(`lesson index must be a whole number ≥ 0, got ${lessonIndex}`);
  await dynamoCall(`${counter} counter update`, () =>
    doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.lessonStats(course, lessonIndex),
        // The lesson number is kept as an attribute so stats can read it without parsing the key.
        UpdateExpression: 'ADD #c :one SET #course = :course, #lesson = :lesson',
        ExpressionAttributeNames: { '#c': counter, '#course': 'course', '#lesson': 'lesson' },
        ExpressionAttributeValues: { ':one': 1, ':course': course, ':lesson': lessonIndex + 1 },
      }),
    ),
  );
}

// eslint-disable-next-line max-lines-per-function -- a factory returning an object of short methods (each one held to 90 lines by this rule)
export function createDynamoFeedbackStore({ doc, tableName }: DynamoFeedbackStoreOptions): FeedbackStore {
  return {
    claimEvent(eventId, expiresAt) {
      return conditionalWrite('SES event record', () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.event(eventId), expiresAt },
            // The first delivery of a notification wins; a redelivery finds the item and is not counted.
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async releaseEvent(eventId) {
      await dynamoCall('SES event release', () => doc.send(new DeleteCommand({ TableName: tableName, Key: keys.event(eventId) })));
    },

    async findSubscriberId(course, email) {
      const id: unknown = (await findAddressLock({ doc, tableName }, 'address lock read', course, email))?.id;
      return typeof id === 'string' ? id : undefined;
    },

    stopSubscriber({ id, email, status, reason, at }) {
      return conditionalWrite('stop subscriber', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            // Leaving the due index (REMOVE of its keys) is what makes the drip stop at once. The
            // address must match, so a wrong tag can never stop someone else; an address already
            // stopped keeps its first reason, and a complaint outranks a bounce.
            UpdateExpression: 'SET #status = :status, stoppedReason = :reason, stoppedAt = :at REMOVE #shard, #due, nextSendAt',
            ConditionExpression:
              status === 'complained'
                ? 'attribute_exists(pk) AND email = :email AND #status <> :complained'
                : 'attribute_exists(pk) AND email = :email AND NOT #status IN (:bounced, :complained)',
            ExpressionAttributeNames: { '#status': 'status', '#shard': DUE_SHARD_ATTR, '#due': DUE_SORT_ATTR },
            ExpressionAttributeValues: {
              ':status': status,
              ':reason': reason,
              ':at': at,
              ':email': email,
              ':complained': 'complained',
              ...(status === 'complained' ? {} : { ':bounced': 'bounced' }),
            },
          }),
        ),
      );
    },

    async suppressAddress(email, reason: SuppressionReason, at) {
      // The mailbox's item and the typed address's: every spelling of the inbox stops (suppressionKeys).
      for (const Key of suppressionKeys(email)) {
        await dynamoCall('suppression write', () =>
          doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key,
              // if_not_exists keeps the first reason and time when the same address is stopped again.
              UpdateExpression: 'SET reason = if_not_exists(reason, :reason), suppressedAt = if_not_exists(suppressedAt, :at)',
              ExpressionAttributeValues: { ':reason': reason, ':at': at },
            }),
          ),
        );
      }
    },

    async addSoftBounce(id, email) {
      let n: unknown;
      const counted = await conditionalWrite('transient bounce count', async () => {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            UpdateExpression: 'ADD softBounces :one',
            ConditionExpression: 'attribute_exists(pk) AND email = :email',
            ExpressionAttributeValues: { ':one': 1, ':email': email },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        n = out.Attributes?.softBounces;
      });
      return counted && typeof n === 'number' ? n : undefined;
    },

    async resetSoftBounces(id, email) {
      await conditionalWrite('transient bounce reset', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.subscriber(id),
            UpdateExpression: 'REMOVE softBounces',
            // Most deliveries have no streak to end: the condition makes those a no-op.
            ConditionExpression: 'email = :email AND softBounces > :zero',
            ExpressionAttributeValues: { ':email': email, ':zero': 0 },
          }),
        ),
      );
    },

    countLessonEvent: (course, lessonIndex, counter) => addToLessonCounter(doc, tableName, course, lessonIndex, counter),

    markSendRejected(subscriberId, lessonIndex, reason, at, round = 1) {
      return conditionalWrite('send record reject', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.send(subscriberId, lessonIndex, round),
            UpdateExpression: 'SET #status = :rejected, rejectedAt = :at, #error = :reason',
            // Only a record that says "sent": a failed one keeps its own error, a redelivery changes nothing.
            ConditionExpression: 'attribute_exists(pk) AND #status = :sent',
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
            ExpressionAttributeValues: { ':rejected': 'rejected', ':sent': 'sent', ':at': at, ':reason': reason },
          }),
        ),
      );
    },
  };
}

/**
 * For the unsubscribe flow: one more person left after lesson `lessonIndex` (0-based: the last
 * lesson they were sent). Call it only when at least one lesson was sent.
 */
export function countUnsubscribeAfter(options: DynamoFeedbackStoreOptions, course: string, lessonIndex: number): Promise<void> {
  return addToLessonCounter(options.doc, options.tableName, course, lessonIndex, 'unsubscribed');
}
