// The drip Lambda: EventBridge runs it every few minutes; it sends the lessons that are due and stops
// before its time runs out (the next tick carries on). Deps are built once per container and reused.
import { SESClient } from '@aws-sdk/client-ses';
import { createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoDripStore } from '../adapters/dynamo-drip-store.js';
import { createSendQuota } from '../adapters/send-quota.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import { createLambdaObservability } from '../adapters/observability.js';
import { runDrip, type DripDeps } from '../core/drip.js';
import { METRIC_SERVICE, systemClock, type DripSummary } from '../core/ports.js';
import { loadLambdaRuntime } from './runtime.js';

/** Left at the end of the invocation for the sends in flight to finish and the summary to be logged. */
export const SAFETY_MARGIN_MS = 5_000;
/** One SES call; the drip's own retries (with backoff and the deadline in view) replace the SDK's. */
const SES_REQUEST_TIMEOUT_MS = 10_000;

/** The part of the Lambda context the drip uses. */
export interface DripContext {
  getRemainingTimeInMillis(): number;
}

// Logs (JSON objects) and metrics (EMF) for every invocation of this container (the fanned-out
// sender's too, drip-sender.ts, which shares this module).
export const observability = createLambdaObservability(METRIC_SERVICE.drip);

/** The drip's deps from the Lambda's environment. */
async function buildDeps(env: NodeJS.ProcessEnv): Promise<DripDeps> {
  const { config, tokens, compiled: course, courses } = await loadLambdaRuntime(env);
  // Both clients cache their middleware chains (less CPU per call; nothing here adds per-command middleware).
  const ses = new SESClient({ maxAttempts: 1, requestHandler: { requestTimeout: SES_REQUEST_TIMEOUT_MS, connectionTimeout: 3_000 }, cacheMiddleware: true });
  return {
    store: createDynamoDripStore({ dynamo: createDynamoClient({ cacheMiddleware: true }), tableName: config.tableName, dueShards: config.dueShards }),
    mailer: createSesMailer({ client: ses, ...(config.configurationSet === undefined ? {} : { configurationSet: config.configurationSet }) }),
    sendQuota: createSendQuota(ses),
    clock: systemClock,
    log: observability.log,
    metrics: observability.metrics,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    course,
    courses,
    tokens,
    settings: {
      publicUrl: config.publicUrl,
      maxSendRate: config.maxSendRate,
      sendConcurrency: config.sendConcurrency,
      // The deploy's verified From address (infra sets SENDER_ADDRESS); the manifest's is the fallback.
      ...(config.senderAddress === undefined ? {} : { fromAddress: config.senderAddress }),
    },
  };
}

let ready: Promise<DripDeps> | undefined;

/** The container's deps, built on first use; a failed start (a secret not readable yet) is not kept: the next tick tries again. */
export function containerDeps(): Promise<DripDeps> {
  ready ??= buildDeps(process.env);
  const current = ready;
  void current.catch(() => {
    if (ready === current) ready = undefined;
  });
  return current;
}

export const handler = async (_event: unknown, context: DripContext): Promise<DripSummary> => {
  observability.startInvocation(context);
  try {
    const deps = await containerDeps();
    const now = systemClock.now();
    const deadline = new Date(now.getTime() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
    // runDrip logs the one summary line and adds its metrics; a failed run throws, so the
    // invocation counts as an error (alarm).
    return await runDrip(deps, { now, deadline });
  } finally {
    observability.publishMetrics();
  }
};
