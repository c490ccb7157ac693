import { describe, expect, it } from 'vitest';
import { chunks, mapWithConcurrency } from '../../../functions/core/concurrency.js';

/** A promise the test settles by hand, so in-flight work can be observed without timers. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask and promise callback run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('mapWithConcurrency', () => {
  it('answers results in item order, whatever order the work finishes in', async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const p = mapWithConcurrency([0, 1, 2], 3, async (i) => {
      await gates[i]!.promise;
      return i * 10;
    });
    gates[2]!.resolve();
    gates[0]!.resolve();
    gates[1]!.resolve();
    await expect(p).resolves.toEqual([0, 10, 20]);
  });

  it('never has more than limit calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapWithConcurrency(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await settle();
        inFlight--;
        return i;
      },
    );
    expect(results).toHaveLength(50);
    expect(most).toBe(4);
  });

  it('starts the next item as soon as one finishes', async () => {
    const gates = Array.from({ length: 4 }, () => deferred<void>());
    const started: number[] = [];
    const p = mapWithConcurrency([0, 1, 2, 3], 2, async (i) => {
      started.push(i);
      await gates[i]!.promise;
      return i;
    });
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    await expect(p).resolves.toEqual([0, 1, 2, 3]);
  });

  it('reads an async source lazily, a page at a time', async () => {
    const pulled: number[] = [];
    async function* pages() {
      for (let i = 0; i < 6; i++) {
        pulled.push(i);
        await settle();
        yield i;
      }
    }
    const gates = Array.from({ length: 6 }, () => deferred<void>());
    const p = mapWithConcurrency(pages(), 2, async (i) => {
      await gates[i]!.promise;
      return i;
    });
    await settle();
    await settle();
    expect(pulled.length).toBeLessThanOrEqual(3);
    for (const g of gates) g.resolve();
    await expect(p).resolves.toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('on a failure starts nothing new, waits for the calls in flight, then rejects with the first error', async () => {
    const gates = Array.from({ length: 5 }, () => deferred<string>());
    const started: number[] = [];
    const finished: number[] = [];
    const p = mapWithConcurrency([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      const v = await gates[i]!.promise;
      finished.push(i);
      return v;
    });
    let rejected = false;
    p.catch(() => (rejected = true));
    await settle();
    gates[0]!.reject(new Error('first failure'));
    await settle();
    expect(rejected).toBe(false); // item 1 is still in flight
    gates[1]!.reject(new Error('second failure'));
    await expect(p).rejects.toThrow('first failure');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([]);
  });

  it('closes a generator source when it stops early', async () => {
    let closed = false;
    function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    await expect(
      mapWithConcurrency(source(), 3, (i) => (i === 5 ? Promise.reject(new Error('boom')) : Promise.resolve(i))),
    ).rejects.toThrow('boom');
    expect(closed).toBe(true);
  });

  it('a failing source rejects after the calls in flight finish', async () => {
    const finished: number[] = [];
    async function* source() {
      yield 1;
      yield 2;
      await settle();
      throw new Error('page read failed');
    }
    await expect(
      mapWithConcurrency(source(), 2, async (i) => {
        await settle();
        finished.push(i);
        return i;
      }),
    ).rejects.toThrow('page read failed');
    expect(finished.sort()).toEqual([1, 2]);
  });

  it('handles an empty source and a limit above the item count', async () => {
    await expect(mapWithConcurrency([], 3, (i: number) => Promise.resolve(i))).resolves.toEqual([]);
    await expect(mapWithConcurrency([1, 2], 10, (i) => Promise.resolve(i * 2))).resolves.toEqual([2, 4]);
  });

  it('passes each item its index', async () => {
    await expect(mapWithConcurrency(new Set(['a', 'b', 'c']), 2, (item, index) => Promise.resolve(`${index}:${item}`))).resolves.toEqual([
      '0:a',
      '1:b',
      '2:c',
    ]);
  });

  it('rejects a limit below 1', async () => {
    await expect(mapWithConcurrency([1], 0, (i) => Promise.resolve(i))).rejects.toThrow(/limit/);
  });
});

describe('chunks', () => {
  it('cuts a list into consecutive batches, the last one shorter', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([1, 2], 25)).toEqual([[1, 2]]);
    expect(chunks([], 25)).toEqual([]);
  });
});
