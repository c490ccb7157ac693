// The SES feedback path against DynamoDB Local: SNS envelope → ses-events handler → core → table.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { createSesEventsHandler } from '../../../functions/adapters/ses-notifications.js';
import { handler } from '../../../functions/handlers/ses-events.js';
import { createDynamoFeedbackStore, countUnsubscribeAfter } from '../../../functions/adapters/dynamo-feedback-store.js';
import { DUE_INDEX, dueShards, keys, suppressionHash } from '../../../functions/adapters/table.js';
import type { FeedbackDeps, FeedbackStore } from '../../../functions/core/feedback.js';
import type { Mailer } from '../../../functions/core/ports.js';
import { withSimulatedFeedback } from '../../../functions/local/simulated-feedback.js';
import { createDynamoDripStore } from '../../../functions/adapters/dynamo-drip-store.js';
import { createDynamoStore } from '../../../functions/adapters/dynamo-store.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { runDrip } from '../../../functions/core/drip/index.js';
import { courseCatalog } from '../../../functions/core/courses.js';
import { subscribe } from '../../../functions/core/signup.js';
import { createTokens, generateTokenKey } from '../../../functions/core/tokens.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { messageComposer } from '../../../functions/email/composer.js';
import { COURSE, seedSubscriber, sesNotification, snsEnvelope } from '../../support/feedback-fixtures.js';
import { compileShippedCourse } from '../../support/course.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
});
afterAll(async () => {
  await stack.stop();
});

const clock = { now: () => new Date('2026-01-05T09:00:05.000Z') };

function setup(table: string, wrap: (s: FeedbackStore) => FeedbackStore = (s) => s) {
  const logs: Record<string, unknown>[] = [];
  const deps: FeedbackDeps = {
    store: wrap(createDynamoFeedbackStore({ doc: stack.doc, tableName: table })),
    clock,
    log: (e) => logs.push(e),
  };
  return { handle: createSesEventsHandler(deps), logs };
}

async function item(table: string, key: { pk: string; sk: string }) {
  return (await stack.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}
const profile = (table: string, id: string) => item(table, keys.subscriber(id));
const counters = (table: string, lesson1Based: number) => item(table, keys.lessonStats(COURSE, lesson1Based - 1));

async function dueIds(table: string): Promise<string[]> {
  const ids: string[] = [];
  for (const shard of dueShards()) {
    const out = await stack.doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'dueShard = :s',
        ExpressionAttributeValues: { ':s': shard },
      }),
    );
    for (const i of out.Items ?? []) ids.push(String(i.pk).slice('SUB#'.length));
  }
  return ids;
}

describe('ses-events: each notification type', () => {
  it('a permanent bounce marks the subscriber bounced, takes them out of the due index and keeps a suppression hash', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'gone@example.com');
    expect(await dueIds(table)).toContain(s.id);

    await handle(snsEnvelope([sesNotification('Bounce', s, { lesson: 2 })]));

    const p = await profile(table, s.id);
    expect(p).toMatchObject({ status: 'bounced', stoppedReason: 'permanent-bounce' });
    expect(p?.dueShard).toBeUndefined();
    expect(p?.dueAt).toBeUndefined();
    expect(await dueIds(table)).not.toContain(s.id);
    expect(await item(table, keys.suppression(suppressionHash('gone@example.com')))).toMatchObject({ reason: 'permanent-bounce' });
    expect(await counters(table, 2)).toMatchObject({ bounced: 1, lesson: 2, course: COURSE });
  });

  it('a complaint marks the subscriber complained, out of the due index, suppressed and counted', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'angry@example.com');

    await handle(snsEnvelope([sesNotification('Complaint', s, { lesson: 3 })]));

    expect(await profile(table, s.id)).toMatchObject({ status: 'complained', stoppedReason: 'complaint' });
    expect(await dueIds(table)).not.toContain(s.id);
    expect(await item(table, keys.suppression(suppressionHash('angry@example.com')))).toMatchObject({ reason: 'complaint' });
    expect(await counters(table, 3)).toMatchObject({ complained: 1 });
  });

  it.each(['not-spam', 'NOT-SPAM', ' Not-Spam '])(
    'a %j feedback report (the reader rescued the mail) is logged and counted as not-spam, and never suppresses',
    async (feedbackType) => {
      const table = await stack.newTable();
      const { handle, logs } = setup(table);
      const s = await seedSubscriber(stack.doc, table, 'rescued@example.com');
      const notSpam = { complaint: { complainedRecipients: [{ emailAddress: s.email }], complaintFeedbackType: feedbackType } };

      await handle(snsEnvelope([sesNotification('Complaint', s, { lesson: 2, extra: notSpam })]));

      expect(await profile(table, s.id)).toMatchObject({ status: 'active' });
      expect(await dueIds(table)).toContain(s.id);
      expect(await item(table, keys.suppression(suppressionHash(s.email)))).toBeUndefined();
      const counted = await counters(table, 2);
      expect(counted).toMatchObject({ notSpam: 1 });
      expect(counted?.complained).toBeUndefined();
      expect(logs).toContainEqual(
        expect.objectContaining({ msg: 'not-spam feedback', feedbackType: 'not-spam', email: 'r***@example.com' }),
      );
      expect(logs.some((l) => l.msg === 'address stopped')).toBe(false);
    },
  );

  it.each(['abuse', 'fraud', 'virus', 'other', undefined])(
    'a complaint of feedback type %s still stops the address',
    async (feedbackType) => {
      const table = await stack.newTable();
      const { handle } = setup(table);
      const s = await seedSubscriber(stack.doc, table, 'really-angry@example.com');
      const complaint = {
        complaint: {
          complainedRecipients: [{ emailAddress: s.email }],
          ...(feedbackType === undefined ? {} : { complaintFeedbackType: feedbackType }),
        },
      };
      await handle(snsEnvelope([sesNotification('Complaint', s, { extra: complaint })]));
      expect(await profile(table, s.id)).toMatchObject({ status: 'complained' });
      expect(await item(table, keys.suppression(suppressionHash(s.email)))).toMatchObject({ reason: 'complaint' });
    },
  );

  it('a complaint after a bounce turns bounced into complained; a bounce after a complaint changes nothing', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const a = await seedSubscriber(stack.doc, table, 'a@example.com');
    const b = await seedSubscriber(stack.doc, table, 'b@example.com');

    await handle(snsEnvelope([sesNotification('Bounce', a), sesNotification('Complaint', a)]));
    await handle(snsEnvelope([sesNotification('Complaint', b), sesNotification('Bounce', b)]));

    expect((await profile(table, a.id))?.status).toBe('complained');
    expect((await profile(table, b.id))?.status).toBe('complained');
  });

  it('three transient bounces in a row suppress the address; a delivery in between restarts the count', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'full@example.com');
    const soft = () => sesNotification('Bounce', s, { bounceType: 'Transient' });

    await handle(snsEnvelope([soft(), soft()]));
    expect(await profile(table, s.id)).toMatchObject({ status: 'active', softBounces: 2 });

    await handle(snsEnvelope([sesNotification('Delivery', s)]));
    expect((await profile(table, s.id))?.softBounces).toBeUndefined();

    await handle(snsEnvelope([soft(), soft()]));
    expect(await profile(table, s.id)).toMatchObject({ status: 'active', softBounces: 2 });
    expect(await dueIds(table)).toContain(s.id);

    await handle(snsEnvelope([soft()]));
    expect(await profile(table, s.id)).toMatchObject({ status: 'bounced', stoppedReason: 'soft-bounce-limit', softBounces: 3 });
    expect(await dueIds(table)).not.toContain(s.id);
    expect(await item(table, keys.suppression(suppressionHash('full@example.com')))).toMatchObject({ reason: 'soft-bounce-limit' });
    // Transient bounces are not hard bounces: the lesson's bounce counter stays at zero.
    expect((await counters(table, 1))?.bounced).toBeUndefined();
  });

  it('delivery, open and click move their lesson counters; send (the drip counts its own), reject and delivery delay change nothing', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'reader@example.com');
    const messageId = 'msg-lesson-4';

    const summary = await handle(
      snsEnvelope(
        ['Send', 'Delivery', 'Open', 'Click', 'Reject', 'DeliveryDelay'].map((t) => sesNotification(t, s, { lesson: 4, messageId })),
      ),
    );

    expect(summary).toEqual({ applied: 6, duplicates: 0, skipped: 0, failed: 0 });
    const c = await counters(table, 4);
    expect(c).toMatchObject({ delivered: 1, opened: 1, clicked: 1 });
    // A Send event is remembered (dedupe) but counts nowhere: `sent` is the drip's, so never counted twice.
    expect(c?.sent).toBeUndefined();
    expect(c?.bounced).toBeUndefined();
    expect(await profile(table, s.id)).toMatchObject({ status: 'active' });
  });

  it('countUnsubscribeAfter adds to the unsubscribed counter of the last lesson sent', async () => {
    const table = await stack.newTable();
    await countUnsubscribeAfter({ doc: stack.doc, tableName: table }, COURSE, 2);
    await countUnsubscribeAfter({ doc: stack.doc, tableName: table }, COURSE, 2);
    expect(await counters(table, 3)).toMatchObject({ unsubscribed: 2 });
  });
});

describe('the Lambda entry', () => {
  it('builds its deps from the environment and applies an SNS event to the table it names', async () => {
    const table = await stack.newTable();
    const s = await seedSubscriber(stack.doc, table, 'lambda@example.com');
    // The SDK's default chain reads these, as it reads the real ones in Lambda.
    vi.stubEnv('TABLE_NAME', table);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', stack.dynamoUrl);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await handler(snsEnvelope([sesNotification('Complaint', s)]));
    } finally {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    }
    expect((await profile(table, s.id))?.status).toBe('complained');
  });
});

describe('ses-events: redelivery, bad input, wrong tags', () => {
  it('a redelivered notification (same SNS message, or the same event republished) is counted once', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'twice@example.com');
    const open = sesNotification('Open', s, { lesson: 1, messageId: 'm-1' });
    const soft = sesNotification('Bounce', s, { bounceType: 'Transient', messageId: 'm-2' });
    const envelope = snsEnvelope([open, soft]);

    await handle(envelope);
    const again = await handle(envelope);
    const republished = await handle(snsEnvelope([open, soft]));

    expect(again).toEqual({ applied: 0, duplicates: 2, skipped: 0, failed: 0 });
    expect(republished.duplicates).toBe(2);
    expect((await counters(table, 1))?.opened).toBe(1);
    expect((await profile(table, s.id))?.softBounces).toBe(1);
  });

  it('malformed and unknown notifications are logged and skipped while the rest of the batch is applied', async () => {
    const table = await stack.newTable();
    const { handle, logs } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'batch@example.com');

    const summary = await handle(
      snsEnvelope([
        'this is not json{',
        { eventType: 'Bounce', mail: { messageId: 'x', destination: ['batch@example.com'] } },
        { eventType: 'Subscription', mail: { messageId: 'y', destination: ['batch@example.com'] } },
        { notificationType: 'AmazonSnsSubscriptionSucceeded', message: 'hello' },
        sesNotification('Complaint', s),
        JSON.stringify([1, 2, 3]),
      ]),
    );

    expect(summary).toEqual({ applied: 1, duplicates: 0, skipped: 5, failed: 0 });
    expect((await profile(table, s.id))?.status).toBe('complained');
    expect(logs.filter((l) => l.msg === 'ses event skipped').map((l) => l.reason)).toEqual([
      'malformed',
      'malformed',
      'unknown',
      'unknown',
      'malformed',
    ]);
  });

  it('a record with no Message at all is skipped, and an event with no records does nothing', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    expect(await handle({ Records: [{ Sns: {} }] })).toMatchObject({ skipped: 1, applied: 0 });
    expect(await handle({})).toMatchObject({ skipped: 0, applied: 0 });
  });

  it('a subscriber tag that does not match the bounced address stops nobody, but the address is still suppressed', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const victim = await seedSubscriber(stack.doc, table, 'victim@example.com');

    await handle(snsEnvelope([sesNotification('Bounce', { id: victim.id, email: 'other@example.com' })]));

    expect((await profile(table, victim.id))?.status).toBe('active');
    expect(await item(table, keys.suppression(suppressionHash('other@example.com')))).toBeDefined();
  });

  it('without a subscriber tag the subscriber is found through the address lock', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'untagged@example.com');
    const n = sesNotification('Bounce', s);
    (n.mail as { tags: Record<string, string[]> }).tags = { course: [COURSE] };

    await handle(snsEnvelope([n]));

    expect((await profile(table, s.id))?.status).toBe('bounced');
  });

  it('when the table fails mid-way the batch throws, the event is not remembered, and the retry counts it once', async () => {
    expect.assertions(3);
    const table = await stack.newTable();
    let failNext = true;
    const { handle } = setup(table, (store) => ({
      ...store,
      async countLessonEvent(...args) {
        if (failNext) {
          failNext = false;
          throw new Error('simulated DynamoDB outage');
        }
        return store.countLessonEvent(...args);
      },
    }));
    const s = await seedSubscriber(stack.doc, table, 'retry@example.com');
    const envelope = snsEnvelope([
      sesNotification('Delivery', s, { lesson: 5, messageId: 'm-r' }),
      sesNotification('Open', s, { lesson: 5, messageId: 'm-r' }),
    ]);

    await expect(handle(envelope)).rejects.toThrow('1 of 2 SES notifications could not be applied');
    expect(await handle(envelope)).toEqual({ applied: 1, duplicates: 1, skipped: 0, failed: 0 });
    expect(await counters(table, 5)).toMatchObject({ delivered: 1, opened: 1 });
  });
  it('a delivery whose streak reset fails is counted once after the retry, not twice', async () => {
    expect.assertions(4);
    const table = await stack.newTable();
    let failNext = true;
    const { handle } = setup(table, (store) => ({
      ...store,
      async resetSoftBounces(...args) {
        if (failNext) {
          failNext = false;
          throw new Error('simulated DynamoDB outage');
        }
        return store.resetSoftBounces(...args);
      },
    }));
    const s = await seedSubscriber(stack.doc, table, 'reset-retry@example.com');
    const envelope = snsEnvelope([sesNotification('Delivery', s, { lesson: 4, messageId: 'm-reset' })]);

    await expect(handle(envelope)).rejects.toThrow('1 of 1 SES notifications could not be applied');
    expect(failNext).toBe(false);
    expect(await handle(envelope)).toEqual({ applied: 1, duplicates: 0, skipped: 0, failed: 0 });
    expect(await counters(table, 4)).toMatchObject({ delivered: 1 });
  });
});

describe('a bounced or complained address gets nothing more', () => {
  it('the drip skips bounced and complained subscribers and mails the others', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const bounced = await seedSubscriber(stack.doc, table, 'bounced@example.com');
    const complained = await seedSubscriber(stack.doc, table, 'complained@example.com');
    const fine = await seedSubscriber(stack.doc, table, 'fine@example.com');
    await handle(snsEnvelope([sesNotification('Bounce', bounced), sesNotification('Complaint', complained)]));
    await stack.clearEmails();

    const summary = await runDrip(
      {
        store: createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: 8 }),
        mailer: createSesMailer({ client: stack.ses }),
        clock,
        sleep: () => Promise.resolve(),
        courses: courseCatalog([compiled]),
        composer: messageComposer,
        tokens: createTokens(generateTokenKey()),
        settings: { publicUrl: 'http://localhost:3000', maxSendRate: 1000, sendConcurrency: 2 },
        log: () => undefined,
      },
      { now: new Date('2026-01-05T10:00:00.000Z'), deadline: new Date('2026-01-05T10:05:00.000Z') },
    );

    expect(summary.sent).toBe(1);
    const to = (await stack.emails()).flatMap((e) => e.destination.to);
    expect(to).toEqual(['fine@example.com']);
    expect((await profile(table, fine.id))?.nextLesson).toBe(2);
    expect((await profile(table, bounced.id))?.nextLesson).toBe(1);
  });

  it('a bounce that names no subscriber (an untagged identity notification) still keeps the drip from mailing the address', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const s = await seedSubscriber(stack.doc, table, 'untraced@example.com');
    const fine = await seedSubscriber(stack.doc, table, 'fine-too@example.com');
    const n = sesNotification('Bounce', s);
    delete n.eventType;
    n.notificationType = 'Bounce';
    delete (n.mail as { tags?: unknown }).tags;
    await handle(snsEnvelope([n]));
    // Nothing ties the event to a subscriber: only the address's suppression item is written.
    expect((await profile(table, s.id))?.status).toBe('active');
    expect(await item(table, keys.suppression(suppressionHash('untraced@example.com')))).toBeDefined();
    await stack.clearEmails();

    const summary = await runDrip(
      {
        store: createDynamoDripStore({ dynamo: stack.dripDynamo, tableName: table, dueShards: 8 }),
        mailer: createSesMailer({ client: stack.ses }),
        // Two sends: the token bucket needs a clock that moves.
        clock: { now: () => new Date() },
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        courses: courseCatalog([compiled]),
        composer: messageComposer,
        tokens: createTokens(generateTokenKey()),
        settings: { publicUrl: 'http://localhost:3000', maxSendRate: 1000, sendConcurrency: 2 },
        log: () => undefined,
      },
      { now: new Date('2026-01-05T10:00:00.000Z'), deadline: new Date(Date.now() + 5 * 60_000) },
    );

    expect(summary).toMatchObject({ due: 2, sent: 1 });
    expect((await stack.emails()).flatMap((e) => e.destination.to)).toEqual(['fine-too@example.com']);
    const p = await profile(table, s.id);
    expect(p).toMatchObject({ status: 'active', nextLesson: 1 });
    expect(p?.dueAt).toBeUndefined();
    expect(await dueIds(table)).not.toContain(s.id);
    expect((await profile(table, fine.id))?.nextLesson).toBe(2);
  });

  it('signing up again with a bounced or complained address sends no confirmation', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const bounced = await seedSubscriber(stack.doc, table, 'bounced@example.com');
    const complained = await seedSubscriber(stack.doc, table, 'complained@example.com', { status: 'unsubscribed' });
    await handle(snsEnvelope([sesNotification('Bounce', bounced), sesNotification('Complaint', complained)]));
    await stack.clearEmails();
    const deps = {
      store: createDynamoStore({ doc: stack.doc, tableName: table, dueShards: 8 }),
      mailer: createSesMailer({ client: stack.ses }),
      clock,
      tokens: createTokens(generateTokenKey()),
      courses: courseCatalog([compiled]),
      composer: messageComposer,
      config: { publicUrl: 'http://localhost:3000', signupsPerIpPerHour: 100 },
    };
    const consent = { ip: '203.0.113.9', userAgent: 'test', page: 'http://localhost:3000/' };

    const again = await subscribe(deps, compiled, { fields: { email: 'Bounced@Example.com' }, consent });
    const again2 = await subscribe(deps, compiled, { fields: { email: 'complained@example.com' }, consent });

    expect([again.outcome, again2.outcome]).toEqual(['suppressed', 'suppressed']);
    expect(await stack.emails()).toHaveLength(0);
    expect((await profile(table, complained.id))?.status).toBe('complained');
  });
});

describe('local feedback: the SES mailbox simulator through the same handler', () => {
  function emulatorMailer(): Mailer {
    return {
      async sendRaw({ raw }) {
        const out = await stack.ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
        return { messageId: out.MessageId ?? 'none' };
      },
    };
  }
  const rawTo = (to: string) => new TextEncoder().encode(`From: course@example.com\r\nTo: ${to}\r\nSubject: Lesson\r\n\r\nhello\r\n`);
  const tagsOf = (s: { id: string }, lesson: number) => ({ course: COURSE, lesson: String(lesson), subscriber: s.id });

  it('bounce@, suppressionlist@ and complaint@simulator.amazonses.com stop their subscribers; ordinary addresses count delivered', async () => {
    const table = await stack.newTable();
    const { handle } = setup(table);
    const mailer = withSimulatedFeedback(emulatorMailer(), { deliver: handle, log: () => undefined });
    const bounce = await seedSubscriber(stack.doc, table, 'bounce@simulator.amazonses.com');
    const suppressed = await seedSubscriber(stack.doc, table, 'suppressionlist@simulator.amazonses.com');
    const complaint = await seedSubscriber(stack.doc, table, 'complaint@simulator.amazonses.com');
    const ooto = await seedSubscriber(stack.doc, table, 'ooto@simulator.amazonses.com');
    const ordinary = await seedSubscriber(stack.doc, table, 'reader@example.com');

    for (const s of [bounce, suppressed, complaint, ooto, ordinary])
      await mailer.sendRaw({ raw: rawTo(s.email), to: s.email, tags: tagsOf(s, 1) });
    await mailer.settled();

    expect(await profile(table, bounce.id)).toMatchObject({ status: 'bounced', stoppedReason: 'permanent-bounce' });
    expect(await profile(table, suppressed.id)).toMatchObject({ status: 'bounced' });
    expect(await profile(table, complaint.id)).toMatchObject({ status: 'complained' });
    expect((await profile(table, ooto.id))?.status).toBe('active');
    expect((await profile(table, ordinary.id))?.status).toBe('active');
    expect(await counters(table, 1)).toMatchObject({ delivered: 3, bounced: 2, complained: 1 });
    // No Send events, as in AWS: `sent` is counted by the drip when it records a send, not by feedback.
    expect((await counters(table, 1))?.sent).toBeUndefined();
    expect(await dueIds(table)).toEqual(expect.arrayContaining([ooto.id, ordinary.id]));
    expect(await dueIds(table)).toHaveLength(2);
  });

  it('a failed send produces no feedback', async () => {
    expect.assertions(2);
    const table = await stack.newTable();
    const { handle } = setup(table);
    const failing: Mailer = { sendRaw: () => Promise.reject(new Error('SES said no')) };
    const mailer = withSimulatedFeedback(failing, { deliver: handle, log: () => undefined });
    const s = await seedSubscriber(stack.doc, table, 'bounce+x@simulator.amazonses.com');

    await expect(mailer.sendRaw({ raw: rawTo(s.email), to: s.email, tags: tagsOf(s, 1) })).rejects.toThrow('SES said no');
    await mailer.settled();
    expect((await profile(table, s.id))?.status).toBe('active');
  });
});
