// The builders every entry point shares (functions/wiring/): the subscription core's deps and the
// drip's, the same in Lambda, the local stack, the CLI and the bench.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppConfig } from '../adapters/config.js';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import type { DripDeps, DripStore, SendQuota } from '../core/drip/index.js';
import type { EventPublisher } from '../core/events.js';
import { systemClock, type Clock, type CourseCatalog as Catalog, type Log, type Mailer, type Metrics } from '../core/ports.js';
import type { LifecycleDeps, ListedCourse, SubscriptionDeps } from '../core/lifecycle.js';
import type { Tokens } from '../core/tokens.js';
import type { CompiledCourse, CourseCatalog } from '../email/compiled-course.js';
import { messageComposer } from '../email/composer.js';

/** The SES mailer, with the deployment's configuration set (SES events flow back through it) when it has one. */
export function sesMailer(client: SESClient, config: { configurationSet?: string | undefined }): Mailer {
  return createSesMailer({ client, ...(config.configurationSet === undefined ? {} : { configurationSet: config.configurationSet }) });
}

/** What the signup path runs on: a table and a key, besides the courses served. */
export interface SiteParts<C extends ListedCourse = ListedCourse> {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Partitions of the due index (DUE_SHARDS): the drip's, or entries are never read. */
  dueShards: number;
  tokens: Tokens;
  courses: Catalog<C>;
  config: LifecycleDeps['config'];
  /** Default wall time. */
  clock?: Clock;
  log?: Log;
  /** Where subscription events go (wiring/events.ts); none when absent. */
  events?: EventPublisher;
}

/**
 * The signup path's deps (signup, confirm, unsubscribe) on DynamoDB, with no mailer and no composer:
 * the api sends no email (the drip sends the outbox's confirmations), so its role holds no
 * ses:SendRawEmail and its bundle no MIME composer.
 */
export function siteDeps<C extends ListedCourse>(p: SiteParts<C>): LifecycleDeps<C> {
  const { doc, tableName, dueShards, ...ports } = p;
  return { clock: systemClock, ...ports, store: createDynamoStore({ doc, tableName, dueShards }) };
}

/** What the subscription core runs on when it sends: the signup path's parts and a mailer. */
export interface SubscriptionParts extends SiteParts<CompiledCourse> {
  mailer: Mailer;
}

/** The subscription core's deps (signup, confirm, unsubscribe and the signup outbox's confirmations), on DynamoDB. */
export function subscriptionDeps(p: SubscriptionParts): SubscriptionDeps<CompiledCourse> {
  const { mailer, ...site } = p;
  return { ...siteDeps(site), mailer, composer: messageComposer };
}

/** What the drip runs on; `store` is a drip store (createDynamoDripStore, or the bench's timed one). */
export interface DripParts {
  store: DripStore;
  mailer: Mailer;
  tokens: Pick<Tokens, 'sign'>;
  courses: CourseCatalog;
  config: Pick<AppConfig, 'publicUrl' | 'maxSendRate' | 'sendConcurrency' | 'senderAddress'>;
  clock?: Clock;
  log?: Log;
  metrics?: Metrics;
  /** SES GetSendQuota: AWS only (the emulator has no quota; MAX_SEND_RATE alone limits the rate). */
  sendQuota?: () => Promise<SendQuota>;
  /** Where lesson_sent and completed go (wiring/events.ts); none when absent. */
  events?: EventPublisher;
}

/** The drip's deps: the same in the drip Lambdas, the local stack and the bench. */
export function dripDeps(p: DripParts): DripDeps {
  const { config, ...ports } = p;
  return {
    clock: systemClock,
    sleep,
    composer: messageComposer,
    ...ports,
    settings: {
      publicUrl: config.publicUrl,
      maxSendRate: config.maxSendRate,
      sendConcurrency: config.sendConcurrency,
      // The deploy's verified From address (infra sets SENDER_ADDRESS); the manifest's when undefined.
      fromAddress: config.senderAddress,
    },
  };
}
