// Shared pieces of the drip integration tests: seed active subscribers straight into the table (the
// shape the subscription store writes at confirmation), build runDrip deps on the real adapters, and a
// clock that can be set to any calendar time while still moving with the wall clock.
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock, Mailer } from '../../functions/core/ports.js';
import type { Subscriber } from '../../functions/core/model.js';
import type { DripDeps, DripSettings, DripStore } from '../../functions/core/drip/index.js';
import { createTokens } from '../../functions/core/tokens.js';
import { createDynamoDripStore } from '../../functions/adapters/dynamo-drip-store.js';
import { createDynamoStore, dueSortKey } from '../../functions/adapters/dynamo-store.js';
import { createSesMailer } from '../../functions/adapters/ses-mailer.js';
import { dueShardOf, keys } from '../../functions/adapters/table.js';
import { courseCatalog, type CompiledCourse } from '../../functions/email/compiled-course.js';
import { messageComposer } from '../../functions/email/composer.js';
import type { TestStack } from './stack.js';

export const TEST_TOKEN_KEY = Buffer.alloc(32, 7);

/** Calendar time you can set; between sets it moves with the wall clock (the token bucket needs that). */
export class SettableClock implements Clock {
  private base: number;
  private realBase = performance.now();
  constructor(start: Date) {
    this.base = start.getTime();
  }
  set(at: Date): void {
    this.base = at.getTime();
    this.realBase = performance.now();
  }
  advance(ms: number): void {
    this.set(new Date(this.now().getTime() + ms));
  }
  now(): Date {
    return new Date(this.base + (performance.now() - this.realBase));
  }
}

export interface SeedOptions {
  id?: string;
  email?: string;
  name?: string;
  timezone: string;
  /** When lesson 1 is due (the confirmation time). */
  dueAt: Date;
  nextLesson?: number;
  course: string;
  shards: number;
  /** More fields of the subscriber (a round, the learner's pace). */
  extra?: Partial<Subscriber>;
}

/** An active subscriber as confirmation leaves it: in the due index at `dueAt`. */
export async function seedActive(stack: TestStack, table: string, o: SeedOptions): Promise<Subscriber> {
  const id = o.id ?? randomUUID().replace(/-/g, '').slice(0, 22);
  const nextSendAt = o.dueAt.toISOString();
  const subscriber: Subscriber = {
    id,
    course: o.course,
    email: o.email ?? `${id}@example.com`,
    ...(o.name === undefined ? {} : { name: o.name }),
    timezone: o.timezone,
    status: 'active',
    nextLesson: o.nextLesson ?? 0,
    nextSendAt,
    consent: { at: nextSendAt, ip: '192.0.2.1', userAgent: 'test', page: 'http://localhost:3000/' },
    createdAt: nextSendAt,
    confirmedAt: nextSendAt,
    ...o.extra,
  };
  await stack.doc.send(
    new PutCommand({
      TableName: table,
      Item: { ...keys.subscriber(id), ...subscriber, dueShard: dueShardOf(id, o.shards), dueAt: dueSortKey(nextSendAt, id) },
    }),
  );
  return subscriber;
}

export async function readSubscriberItem(stack: TestStack, table: string, id: string): Promise<Record<string, unknown> | undefined> {
  const out = await stack.doc.send(new GetCommand({ TableName: table, Key: keys.subscriber(id), ConsistentRead: true }));
  return out.Item;
}

export interface SendRecordItem {
  lesson: number;
  status: string;
  at: string;
  messageId?: string;
}

/** The send records of one subscriber, in lesson order. */
export async function sendRecords(stack: TestStack, table: string, id: string): Promise<SendRecordItem[]> {
  const out = await stack.doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
      ExpressionAttributeValues: { ':pk': `SUB#${id}`, ':send': 'SEND#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as SendRecordItem[];
}

/** Unsubscribe through the subscription store, as the unsubscribe page does. */
export async function unsubscribe(stack: TestStack, table: string, id: string, at: Date, shards: number): Promise<void> {
  const store = createDynamoStore({ doc: stack.doc, tableName: table, dueShards: shards });
  const before = await store.unsubscribe(id, at);
  if (before === undefined) throw new Error(`could not unsubscribe ${id}`);
}

export interface DripTestDeps extends DripDeps {
  logs: Record<string, unknown>[];
  clock: SettableClock;
}

export function dripDeps(
  stack: TestStack,
  table: string,
  course: CompiledCourse,
  o: { clock: SettableClock; shards: number; settings?: Partial<DripSettings>; mailer?: Mailer; store?: DripStore; pageSize?: number },
): DripTestDeps {
  const logs: Record<string, unknown>[] = [];
  return {
    store: o.store ?? createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: o.shards, pageSize: o.pageSize }),
    mailer: o.mailer ?? createSesMailer({ client: stack.ses }),
    clock: o.clock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    courses: courseCatalog([course]),
    composer: messageComposer,
    tokens: createTokens(TEST_TOKEN_KEY),
    settings: { publicUrl: 'http://localhost:3000', maxSendRate: 1000, sendConcurrency: 4, retryBaseMs: 2, retryMaxMs: 10, ...o.settings },
    logs,
    log: (entry) => logs.push(entry),
  };
}

/** Lesson number (1-based) from a lesson email's subject ("Lesson 3 of 8: …"). */
export function lessonOfSubject(subject: string): number {
  const m = /^Lesson (\d+) of \d+/.exec(subject);
  if (!m) throw new Error(`not a lesson subject: ${subject}`);
  return Number(m[1]);
}

/** Emails the SES emulator holds for one address, oldest first, as lesson numbers. */
export async function lessonsReceived(stack: TestStack, email: string): Promise<number[]> {
  const all = await stack.emails();
  return all
    .filter((m) => m.destination.to.some((to) => to.includes(email)))
    .sort((a, b) => a.at - b.at)
    .map((m) => lessonOfSubject(m.subject));
}
