// The signup outbox's SignupOutboxStore on the one DynamoDB table: one partition `OUTBOX`, sorted by
// arrival (table.ts); a request is claimed with a lease, finished by deleting it, or released to retry.
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SignupOutboxStore, SignupRequest } from '../core/signup-outbox.js';
import { conditionalWrite, dynamoCall, type DocTable } from './dynamo-client.js';
import { OUTBOX_PK, OUTBOX_SIGNUP_PREFIX, TTL_ATTR, keys } from './table.js';

/** An outbox item as the signup outbox sees it. */
function signupRequestFromItem(item: Record<string, unknown>): SignupRequest {
  return {
    requestId: String(item.requestId),
    receivedAt: String(item.receivedAt),
    fields: item.fields as SignupRequest['fields'],
    consent: item.consent as SignupRequest['consent'],
    ...(typeof item.course === 'string' ? { course: item.course } : {}),
    ...(typeof item.attempts === 'number' ? { attempts: item.attempts } : {}),
  };
}

/** The outbox half of the SubscriptionStore (createDynamoStore spreads it in); one DynamoDB call per method. */
export function createDynamoSignupOutboxStore({ doc, tableName }: DocTable): SignupOutboxStore {
  return {
    async enqueueSignup(request, expiresAt) {
      await dynamoCall('store signup request', () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.outbox(request.receivedAt, request.requestId), ...request, [TTL_ATTR]: expiresAt },
          }),
        ),
      );
    },

    async pendingSignups(limit) {
      const out = await dynamoCall('read signup outbox', () =>
        doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':prefix': OUTBOX_SIGNUP_PREFIX },
            ConsistentRead: true,
            Limit: limit,
          }),
        ),
      );
      return (out.Items ?? []).map(signupRequestFromItem);
    },

    claimSignup(request, claimId, now, until) {
      return conditionalWrite('claim signup request', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.outbox(request.receivedAt, request.requestId),
            UpdateExpression: 'SET claimId = :claim, claimUntil = :until',
            // Still there (not done by another worker) and no live lease (or its retry time has come).
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(claimUntil) OR claimUntil <= :now)',
            ExpressionAttributeValues: { ':claim': claimId, ':until': until.getTime(), ':now': now.getTime() },
          }),
        ),
      );
    },

    finishSignup(request, claimId) {
      return conditionalWrite('finish signup request', () =>
        doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.outbox(request.receivedAt, request.requestId),
            ConditionExpression: 'claimId = :claim',
            ExpressionAttributeValues: { ':claim': claimId },
          }),
        ),
      );
    },

    async releaseSignup(request, claimId, retryAt, error) {
      await conditionalWrite('release signup request', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.outbox(request.receivedAt, request.requestId),
            UpdateExpression: 'SET claimUntil = :retry, lastError = :error ADD attempts :one',
            ConditionExpression: 'claimId = :claim',
            ExpressionAttributeValues: { ':claim': claimId, ':retry': retryAt.getTime(), ':error': error, ':one': 1 },
          }),
        ),
      );
    },
  };
}
