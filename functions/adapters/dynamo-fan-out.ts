// The fan-out's once-only writes on the one DynamoDB table (functions/core/drip/fan-out.ts FanOutStore): a
// tick's plan item and each sender's share item, each a conditional put that only the first writer wins.
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FanOutStore } from '../core/drip/index.js';
import { conditionalWrite } from './dynamo-client.js';
import { TTL_ATTR, keys } from './table.js';

/** Put `key` unless it exists: true when this call wrote it. `expiresAt`: epoch seconds (TTL). */
function putOnce(dynamo: DynamoDBClient, tableName: string, what: string, key: { pk: string; sk: string }, expiresAt: number) {
  return conditionalWrite(what, () =>
    dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: key.pk }, sk: { S: key.sk }, [TTL_ATTR]: { N: String(expiresAt) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** The FanOutStore over a raw DynamoDB client (the planner's and sender's). Throws DependencyError when DynamoDB cannot answer. */
export function createDynamoFanOutStore({ dynamo, tableName }: { dynamo: DynamoDBClient; tableName: string }): FanOutStore {
  return {
    claimPlan: (tick, expiresAt) => putOnce(dynamo, tableName, 'drip plan', keys.dripPlan(tick), expiresAt),
    claimShare: (tick, sender, expiresAt) => putOnce(dynamo, tableName, 'drip share', keys.dripShare(tick, sender), expiresAt),
  };
}
