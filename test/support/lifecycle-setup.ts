// Shared setup for the lifecycle tests: the HTTP app on real adapters (DynamoDB Local table, SES emulator),
// a clock the test moves, and small readers for the table and the emulator's inbox.
import { randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Hono } from 'hono';
import { createDynamoStore } from '../../functions/adapters/dynamo-store.js';
import { createSesMailer } from '../../functions/adapters/ses-mailer.js';
import { keys } from '../../functions/adapters/table.js';
import type { Subscriber } from '../../functions/core/model.js';
import type { Mailer, RunDrip } from '../../functions/core/ports.js';
import { createInProcessOutbox } from '../../functions/core/signup-outbox.js';
import { courseCatalog } from '../../functions/core/courses.js';
import type { SubscriptionDeps } from '../../functions/core/lifecycle.js';
import { createTokens, type Tokens } from '../../functions/core/tokens.js';
import type { CompiledCourse } from '../../functions/email/compiled-course.js';
import { messageComposer } from '../../functions/email/composer.js';
import { createApp } from '../../functions/http/app.js';
import { localRoutes } from '../../functions/local/routes.js';
import type { TestStack } from './stack.js';

export const PUBLIC_URL = 'http://course.test';
export const PARTNER_ORIGIN = 'https://partner.example';

export class TestClock {
  constructor(public current: Date) {}
  now = () => new Date(this.current.getTime());
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

export interface LifecycleOptions {
  signupsPerIpPerHour?: number;
  mailer?: (real: Mailer) => Mailer;
  local?: boolean;
  runDrip?: RunDrip;
}

export interface Lifecycle {
  table: string;
  clock: TestClock;
  tokens: Tokens;
  deps: SubscriptionDeps<CompiledCourse>;
  app: Hono;
  logs: Record<string, unknown>[];
  /** Every item in the table (for "nothing was written"). */
  items(): Promise<Record<string, unknown>[]>;
  subscriber(id: string): Promise<Record<string, unknown> | undefined>;
  addressLock(email: string): Promise<Record<string, unknown> | undefined>;
  /** The subscriber items (not locks, counters or rate limits). */
  subscribers(): Promise<Subscriber[]>;
  setAttributes(id: string, values: Record<string, unknown>): Promise<void>;
  postJson(body: unknown, headers?: Record<string, string>): Promise<Response>;
  postForm(fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** Resolves once every accepted signup has been processed (for requests sent with app.request). */
  signupsSettled(): Promise<void>;
  /** Emails the emulator holds for this address, oldest first. */
  emailsTo(address: string): Promise<{ subject: string; text: string; html: string }[]>;
  /** The token in the newest confirmation link sent to this address. */
  confirmToken(address: string): Promise<string>;
  unsubscribeToken(id: string): string;
}

/** A fresh address per test, so tests sharing the emulator never see each other's mail. */
export function newAddress(label = 'person'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

export async function lifecycle(stack: TestStack, compiled: CompiledCourse, options: LifecycleOptions = {}): Promise<Lifecycle> {
  const table = await stack.newTable();
  const clock = new TestClock(new Date('2026-03-02T10:00:00.000Z'));
  const tokens = createTokens(Buffer.alloc(32, 7));
  const realMailer = createSesMailer({ client: stack.ses, configurationSet: 'course-events' });
  const logs: Record<string, unknown>[] = [];
  const deps: SubscriptionDeps<CompiledCourse> = {
    store: createDynamoStore({ doc: stack.doc, tableName: table, dueShards: 8 }),
    mailer: options.mailer ? options.mailer(realMailer) : realMailer,
    clock,
    tokens,
    courses: courseCatalog([compiled]),
    composer: messageComposer,
    config: { publicUrl: PUBLIC_URL, signupsPerIpPerHour: options.signupsPerIpPerHour ?? 20 },
    log: (entry) => logs.push(entry),
  };
  // As in the local stack: accepted signups are processed right after the answer.
  const outbox = createInProcessOutbox(
    () => deps,
    (entry) => logs.push(entry),
  );
  deps.outbox = outbox;
  const app = createApp({ deps, corsOrigins: [PARTNER_ORIGIN], log: (e) => logs.push(e) });
  // The local stack's tools, mounted as the local stack mounts them.
  if (options.local)
    app.route('/', localRoutes({ clock, publicUrl: PUBLIC_URL, ...(options.runDrip ? { runDrip: options.runDrip } : {}) }));
  const settledAfter = async (answer: Response | Promise<Response>): Promise<Response> => {
    const res = await answer;
    await outbox.settled();
    return res;
  };
  const get = async (key: { pk: string; sk: string }) =>
    (await stack.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const items = async () => (await stack.doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
  const emailsTo = async (address: string) =>
    (await stack.emails())
      .filter((e) => e.destination.to.some((t) => t.toLowerCase().includes(address.toLowerCase())))
      .map((e) => ({ subject: e.subject, text: e.body.text ?? '', html: e.body.html ?? '' }));
  return {
    table,
    clock,
    tokens,
    deps,
    app,
    logs,
    items,
    subscriber: (id) => get(keys.subscriber(id)),
    addressLock: (email) => get(keys.address(compiled.course.slug, email.trim().toLowerCase())),
    subscribers: async () =>
      (await items()).filter((i) => String(i.pk).startsWith('SUB#') && i.sk === 'PROFILE') as unknown as Subscriber[],
    async setAttributes(id, values) {
      const names = Object.keys(values);
      await stack.doc.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.subscriber(id),
          UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, values[n]])),
        }),
      );
    },
    // Each answers once the outbox has done the signup's work (the answer itself never waits for it).
    postJson: async (body, headers = {}) =>
      settledAfter(
        app.request('/subscribe', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7', 'user-agent': 'vitest', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    postForm: async (fields, headers = {}) =>
      settledAfter(
        app.request('/subscribe', {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': '198.51.100.7',
            'user-agent': 'vitest',
            referer: `${PUBLIC_URL}/`,
            ...headers,
          },
          body: new URLSearchParams(fields).toString(),
        }),
      ),
    signupsSettled: () => outbox.settled(),
    emailsTo,
    async confirmToken(address) {
      const mails = await emailsTo(address);
      const last = mails.at(-1);
      const m = last && /\/confirm\?token=([A-Za-z0-9_-]+)/.exec(last.text);
      if (!m?.[1]) throw new Error(`no confirmation link sent to ${address}`);
      return m[1];
    },
    unsubscribeToken: (id) => tokens.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt: clock.now() }),
  };
}
