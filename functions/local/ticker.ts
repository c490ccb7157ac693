// The local stack's DRIP_EVERY ticker: runs the drip (built in functions/wiring/local.ts), one tick at a time.
import { readableLog } from '../adapters/observability.js';
import type { DripSummary, Log } from '../core/ports.js';

export interface DripTicker {
  /** No more ticks; resolves once the tick in progress (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `everyMs` (DRIP_EVERY). A tick still running when the next is due is not doubled
 * (the claims would make it safe, but it would only race itself); a failed tick is logged and the
 * ticker carries on, as the next EventBridge tick would in AWS. `log`: default readable lines on the console.
 */
export function startDripTicker(p: { everyMs: number; tick: () => Promise<DripSummary>; log?: Log }): DripTicker {
  const log = p.log ?? readableLog();
  if (!(p.everyMs > 0)) return { stop: () => Promise.resolve() };
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running !== undefined || stopped) return;
    running = p
      .tick()
      .then(
        () => undefined,
        (e: unknown) => log({ level: 'error', msg: 'drip tick failed', error: e instanceof Error ? e.message : String(e) }),
      )
      .finally(() => {
        running = undefined;
      });
  }, p.everyMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
