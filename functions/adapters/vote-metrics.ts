// The learners' votes as CloudWatch metrics (EMF through Powertools Metrics): each `feedback_given`
// event the api publishes adds to `votedYes` or `votedNo` with the dimensions course and lesson
// (core/events.ts voteMetricsOf), which the dashboard's "votes per lesson" widget searches for.
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { voteMetricsOf, type EventPublisher } from '../core/events.js';
import { METRIC_NAMESPACE } from '../core/ports.js';

/** An EventPublisher that writes the vote metrics of the events it is given (one EMF line each) and nothing else. */
export function voteMetricsPublisher(service: string): EventPublisher {
  const metrics = new PowertoolsMetrics({ namespace: METRIC_NAMESPACE, serviceName: service });
  return {
    publish: (events) => {
      for (const m of events.flatMap(voteMetricsOf)) {
        // A metric of its own, published at once: its dimensions are this vote's, not the invocation's.
        const single = metrics.singleMetric();
        single.addDimensions({ course: m.course, lesson: String(m.lesson) });
        single.addMetric(m.name, MetricUnit.Count, m.value);
      }
      return Promise.resolve();
    },
  };
}
