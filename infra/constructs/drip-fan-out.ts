// The drip past one sender: an EventBridge rule runs the drip planner every N minutes; the planner
// reads SES's rate, decides K senders (⌈rate ÷ ratePerSender⌉, at most maxSenders), and invokes the
// sender Lambda K times asynchronously, each with its shards of the due index and its share of the
// rate (functions/handlers/drip-planner.ts, functions/core/drip/fan-out.ts). Used instead of DripSchedule
// when `dripSenders` > 1.
//
// Why asynchronous invoke and not SQS with maximum concurrency: the planner hands out exactly K
// shares a tick and each must run once, now, or not at all (a share run late would overlap the next
// tick's sender of the same shards and add its rate on top). Lambda's async queue with no retries and
// a one-minute maximum event age does that with no extra resource, and the sender also refuses a
// share whose tick has ended. SQS would add a queue, a visibility timeout tied to the sender's
// timeout, redrive, and an event source mapping polling around the clock, to buffer a burst we never
// have. Neither needs reserved concurrency, which a new account (concurrency limit 10, of which 10
// must stay unreserved) cannot grant at all: K stays small (maxSenders ≤ MAX_DRIP_SENDERS by config,
// with a synth warning past what a new account carries, infra/concurrency.ts) so the api and feedback
// Lambdas keep room.
//
// What can go wrong is watched (alarms.ts): a share or tick Lambda dropped (retries spent, too old) goes
// to the on-failure queue `Failed` with its error, and AsyncEventsDropped counts it; a share Lambda
// delivers twice runs once (the sender's conditional share item, functions/core/drip/fan-out.ts).
import { Annotations, Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/config/settings.js';
import { dripConcurrencyWarning } from '../concurrency.js';
import { CourseFunction } from './course-function.js';
import { dripTimeout, failureQueue, tickRule } from './drip-schedule.js';

/** Settings the senders get and the planner does not: the link key's secret and the events' bus. */
const PLANNER_UNTOLD: readonly string[] = [ENV.tokenSecretId, ENV.eventBusName, ENV.eventsIncludeEmail];

export interface DripFanOutProps {
  /** Minutes between ticks (1 to 60). */
  readonly everyMinutes: number;
  /** The most senders a tick fans out to (DRIP_SENDERS). */
  readonly maxSenders: number;
  /** Emails per second one sender is asked to carry (RATE_PER_SENDER). */
  readonly ratePerSender: number;
  /** Settings both handlers read (TABLE_NAME, MAX_SEND_RATE, …). */
  readonly environment: Record<string, string>;
  /** The lessons, compiled at synth; shipped with the sender. */
  readonly compiledCoursePath?: string;
}

/** The planner, its schedule, and the sender it invokes K times a tick. */
export class DripFanOut extends Construct {
  readonly planner: CourseFunction;
  /** The sender (named as DripSchedule's, so the stack's grants and alarms read the same). */
  readonly handler: CourseFunction;
  readonly rule: events.Rule;
  /** Ticks and shares that failed or were dropped (failureQueue). */
  readonly failed: sqs.Queue;

  constructor(scope: Construct, id: string, props: DripFanOutProps) {
    super(scope, id);
    const tick = Duration.minutes(props.everyMinutes);
    const warning = dripConcurrencyWarning(props.maxSenders);
    if (warning !== undefined) Annotations.of(this).addWarningV2('@email-course/drip-concurrency', warning);
    this.failed = failureQueue(this);
    const shared = {
      ...props.environment,
      [ENV.dripSenders]: String(props.maxSenders),
      [ENV.ratePerSender]: String(props.ratePerSender),
    };
    this.handler = new CourseFunction(this, 'Sender', {
      entry: 'functions/handlers/drip-sender.ts',
      description: `Email course drip sender: sends its share of the due lessons, ${props.maxSenders} at most in parallel`,
      memorySize: 512,
      // Its own deadline is the planner's start plus a tick (less 15 s); the timeout only backs that up.
      timeout: dripTimeout(props.everyMinutes),
      environment: shared,
      compiledCoursePath: props.compiledCoursePath,
      // A share is worth nothing after its tick: no retry (the next tick is the retry, from the
      // table's state), and dropped if Lambda's queue held it a minute.
      maxEventAge: Duration.seconds(60),
      retryAttempts: 0,
      onFailure: this.failed,
    });
    this.planner = new CourseFunction(this, 'Planner', {
      entry: 'functions/handlers/drip-planner.ts',
      description: `Email course drip planner: splits each tick among up to ${props.maxSenders} senders, every ${props.everyMinutes} min`,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        // The planner signs no links and changes no subscription: it is not told where the link key
        // or the events' bus is (nor may it read the one or publish to the other).
        ...Object.fromEntries(Object.entries(shared).filter(([name]) => !PLANNER_UNTOLD.includes(name))),
        [ENV.senderFunctionName]: this.handler.function.functionName,
        [ENV.dripTickSeconds]: String(tick.toSeconds()),
      },
      maxEventAge: Duration.seconds(60),
      retryAttempts: 0,
      onFailure: this.failed,
    });
    this.handler.function.grantInvoke(this.planner.function);
    const senderId = Stack.of(this).getLogicalId(this.handler.function.node.defaultChild as CfnElement);
    Validations.of(this.planner.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${senderId}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the one sender function and its versions ("<arn>:*", as Function.grantInvoke writes it): ' +
        'the wildcard covers qualified ARNs of that function only, never another function.',
    });
    this.rule = tickRule(this, this.planner.function, props.everyMinutes, 'Plans', this.failed);
  }
}
