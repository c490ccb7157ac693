// What every Lambda entry shares (functions/wiring/): its log and metrics ports, its deps built once
// per container, and the wrapper its handler goes through.
import { createLambdaObservability, withObservability } from '../adapters/observability.js';
import type { Log, Metrics } from '../core/ports.js';

/** One Lambda's log and metrics ports, its deps (built once per container) and its handler wrapper. */
export interface LambdaEntry<D> {
  log: Log;
  metrics: Metrics;
  /** The container's deps, built on first use; a failed start (a secret not readable yet) is not kept: the next invocation tries again. */
  deps(): Promise<D>;
  /** `fn` as the Lambda's handler: logs carry the invocation's context, its metrics are published at its end (adapters/observability.ts). */
  handle<E, C, R>(fn: (event: E, context: C) => Promise<R>): (event: E, context?: C) => Promise<R>;
}

/** `service`: the `service` key of every log line and metric (METRIC_SERVICE; the alarms match it). */
export function lambdaEntry<D>(service: string, build: (ports: { log: Log; metrics: Metrics }) => Promise<D>): LambdaEntry<D> {
  const observability = createLambdaObservability(service);
  const { log, metrics } = observability;
  let ready: Promise<D> | undefined;
  return {
    log,
    metrics,
    deps() {
      ready ??= build({ log, metrics });
      const current = ready;
      void current.catch(() => {
        if (ready === current) ready = undefined;
      });
      return current;
    },
    handle: (fn) => withObservability(observability, fn),
  };
}
