// The local drip: runDrip built from the local stack's pieces (the same adapters the drip Lambda uses,
// on DynamoDB Local and the SES emulator), and the DRIP_EVERY ticker that runs it, one tick at a time.
import { setTimeout as sleep } from 'node:timers/promises';
import { createDynamoDripStore } from '../adapters/dynamo-drip-store.js';
import { runDrip } from '../core/drip/index.js';
import { runFannedOut, sendersFor } from '../core/drip/index.js';
import { dueShards } from '../adapters/table.js';
import { readableLog } from '../adapters/observability.js';
import { messageComposer } from '../email/composer.js';
import type { DripSummary, Log, RunDrip } from '../core/ports.js';
import type { LocalDripContext } from './stack.js';

/**
 * The drip for `npm start`: no GetSendQuota (the emulator has no quota), MAX_SEND_RATE alone limits the
 * rate. With DRIP_SENDERS > 1 each tick fans out to K senders in this process, as the planner does in AWS.
 */
export function createLocalRunDrip(ctx: LocalDripContext): RunDrip {
  const deps = {
    store: createDynamoDripStore({ dynamo: ctx.dripDynamo, tableName: ctx.tableName, dueShards: ctx.config.dueShards }),
    mailer: ctx.mailer,
    clock: ctx.clock,
    sleep,
    course: ctx.compiled,
    courses: ctx.courses,
    composer: messageComposer,
    tokens: ctx.tokens,
    log: ctx.log,
    settings: {
      publicUrl: ctx.config.publicUrl,
      maxSendRate: ctx.config.maxSendRate,
      sendConcurrency: ctx.config.sendConcurrency,
      ...(ctx.config.senderAddress === undefined ? {} : { fromAddress: ctx.config.senderAddress }),
    },
  };
  const { dripSenders, ratePerSender, maxSendRate, dueShards: shardCount } = ctx.config;
  if (dripSenders <= 1) return (run) => runDrip(deps, run);
  const shards = dueShards(shardCount);
  return (run) =>
    runFannedOut(deps, run, {
      senders: sendersFor({ maxSendRate, ratePerSender, maxSenders: dripSenders, shards: shards.length }),
      shards,
    });
}

export interface DripTicker {
  /** No more ticks; resolves once the tick in progress (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `everyMs` (DRIP_EVERY). A tick still running when the next is due is not doubled
 * (the claims would make it safe, but it would only race itself); a failed tick is logged and the
 * ticker carries on, as the next EventBridge tick would in AWS. `log`: default readable lines on the console.
 */
export function startDripTicker(p: { everyMs: number; tick: () => Promise<DripSummary>; log?: Log }): DripTicker {
  const log = p.log ?? readableLog();
  if (!(p.everyMs > 0)) return { stop: () => Promise.resolve() };
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running !== undefined || stopped) return;
    running = p
      .tick()
      .then(
        () => undefined,
        (e: unknown) => log({ level: 'error', msg: 'drip tick failed', error: e instanceof Error ? e.message : String(e) }),
      )
      .finally(() => {
        running = undefined;
      });
  }, p.everyMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
