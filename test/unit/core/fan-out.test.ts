// The fan-out plan: how many senders a rate needs, and how the shards and the rate are split so the
// senders' shares never add up past the account's rate.
import { describe, expect, it } from 'vitest';
import { planSenders, planTick, sendersFor } from '../../../functions/core/drip/index.js';

const SHARDS = Array.from({ length: 8 }, (_, i) => `DUE#${i}`);

describe('sendersFor', () => {
  it('adds a sender per ratePerSender of rate, up to the configured most and the shard count', () => {
    expect(sendersFor({ maxSendRate: 14, ratePerSender: 100, maxSenders: 4, shards: 8 })).toBe(1);
    expect(sendersFor({ maxSendRate: 250, ratePerSender: 100, maxSenders: 4, shards: 8 })).toBe(3);
    expect(sendersFor({ maxSendRate: 5000, ratePerSender: 100, maxSenders: 4, shards: 8 })).toBe(4);
    expect(sendersFor({ maxSendRate: 5000, ratePerSender: 100, maxSenders: 16, shards: 8 })).toBe(8);
  });

  it('never gives a sender less than one email a second (the sandbox rate of 1 keeps one sender)', () => {
    expect(sendersFor({ maxSendRate: 1, ratePerSender: 0.1, maxSenders: 4, shards: 8 })).toBe(1);
    expect(sendersFor({ maxSendRate: 3.5, ratePerSender: 1, maxSenders: 8, shards: 8 })).toBe(3);
  });
});

describe('planSenders', () => {
  it('gives every shard to exactly one sender and splits the rate evenly', () => {
    const plan = planSenders({ shards: SHARDS, senders: 3, maxSendRate: 300 });
    expect(plan.map((p) => p.shards)).toEqual([
      ['DUE#0', 'DUE#3', 'DUE#6'],
      ['DUE#1', 'DUE#4', 'DUE#7'],
      ['DUE#2', 'DUE#5'],
    ]);
    expect(plan.flatMap((p) => p.shards).sort()).toEqual([...SHARDS].sort());
    expect(plan.map((p) => p.maxSendRate)).toEqual([100, 100, 100]);
    expect(plan.map((p) => [p.sender, p.senders])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
  });

  it('the senders together let no more than the rate into a second: the sum of ⌊share⌋ ≤ rate', () => {
    for (const rate of [1, 2, 7, 14, 20, 99, 350]) {
      for (const senders of [1, 2, 3, 4, 8]) {
        const plan = planSenders({ shards: SHARDS, senders, maxSendRate: rate });
        expect(plan.reduce((n, p) => n + p.maxSendRate, 0)).toBeLessThanOrEqual(rate + 1e-9);
        expect(plan.reduce((n, p) => n + Math.max(1, Math.floor(p.maxSendRate)), 0)).toBeLessThanOrEqual(rate);
      }
    }
  });

  it('splits the rate in whole emails per second, none lost to rounding down (50/s to 4: 13, 13, 12, 12)', () => {
    expect(planSenders({ shards: SHARDS, senders: 4, maxSendRate: 50 }).map((p) => p.maxSendRate)).toEqual([13, 13, 12, 12]);
    expect(planSenders({ shards: SHARDS, senders: 2, maxSendRate: 7 }).map((p) => p.maxSendRate)).toEqual([4, 3]);
    expect(planSenders({ shards: SHARDS, senders: 1, maxSendRate: 0.5 }).map((p) => p.maxSendRate)).toEqual([0.5]);
  });

  it('splits what is left of the 24-hour quota in whole emails, none lost', () => {
    const plan = planSenders({ shards: SHARDS, senders: 4, maxSendRate: 40, remaining24h: 10 });
    expect(plan.map((p) => p.remaining24h)).toEqual([3, 3, 2, 2]);
  });

  it('no more senders than shards, or than whole emails per second', () => {
    expect(planSenders({ shards: ['DUE#0', 'DUE#1'], senders: 4, maxSendRate: 100 })).toHaveLength(2);
    expect(planSenders({ shards: SHARDS, senders: 4, maxSendRate: 2 })).toHaveLength(2);
    expect(() => planSenders({ shards: [], senders: 1, maxSendRate: 1 })).toThrow(/no shards/);
  });
});

describe('planTick: the senders’ deadline from the planner’s own start, at any offset of the rule', () => {
  const TICK = 5 * 60_000;
  const MARGIN = 15_000;
  // A 5-minute slot of the wall clock; the rule fires at an offset of its own into it.
  const SLOT = Date.parse('2026-03-02T10:00:00.000Z');
  /** An EventBridge scheduled event as the rule delivers it (time to the second, as EventBridge writes it). */
  const scheduled = (at: number, id = 'a1b2c3d4-0000-4000-8000-000000000001') => ({
    version: '0',
    id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time: new Date(at).toISOString().replace('.000Z', 'Z'),
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/EmailCourse-Tick'],
    detail: {},
  });

  for (const [label, offset] of [
    ['0', 0],
    ['2.5 min', 150_000],
    ['4.5 min', 270_000],
  ] as const) {
    it(`a rule firing ${label} into the slot gives the senders the whole tick less the margin`, () => {
      const fired = SLOT + offset;
      const startedAt = new Date(fired + 400); // the planner starts a moment after the schedule
      const plan = planTick({ event: scheduled(fired), startedAt, tickMs: TICK, marginMs: MARGIN });
      expect(plan.late).toBeUndefined();
      expect(plan.tick).toBe(new Date(fired).toISOString());
      expect(plan.until.getTime()).toBe(startedAt.getTime() + TICK - MARGIN);
      // Never past the next tick's schedule: the next tick's senders start after these stop.
      expect(plan.until.getTime()).toBeLessThanOrEqual(fired + TICK);
      // What the wall-clock grid gave at 4.5 min: 15 s, no more than the margin, so nothing was sent.
      expect(plan.until.getTime() - startedAt.getTime()).toBeGreaterThan(4 * 60_000);
    });
  }

  it('a duplicate delivery of the same scheduled event maps to the same tick (the plan item then refuses it)', () => {
    const fired = SLOT + 270_000;
    const first = planTick({ event: scheduled(fired), startedAt: new Date(fired + 300), tickMs: TICK });
    const again = planTick({ event: scheduled(fired), startedAt: new Date(fired + 2_000), tickMs: TICK });
    expect(again.tick).toBe(first.tick);
    // The next tick's event is another tick.
    expect(planTick({ event: scheduled(fired + TICK), startedAt: new Date(fired + TICK + 300), tickMs: TICK }).tick).not.toBe(first.tick);
  });

  it('a late retry stops its senders at the next tick’s schedule, not a whole tick after its own late start', () => {
    const fired = SLOT + 270_000;
    const startedAt = new Date(fired + 50_000); // EventBridge retried after a throttle
    const plan = planTick({ event: scheduled(fired), startedAt, tickMs: TICK, marginMs: MARGIN });
    expect(plan.late).toBeUndefined();
    expect(plan.tick).toBe(new Date(fired).toISOString());
    expect(plan.until.getTime()).toBe(fired + TICK);
  });

  it('a retry so late that no sender could start before the next tick plans nothing', () => {
    const fired = SLOT + 270_000;
    const plan = planTick({ event: scheduled(fired), startedAt: new Date(fired + TICK - 5_000), tickMs: TICK });
    expect(plan.late).toBe(true);
  });

  it('without a scheduled time the event id names the tick; with neither (a manual invoke) the start does', () => {
    const startedAt = new Date(SLOT + 10_000);
    expect(planTick({ event: { id: 'abc-123' }, startedAt, tickMs: TICK }).tick).toBe('event-abc-123');
    expect(planTick({ event: undefined, startedAt, tickMs: TICK })).toMatchObject({
      tick: `start-${startedAt.toISOString()}`,
      until: new Date(startedAt.getTime() + TICK - 15_000),
    });
    // A time or id that is not EventBridge's shape is not trusted as a key.
    expect(planTick({ event: { time: 'DRIPSHARE#x', id: 'a#b' }, startedAt, tickMs: TICK }).tick).toBe(`start-${startedAt.toISOString()}`);
  });

  it('refuses a tick of zero', () => {
    expect(() => planTick({ event: {}, startedAt: new Date(SLOT), tickMs: 0 })).toThrow(/tickMs/);
  });
});
