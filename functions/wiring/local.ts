// The local stack's deps (`npm start`, functions/local/stack.ts) and its drip, which the ticker runs
// (functions/local/ticker.ts).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppConfig } from '../adapters/config.js';
import { createDynamoDripStore } from '../adapters/dynamo-drip-store.js';
import { localEventPublisher, localEventsPath } from '../adapters/local-events.js';
import { dueShards } from '../adapters/table.js';
import { runDrip } from '../core/drip/index.js';
import { runFannedOut, sendersFor } from '../core/drip/index.js';
import { withAddressPolicy, type EventPublisher } from '../core/events.js';
import type { Clock, Log, Mailer, RunDrip } from '../core/ports.js';
import type { SubscriptionDeps } from '../core/lifecycle.js';
import type { Tokens } from '../core/tokens.js';
import type { CompiledCourse, CourseCatalog } from '../email/compiled-course.js';
import { dripDeps, subscriptionDeps } from './deps.js';

/**
 * What the local drip is built from (the same pieces the drip Lambda gets in AWS):
 * - `doc`, `tableName`: the document client on DynamoDB Local (or AWS_ENDPOINT_URL_DYNAMODB) and the table;
 * - `dripDynamo`: the drip store's own raw client on the same endpoint, with cacheMiddleware (which the
 *   DocumentClient refuses), as in the drip Lambda;
 * - `mailer`: SES SendRawEmail on the emulator (or AWS_ENDPOINT_URL_SES), after the stack's `decorateMailer`;
 * - `config`: the app config (publicUrl is the real one, port included; maxSendRate, sendConcurrency, dueShards);
 * - `courses`: every course of COURSES_DIR, compiled once at start;
 * - `tokens`: signs unsubscribe links with the kept key;
 * - `clock`: wall time (the ticker's `now` and every deadline come from it);
 * - `log`: readable lines on the stack's console;
 * - `events`: where subscription events go (localEvents: the log and DATA_DIR/events.jsonl).
 */
export interface LocalDripContext {
  doc: DynamoDBDocumentClient;
  dripDynamo: DynamoDBClient;
  tableName: string;
  mailer: Mailer;
  config: AppConfig;
  courses: CourseCatalog;
  tokens: Tokens;
  clock: Clock;
  log: Log;
  events?: EventPublisher;
}

/** The local stack's events: what the publisher has written so far can be awaited (stop, tests). */
export type LocalEvents = EventPublisher & { file: string; settled(): Promise<void> };

/**
 * The local stack's (and the CLI's on it) subscription events: one log line each and a JSON line in
 * `<dataDir>/events.jsonl`; the address only when `includeEmail` (EVENTS_INCLUDE_EMAIL).
 */
export function localEvents(p: { dataDir: string; includeEmail: boolean; log: Log }): LocalEvents {
  const publisher = localEventPublisher({ file: localEventsPath(p.dataDir), log: p.log });
  return { ...withAddressPolicy(publisher, p.includeEmail), file: publisher.file, settled: () => publisher.settled() };
}

/** The local stack's subscription core, on the stack's table, mailer and key. */
export function localSubscriptionDeps(ctx: LocalDripContext): SubscriptionDeps<CompiledCourse> {
  const { doc, tableName, config, mailer, tokens, courses, clock, log, events } = ctx;
  return subscriptionDeps({ doc, tableName, dueShards: config.dueShards, mailer, tokens, courses, config, clock, log, events });
}

/**
 * The drip for `npm start`: no GetSendQuota (the emulator has no quota), MAX_SEND_RATE alone limits the
 * rate. With DRIP_SENDERS > 1 each tick fans out to K senders in this process, as the planner does in AWS.
 */
export function createLocalRunDrip(ctx: LocalDripContext): RunDrip {
  const { config } = ctx;
  const store = createDynamoDripStore({ dynamo: ctx.dripDynamo, tableName: ctx.tableName, dueShards: config.dueShards });
  const { mailer, tokens, courses, clock, log, events } = ctx;
  const deps = dripDeps({ store, mailer, tokens, courses, config, clock, log, events });
  const { dripSenders, ratePerSender, maxSendRate } = config;
  if (dripSenders <= 1) return (run) => runDrip(deps, run);
  const shards = dueShards(config.dueShards);
  return (run) =>
    runFannedOut(deps, run, {
      senders: sendersFor({ maxSendRate, ratePerSender, maxSenders: dripSenders, shards: shards.length }),
      shards,
    });
}
