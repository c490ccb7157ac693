// The drip planner Lambda (fan-out): EventBridge runs it every tick. It reads SES's quota once, decides
// how many senders the account's rate needs (K = ⌈rate ÷ RATE_PER_SENDER⌉, at most DRIP_SENDERS),
// splits the due index's shards and the rate among them (functions/core/fan-out.ts), and invokes the K
// sender Lambdas asynchronously, each with its share, the tick's identity and the senders' deadline,
// counted from this planner's own start (planTick: an EventBridge rate rule fires at an offset of its
// own). A tick is planned once: a conditional put of the tick's plan item, keyed by the scheduled
// event's time, stops a second planner for the same event (EventBridge delivers at least once), whose
// senders would otherwise double the rate.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SESClient } from '@aws-sdk/client-ses';
import { parsePlannerSettings } from '../adapters/config.js';
import { createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoFanOutStore } from '../adapters/dynamo-fan-out.js';
import { createLambdaObservability } from '../adapters/observability.js';
import { createSendQuota } from '../adapters/send-quota.js';
import { dueShards } from '../adapters/table.js';
import { planSenders, planTick, sendersFor, TICK_MEMORY_SECONDS, type ShareOrder } from '../core/drip/index.js';
import { DependencyError } from '../core/errors.js';
import { systemClock } from '../core/ports.js';

// Logs as JSON objects (Powertools Logger); the planner emits no metrics (the senders do).
const observability = createLambdaObservability('drip-planner');
const { log } = observability;
const { app: config, senderFunctionName, dripTickSeconds } = parsePlannerSettings(process.env);
const ses = new SESClient({ maxAttempts: 3 });
const sendQuota = createSendQuota(ses);
const lambda = new LambdaClient({});
const fanOut = createDynamoFanOutStore({ dynamo: createDynamoClient({ cacheMiddleware: true }), tableName: config.tableName });

type PlannerResult =
  { tick: string; senders: number; maxSendRate: number; until: string } | { tick: string; duplicate: true } | { tick: string; late: true };

export const handler = async (event?: unknown, context?: unknown): Promise<PlannerResult> => {
  observability.startInvocation(context);
  const startedAt = systemClock.now();
  const planned = planTick({ event, startedAt, tickMs: dripTickSeconds * 1000 });
  const { tick } = planned;
  if (planned.late) {
    // A delivery so late that its senders could not start before the next tick's: that tick carries on.
    log({ msg: 'drip.plan_late', level: 'warn', tick, startedAt: startedAt.toISOString(), until: planned.until.toISOString() });
    return { tick, late: true };
  }
  const until = planned.until.toISOString();
  if (!(await fanOut.claimPlan(tick, Math.floor(planned.until.getTime() / 1000) + TICK_MEMORY_SECONDS))) {
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
  await Promise.all(
    plan.map(async (share) => {
      const payload: ShareOrder = { tick, share, until };
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
    until,
    senders: plan.length,
    maxSendRate,
    shares: plan.map((p) => ({ sender: p.sender, shards: p.shards, maxSendRate: p.maxSendRate })),
  });
  return { tick, senders: plan.length, maxSendRate, until };
};
