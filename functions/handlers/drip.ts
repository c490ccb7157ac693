// The drip Lambda: EventBridge runs it every few minutes; it first sends the confirmations of the
// signups waiting in the outbox, then the lessons that are due, and stops before its time runs out
// (the next tick carries on). Deps are built once per container and reused.
import { setTimeout as sleep } from 'node:timers/promises';
import { SESClient } from '@aws-sdk/client-ses';
import type { AppConfig } from '../adapters/config.js';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { createDynamoDripStore } from '../adapters/dynamo-drip-store.js';
import { createDynamoFanOutStore } from '../adapters/dynamo-fan-out.js';
import { createSendQuota } from '../adapters/send-quota.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import { createLambdaObservability } from '../adapters/observability.js';
import { runDrip, type DripDeps } from '../core/drip/index.js';
import type { FanOutStore } from '../core/drip/index.js';
import { METRIC_SERVICE, systemClock, type DripSummary, type Mailer } from '../core/ports.js';
import { sweepSignupsLogged } from '../core/signup-outbox.js';
import type { SubscriptionDeps } from '../core/lifecycle.js';
import type { Tokens } from '../core/tokens.js';
import type { CompiledCourse, CourseCatalog } from '../email/compiled-course.js';
import { messageComposer } from '../email/composer.js';
import { loadLambdaRuntime } from './runtime.js';

/** Left at the end of the invocation for the sends in flight to finish and the summary to be logged. */
export const SAFETY_MARGIN_MS = 5_000;
/** The part of a run the signup outbox may use before the lessons start. */
const OUTBOX_SHARE = 0.25;
/** One SES call; the drip's own retries (with backoff and the deadline in view) replace the SDK's. */
const SES_REQUEST_TIMEOUT_MS = 10_000;

/** The part of the Lambda context the drip uses. */
export interface DripContext {
  getRemainingTimeInMillis(): number;
}

// Logs (JSON objects) and metrics (EMF) for every invocation of this container (the fanned-out
// sender's too, drip-sender.ts, which shares this module).
export const observability = createLambdaObservability(METRIC_SERVICE.drip);

interface ContainerDeps {
  drip: DripDeps;
  /** For the signup outbox sweep: the subscription core on the same table, mailer and key. */
  signups: SubscriptionDeps;
  /** A fanned-out sender's once-per-share claims (drip-sender.ts), on the same table. */
  fanOut: FanOutStore;
}

/** The drip's deps, and the signup outbox's, from the Lambda's environment (one secret read). */
async function buildDeps(env: NodeJS.ProcessEnv): Promise<ContainerDeps> {
  const { config, tokens, compiled: course, courses } = await loadLambdaRuntime(env, observability.log);
  // Both clients cache their middleware chains (less CPU per call; nothing here adds per-command middleware).
  const ses = new SESClient({
    maxAttempts: 1,
    requestHandler: { requestTimeout: SES_REQUEST_TIMEOUT_MS, connectionTimeout: 3_000 },
    cacheMiddleware: true,
  });
  const mailer = createSesMailer({
    client: ses,
    ...(config.configurationSet === undefined ? {} : { configurationSet: config.configurationSet }),
  });
  const signups: SubscriptionDeps = {
    store: createDynamoStore({ doc: createDocumentClient(createDynamoClient()), tableName: config.tableName, dueShards: config.dueShards }),
    mailer,
    clock: systemClock,
    tokens,
    courses,
    composer: messageComposer,
    config,
    log: observability.log,
  };
  const fanOut = createDynamoFanOutStore({ dynamo: createDynamoClient({ cacheMiddleware: true }), tableName: config.tableName });
  return { signups, fanOut, drip: dripDeps(config, ses, mailer, tokens, course, courses) };
}

function dripDeps(
  config: AppConfig,
  ses: SESClient,
  mailer: Mailer,
  tokens: Tokens,
  course: CompiledCourse,
  courses: CourseCatalog,
): DripDeps {
  return {
    store: createDynamoDripStore({
      dynamo: createDynamoClient({ cacheMiddleware: true }),
      tableName: config.tableName,
      dueShards: config.dueShards,
    }),
    mailer,
    sendQuota: createSendQuota(ses),
    clock: systemClock,
    log: observability.log,
    metrics: observability.metrics,
    sleep,
    course,
    courses,
    composer: messageComposer,
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

let ready: Promise<ContainerDeps> | undefined;

function container(): Promise<ContainerDeps> {
  ready ??= buildDeps(process.env);
  const current = ready;
  void current.catch(() => {
    if (ready === current) ready = undefined;
  });
  return current;
}

/** The container's deps, built on first use; a failed start (a secret not readable yet) is not kept: the next tick tries again. */
export async function containerDeps(): Promise<DripDeps> {
  return (await container()).drip;
}

/** The fanned-out sender's share claims, from the same container deps. */
export async function containerFanOutStore(): Promise<FanOutStore> {
  return (await container()).fanOut;
}

/**
 * Sends the confirmations of the signups waiting in the outbox (functions/core/signup-outbox.ts),
 * within the first quarter of the time to `deadline`. Never throws: a failure is logged and must not
 * stop the lessons; what is left waits for the next run.
 */
export async function sweepSignupOutbox(now: Date, deadline: Date): Promise<void> {
  try {
    const { signups } = await container();
    const share = new Date(now.getTime() + (deadline.getTime() - now.getTime()) * OUTBOX_SHARE);
    await sweepSignupsLogged(signups, share, observability.log, observability.metrics);
  } catch (e: unknown) {
    observability.log({ level: 'error', msg: 'signup outbox sweep failed', error: e instanceof Error ? e.message : String(e) });
  }
}

export const handler = async (_event: unknown, context: DripContext): Promise<DripSummary> => {
  observability.startInvocation(context);
  try {
    const deps = await containerDeps();
    const now = systemClock.now();
    const deadline = new Date(now.getTime() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
    // First the signups accepted since the last run (their confirmations).
    await sweepSignupOutbox(now, deadline);
    // runDrip logs the one summary line and adds its metrics; a failed run throws, so the
    // invocation counts as an error (alarm).
    return await runDrip(deps, { now: systemClock.now(), deadline });
  } finally {
    observability.publishMetrics();
  }
};
