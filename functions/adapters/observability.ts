// The core's Log and Metrics ports, made real: in Lambda over Powertools for AWS Lambda (Logger
// writes each entry as one JSON object with level and message; Metrics writes CloudWatch EMF,
// which CloudWatch turns into metrics without any API call), and locally as readable lines.
import { inspect } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, METRIC_UNITS, type Log, type LogEntry, type MetricName, type Metrics } from '../core/ports.js';

/** What a Lambda handler logs and measures through, built once per container. */
export interface LambdaObservability {
  log: Log;
  metrics: Metrics;
  /** At the start of each invocation: the request id and cold-start flag join every log line. */
  startInvocation(context: unknown): void;
  /**
   * At the end of each invocation (in a `finally`): writes the invocation's metrics as one EMF
   * block, each name's values summed, and starts afresh. Nothing is written when none were added.
   */
  publishMetrics(): void;
}

/**
 * Powertools Logger and Metrics for one Lambda. `service` is the `service` key of every log line
 * and the `service` dimension of every metric (METRIC_SERVICE in ports.ts; the alarms match it).
 * The log level follows Lambda's application log level (AWS_LAMBDA_LOG_LEVEL) when it is set.
 */
export function createLambdaObservability(service: string): LambdaObservability {
  const logger = new Logger({ serviceName: service });
  const emf = new PowertoolsMetrics({ namespace: METRIC_NAMESPACE, serviceName: service });
  const pending = new Map<MetricName, number>();
  return {
    log: ({ msg, level = 'info', ...fields }: LogEntry) => logger[level](msg, fields),
    metrics: { add: (name, value) => pending.set(name, (pending.get(name) ?? 0) + value) },
    startInvocation(context) {
      if (typeof context === 'object' && context !== null && 'awsRequestId' in context)
        logger.addContext(context as Parameters<Logger['addContext']>[0]);
    },
    publishMetrics() {
      if (pending.size === 0) return;
      for (const [name, value] of pending) emf.addMetric(name, MetricUnit[METRIC_UNITS[name]], value);
      pending.clear();
      emf.publishStoredMetrics();
    },
  };
}

/**
 * The log port for a terminal (`npm start`): `drip.summary sent=3 failed=0 …`, with the level in
 * front when it is not `info`. `write` gets one line per entry.
 */
export function readableLog(write: (line: string) => void = (line) => console.log(line)): Log {
  return ({ msg, level = 'info', ...fields }) => {
    const parts = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : inspect(v, { breakLength: Infinity, depth: 3 })}`);
    write([level === 'info' ? '' : level.toUpperCase(), msg, ...parts].filter(Boolean).join(' '));
  };
}
