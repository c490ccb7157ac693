// Runs async work over many items with a bound on how many are in flight at once (the drip's sends),
// pulling items lazily so a paged source is read no faster than it is worked through.

/** `items` cut into consecutive batches of `size` (the last one may be shorter); `size` ≥ 1. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Calls `fn` for each item with at most `limit` calls in flight and answers the results in item
 * order. On the first failure it starts nothing new, waits for the calls already in flight to settle
 * (none is left running behind the caller's back), then rejects with that first error.
 */
export async function mapWithConcurrency<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a whole number ≥ 1, got ${limit}`);
  const iterator: Iterator<T> | AsyncIterator<T> = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();

  const results: R[] = [];
  let nextIndex = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  // Pulls are serialised: an async iterator need not support overlapping next() calls.
  let pulling: Promise<unknown> = Promise.resolve();

  const pull = (): Promise<{ item: T; index: number } | undefined> => {
    const turn = pulling.then(async () => {
      if (done || failure) return undefined;
      const step = await iterator.next();
      if (step.done === true) {
        done = true;
        return undefined;
      }
      return { item: step.value, index: nextIndex++ };
    });
    pulling = turn.catch(() => undefined);
    return turn;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      let next: { item: T; index: number } | undefined;
      try {
        next = await pull();
      } catch (e: unknown) {
        failure ??= { error: e };
        return;
      }
      if (next === undefined) return;
      try {
        results[next.index] = await fn(next.item, next.index);
      } catch (e: unknown) {
        failure ??= { error: e };
        return;
      }
    }
  };

  await Promise.all(Array.from({ length: limit }, worker));
  if (failure) {
    // Let a generator run its finally blocks (close a page cursor) when we stop early.
    if (!done) {
      try {
        await iterator.return?.();
      } catch {
        // The first failure is the one the caller needs; a cleanup error would hide it.
      }
    }
    throw failure.error;
  }
  return results;
}
