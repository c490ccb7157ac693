// The stateless stack, laid out like the architecture picture: HTTP API → api Lambda, schedule →
// drip Lambda → SES, SES → SNS → ses-events Lambda, all on the table from the data stack; the
// subscription events' bus those three publish to; plus the alarms and the outputs an operator needs
// after deploying.
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { DEFAULTS, ENV } from '../functions/config/settings.js';
import { ORIGIN_VERIFY_HEADER } from '../functions/http/client-ip.js';
import type { DeployConfig } from './config.js';
import { Alarms } from './constructs/alarms.js';
import { CourseDashboard } from './constructs/dashboard.js';
import { DripFanOut } from './constructs/drip-fan-out.js';
import { DripSchedule } from './constructs/drip-schedule.js';
import { HttpApi } from './constructs/http-api.js';
import { SesFeedback } from './constructs/ses-feedback.js';
import { SubscriptionEvents } from './constructs/subscription-events.js';
import type { SubscriberTable } from './constructs/subscriber-table.js';
import type { TokenKey } from './constructs/token-key.js';
import { TopicKey } from './constructs/topic-key.js';

export interface CourseServiceStackProps extends StackProps {
  readonly config: DeployConfig;
  /** The subscriber table (from the data stack). */
  readonly subscribers: SubscriberTable;
  /** The token signing key (from the data stack). */
  readonly tokenKey: TokenKey;
  /** compiled-course.json, shipped with the api and drip bundles. @default none (bundling skipped) */
  readonly compiledCoursePath?: string;
}

/**
 * SES calls in flight for a given send rate: SendRawEmail takes roughly 100–250 ms, so a quarter
 * of the rate keeps the token bucket, not the concurrency, the limit (at least 2, at most 16).
 */
export function sendConcurrencyFor(maxSendRate: number): number {
  return Math.min(16, Math.max(2, Math.ceil(maxSendRate / 4)));
}

/** What every handler reads (functions/adapters/config.ts), under the names in ENV: the table, its shards, the events' bus. */
function sharedEnvironment(subscribers: SubscriberTable, events: SubscriptionEvents): Record<string, string> {
  return { [ENV.tableName]: subscribers.table.tableName, [ENV.dueShards]: String(DEFAULTS.dueShards), ...events.environment };
}

export class CourseServiceStack extends Stack {
  readonly api: HttpApi;
  /** The single drip Lambda (dripSenders = 1), or the planner and its senders (dripSenders > 1); `handler` is what sends. */
  readonly drip: DripSchedule | DripFanOut;
  readonly feedback: SesFeedback;
  readonly alarms: Alarms;
  readonly dashboard: CourseDashboard;
  readonly events: SubscriptionEvents;

  constructor(scope: Construct, id: string, props: CourseServiceStackProps) {
    super(scope, id, props);
    // Read the data stack's table and secret through Fn::ImportValue of its exports, an intrinsic
    // CloudFormation documents inside Fn::Join (the index ARN) and IAM policies. The "weak" mode
    // (Fn::GetStackOutput) is not listed among the functions Fn::Join may hold. Set on this stack,
    // the consumer, whose context the CDK reads, so a cdk.json or -c value cannot switch it back.
    this.node.setContext(cxapi.DEFAULT_CROSS_STACK_REFERENCES, 'strong');
    const { config, subscribers, tokenKey } = props;
    const topicKey = new TopicKey(this, 'TopicKey');

    this.events = new SubscriptionEvents(this, 'SubscriptionEvents', { includeEmail: config.eventsIncludeEmail });
    const shared = sharedEnvironment(subscribers, this.events);

    this.feedback = new SesFeedback(this, 'SesFeedback', {
      senderDomain: config.senderDomain,
      mailFromDomain: config.mailFromDomain,
      topicKey,
      environment: shared,
      trackOpensAndClicks: config.trackOpensAndClicks,
    });
    const sending = {
      ...shared,
      [ENV.configurationSet]: this.feedback.configurationSet.configurationSetName,
      [ENV.senderAddress]: config.fromAddress,
      [ENV.tokenSecretId]: tokenKey.secret.secretArn,
    };

    this.api = new HttpApi(this, 'HttpApi', {
      environment: { ...sending, [ENV.corsOrigins]: config.corsOrigins.join(',') },
      publicUrl: config.publicUrl,
      corsOrigins: config.corsOrigins,
      compiledCoursePath: props.compiledCoursePath,
      behindCloudFront: config.behindCloudFront,
      disableExecuteApiEndpoint: config.disableExecuteApiEndpoint,
      customDomain: config.customDomain,
    });
    const dripEnvironment = {
      ...sending,
      [ENV.publicUrl]: this.api.publicUrl,
      [ENV.maxSendRate]: String(config.maxSendRate),
    };
    if (config.dripSenders > 1) {
      // Each sender carries at most the larger of ratePerSender and its share of maxSendRate.
      const perSender = Math.max(config.ratePerSender, config.maxSendRate / config.dripSenders);
      const fanOut = new DripFanOut(this, 'DripFanOut', {
        everyMinutes: config.dripEveryMinutes,
        maxSenders: config.dripSenders,
        ratePerSender: config.ratePerSender,
        environment: { ...dripEnvironment, [ENV.sendConcurrency]: String(sendConcurrencyFor(perSender)) },
        compiledCoursePath: props.compiledCoursePath,
      });
      this.drip = fanOut;
      const planner = fanOut.planner.function;
      subscribers.grantPutItem(planner); // one plan per tick
      this.feedback.grantReadQuota(planner); // splits the account's SES rate
    } else {
      this.drip = new DripSchedule(this, 'DripSchedule', {
        everyMinutes: config.dripEveryMinutes,
        environment: { ...dripEnvironment, [ENV.sendConcurrency]: String(sendConcurrencyFor(config.maxSendRate)) },
        compiledCoursePath: props.compiledCoursePath,
        reserveConcurrency: config.dripReservedConcurrency,
      });
      this.feedback.grantReadQuota(this.drip.handler.function); // paces itself under the account's SES rate
    }
    const drip = this.drip.handler.function;

    const api = this.api.handler.function;
    const sesEvents = this.feedback.handler.function;
    this.grantCalls(props, { api, drip, sesEvents });

    this.alarms = new Alarms(this, 'Alarms', {
      drip,
      planner: this.drip instanceof DripFanOut ? this.drip.planner.function : undefined,
      dripFailed: this.drip.failed,
      // Fanned-out senders never reserve concurrency (see drip-fan-out.ts).
      dripReserved: config.dripReservedConcurrency && config.dripSenders <= 1,
      api: this.api.api,
      sesEvents,
      sesEventsDeadLetters: this.feedback.deadLetters,
      topicKey,
      email: config.alarmEmail,
    });

    this.dashboard = new CourseDashboard(this, 'Dashboard', { drip, api: this.api.api });

    this.outputs(config);
  }

  /**
   * Who may touch what: the arrows of the picture, as grants of exactly the calls each function's code
   * makes (test/infra/iam.test.ts names the code behind every action).
   */
  private grantCalls(
    { config, subscribers, tokenKey }: CourseServiceStackProps,
    { api, drip, sesEvents }: Record<'api' | 'drip' | 'sesEvents', lambda.IFunction>,
  ): void {
    // Page reads, the per-IP count, the outbox put, confirm and unsubscribe. The api sends no mail (the drip sends the confirmation).
    subscribers.grant(api, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    // The due query, batched claim and send-check reads, the send log, holds; and the signup outbox sweep.
    subscribers.grant(
      drip,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    );
    subscribers.grantDueIndexQuery(drip);
    subscribers.grantDripStatements(drip); // batched claims and advances (PartiQL UPDATE)
    // Event dedupe (put, and delete to release), the address lock read, stop, suppress and counters.
    subscribers.grant(sesEvents, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    tokenKey.grantRead(api);
    tokenKey.grantRead(drip);
    this.feedback.grantSend(drip, { sandbox: config.sesSandbox }); // lessons, and the outbox's confirmations
    // The functions that change a subscription's state publish its event, on the bus only.
    for (const fn of [api, drip, sesEvents]) this.events.grantPublish(fn);
  }

  /** The custom domain's DNS record and the origin-verify secret, when they exist. */
  private apiOutputs(): void {
    const { domainRecord, originVerifySecret } = this.api;
    if (domainRecord !== undefined) {
      new CfnOutput(this, 'CustomDomainRecord', {
        description: 'DNS record for the custom domain (a CNAME, or an alias A/AAAA record at a zone apex)',
        value: domainRecord,
      });
    }
    if (originVerifySecret !== undefined) {
      new CfnOutput(this, 'OriginVerifySecretArn', {
        description: `Put its value in the CloudFront origin's custom header ${ORIGIN_VERIFY_HEADER} (aws secretsmanager get-secret-value --secret-id <arn>)`,
        value: originVerifySecret.secretArn,
      });
    }
  }

  private outputs(config: DeployConfig): void {
    new CfnOutput(this, 'SignupUrl', { description: 'The signup page', value: `${this.api.publicUrl}/` });
    if (this.api.url !== undefined) {
      new CfnOutput(this, 'ApiUrl', { description: 'The HTTP API itself (point a custom domain or CDN here)', value: this.api.url });
    }
    this.apiOutputs();
    const identity = this.feedback.identity;
    const dkim = [
      [identity.dkimDnsTokenName1, identity.dkimDnsTokenValue1],
      [identity.dkimDnsTokenName2, identity.dkimDnsTokenValue2],
      [identity.dkimDnsTokenName3, identity.dkimDnsTokenValue3],
    ] as const;
    dkim.forEach(
      ([name, value], i) =>
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          description: `DNS record ${i + 1} of 3 for Easy DKIM (add it, then SES verifies the domain)`,
          value: `${name} CNAME ${value}`,
        }),
    );
    new CfnOutput(this, 'MailFromMxRecord', {
      description: 'DNS record for the custom MAIL FROM domain (bounces)',
      value: `${config.mailFromDomain} MX 10 feedback-smtp.${Aws.REGION}.amazonses.com`,
    });
    new CfnOutput(this, 'MailFromSpfRecord', {
      description: 'SPF for the MAIL FROM domain',
      value: `${config.mailFromDomain} TXT "v=spf1 include:amazonses.com ~all"`,
    });
    new CfnOutput(this, 'DmarcRecord', {
      description: 'A starting DMARC policy (tighten p= once reports look clean)',
      value: `_dmarc.${config.senderDomain} TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${config.senderDomain}"`,
    });
    new CfnOutput(this, 'SesSandboxReminder', {
      description: 'Before real people can subscribe',
      value: config.sesSandbox
        ? 'Deployed for the SES sandbox (sesSandbox=true): mail goes only to verified addresses, 200 a day, 1 a second, and the send ' +
          `permission covers every SES identity of this account in ${Aws.REGION}. After production access (SES console > Account dashboard > ` +
          'Request production access), redeploy with -c sesSandbox=false (or "sesSandbox": false in cdk.json) to narrow it to the domain identity, ' +
          'and set maxSendRate to the granted rate.'
        : `Deployed for production SES access (sesSandbox=false): only the ${config.senderDomain} identity may be sent from. If ${Aws.REGION} is still in the sandbox, ` +
          'mail to verified test addresses is refused: redeploy with -c sesSandbox=true until production access is granted.',
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'Sends, failures, bounces and complaints, drip duration, API errors, SES reputation',
      value: this.dashboard.url,
    });
    new CfnOutput(this, 'EventBusName', {
      description:
        'Subscription events (source email-course): add rules here to forward them (docs/guides/events.md); EVENT_BUS_NAME for the CLI',
      value: this.events.bus.eventBusName,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Alarm notifications (subscribe more endpoints here)',
      value: this.alarms.topic.topicArn,
    });
  }
}
