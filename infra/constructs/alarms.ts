// The alarms a list owner needs to hear about: the drip failing, refusing or possibly repeating
// sends, a tick or share dropped on the way, confirmations waiting in the signup outbox, the API
// failing, feedback going unprocessed, and SES reputation nearing the levels where AWS reviews or
// pauses sending. All notify one SNS topic, which emails alarmEmail when one is given.
import { Aws, Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { courseMetric } from './course-metrics.js';
import type { TopicKey } from './topic-key.js';

export interface AlarmsProps {
  /** What sends: the single drip Lambda, or the fanned-out sender. */
  readonly drip: lambda.IFunction;
  /** The fan-out planner (dripSenders > 1). @default none: the single drip Lambda */
  readonly planner?: lambda.IFunction;
  /** The queue of drip ticks and shares that failed or were dropped (DripSchedule/DripFanOut `failed`). */
  readonly dripFailed?: sqs.IQueue;
  /** The drip has reserved concurrency 1: a throttle then means a run overlapped the next tick. @default false */
  readonly dripReserved?: boolean;
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

/** Errors and throttles are counted per quarter hour. */
const FIFTEEN_MINUTES = { period: Duration.minutes(15), statistic: cloudwatch.Stats.SUM };

/**
 * A confirmation waiting this long after its signup (seconds) means the outbox is not keeping up:
 * normally it goes out at the next drip run (minutes); SES throttling backs a retry off to 10 minutes.
 */
export const OUTBOX_AGE_THRESHOLD_SECONDS = 30 * 60;

/**
 * Lambda's count of asynchronous events it dropped without running the function to success: retries
 * spent or older than the maximum event age ("AsyncEventsDropped", AWS/Lambda, dimension FunctionName;
 * Lambda developer guide, "Types of metrics for Lambda functions", asynchronous invocation metrics).
 * Emitted only for asynchronous invocations, which is how EventBridge runs the drip and the planner,
 * and how the planner runs each sender. Counted also when the event then reaches an on-failure destination.
 */
export function asyncEventsDropped(fn: lambda.IFunction): cloudwatch.Metric {
  return fn.metric('AsyncEventsDropped', FIFTEEN_MINUTES);
}

/** The encrypted topic every alarm notifies; emails `props.email` when given. */
function alarmTopic(scope: Construct, props: AlarmsProps): sns.Topic {
  props.topicKey.allowPublishingBy('cloudwatch.amazonaws.com');
  const topic = new sns.Topic(scope, 'Topic', {
    displayName: 'Email course alarms',
    masterKey: props.topicKey.key,
    enforceSSL: true,
  });
  // Alarm actions publish as the CloudWatch service, which a topic policy must allow (the SNS
  // guide's "CloudWatch alarms" example); only this account's alarms in this region, so no other
  // account's alarm can post here through the service (confused deputy).
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowThisAccountsAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
      },
    }),
  );
  if (props.email) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  return topic;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = alarmTopic(this, props);
    this.addDripAlarms(props);
    this.addDeliveryAlarms(props);
    this.addApiAndFeedbackAlarms(props);
    this.addSesReputationAlarms();
  }

  /** The drip failing, overlapping itself, having lessons refused, or possibly sending one twice. */
  private addDripAlarms(props: AlarmsProps): void {
    this.add('DripErrors', 'The drip run failed: lessons are not going out until it runs cleanly.', {
      metric: props.drip.metricErrors(FIFTEEN_MINUTES),
      threshold: 1,
    });
    if (props.dripReserved) {
      this.add(
        'DripThrottles',
        'A drip tick found the previous run still going (reserved concurrency 1): runs are taking longer than the interval.',
        {
          metric: props.drip.metricThrottles(FIFTEEN_MINUTES),
          threshold: 1,
        },
      );
    }
    this.add(
      'DripFailedSends',
      'SES refused lessons (or an address could not be sent to): those learners are held out of the drip until an operator requeues them (npx course held).',
      {
        metric: courseMetric('failed'),
        threshold: 1,
      },
    );
    this.add(
      'DripPossibleDuplicates',
      'A lesson may have gone to someone twice (a run died or lost its claim during the SES call): see the drip.possible_duplicate log lines.',
      {
        metric: courseMetric('possibleDuplicates'),
        threshold: 1,
      },
    );
  }

  /**
   * What could otherwise vanish without a trace: the planner failing, a tick or share dropped by
   * Lambda (or kept in the failure queue with its error), and signups waiting in the outbox.
   */
  private addDeliveryAlarms(props: AlarmsProps): void {
    if (props.planner) {
      this.add('PlannerErrors', 'The drip planner failed: no sender ran for that tick, so no lesson or confirmation went out.', {
        metric: props.planner.metricErrors(FIFTEEN_MINUTES),
        threshold: 1,
      });
    }
    for (const [id, fn, what] of [
      ['DripDropped', props.drip, props.planner ? 'A drip share (one sender’s part of a tick)' : 'A drip tick'],
      ...(props.planner ? ([['PlannerDropped', props.planner, 'A drip tick (the planner’s event)']] as const) : []),
    ] as const) {
      this.add(
        id,
        `${what} was dropped by Lambda (failed, or too old to run): its lessons wait for the next tick. See the drip failure queue.`,
        {
          metric: asyncEventsDropped(fn),
          threshold: 1,
        },
      );
    }
    if (props.dripFailed) {
      this.add(
        'DripFailures',
        'Drip ticks or shares failed or were dropped: each message in the drip failure queue holds the event and the error. Read, fix, then purge; the next tick carries on from the table.',
        {
          metric: props.dripFailed.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          threshold: 1,
        },
      );
    }
    this.add(
      'SignupOutboxAge',
      'A signup has waited over 30 minutes for its confirmation (SES throttling or failing, or the drip not running): see the drip logs (signup not sent yet).',
      { metric: courseMetric('outboxAge', { statistic: cloudwatch.Stats.MAXIMUM }), threshold: OUTBOX_AGE_THRESHOLD_SECONDS },
    );
  }

  /** The HTTP API answering 5xx, and SES feedback events failing or waiting in the dead-letter queue. */
  private addApiAndFeedbackAlarms(props: AlarmsProps): void {
    this.add('Api5xx', 'The HTTP API answered 5xx: signups, confirmations or unsubscribes are failing.', {
      metric: props.api.metricServerError({ ...FIFTEEN_MINUTES, period: Duration.minutes(5) }),
      threshold: 1,
    });
    this.add('SesEventsErrors', 'Processing an SES event failed; Lambda retries, then keeps it in the dead-letter queue.', {
      metric: props.sesEvents.metricErrors(FIFTEEN_MINUTES),
      threshold: 1,
    });
    this.add(
      'SesEventsDeadLetters',
      'SES events are in the dead-letter queue: bounces or complaints not yet recorded. Redrive after fixing.',
      {
        metric: props.sesEventsDeadLetters.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
      },
    );
  }

  // Account-wide rates SES computes over a window of recent sends (ratios: 0.05 is 5 %).
  // No data when nothing was sent lately, which is not a problem.
  private addSesReputationAlarms(): void {
    this.add('SesBounceRate', 'SES bounce rate is over 5 %: AWS reviews the account at this level and pauses sending above 10 %.', {
      metric: sesReputation('Reputation.BounceRate'),
      threshold: BOUNCE_RATE_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.add(
      'SesComplaintRate',
      'SES complaint rate is over 0.1 %: AWS reviews the account at this level and pauses sending above 0.5 %.',
      {
        metric: sesReputation('Reputation.ComplaintRate'),
        threshold: COMPLAINT_RATE_THRESHOLD,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
    );
  }

  private add(
    id: string,
    description: string,
    opts: { metric: cloudwatch.IMetric; threshold: number; comparisonOperator?: cloudwatch.ComparisonOperator },
  ): void {
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

/** An account-level SES reputation ratio (0.05 is 5 %), the maximum over an hour. */
export function sesReputation(name: 'Reputation.BounceRate' | 'Reputation.ComplaintRate'): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: name, period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM });
}
