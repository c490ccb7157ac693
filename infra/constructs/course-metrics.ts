// The course's own CloudWatch metrics (EMF lines that Powertools Metrics writes from the drip and
// ses-events Lambdas), as CDK Metric objects for the alarms and the dashboard. The names, units and
// dimensions come from functions/core/ports.ts, the same constants the handlers emit with.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_NAMESPACE, METRIC_SERVICE, type MetricName } from '../../functions/core/ports.js';

const SERVICE_OF: Record<MetricName, string> = {
  sent: METRIC_SERVICE.drip,
  failed: METRIC_SERVICE.drip,
  skipped: METRIC_SERVICE.drip,
  held: METRIC_SERVICE.drip,
  possibleDuplicates: METRIC_SERVICE.drip,
  stoppedEarly: METRIC_SERVICE.drip,
  duration: METRIC_SERVICE.drip,
  outboxAge: METRIC_SERVICE.drip,
  bounces: METRIC_SERVICE.sesEvents,
  softBounces: METRIC_SERVICE.sesEvents,
  complaints: METRIC_SERVICE.sesEvents,
  deliveries: METRIC_SERVICE.sesEvents,
};

/** One course metric, summed over `period` unless another statistic is given. */
export function courseMetric(name: MetricName, options: { period?: Duration; statistic?: string; label?: string } = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    // Powertools Metrics adds the service dimension to every metric; a metric is only matched with all its dimensions.
    dimensionsMap: { service: SERVICE_OF[name] },
    period: options.period ?? Duration.minutes(15),
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}
