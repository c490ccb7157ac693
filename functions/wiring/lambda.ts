// What every Lambda handler shares (functions/wiring/): its log and metrics ports, its deps built once
// per container, and the one wrapper it goes through.
import { createLambdaObservability, type LambdaObservability } from '../adapters/observability.js';

/**
 * The Lambda handler of `fn`, which gets the container's deps first (the one wrapper every handler
 * shares, in place of Powertools' middy middlewares): each invocation's context joins every log line
 * (request id, cold start), and its metrics are published at its end as one EMF block, when `fn`
 * throws too. `service` is the `service` key of every log line and metric (METRIC_SERVICE; the alarms
 * match it). `build` makes the deps on the first invocation; a failed start (a secret not readable
 * yet) is not kept: the next invocation tries again.
 */
export function lambdaHandler<D, E, C, R>(
  service: string,
  build: (ports: LambdaObservability) => D | Promise<D>,
  fn: (deps: D, event: E, context: C) => Promise<R>,
): (event: E, context?: C) => Promise<R> {
  const observability = createLambdaObservability(service);
  let ready: Promise<D> | undefined;
  return async (event, context) => {
    observability.startInvocation(context);
    try {
      ready ??= Promise.resolve(observability)
        .then(build)
        .catch((e: unknown) => {
          ready = undefined;
          throw e;
        });
      // Lambda always passes a context; a test calling the handler directly may leave it out.
      return await fn(await ready, event, context!);
    } finally {
      observability.publishMetrics();
    }
  };
}
