// DynamoDB clients built from settings: the default AWS chain in Lambda, or an explicit endpoint
// (DynamoDB Local, or AWS_ENDPOINT_URL_DYNAMODB) with placeholder credentials locally.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../core/errors.js';
import { LeftoverError, sendUntilNoneLeft, type BackoffPolicy } from '../core/retry.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Credentials the local emulators accept; never used against AWS (only set with an endpoint). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface DynamoClientOptions {
  /** An emulator or other non-AWS endpoint; unset in Lambda (the region's endpoint is used). */
  endpoint?: string;
  region?: string;
  /**
   * Build each command's middleware chain once per command type instead of on every call (about 40%
   * less CPU per call). Only for a client used with raw commands: the DocumentClient refuses a client
   * that caches, as its own per-command marshalling middleware would be skipped.
   */
  cacheMiddleware?: boolean;
}

export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const cache = options.cacheMiddleware === true ? { cacheMiddleware: true } : {};
  return new DynamoDBClient(
    options.endpoint === undefined
      ? { ...(options.region === undefined ? {} : { region: options.region }), ...cache }
      : { endpoint: options.endpoint, region: options.region ?? 'us-east-1', credentials: LOCAL_CREDENTIALS, ...cache },
  );
}

/** The document client every adapter uses: plain JS values in, plain JS values out. */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  // Optional model fields are left out of items rather than written as NULL.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** True when a DynamoDB write was refused because its condition did not hold (a lost race, not a failure). */
export function isConditionFailure(e: unknown): boolean {
  return e instanceof ConditionalCheckFailedException || (e instanceof Error && e.name === 'ConditionalCheckFailedException');
}

/**
 * Runs one DynamoDB call; any failure is a DependencyError naming `what` (a read that could not answer
 * is never taken for "not there": consent and send decisions fail closed on it).
 */
export async function dynamoCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e: unknown) {
    throw new DependencyError(`DynamoDB ${what} failed`, e);
  }
}

/**
 * Runs a conditional write: true when it was written, false when its condition did not hold; any other
 * failure is a DependencyError naming `what` (so consent and send decisions fail closed on it).
 */
export async function conditionalWrite(what: string, write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (e: unknown) {
    if (isConditionFailure(e)) return false;
    throw new DependencyError(`DynamoDB ${what} failed`, e);
  }
}

/**
 * The pages of an SDK paginator (paginateQuery, paginateScan), read one at a time; a page that cannot
 * be read is a DependencyError naming `what`, as with dynamoCall.
 */
export async function* dynamoPages<T>(what: string, pages: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    const next = await dynamoCall(what, () => iterator.next());
    if (next.done === true) return;
    yield next.value;
  }
}

/**
 * A DynamoDB batch call repeated until nothing is left unprocessed: `send` makes the call for the
 * items given and answers the ones DynamoDB handed back (UnprocessedItems / UnprocessedKeys), which
 * are sent again after `policy`'s backoff. Any failure, or items still left after the retries, is a
 * DependencyError with `message` (default "DynamoDB <what> failed").
 */
export async function dynamoBatch<T>(
  what: string,
  items: readonly T[],
  send: (items: T[]) => Promise<T[]>,
  policy: BackoffPolicy,
  message = `DynamoDB ${what} failed`,
): Promise<void> {
  try {
    await sendUntilNoneLeft(items, (left) => dynamoCall(what, () => send(left)), { ...policy, sleep });
  } catch (e: unknown) {
    if (e instanceof LeftoverError) throw new DependencyError(message, e);
    throw e;
  }
}

/** A DocumentClient and the one table an adapter works on. */
export interface DocTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
}
