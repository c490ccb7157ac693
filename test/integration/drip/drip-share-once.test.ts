// A fanned-out sender's share runs once even when Lambda delivers the asynchronous invoke twice: the
// sender core (runSender, as the drip sender Lambda calls it) on the real DynamoDB adapters against
// DynamoDB Local and the SES emulator, given the same share twice, in a row and at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoFanOutStore } from '../../../functions/adapters/dynamo-fan-out.js';
import { keys } from '../../../functions/adapters/table.js';
import { planSenders, planTick, runSender, type ShareOrder } from '../../../functions/core/drip/index.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { compileShippedCourse } from '../../support/course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { SettableClock, dripDeps, lessonsReceived, seedActive } from '../../support/drip-fixtures.js';

let stack: TestStack;
let compiled: CompiledCourse;
const SHARDS = 4;
const NOW = new Date('2026-03-02T12:00:00.000Z');

beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

/** A table with `n` learners due, and the one share of a one-sender plan (sender 0, every shard) of tick `tick`. */
async function setUp(n: number, tick: string) {
  const table = await stack.newTable();
  const people = [];
  for (let i = 0; i < n; i++) {
    people.push(
      await seedActive(stack, table, {
        course: compiled.course.slug,
        timezone: 'UTC',
        dueAt: new Date(NOW.getTime() - 60_000),
        shards: SHARDS,
      }),
    );
  }
  const clock = new SettableClock(NOW);
  const drip = dripDeps(stack, table, compiled, { clock, shards: SHARDS });
  const store = createDynamoFanOutStore({ dynamo: stack.dripDynamo, tableName: table });
  const [share] = planSenders({ shards: ['DUE#0', 'DUE#1', 'DUE#2', 'DUE#3'], senders: 1, maxSendRate: 50 });
  const order: ShareOrder = { tick, until: new Date(NOW.getTime() + 285_000).toISOString(), share: share! };
  return { table, people, drip, store, order, logs: drip.logs };
}

const lambdaTime = { remainingMs: 290_000, safetyMarginMs: 5_000 };

describe('one share per (tick, sender)', () => {
  it('a second delivery of the same share logs and sends nothing', async () => {
    const t = await setUp(3, '2026-03-02T11:59:59.000Z');
    const deps = { drip: t.drip, store: t.store, log: t.drip.log! };
    const first = await runSender(deps, t.order, lambdaTime);
    expect(first).toMatchObject({ sent: 3 });
    const second = await runSender(deps, t.order, lambdaTime);
    expect(second).toEqual({ skipped: 'duplicate', sender: 0, tick: t.order.tick });
    expect(t.logs.filter((l) => l.msg === 'drip.share_duplicate')).toEqual([expect.objectContaining({ sender: 0, tick: t.order.tick })]);
    for (const p of t.people) expect(await lessonsReceived(stack, p.email)).toEqual([1]);
    const item = await stack.doc.send(new GetCommand({ TableName: t.table, Key: keys.dripShare(t.order.tick, 0), ConsistentRead: true }));
    // Kept a day past the tick (TTL), then DynamoDB removes it.
    expect(item.Item?.expiresAt).toBe(Math.floor(Date.parse(t.order.until) / 1000) + 86_400);
  });

  it('two deliveries at once: exactly one runs the share', async () => {
    const t = await setUp(4, '2026-03-02T11:59:58.000Z');
    const deps = { drip: t.drip, store: t.store, log: t.drip.log! };
    const outcomes = await Promise.all([runSender(deps, t.order, lambdaTime), runSender(deps, t.order, lambdaTime)]);
    // A run's summary has `due`; a share refused has only its reason.
    expect(outcomes.filter((o) => !('due' in o))).toEqual([{ skipped: 'duplicate', sender: 0, tick: t.order.tick }]);
    expect(outcomes.filter((o) => 'due' in o)).toEqual([expect.objectContaining({ sent: 4 })]);
    for (const p of t.people) expect(await lessonsReceived(stack, p.email)).toEqual([1]);
  });

  it('the same sender of another tick runs; a share delivered after its deadline claims nothing and sends nothing', async () => {
    const t = await setUp(1, '2026-03-02T11:59:57.000Z');
    const deps = { drip: t.drip, store: t.store, log: t.drip.log! };
    const late = await runSender(deps, { ...t.order, until: new Date(NOW.getTime() - 1).toISOString() }, lambdaTime);
    expect(late).toEqual({ skipped: 'late', sender: 0, tick: t.order.tick });
    const claim = await stack.doc.send(new GetCommand({ TableName: t.table, Key: keys.dripShare(t.order.tick, 0), ConsistentRead: true }));
    expect(claim.Item).toBeUndefined();
    expect(await runSender(deps, t.order, lambdaTime)).toMatchObject({ sent: 1 });
    expect(await runSender(deps, { ...t.order, tick: '2026-03-02T12:04:57.000Z' }, lambdaTime)).toMatchObject({ sent: 0, due: 0 });
  });
});

describe('one plan per scheduled event', () => {
  it('a duplicate or late-retried delivery of the same EventBridge event finds the tick planned; the next event plans', async () => {
    const table = await stack.newTable();
    const store = createDynamoFanOutStore({ dynamo: stack.dripDynamo, tableName: table });
    const event = (time: string) => ({
      id: 'b0c1d2e3-1111-4111-8111-000000000000',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time,
    });
    const first = planTick({ event: event('2026-03-02T10:04:30Z'), startedAt: new Date('2026-03-02T10:04:30.400Z'), tickMs: 300_000 });
    const duplicate = planTick({ event: event('2026-03-02T10:04:30Z'), startedAt: new Date('2026-03-02T10:04:31.100Z'), tickMs: 300_000 });
    const lateRetry = planTick({ event: event('2026-03-02T10:04:30Z'), startedAt: new Date('2026-03-02T10:05:20.000Z'), tickMs: 300_000 });
    const next = planTick({ event: event('2026-03-02T10:09:30Z'), startedAt: new Date('2026-03-02T10:09:30.300Z'), tickMs: 300_000 });
    const ttl = (p: { until: Date }) => Math.floor(p.until.getTime() / 1000) + 86_400;
    expect(await store.claimPlan(first.tick, ttl(first))).toBe(true);
    expect(await store.claimPlan(duplicate.tick, ttl(duplicate))).toBe(false);
    expect(await store.claimPlan(lateRetry.tick, ttl(lateRetry))).toBe(false);
    expect(await store.claimPlan(next.tick, ttl(next))).toBe(true);
    const item = await stack.doc.send(new GetCommand({ TableName: table, Key: keys.dripPlan(first.tick), ConsistentRead: true }));
    expect(item.Item).toMatchObject({ pk: 'DRIPPLAN#2026-03-02T10:04:30.000Z', sk: 'PLAN' });
  });
});
