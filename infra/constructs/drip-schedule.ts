// The drip: an EventBridge rule that runs the drip Lambda every N minutes, and the queue that keeps
// every tick that failed or was dropped on the way (alarmed in alarms.ts).
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CourseFunction } from './course-function.js';

export interface DripScheduleProps {
  /** Minutes between runs (1 to 60). */
  readonly everyMinutes: number;
  /** Settings the drip handler reads (TABLE_NAME, MAX_SEND_RATE, …). */
  readonly environment: Record<string, string>;
  /** The lessons, compiled at synth; shipped in the bundle. */
  readonly compiledCoursePath?: string;
  /**
   * Reserve concurrency 1: one run at a time. Off by default, because a new account's concurrency
   * limit (10, sometimes 50) refuses any reservation (Lambda keeps 10 unreserved), and overlapping
   * runs are safe: claims are conditional, so two runs never send one lesson twice.
   * @default false
   */
  readonly reserveConcurrency?: boolean;
}

/**
 * How long one run may take: it must end before the next tick, so that runs do not pile up (and,
 * with reserved concurrency 1, the next run never finds the slot taken). The handler's deadline is its remaining time minus
 * SAFETY_MARGIN_MS (5 s, functions/wiring/drip.ts), and the run starts no new send within 20 s of
 * that deadline (DEFAULT_SEND_RESERVE_MS, functions/core/drip/ports.ts): about 25 s before the timeout,
 * which leaves time to finish in-flight sends (10 s SES timeout) and log the summary; whatever is
 * left is due again at the next tick.
 */
export function dripTimeout(everyMinutes: number): Duration {
  // Lambda's ceiling is 15 minutes; 10 s of slack keeps a run that uses its full time off the next tick.
  return Duration.seconds(Math.min(everyMinutes * 60, 15 * 60) - 10);
}

/**
 * The encrypted queue `Failed` that keeps a record of every drip event that went nowhere: a tick
 * EventBridge could not deliver (the rule target's dead-letter queue), and a tick or share Lambda
 * dropped after a function error or its maximum event age (the functions' on-failure destination; each
 * record holds the event and the error). The next tick carries on from the table, so these are for
 * the operator: the alarm `DripFailures` fires on the first one. Kept 14 days, SQS's most.
 */
export function failureQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'Failed', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself where failures land: the on-failure destination of the drip Lambdas and the dead-letter queue of the ' +
      "tick rule's target (neither is an SQS redrive, which cdk-nag looks for). Nothing consumes it; an alarm fires on its first message.",
  });
  return queue;
}

/**
 * The EventBridge rule `Tick` that invokes `fn` every `everyMinutes` minutes (`what` starts its
 * description: "Runs", "Plans"). A tick EventBridge could not deliver is retried twice, and only
 * while it is younger than one interval (at least 60 s, EventBridge's minimum): a later tick does the
 * work; one it gives up on goes to `failed`.
 */
export function tickRule(scope: Construct, fn: lambda.IFunction, everyMinutes: number, what: string, failed: sqs.IQueue): events.Rule {
  const tick = Duration.minutes(everyMinutes);
  return new events.Rule(scope, 'Tick', {
    description: `${what} the email course drip every ${everyMinutes} min`,
    schedule: events.Schedule.rate(tick),
    targets: [
      new targets.LambdaFunction(fn, {
        maxEventAge: Duration.seconds(Math.max(60, tick.toSeconds())),
        retryAttempts: 2,
        deadLetterQueue: failed,
      }),
    ],
  });
}

/** The scheduled drip Lambda, its rule, and the queue of ticks that failed. */
export class DripSchedule extends Construct {
  readonly handler: CourseFunction;
  readonly rule: events.Rule;
  /** Ticks that failed or were dropped (failureQueue). */
  readonly failed: sqs.Queue;

  constructor(scope: Construct, id: string, props: DripScheduleProps) {
    super(scope, id);
    const tick = Duration.minutes(props.everyMinutes);
    this.failed = failureQueue(this);
    this.handler = new CourseFunction(this, 'Handler', {
      entry: 'functions/handlers/drip.ts',
      description: `Email course drip: sends the lessons that are due, every ${props.everyMinutes} min`,
      // I/O bound (DynamoDB, SES at a capped rate); personalising precompiled HTML is string work.
      // 512 MB gives a full vCPU share for MIME composition without paying for idle memory.
      memorySize: 512,
      timeout: dripTimeout(props.everyMinutes),
      environment: props.environment,
      compiledCoursePath: props.compiledCoursePath,
      // Opt-in: one run at a time. Without it an overlap (a run longer than the interval, which
      // the timeout prevents) would only split the send rate and race for the same claims.
      reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
      // A tick that could not start (throttled behind a slow run) is worth nothing once the next
      // tick is due, and a failed run is not retried: the next tick is the retry, and it starts
      // from the table's state, not from the event.
      maxEventAge: Duration.seconds(Math.max(60, tick.toSeconds())),
      retryAttempts: 0,
      onFailure: this.failed,
    });
    this.rule = tickRule(this, this.handler.function, props.everyMinutes, 'Runs', this.failed);
  }
}
