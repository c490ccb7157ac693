// What `course stats` and the feedback metrics say, from SES events through the ses-events handler on
// DynamoDB Local: Apple Mail Privacy Protection's prefetch opens are counted apart from readers' opens,
// a Reject marks the lesson's send record rejected and shows as its own row, and bounces are named
// the same way in the stats and in the metrics the dashboard draws ("bounced (permanent)", "soft bounces").
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoFeedbackStore } from '../../../functions/adapters/dynamo-feedback-store.js';
import { keys } from '../../../functions/adapters/table.js';
import { main, type CliIo } from '../../../functions/cli/main.js';
import type { MetricName, Metrics } from '../../../functions/core/ports.js';
import { createSesEventsHandler } from '../../../functions/adapters/ses-notifications.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { compileShippedCourse } from '../../support/course.js';
import { collector } from '../../support/collector.js';
import { seedSubscriber, sesNotification, snsEnvelope } from '../../support/feedback-fixtures.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
});
afterAll(async () => {
  await stack.stop();
});

function handlerOn(table: string) {
  const metrics: Partial<Record<MetricName, number>> = {};
  const sink: Metrics = { add: (name, value) => void (metrics[name] = (metrics[name] ?? 0) + value) };
  const handle = createSesEventsHandler({
    store: createDynamoFeedbackStore({ doc: stack.doc, tableName: table }),
    clock: { now: () => new Date('2026-01-05T10:00:00Z') },
    log: () => undefined,
    metrics: sink,
  });
  return { handle, metrics };
}

async function stats(table: string): Promise<string> {
  const out = collector();
  const io: CliIo = {
    out,
    err: collector(),
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl,
      AWS_ENDPOINT_URL_SES: stack.sesUrl,
      TABLE_NAME: table,
      DATA_DIR: join(tmpdir(), 'x'),
    },
    compileCourse: () => Promise.resolve(compiled),
  };
  expect(await main(['stats'], io)).toBe(0);
  return out.text();
}

const open = (userAgent: string) => ({ extra: { open: { userAgent, ipAddress: '17.58.0.1', timestamp: '2026-01-05T09:01:00.000Z' } } });

describe('opens', () => {
  it("Apple Mail Privacy Protection's prefetch (User-Agent exactly Mozilla/5.0) is a proxy open; readers' clients are opens", async () => {
    const table = await stack.newTable();
    const s = await seedSubscriber(stack.doc, table, 'reader@example.com');
    const { handle } = handlerOn(table);
    const events = [
      open('Mozilla/5.0'),
      open(' Mozilla/5.0 '),
      open('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148'),
      open('Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)'),
      open('Microsoft Office/16.0 (Microsoft Outlook 16.0.17029; Pro)'),
    ].map((o, i) => sesNotification('Open', s, { lesson: 1, messageId: `m-open-${i}`, ...o }));
    // One with no `open` object at all is a reader's open (nothing says otherwise).
    events.push(sesNotification('Open', s, { lesson: 2, messageId: 'm-open-bare', extra: { open: undefined } }));
    await handle(snsEnvelope(events));

    const counters = (await stack.doc.send(new GetCommand({ TableName: table, Key: keys.lessonStats(s.course, 0) }))).Item;
    expect(counters).toMatchObject({ opened: 3, proxyOpened: 2 });
    const out = await stats(table);
    expect(out).toMatch(/ 1 +Introduction +0 +0 +3 +0 /);
    expect(out).toContain('proxy opens: 2 (lesson 1: 2); Apple Mail Privacy Protection loads every delivered email, read or not');
  });
});

describe('rejects', () => {
  it('a Reject marks the lesson’s send record rejected, once, and `course stats` shows it on its own row', async () => {
    const table = await stack.newTable();
    const s = await seedSubscriber(stack.doc, table, 'infected@example.com', { nextLesson: 2 });
    await stack.doc.send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.send(s.id, 1), status: 'sent', at: '2026-01-05T09:00:00.000Z', messageId: 'm-rej' },
      }),
    );
    const { handle } = handlerOn(table);
    const reject = sesNotification('Reject', s, { lesson: 2, messageId: 'm-rej' });
    await handle(snsEnvelope([reject, reject]));

    const record = (await stack.doc.send(new GetCommand({ TableName: table, Key: keys.send(s.id, 1), ConsistentRead: true }))).Item;
    expect(record).toMatchObject({ status: 'rejected', error: 'Bad content', rejectedAt: '2026-01-05T10:00:00.000Z', messageId: 'm-rej' });
    const out = await stats(table);
    expect(out).toContain('rejected by SES: 1 (lesson 2: 1); accepted, then refused by SES: never delivered');
    expect(out).toContain('proxy opens: 0;');
  });

  it('a Reject of a restarted course’s lesson (its `round` tag) marks that round’s send record, not round 1’s', async () => {
    const table = await stack.newTable();
    const s = await seedSubscriber(stack.doc, table, 'again@example.com', { nextLesson: 2 });
    const sent = (round: number, messageId: string) =>
      stack.doc.send(
        new PutCommand({
          TableName: table,
          Item: { ...keys.send(s.id, 1, round), status: 'sent', at: '2026-01-05T09:00:00.000Z', messageId },
        }),
      );
    await sent(1, 'm-round-1');
    await sent(2, 'm-round-2');
    const { handle } = handlerOn(table);
    await handle(snsEnvelope([sesNotification('Reject', s, { lesson: 2, round: 2, messageId: 'm-round-2' })]));

    const record = async (round: number) =>
      (await stack.doc.send(new GetCommand({ TableName: table, Key: keys.send(s.id, 1, round), ConsistentRead: true }))).Item;
    expect(await record(2)).toMatchObject({ status: 'rejected', messageId: 'm-round-2' });
    expect(await record(1)).toMatchObject({ status: 'sent', messageId: 'm-round-1' });
  });

  it('a Reject for a send the table has no record of is counted, and writes no record', async () => {
    const table = await stack.newTable();
    const s = await seedSubscriber(stack.doc, table, 'unknown@example.com');
    const { handle } = handlerOn(table);
    await handle(snsEnvelope([sesNotification('Reject', s, { lesson: 3, messageId: 'm-nothing' })]));
    expect((await stack.doc.send(new GetCommand({ TableName: table, Key: keys.send(s.id, 2) }))).Item).toBeUndefined();
    expect(await stats(table)).toContain('rejected by SES: 1 (lesson 3: 1)');
  });
});

describe('bounces: one word for one thing', () => {
  it('permanent bounces count as `bounces` ("bounced (permanent)"), transient ones as `softBounces`, never both', async () => {
    const table = await stack.newTable();
    const hard = await seedSubscriber(stack.doc, table, 'hard@example.com');
    const soft = await seedSubscriber(stack.doc, table, 'soft@example.com');
    const { handle, metrics } = handlerOn(table);
    await handle(
      snsEnvelope([
        sesNotification('Bounce', hard, { lesson: 1, bounceType: 'Permanent' }),
        sesNotification('Bounce', soft, { lesson: 1, bounceType: 'Transient' }),
        sesNotification('Bounce', soft, { lesson: 1, bounceType: 'Undetermined' }),
      ]),
    );
    expect(metrics).toMatchObject({ bounces: 1, softBounces: 2 });

    const out = await stats(table);
    expect(out).toMatch(/bounced \(address stopped\)\s+1 /);
    expect(out).toContain('bounced (permanent)');
    // Lesson 1's "bounced (permanent)" column holds the one permanent bounce, not the soft ones.
    expect(out).toMatch(/ 1 +Introduction +0 +0 +0 +0 +0 +0 +0 +1 +0 +0$/m);
  });
});
