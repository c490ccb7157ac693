// A CPU hog for measuring the send rate on a busy machine (the bench's rate runs and the pacing test):
// busy-loop threads beside the sender, and the sender's own event loop stalled now and then, as a
// loaded Lambda host or a busy laptop does.
import { Worker } from 'node:worker_threads';

export interface CpuHog {
  stop(): Promise<void>;
}

/**
 * `threads` busy-loop threads beside this process's work, and (when `stallMs` > 0) this thread's
 * event loop blocked for `stallMs` every `everyMs`: timers then fire late and queued work wakes at once.
 */
export function startCpuHog(o: { threads: number; stallMs?: number; everyMs?: number }): CpuHog {
  const workers = Array.from({ length: o.threads }, () => new Worker('for (;;) { Math.sqrt(Math.random()); }', { eval: true }));
  const stallMs = o.stallMs ?? 0;
  const timer =
    stallMs > 0
      ? setInterval(() => {
          const until = performance.now() + stallMs;
          while (performance.now() < until) {
            // Blocking on purpose: a stalled event loop.
          }
        }, o.everyMs ?? 500)
      : undefined;
  return {
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
