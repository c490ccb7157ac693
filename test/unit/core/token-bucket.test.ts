import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../functions/core/token-bucket.js';

/** A clock that only moves when someone sleeps, so the tests measure simulated time, not real time. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
    get now() {
      return now;
    },
  };
}

/** Times (simulated ms) at which each of `n` sequential takes completed. */
async function takeTimes(bucket: TokenBucket, time: ReturnType<typeof fakeTime>, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await bucket.take();
    times.push(time.now);
  }
  return times;
}

/** Most takes that completed in any window [t, t + windowMs). */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (const start of times) most = Math.max(most, times.filter((t) => t >= start && t < start + windowMs).length);
  return most;
}

describe('TokenBucket', () => {
  it('lets a burst of floor(rate) through at once, then one every 1/rate seconds', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 14, clock: time.clock, sleep: time.sleep });
    const times = await takeTimes(bucket, time, 14 + 28);
    expect(times.slice(0, 14).every((t) => t === 0)).toBe(true);
    // 28 more tokens at 14/s take 2 seconds (each wait rounded up to a whole millisecond).
    expect(times.at(-1)).toBeGreaterThanOrEqual(2000);
    expect(times.at(-1)).toBeLessThanOrEqual(2000 + 28);
  });

  it('never lets more than burst + rate × T through in any T seconds', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 10, clock: time.clock, sleep: time.sleep });
    const times = await takeTimes(bucket, time, 200);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(10 + 10);
    // After the first burst, any whole second holds at most rate takes (+1 at the window's edge).
    expect(busiestWindow(times.slice(10), 1000)).toBeLessThanOrEqual(11);
    const average = (times.length - 10) / (times.at(-1)! / 1000);
    expect(average).toBeLessThanOrEqual(10);
  });

  it('a fractional rate (0.5/s) waits two seconds between takes', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 0.5, clock: time.clock, sleep: time.sleep });
    expect(await takeTimes(bucket, time, 3)).toEqual([0, 2000, 4000]);
  });

  it('respects an explicit burst', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 1, clock: time.clock, sleep: time.sleep });
    expect(await takeTimes(bucket, time, 3)).toEqual([0, 10, 20]);
  });

  it('refills while idle, but never beyond the burst', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 5, clock: time.clock, sleep: time.sleep });
    await takeTimes(bucket, time, 5);
    time.advance(60_000);
    const times = await takeTimes(bucket, time, 6);
    expect(times.slice(0, 5).every((t) => t === 60_000)).toBe(true);
    expect(times[5]).toBe(60_200);
  });

  it('concurrent callers are served in order and together stay under the rate', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 4, clock: time.clock, sleep: time.sleep });
    const order: number[] = [];
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        await bucket.take();
        order.push(i);
        times.push(time.now);
      }),
    );
    expect(order).toEqual([...Array(12).keys()]);
    expect(times.slice(4)).toEqual([250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
  });

  it('setRate lowers the rate from then on, also for a caller already waiting', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 10, clock: time.clock, sleep: time.sleep });
    await takeTimes(bucket, time, 10); // burst used up at t=0
    bucket.setRate(1); // e.g. SES MaxSendRate is 1
    expect(bucket.ratePerSecond).toBe(1);
    expect(await takeTimes(bucket, time, 3)).toEqual([1000, 2000, 3000]);
  });

  it('setRate shrinks a default burst to the new rate', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket({ ratePerSecond: 50, clock: time.clock, sleep: time.sleep });
    bucket.setRate(2);
    const times = await takeTimes(bucket, time, 4);
    expect(times).toEqual([0, 0, 500, 1000]);
  });

  it('a failed sleep fails that take only; the next caller still gets its turn', async () => {
    let now = 0;
    let failNext = true;
    const bucket = new TokenBucket({
      ratePerSecond: 1,
      clock: () => now,
      sleep: (ms) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('timer gone'));
        }
        now += ms;
        return Promise.resolve();
      },
    });
    await bucket.take();
    const second = bucket.take();
    const third = bucket.take();
    await expect(second).rejects.toThrow('timer gone');
    await expect(third).resolves.toBeUndefined();
    expect(now).toBe(1000);
  });

  it('rejects a rate or burst that makes no sense', () => {
    const time = fakeTime();
    for (const ratePerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TokenBucket({ ratePerSecond, clock: time.clock, sleep: time.sleep }), String(ratePerSecond)).toThrow(/ratePerSecond/);
    }
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0, clock: time.clock, sleep: time.sleep })).toThrow(/burst/);
    const bucket = new TokenBucket({ ratePerSecond: 1, clock: time.clock, sleep: time.sleep });
    expect(() => bucket.setRate(0)).toThrow(/ratePerSecond/);
  });
});
