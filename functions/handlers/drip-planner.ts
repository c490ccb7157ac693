// The drip planner Lambda (fan-out): EventBridge runs it every tick. It reads SES's quota once, decides
// how many senders the account's rate needs (K = ⌈rate ÷ RATE_PER_SENDER⌉, at most DRIP_SENDERS),
// splits the due index's shards and the rate among them (functions/core/fan-out.ts), and invokes the K
// sender Lambdas asynchronously, each with its share and the tick's end. A tick is planned once: a
// conditional put of the tick's plan item stops a second planner for the same tick (EventBridge may
// deliver an event twice), whose senders would otherwise double the rate.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { parsePlannerSettings } from '../adapters/config.js';
import { conditionalWrite, createDynamoClient } from '../adapters/dynamo-client.js';
import { createLambdaObservability } from '../adapters/observability.js';
import { createSendQuota } from '../adapters/send-quota.js';
import { dueShards, TTL_ATTR } from '../adapters/table.js';
import { planSenders, sendersFor } from '../core/fan-out.js';
import { DependencyError } from '../core/errors.js';
import type { SenderEvent } from './drip-sender.js';

/** The senders start nothing new this long before the next tick (their in-flight sends end by then). */
export const TICK_MARGIN_MS = 15_000;

// Logs as JSON objects (Powertools Logger); the planner emits no metrics (the senders do).
const observability = createLambdaObservability('drip-planner');
const { log } = observability;
const { app: config, senderFunctionName, dripTickSeconds } = parsePlannerSettings(process.env);
const ses = new SESClient({ maxAttempts: 3 });
const sendQuota = createSendQuota(ses);
const lambda = new LambdaClient({});
const dynamo = createDynamoClient({ cacheMiddleware: true });

export const handler = async (
  _event?: unknown,
  context?: unknown,
): Promise<{ tick: string; senders: number; maxSendRate: number } | { tick: string; duplicate: true }> => {
  observability.startInvocation(context);
  const now = Date.now();
  const tickMs = dripTickSeconds * 1000;
  const tickStart = Math.floor(now / tickMs) * tickMs;
  const tick = new Date(tickStart).toISOString();
  const first = await conditionalWrite('drip plan', () =>
    dynamo.send(
      new PutItemCommand({
        TableName: config.tableName,
        Item: { pk: { S: `DRIPPLAN#${tick}` }, sk: { S: 'PLAN' }, [TTL_ATTR]: { N: String(Math.floor(tickStart / 1000) + 86_400) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (!first) {
    log({ msg: 'drip.plan_duplicate', tick });
    return { tick, duplicate: true };
  }
  const quota = await sendQuota();
  const maxSendRate = Math.min(config.maxSendRate, quota.maxSendRate);
  const shards = dueShards(config.dueShards);
  const senders = sendersFor({ maxSendRate, ratePerSender: config.ratePerSender, maxSenders: config.dripSenders, shards: shards.length });
  const plan = planSenders({
    shards,
    senders,
    maxSendRate,
    ...(quota.remaining24h === undefined ? {} : { remaining24h: quota.remaining24h }),
  });
  const until = new Date(tickStart + tickMs - TICK_MARGIN_MS).toISOString();
  await Promise.all(
    plan.map(async (share) => {
      const payload: SenderEvent = { share, until };
      try {
        await lambda.send(
          new InvokeCommand({
            FunctionName: senderFunctionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
        );
      } catch (e: unknown) {
        throw new DependencyError(`Lambda Invoke of drip sender ${share.sender} failed`, e);
      }
    }),
  );
  log({
    msg: 'drip.plan',
    tick,
    senders: plan.length,
    maxSendRate,
    shares: plan.map((p) => ({ sender: p.sender, shards: p.shards, maxSendRate: p.maxSendRate })),
  });
  return { tick, senders: plan.length, maxSendRate };
};
