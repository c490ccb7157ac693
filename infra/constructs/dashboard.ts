// One CloudWatch dashboard for the list owner: what went out, what failed, what came back (bounces,
// complaints), how long the drip takes, how the API answers, the SES reputation AWS judges the
// account by, and the learners' votes per lesson. Built from the same metrics the alarms watch.
import { Aws, Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { VOTE_METRIC_DIMENSIONS, VOTE_METRICS } from '../../functions/core/events.js';
import { METRIC_NAMESPACE } from '../../functions/core/ports.js';
import { BOUNCE_RATE_THRESHOLD, COMPLAINT_RATE_THRESHOLD, sesReputation } from './alarms.js';
import { courseMetric } from './course-metrics.js';

export interface CourseDashboardProps {
  readonly drip: lambda.IFunction;
  readonly api: apigwv2.IHttpApi;
}

/**
 * The learners' `vote` answers of every course and lesson, one series each (the api writes them with
 * the dimensions course and lesson: functions/adapters/vote-metrics.ts), found by a SEARCH so that
 * a new course or lesson needs no redeploy. A changed vote moves one from the other answer.
 */
export function votesSearch(vote: keyof typeof VOTE_METRICS): cloudwatch.SearchExpression {
  const schema = [METRIC_NAMESPACE, ...VOTE_METRIC_DIMENSIONS, 'service'].join(',');
  return new cloudwatch.SearchExpression({
    expression: `SEARCH('{${schema}} MetricName="${VOTE_METRICS[vote]}"', 'Sum', 3600)`,
    // Dynamic labels: the dimensions of each series the search finds.
    label: `${vote} \${PROP('Dim.course')} lesson \${PROP('Dim.lesson')}`,
    period: Duration.hours(1),
  });
}

export class CourseDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** The dashboard in the CloudWatch console. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CourseDashboardProps) {
    super(scope, id);
    const hour = Duration.hours(1);
    const fiveMinutes = Duration.minutes(5);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Lessons sent per hour',
            left: [courseMetric('sent', { period: hour, label: 'sent' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Drip failures per hour',
            left: [
              courseMetric('failed', { period: hour, label: 'failed (refused: held)' }),
              courseMetric('held', { period: hour, label: 'held (refused or suppressed)' }),
              courseMetric('possibleDuplicates', { period: hour, label: 'possible duplicates' }),
              props.drip.metricErrors({ period: hour, statistic: cloudwatch.Stats.SUM, label: 'drip run errors' }),
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'SES feedback per hour',
            left: [
              // The words `course stats` uses: permanent bounces stop the address; soft ones are counted.
              courseMetric('bounces', { period: hour, label: 'bounced (permanent)' }),
              courseMetric('softBounces', { period: hour, label: 'soft bounces' }),
              courseMetric('complaints', { period: hour, label: 'complaints' }),
            ],
            right: [courseMetric('deliveries', { period: hour, label: 'deliveries' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Drip run duration',
            left: [
              courseMetric('duration', { period: Duration.minutes(15), statistic: cloudwatch.Stats.MAXIMUM, label: 'longest run (ms)' }),
              courseMetric('duration', { period: Duration.minutes(15), statistic: cloudwatch.Stats.AVERAGE, label: 'average run (ms)' }),
            ],
            right: [courseMetric('stoppedEarly', { period: Duration.minutes(15), label: 'runs that stopped early' })],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'HTTP API errors',
            left: [
              props.api.metricClientError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM, label: '4xx' }),
              props.api.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM, label: '5xx' }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'SES reputation (account)',
            left: [
              sesReputation('Reputation.BounceRate').with({ label: 'bounce rate' }),
              sesReputation('Reputation.ComplaintRate').with({ label: 'complaint rate' }),
            ],
            leftAnnotations: [
              { value: BOUNCE_RATE_THRESHOLD, label: 'bounce review (5 %)', color: cloudwatch.Color.ORANGE },
              { value: COMPLAINT_RATE_THRESHOLD, label: 'complaint review (0.1 %)', color: cloudwatch.Color.RED },
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Votes per lesson: was this lesson useful? (totals over the range shown)',
            // Bars of each series' total over the whole range: the yes and no of every lesson side by side.
            view: cloudwatch.GraphWidgetView.BAR,
            setPeriodToTimeRange: true,
            left: [votesSearch('yes'), votesSearch('no')],
            width: 24,
          }),
        ],
      ],
    });
    this.url = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
