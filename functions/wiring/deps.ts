// The builders every entry point shares (functions/wiring/): the subscription core's deps and the
// drip's, the same in Lambda, the local stack, the CLI and the bench.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppConfig } from '../adapters/config.js';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import type { DripDeps, DripStore, SendQuota } from '../core/drip.js';
import { systemClock, type Clock, type Log, type Mailer, type MessageComposer, type Metrics } from '../core/ports.js';
import type { SubscriptionDeps } from '../core/subscriptions.js';
import type { Tokens } from '../core/tokens.js';
import type { CompiledCourse, CourseCatalog } from '../email/compiled-course.js';
import { messageComposer } from '../email/composer.js';

/** The SES mailer, with the deployment's configuration set (SES events flow back through it) when it has one. */
export function sesMailer(client: SESClient, config: { configurationSet?: string | undefined }): Mailer {
  return createSesMailer({ client, ...(config.configurationSet === undefined ? {} : { configurationSet: config.configurationSet }) });
}

/** What the subscription core runs on: a table, a mailer and a key, besides the course. */
export interface SubscriptionParts {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Partitions of the due index (DUE_SHARDS): the drip's, or entries are never read. */
  dueShards: number;
  mailer: Mailer;
  tokens: Tokens;
  compiled: CompiledCourse;
  courses?: CourseCatalog;
  config: SubscriptionDeps['config'];
  /** Default wall time. */
  clock?: Clock;
  log?: Log;
}

/**
 * The subscription core's deps over `composer`. An entry point that sends no email (the api) passes a
 * composer that refuses, so its bundle carries no MIME composer and no lesson rendering.
 */
export function subscriptionDepsWith(composer: MessageComposer, p: SubscriptionParts): SubscriptionDeps<CompiledCourse> {
  const { doc, tableName, dueShards, ...ports } = p;
  return { clock: systemClock, composer, ...ports, store: createDynamoStore({ doc, tableName, dueShards }) };
}

/** The subscription core's deps (signup, confirm, unsubscribe and the signup outbox's confirmations), on DynamoDB. */
export const subscriptionDeps = (p: SubscriptionParts): SubscriptionDeps<CompiledCourse> => subscriptionDepsWith(messageComposer, p);

/** What the drip runs on; `store` is a drip store (createDynamoDripStore, or the bench's timed one). */
export interface DripParts {
  store: DripStore;
  mailer: Mailer;
  tokens: Pick<Tokens, 'sign'>;
  course: CompiledCourse;
  courses?: CourseCatalog;
  config: Pick<AppConfig, 'publicUrl' | 'maxSendRate' | 'sendConcurrency' | 'senderAddress'>;
  clock?: Clock;
  log?: Log;
  metrics?: Metrics;
  /** SES GetSendQuota: AWS only (the emulator has no quota; MAX_SEND_RATE alone limits the rate). */
  sendQuota?: () => Promise<SendQuota>;
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
