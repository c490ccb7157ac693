import { describe, expect, it } from 'vitest';
import { LeftoverError, backoffCap, sendUntilNoneLeft, withRetry } from '../../../functions/core/retry.js';

class Throttled extends Error {}
class Rejected extends Error {}

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: (ms: number) => (sleeps.push(ms), Promise.resolve()) };
}

const retryThrottled = (e: unknown): boolean => e instanceof Throttled;

describe('withRetry', () => {
  it('returns the first success without sleeping', async () => {
    const { sleeps, sleep } = recorder();
    await expect(
      withRetry(() => Promise.resolve('ok'), { retries: 3, baseMs: 100, maxMs: 1000, shouldRetry: retryThrottled, sleep }),
    ).resolves.toBe('ok');
    expect(sleeps).toEqual([]);
  });

  it('retries a retryable error and returns the later success', async () => {
    const { sleeps, sleep } = recorder();
    const attempts: number[] = [];
    const result = await withRetry(
      (attempt) => {
        attempts.push(attempt);
        return attempt < 2 ? Promise.reject(new Throttled('slow down')) : Promise.resolve(`sent on attempt ${attempt}`);
      },
      { retries: 5, baseMs: 100, maxMs: 1000, shouldRetry: retryThrottled, sleep, random: () => 0.5 },
    );
    expect(result).toBe('sent on attempt 2');
    expect(attempts).toEqual([0, 1, 2]);
    expect(sleeps).toEqual([50, 100]);
  });

  it('backs off exponentially with full jitter, capped at maxMs', async () => {
    const { sleeps, sleep } = recorder();
    await expect(
      withRetry(() => Promise.reject(new Throttled()), {
        retries: 6,
        baseMs: 100,
        maxMs: 1000,
        shouldRetry: retryThrottled,
        sleep,
        random: () => 0.999,
      }),
    ).rejects.toBeInstanceOf(Throttled);
    expect(sleeps).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('full jitter can wait as little as nothing', async () => {
    const { sleeps, sleep } = recorder();
    await expect(
      withRetry(() => Promise.reject(new Throttled()), {
        retries: 3,
        baseMs: 100,
        maxMs: 1000,
        shouldRetry: retryThrottled,
        sleep,
        random: () => 0,
      }),
    ).rejects.toBeInstanceOf(Throttled);
    expect(sleeps).toEqual([0, 0, 0]);
  });

  it('rethrows the last error once the retries are used up', async () => {
    const { sleep } = recorder();
    let calls = 0;
    const p = withRetry(
      () => {
        calls++;
        return Promise.reject(new Throttled(`attempt ${calls}`));
      },
      { retries: 2, baseMs: 1, maxMs: 10, shouldRetry: retryThrottled, sleep },
    );
    await expect(p).rejects.toThrow('attempt 3');
    expect(calls).toBe(3);
  });

  it('rethrows a non-retryable error at once', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const p = withRetry(
      () => {
        calls++;
        return Promise.reject(calls === 1 ? new Throttled() : new Rejected('MessageRejected'));
      },
      { retries: 5, baseMs: 1, maxMs: 10, shouldRetry: retryThrottled, sleep },
    );
    await expect(p).rejects.toBeInstanceOf(Rejected);
    expect(calls).toBe(2);
    expect(sleeps).toHaveLength(1);
  });

  it('with zero retries calls once', async () => {
    const { sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(() => (calls++, Promise.reject(new Throttled())), { retries: 0, baseMs: 1, maxMs: 10, shouldRetry: retryThrottled, sleep }),
    ).rejects.toBeInstanceOf(Throttled);
    expect(calls).toBe(1);
  });

  it('tells onRetry about each backoff', async () => {
    const { sleep } = recorder();
    const seen: { attempt: number; delayMs: number }[] = [];
    await withRetry((attempt) => (attempt === 0 ? Promise.reject(new Throttled()) : Promise.resolve(1)), {
      retries: 1,
      baseMs: 200,
      maxMs: 1000,
      shouldRetry: retryThrottled,
      sleep,
      random: () => 0.25,
      onRetry: ({ error, attempt, delayMs }) => {
        expect(error).toBeInstanceOf(Throttled);
        seen.push({ attempt, delayMs });
      },
    });
    expect(seen).toEqual([{ attempt: 0, delayMs: 50 }]);
  });

  it('rejects a negative or fractional retry count', async () => {
    const { sleep } = recorder();
    await expect(withRetry(() => Promise.resolve(1), { retries: -1, baseMs: 1, maxMs: 1, shouldRetry: () => true, sleep })).rejects.toThrow(
      /retries/,
    );
    await expect(
      withRetry(() => Promise.resolve(1), { retries: 1.5, baseMs: 1, maxMs: 1, shouldRetry: () => true, sleep }),
    ).rejects.toThrow(/retries/);
  });

  it('caps the backoff even for huge retry numbers', () => {
    expect(backoffCap(1, 100, 20_000)).toBe(100);
    expect(backoffCap(4, 100, 20_000)).toBe(800);
    expect(backoffCap(2000, 100, 20_000)).toBe(20_000);
  });
});

describe('the jitter of a backoff policy', () => {
  const waits = async (jitter: 'full' | 'equal' | 'none', random: number) => {
    const { sleeps, sleep } = recorder();
    await expect(
      withRetry(() => Promise.reject(new Throttled()), {
        retries: 4,
        baseMs: 20,
        maxMs: 80,
        jitter,
        shouldRetry: retryThrottled,
        sleep,
        random: () => random,
      }),
    ).rejects.toBeInstanceOf(Throttled);
    return sleeps;
  };

  it('equal jitter waits between half the cap and the cap', async () => {
    expect(await waits('equal', 0)).toEqual([10, 20, 40, 40]);
    expect(await waits('equal', 0.999)).toEqual([19, 39, 79, 79]);
  });

  it('no jitter waits exactly the cap; full jitter is the default', async () => {
    expect(await waits('none', 0.5)).toEqual([20, 40, 80, 80]);
    expect(await waits('full', 0.5)).toEqual([10, 20, 40, 40]);
  });
});

describe('sendUntilNoneLeft', () => {
  const policy = { retries: 3, baseMs: 50, maxMs: 1000, jitter: 'none' as const };

  it('sends again only what the call left over, with backoff, until none are left', async () => {
    const { sleeps, sleep } = recorder();
    const calls: number[][] = [];
    await sendUntilNoneLeft([1, 2, 3, 4], (items) => (calls.push(items), Promise.resolve(items.slice(2))), { ...policy, sleep });
    expect(calls).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
    expect(sleeps).toEqual([50]);
  });

  it('gives up after the retries, saying how many are left', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const p = sendUntilNoneLeft(['a', 'b'], (items) => (calls++, Promise.resolve(items.slice(-1))), { ...policy, sleep });
    await expect(p).rejects.toBeInstanceOf(LeftoverError);
    await expect(p).rejects.toThrow('1 still unprocessed after 4 tries');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('rethrows a failed call at once, and makes no call for nothing', async () => {
    const { sleep } = recorder();
    let calls = 0;
    const failing = () => (calls++, Promise.reject(new Rejected('down')));
    await expect(sendUntilNoneLeft([1], failing, { ...policy, sleep })).rejects.toBeInstanceOf(Rejected);
    await sendUntilNoneLeft([], failing, { ...policy, sleep });
    expect(calls).toBe(1);
  });
});
