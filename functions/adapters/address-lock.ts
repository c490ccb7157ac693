// The address lock (ADDR#<course>#<mailbox> / ADDR): one subscription per mailbox and course. A lock
// sits under its mailbox key or, for subscriptions older than mailbox keys, under the address as
// typed (addressLockKeys); these read and update it under whichever of the two holds it.
import { GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamoCall, type DocTable } from './dynamo-client.js';
import { TTL_ATTR, addressLockKeys } from './table.js';

/**
 * The lock of `email` in `course`, read consistently (the mailbox key first); undefined when there is
 * none. DependencyError naming `what` when DynamoDB cannot answer (never taken for "no lock").
 */
export async function findAddressLock(
  { doc, tableName }: DocTable,
  what: string,
  course: string,
  email: string,
): Promise<Record<string, unknown> | undefined> {
  for (const key of addressLockKeys(course, email)) {
    const out = await dynamoCall(what, () => doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })));
    if (out.Item !== undefined) return out.Item;
  }
  return undefined;
}

/**
 * One conditional update of the lock, tried under each of its keys until one takes it (`#ttl` names
 * the TTL attribute). True when a key took it; false when the condition held under none.
 */
export async function updateAddressLock(
  { doc, tableName }: DocTable,
  what: string,
  course: string,
  email: string,
  update: Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>>,
): Promise<boolean> {
  for (const key of addressLockKeys(course, email)) {
    const done = await conditionalWrite(what, () =>
      doc.send(new UpdateCommand({ TableName: tableName, Key: key, ExpressionAttributeNames: { '#ttl': TTL_ATTR }, ...update })),
    );
    if (done) return true;
  }
  return false;
}
