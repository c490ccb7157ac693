// The signup outbox's SignupOutboxStore on the one DynamoDB table: one partition `OUTBOX`, sorted by
// when each request is next due (table.ts); a request is claimed with a lease, finished by deleting
// it, released to a later retry by moving it to its retry time, or held (moved to HELDSIGNUP#<course>)
// when SES refused its confirmation for good.
//
// Why the sort key is the next attempt's time, and not a filter on a retry attribute: a Query with a
// FilterExpression still reads (and is billed for) every item it discards, so a week of requests
// waiting out their backoff at the head would be read on every sweep; with the time in the key, the
// key condition `sk <= SIGNUP#<now>~` reads only the due requests, and the read is consistent (a GSI
// would not be). The price: a retry is a delete and a put in one transaction instead of an update.
import { DeleteCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SIGNUP_REQUEST_TTL_SECONDS } from '../core/signup.js';
import type { SignupOutboxStore, SignupRequest } from '../core/subscription-store.js';
import { DependencyError } from '../core/errors.js';
import { conditionalWrite, dynamoCall, type DocTable } from './dynamo-client.js';
import { OUTBOX_PK, OUTBOX_SIGNUP_PREFIX, TTL_ATTR, keys } from './table.js';

/** An outbox item as the signup outbox sees it. */
function signupRequestFromItem(item: Record<string, unknown>): SignupRequest {
  const sk = String(item.sk);
  // SIGNUP#<dueAt>#<requestId>: the due time is what the key holds (older items: their arrival).
  const dueAt = sk.slice(OUTBOX_SIGNUP_PREFIX.length, sk.lastIndexOf('#'));
  return {
    requestId: String(item.requestId),
    receivedAt: String(item.receivedAt),
    fields: item.fields as SignupRequest['fields'],
    consent: item.consent as SignupRequest['consent'],
    ...(typeof item.course === 'string' ? { course: item.course } : {}),
    ...(typeof item.attempts === 'number' ? { attempts: item.attempts } : {}),
    ...(dueAt !== '' && dueAt !== String(item.receivedAt) ? { dueAt } : {}),
  };
}

/** Where a request is in the outbox now. */
const keyOf = (r: SignupRequest) => keys.outbox(r.dueAt ?? r.receivedAt, r.requestId);

/** The request's stored attributes (no key, no lease), as enqueued. */
function requestAttributes(r: SignupRequest): Record<string, unknown> {
  return {
    requestId: r.requestId,
    receivedAt: r.receivedAt,
    fields: r.fields,
    consent: r.consent,
    ...(r.course === undefined ? {} : { course: r.course }),
  };
}

/** TTL of a request: a week after it arrived, wherever retries move it. */
const requestExpiry = (r: SignupRequest) => Math.floor(Date.parse(r.receivedAt) / 1000) + SIGNUP_REQUEST_TTL_SECONDS;

/**
 * Runs a transaction whose first item holds the claim condition: true when written, false when a
 * condition did not hold (DynamoDB cancels the whole transaction with reason ConditionalCheckFailed);
 * any other failure is a DependencyError naming `what`.
 */
async function transactOnce(what: string, write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (e: unknown) {
    const reasons = (e as { CancellationReasons?: { Code?: string }[] } | undefined)?.CancellationReasons;
    if (e instanceof Error && e.name === 'TransactionCanceledException' && reasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
      return false;
    }
    throw new DependencyError(`DynamoDB ${what} failed`, e);
  }
}

/** The transaction item that removes a request from the outbox, only while `claimId` holds it. */
function takeOut(tableName: string, request: SignupRequest, claimId: string) {
  return {
    Delete: {
      TableName: tableName,
      Key: keyOf(request),
      ConditionExpression: 'claimId = :claim',
      ExpressionAttributeValues: { ':claim': claimId },
    },
  };
}

/** A failed request moves to its retry time in the outbox's order (delete and put, one transaction). */
async function release({ doc, tableName }: DocTable, request: SignupRequest, claimId: string, retryAt: Date, error: string): Promise<void> {
  const moved: Record<string, unknown> = {
    ...keys.outbox(retryAt.toISOString(), request.requestId),
    ...requestAttributes(request),
    attempts: (request.attempts ?? 0) + 1,
    lastError: error,
    // The lease's end is the retry time too, so a copy read from its old place is not claimed early.
    claimUntil: retryAt.getTime(),
    [TTL_ATTR]: requestExpiry(request),
  };
  await transactOnce('release signup request', () =>
    doc.send(
      new TransactWriteCommand({ TransactItems: [takeOut(tableName, request, claimId), { Put: { TableName: tableName, Item: moved } }] }),
    ),
  );
}

/** The outbox half of the SubscriptionStore (createDynamoStore spreads it in). */
export function createDynamoSignupOutboxStore({ doc, tableName }: DocTable): SignupOutboxStore {
  return {
    async enqueueSignup(request, expiresAt) {
      await dynamoCall('store signup request', () =>
        doc.send(new PutCommand({ TableName: tableName, Item: { ...keyOf(request), ...request, [TTL_ATTR]: expiresAt } })),
      );
    },

    async dueSignups(now, limit, after) {
      const out = await dynamoCall('read signup outbox', () =>
        doc.send(
          new QueryCommand({
            TableName: tableName,
            // '~' sorts after every character of a request id, so every request due at `now` is in.
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: {
              ':pk': OUTBOX_PK,
              ':first': OUTBOX_SIGNUP_PREFIX,
              ':last': `${OUTBOX_SIGNUP_PREFIX}${now.toISOString()}#~`,
            },
            ConsistentRead: true,
            Limit: Math.max(1, Math.floor(limit)),
            ...(after === undefined ? {} : { ExclusiveStartKey: after as Record<string, unknown> }),
          }),
        ),
      );
      return { requests: (out.Items ?? []).map(signupRequestFromItem), ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
    },

    claimSignup(request, claimId, now, until) {
      return conditionalWrite('claim signup request', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(request),
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
            Key: keyOf(request),
            ConditionExpression: 'claimId = :claim',
            ExpressionAttributeValues: { ':claim': claimId },
          }),
        ),
      );
    },

    releaseSignup: (request, claimId, retryAt, error) => release({ doc, tableName }, request, claimId, retryAt, error),
    holdSignup: (request, claimId, held, expiresAt) =>
      transactOnce('hold signup request', () =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              takeOut(tableName, request, claimId),
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.heldSignup(held.course, held.heldAt, held.requestId), ...held, [TTL_ATTR]: expiresAt },
                },
              },
            ],
          }),
        ),
      ),
  };
}
