import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../functions/core/pacer.js';
// The same arithmetic the benchmark applies to arrivals at its SES sink.
import { achievedRate, busiestWindow } from '../../../bench/stats.js';

/** A clock that only moves when someone sleeps; `late` ms are added to every sleep (timers fire late). */
function fakeTime(late = 0) {
  let now = 0;
  return {
    clock: () => now,
    sleep: (ms: number) => {
      now += ms + late;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

async function takeTimes(pacer: Pacer, time: ReturnType<typeof fakeTime>, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    // Each call ends the moment it starts (the window guard then waits for nothing the grid does not).
    (await pacer.take()).done();
    times.push(time.now);
  }
  return times;
}

describe('Pacer', () => {
  it('spaces starts one interval apart, the first at once', async () => {
    const time = fakeTime();
    const pacer = new Pacer({ ratePerSecond: 100, headroom: 0, clock: time.clock, sleep: time.sleep });
    expect(await takeTimes(pacer, time, 3)).toEqual([0, 10, 20]);
  });

  it('a fractional rate (0.5/s) waits two seconds between starts', async () => {
    const time = fakeTime();
    const pacer = new Pacer({ ratePerSecond: 0.5, headroom: 0, clock: time.clock, sleep: time.sleep });
    expect(await takeTimes(pacer, time, 3)).toEqual([0, 2000, 4000]);
  });

  it('at 50/s with the default headroom: within 2 % of the rate, never 51 in a second', async () => {
    const time = fakeTime();
    const pacer = new Pacer({ ratePerSecond: 50, clock: time.clock, sleep: time.sleep });
    const times = await takeTimes(pacer, time, 1000);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(50);
    expect(achievedRate(times)).toBeGreaterThanOrEqual(48.9);
    expect(achievedRate(times)).toBeLessThanOrEqual(50);
  });

  it('timers that fire late do not lower the rate (the grid is kept)', async () => {
    const time = fakeTime(3);
    const pacer = new Pacer({ ratePerSecond: 50, clock: time.clock, sleep: time.sleep });
    const times = await takeTimes(pacer, time, 500);
    expect(achievedRate(times)).toBeGreaterThanOrEqual(48.5);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(50);
  });

  it('an event loop stalled 150 ms every 400 ms: the grid catches up, within 5 % of the rate, never over it in a second', async () => {
    // A timer due inside a stall fires when the stall ends; 16 callers wait their turn, as the drip's
    // sends do, and each call ends as it starts.
    let now = 150;
    const stalled = (t: number) => (t % 400 < 150 ? t - (t % 400) + 150 : t);
    const pacer = new Pacer({
      ratePerSecond: 20,
      clock: () => now,
      sleep: (ms) => {
        now = stalled(now + ms);
        return Promise.resolve();
      },
    });
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (times.length < 400) {
          (await pacer.take()).done();
          times.push(now);
        }
      }),
    );
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(20);
    expect(achievedRate(times)).toBeGreaterThanOrEqual(19);
  });

  it('answers that come back late and out of order hold back only their own place in the second', async () => {
    // 40 callers at once at 10/s; every fifth call is answered 300 ms late, the rest after 5 ms.
    let now = 0;
    const pacer = new Pacer({ ratePerSecond: 10, clock: () => now, sleep: (ms) => ((now += ms), Promise.resolve()) });
    const starts: number[] = [];
    const ends: { at: number; ticket: { done(): void } }[] = [];
    for (let i = 0; i < 40; i++) {
      const ticket = await pacer.take();
      starts.push(now);
      ends.push({ at: now + (i % 5 === 4 ? 300 : 5), ticket });
      // Answers due by the next slot arrive before it.
      for (const e of ends.filter((x) => x.at <= now + 100)) e.ticket.done();
    }
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(10);
    expect(achievedRate(starts)).toBeGreaterThanOrEqual(9.4);
  });

  it('after an idle gap it starts afresh: no burst to catch up', async () => {
    const time = fakeTime();
    const pacer = new Pacer({ ratePerSecond: 10, headroom: 0, clock: time.clock, sleep: time.sleep });
    await takeTimes(pacer, time, 3);
    time.advance(60_000);
    expect(await takeTimes(pacer, time, 3)).toEqual([60_200, 60_300, 60_400]);
  });

  it('serves concurrent callers in order, one interval apart', async () => {
    const time = fakeTime();
    const pacer = new Pacer({ ratePerSecond: 4, headroom: 0, clock: time.clock, sleep: time.sleep });
    const order: number[] = [];
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        (await pacer.take()).done();
        order.push(i);
        times.push(time.now);
      }),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    // With no headroom the fifth start waits out the guard: a full second (+5 ms) after the first ended.
    expect(times).toEqual([0, 250, 500, 750, 1005, 1255]);
  });

  it('a failing sleep fails that caller only', async () => {
    let calls = 0;
    let now = 0;
    const pacer = new Pacer({
      ratePerSecond: 10,
      headroom: 0,
      clock: () => now,
      sleep: (ms) => (++calls === 1 ? Promise.reject(new Error('aborted')) : ((now += ms), Promise.resolve())),
    });
    (await pacer.take()).done();
    await expect(pacer.take()).rejects.toThrow('aborted');
    await expect(pacer.take()).resolves.toHaveProperty('done');
  });

  it('refuses a rate or headroom that makes no sense', () => {
    const t = fakeTime();
    for (const ratePerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => new Pacer({ ratePerSecond, clock: t.clock, sleep: t.sleep })).toThrow(/ratePerSecond/);
    for (const headroom of [-0.1, 1, Number.NaN])
      expect(() => new Pacer({ ratePerSecond: 1, headroom, clock: t.clock, sleep: t.sleep })).toThrow(/headroom/);
  });
});
