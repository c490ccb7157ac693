// The drip Lambda's deps (functions/handlers/drip.ts), which the fanned-out drip senders share
// (functions/handlers/drip-sender.ts, wiring/sender.ts): one secret read, one set of clients.
import { SESClient } from '@aws-sdk/client-ses';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoDripStore } from '../adapters/dynamo-drip-store.js';
import { createDynamoFanOutStore } from '../adapters/dynamo-fan-out.js';
import { createSendQuota } from '../adapters/send-quota.js';
import { runDrip, type DripDeps } from '../core/drip/index.js';
import type { FanOutStore } from '../core/drip/index.js';
import { METRIC_SERVICE, type DripSummary, type Log } from '../core/ports.js';
import { sweepSignupsLogged } from '../core/signup-outbox.js';
import { dripDeps, sesMailer, subscriptionDeps } from './deps.js';
import { busEvents } from './events.js';
import { lambdaHandler } from './lambda.js';
import { lambdaRuntime } from './runtime.js';

/** Left at the end of a drip invocation for the sends in flight to finish and the summary to be logged. */
export const SAFETY_MARGIN_MS = 5_000;
/** The part of a run the signup outbox may use before the lessons start. */
const OUTBOX_SHARE = 0.25;
/** One SES call; the drip's own retries (with backoff and the deadline in view) replace the SDK's. */
const SES_REQUEST_TIMEOUT_MS = 10_000;

/** The part of the Lambda context the drip uses. */
export interface DripContext {
  getRemainingTimeInMillis(): number;
}

/** A drip Lambda's container: the drip, the signup outbox's sweep, and a fanned-out sender's share claims. */
export interface DripContainer {
  drip: DripDeps;
  /** Sends the outbox's confirmations within the first quarter of the time to `deadline`; never throws. */
  sweepOutbox: (now: Date, deadline: Date) => Promise<void>;
  fanOut: FanOutStore;
  log: Log;
}

/** The drip Lambda and the fanned-out drip senders (the same deps; logs and metrics under `drip`). */
export function dripLambda<E, R>(
  fn: (drip: DripContainer, event: E, context: DripContext) => Promise<R>,
  env: NodeJS.ProcessEnv = process.env,
) {
  return lambdaHandler(
    METRIC_SERVICE.drip,
    async ({ log, metrics }) => {
      const { config, tokens, courses } = await lambdaRuntime(env, log);
      // Both clients cache their middleware chains (less CPU per call; nothing here adds per-command middleware).
      const ses = new SESClient({
        maxAttempts: 1,
        requestHandler: { requestTimeout: SES_REQUEST_TIMEOUT_MS, connectionTimeout: 3_000 },
        cacheMiddleware: true,
      });
      const mailer = sesMailer(ses, config);
      const dynamo = createDynamoClient({ cacheMiddleware: true });
      const { tableName } = config;
      const doc = createDocumentClient(createDynamoClient());
      // signed_up (the outbox's signups), lesson_sent and completed go to the bus.
      const events = busEvents({ config, log });
      const signups = subscriptionDeps({ doc, tableName, dueShards: config.dueShards, mailer, tokens, courses, config, log, events });
      const store = createDynamoDripStore({ dynamo, tableName, dueShards: config.dueShards });
      return {
        drip: dripDeps({ store, mailer, sendQuota: createSendQuota(ses), tokens, courses, config, log, metrics, events }),
        fanOut: createDynamoFanOutStore({ dynamo, tableName }),
        log,
        sweepOutbox: async (now, deadline) => {
          try {
            const share = new Date(now.getTime() + (deadline.getTime() - now.getTime()) * OUTBOX_SHARE);
            await sweepSignupsLogged(signups, share, log, metrics);
          } catch (e: unknown) {
            log({ level: 'error', msg: 'signup outbox sweep failed', error: e instanceof Error ? e.message : String(e) });
          }
        },
      };
    },
    fn,
  );
}

/**
 * One drip tick in Lambda: first the signups accepted since the last run (their confirmations), then
 * the lessons that are due, stopping SAFETY_MARGIN_MS before the invocation's end. runDrip logs the
 * summary and adds its metrics; a failed run throws, so the invocation counts as an error (alarm).
 */
export async function runDripTick(c: DripContainer, context: DripContext): Promise<DripSummary> {
  const now = c.drip.clock.now();
  const deadline = new Date(now.getTime() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
  await c.sweepOutbox(now, deadline);
  return runDrip(c.drip, { now: c.drip.clock.now(), deadline });
}
