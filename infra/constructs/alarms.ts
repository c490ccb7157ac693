// The alarms a list owner needs to hear about: the drip failing or overlapping, the API failing,
// feedback going unprocessed, and SES reputation nearing the levels where AWS reviews or pauses
// sending. All notify one SNS topic, which emails alarmEmail when one is given.
import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TopicKey } from './topic-key.js';

export interface AlarmsProps {
  readonly drip: lambda.IFunction;
  readonly api: apigwv2.IHttpApi;
  readonly sesEvents: lambda.IFunction;
  /** The ses-events dead-letter queue. */
  readonly sesEventsDeadLetters: sqs.IQueue;
  /** Encrypts the alarm topic. */
  readonly topicKey: TopicKey;
  /** @default no subscription: subscribe to the topic by other means */
  readonly email?: string;
}

/** SES reviews an account at a 5 % bounce rate and 0.1 % complaint rate (and pauses above). */
export const BOUNCE_RATE_THRESHOLD = 0.05;
export const COMPLAINT_RATE_THRESHOLD = 0.001;

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    props.topicKey.allowPublishingBy('cloudwatch.amazonaws.com');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Email course alarms',
      masterKey: props.topicKey.key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    const fifteenMinutes = { period: Duration.minutes(15), statistic: cloudwatch.Stats.SUM };
    this.add('DripErrors', 'The drip run failed: lessons are not going out until it runs cleanly.', {
      metric: props.drip.metricErrors(fifteenMinutes),
      threshold: 1,
    });
    this.add('DripThrottles', 'A drip tick found the previous run still going (reserved concurrency 1): runs are taking longer than the interval.', {
      metric: props.drip.metricThrottles(fifteenMinutes),
      threshold: 1,
    });
    this.add('Api5xx', 'The HTTP API answered 5xx: signups, confirmations or unsubscribes are failing.', {
      metric: props.api.metricServerError({ ...fifteenMinutes, period: Duration.minutes(5) }),
      threshold: 1,
    });
    this.add('SesEventsErrors', 'Processing an SES event failed; Lambda retries, then keeps it in the dead-letter queue.', {
      metric: props.sesEvents.metricErrors(fifteenMinutes),
      threshold: 1,
    });
    this.add('SesEventsDeadLetters', 'SES events are in the dead-letter queue: bounces or complaints not yet recorded. Redrive after fixing.', {
      metric: props.sesEventsDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
    });
    // Account-wide rates SES computes over a window of recent sends (ratios: 0.05 is 5 %).
    // No data when nothing was sent lately, which is not a problem.
    this.add('SesBounceRate', 'SES bounce rate is over 5 %: AWS reviews the account at this level and pauses sending above 10 %.', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: BOUNCE_RATE_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.add('SesComplaintRate', 'SES complaint rate is over 0.1 %: AWS reviews the account at this level and pauses sending above 0.5 %.', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Reputation.ComplaintRate', period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: COMPLAINT_RATE_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  private add(id: string, description: string, opts: { metric: cloudwatch.IMetric; threshold: number; comparisonOperator?: cloudwatch.ComparisonOperator }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric: opts.metric,
      threshold: opts.threshold,
      comparisonOperator: opts.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // A quiet metric (no invocations, no sends) is healthy.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
