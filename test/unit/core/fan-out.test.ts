// The fan-out plan: how many senders a rate needs, and how the shards and the rate are split so the
// senders' shares never add up past the account's rate.
import { describe, expect, it } from 'vitest';
import { planSenders, sendersFor } from '../../../functions/core/fan-out.js';

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
