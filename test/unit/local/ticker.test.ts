// The local DRIP_EVERY ticker: one tick at a time, a failed tick does not stop it, stop() waits for
// the tick in progress. Fake timers: no real waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDripTicker } from '../../../functions/local/ticker.js';
import type { DripSummary, LogEntry } from '../../../functions/core/ports.js';
import { idleDripSummary } from '../../support/drip-summary.js';

const summary = idleDripSummary();

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('drip ticker', () => {
  it('does not start a tick while the previous one is still running', async () => {
    let started = 0;
    let finish: (() => void) | undefined;
    const ticker = startDripTicker({
      everyMs: 1000,
      tick: () => {
        started++;
        return new Promise<DripSummary>((resolve) => (finish = () => resolve(summary)));
      },
      log: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(3500);
    expect(started).toBe(1);
    finish!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(2);
    finish!();
    await ticker.stop();
  });

  it('logs a failed tick and keeps ticking', async () => {
    const entries: LogEntry[] = [];
    let calls = 0;
    const ticker = startDripTicker({
      everyMs: 1000,
      tick: () => (++calls === 1 ? Promise.reject(new Error('DynamoDB down')) : Promise.resolve(summary)),
      log: (entry) => entries.push(entry),
    });
    await vi.advanceTimersByTimeAsync(2500);
    expect(calls).toBe(2);
    expect(entries).toEqual([{ level: 'error', msg: 'drip tick failed', error: 'DynamoDB down' }]);
    await ticker.stop();
  });

  it('stop() waits for the tick in progress and no tick starts after it', async () => {
    let finish: (() => void) | undefined;
    let calls = 0;
    const ticker = startDripTicker({
      everyMs: 1000,
      tick: () => {
        calls++;
        return new Promise<DripSummary>((resolve) => (finish = () => resolve(summary)));
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    let stopped = false;
    const stopping = ticker.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish!();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(1);
  });

  it('an interval of 0 (DRIP_EVERY=0) runs nothing', async () => {
    const tick = vi.fn(() => Promise.resolve(summary));
    const ticker = startDripTicker({ everyMs: 0, tick });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tick).not.toHaveBeenCalled();
    await ticker.stop();
  });
});
