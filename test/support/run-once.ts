// Global setups run once per test project (vitest.config.ts has two: files that share their workers'
// modules, and files that need a fresh module graph each), but what they start must exist once per
// `vitest run`: one DynamoDB Local, one folder for the compiled course. Every project's setup calls
// runOnce with the same key and gets the same value; the last teardown stops it. All global setups
// run in the one main process, hence globalThis (each project may load the setup module anew).

interface Entry {
  value: Promise<unknown>;
  users: number;
  stop: () => Promise<void> | void;
}

const registry = ((globalThis as { __courseTestRunOnce?: Map<string, Entry> }).__courseTestRunOnce ??= new Map<string, Entry>());

/**
 * The value `start` makes, started by the first caller of `key` in this process and shared with the
 * others; `release()` (one per call) stops it with `stop` when the last holder releases it.
 */
export async function runOnce<T>(
  key: string,
  start: () => Promise<T> | T,
  stop: (value: T) => Promise<void> | void,
): Promise<{ value: T; release: () => Promise<void> }> {
  let entry = registry.get(key);
  if (entry === undefined) {
    const value = Promise.resolve().then(start);
    entry = { value, users: 0, stop: async () => stop(await value) };
    registry.set(key, entry);
  }
  entry.users += 1;
  const held = entry;
  const value = (await held.value) as T;
  let released = false;
  return {
    value,
    async release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users === 0) {
        registry.delete(key);
        await held.stop();
      }
    },
  };
}
