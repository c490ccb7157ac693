// The send log writer's bound: never more than `bound` emails in SES calls or accepted and not yet
// logged (what a crash could send twice), batches of at most 25, and a failed write stops new sends.
import { describe, expect, it } from 'vitest';
import { SendLog } from '../../../functions/core/send-log.js';
import type { SendRecord } from '../../../functions/core/model.js';

const record = (i: number): SendRecord => ({
  subscriberId: `s${i}`,
  lesson: 0,
  status: 'sent',
  at: '2026-03-02T12:00:00.000Z',
  messageId: `m${i}`,
});

describe('SendLog', () => {
  it('holds sends back while `bound` are at risk, and writes in batches of at most 25', async () => {
    const batches: number[] = [];
    const waiting: (() => void)[] = [];
    const release = () => waiting.shift()?.();
    // Each write waits until the test lets it finish (oldest first), so sends pile up against the bound.
    const write = (records: SendRecord[]) => {
      batches.push(records.length);
      return new Promise<void>((resolve) => waiting.push(resolve));
    };
    const log = new SendLog(write, 8);
    let started = 0;
    const sends = Array.from({ length: 20 }, async (_, i) => {
      await log.beforeSend();
      started++;
      log.sent(record(i));
    });
    await new Promise((r) => setTimeout(r, 5));
    // Eight went (two flushes of four started), the ninth waits for a write to finish.
    expect(started).toBe(8);
    expect(batches).toEqual([4, 4]);
    for (let i = 0; i < 40 && started < 20; i++) {
      release();
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(sends);
    const drained = log.drain();
    while (waiting.length > 0) release();
    await drained;
    expect(started).toBe(20);
    expect(log.maxAtRisk).toBe(8);
    expect(batches.every((n) => n <= 25)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('a send that did not go is no longer at risk', async () => {
    const log = new SendLog(() => Promise.resolve(), 1);
    await log.beforeSend();
    log.notSent();
    await log.beforeSend();
    expect(log.maxAtRisk).toBe(1);
  });

  it('a failed write fails the next send and the drain: nothing more is sent on a log that cannot be written', async () => {
    const log = new SendLog(() => Promise.reject(new Error('DynamoDB send log failed')), 2);
    await log.beforeSend();
    log.sent(record(1));
    await log.beforeSend();
    log.sent(record(2));
    await expect(log.beforeSend()).rejects.toThrow('DynamoDB send log failed');
    await expect(log.drain()).rejects.toThrow('DynamoDB send log failed');
  });
});
