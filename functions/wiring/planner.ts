// The drip planner Lambda's deps (functions/handlers/drip-planner.ts): the fan-out's claims, SES's
// quota and the senders' asynchronous invoke.
import { SESClient } from '@aws-sdk/client-ses';
import { parsePlannerSettings } from '../adapters/config.js';
import { createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoFanOutStore } from '../adapters/dynamo-fan-out.js';
import { createSendQuota } from '../adapters/send-quota.js';
import { createSenderInvoker } from '../adapters/sender-invoke.js';
import { dueShards } from '../adapters/table.js';
import type { PlannerDeps, PlannerResult } from '../core/drip/planner.js';
import { systemClock } from '../core/ports.js';
import { lambdaHandler } from './lambda.js';

export { runPlanner } from '../core/drip/planner.js';

/** The drip planner Lambda (fan-out): its ticks, planned by core/drip/planner.ts. Logs only (the senders measure). */
export function plannerLambda<E>(fn: (planner: PlannerDeps, event: E) => Promise<PlannerResult>, env: NodeJS.ProcessEnv = process.env) {
  return lambdaHandler(
    'drip-planner',
    ({ log }): PlannerDeps => {
      const { app: config, senderFunctionName, dripTickSeconds } = parsePlannerSettings(env);
      const deps: PlannerDeps = {
        store: createDynamoFanOutStore({ dynamo: createDynamoClient({ cacheMiddleware: true }), tableName: config.tableName }),
        sendQuota: createSendQuota(new SESClient({ maxAttempts: 3 })),
        startSender: createSenderInvoker(senderFunctionName),
        clock: systemClock,
        log,
        shards: dueShards(config.dueShards),
        tickMs: dripTickSeconds * 1000,
        settings: config,
      };
      return deps;
    },
    fn,
  );
}
