// SES sending and its feedback loop: the domain identity (Easy DKIM), the configuration set every
// message goes out with, and the path its events take back: SNS topic → ses-events Lambda.
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CourseFunction } from './course-function.js';
import type { TopicKey } from './topic-key.js';

export interface SesFeedbackProps {
  /** The domain to verify and send from. */
  readonly senderDomain: string;
  /** Custom MAIL FROM domain (a subdomain of senderDomain) so SPF aligns for DMARC. */
  readonly mailFromDomain: string;
  /** Encrypts the events topic. */
  readonly topicKey: TopicKey;
  /** Settings the ses-events handler reads (TABLE_NAME, …). */
  readonly environment: Record<string, string>;
  /**
   * SES open and click tracking: a pixel in every message and every link rewritten through an AWS
   * domain (except anchors marked `ses:no-track`: the confirm and unsubscribe links). Opt-in.
   * @default false
   */
  readonly trackOpensAndClicks?: boolean;
}

/**
 * The events the handler turns into state and counters: bounces and complaints stop all mail to the
 * address; deliveries feed the per-lesson counters. Published by the configuration set to the topic.
 */
export const SES_EVENTS = [
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
];

/**
 * Published too only with tracking on (`trackOpensAndClicks`). An event destination whose types
 * include OPEN or CLICK is what turns SES's tracking on for the configuration set: SES then adds a
 * pixel to every message and rewrites every link (SES API v2 reference, TrackingConfigurationOverrides:
 * tracking follows the account's and the configuration set's EngagementMetrics and "whether that
 * configuration set has an event destination whose MatchingEventTypes include the OPEN or CLICK event types").
 */
export const TRACKING_EVENTS = [ses.EmailSendingEvent.OPEN, ses.EmailSendingEvent.CLICK];

export class SesFeedback extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** ARN of the configuration set (SendRawEmail is authorised against it as well as the identity). */
  readonly configurationSetArn: string;
  readonly topic: sns.Topic;
  readonly handler: CourseFunction;
  /** ses-events invocations that failed every retry: their bounces or complaints are not recorded yet. */
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: SesFeedbackProps) {
    super(scope, id);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      // Account-level bounce and complaint rates in CloudWatch: the alarms watch these.
      reputationMetrics: true,
      sendingEnabled: true,
      // Lessons are medical reading: deliver over TLS or not at all (a server that cannot do TLS
      // bounces, and the address stops receiving mail, rather than getting it in clear text).
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      // Tracking off: also override the account's VDM engagement metrics, which would otherwise track
      // opens and clicks for this configuration set too. On: the OPEN and CLICK destination does it.
      ...(props.trackOpensAndClicks ? {} : { vdmOptions: { engagementMetrics: false } }),
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.senderDomain),
      dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      dkimSigning: true,
      configurationSet: this.configurationSet,
      mailFromDomain: props.mailFromDomain,
      // Until the MAIL FROM MX record exists, send with SES's own MAIL FROM rather than fail.
      mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
      // Bounces and complaints come through the configuration set's events, not as email.
      feedbackForwarding: false,
    });

    props.topicKey.allowPublishingBy('ses.amazonaws.com');
    this.topic = new sns.Topic(this, 'Events', {
      displayName: 'Email course SES events',
      masterKey: props.topicKey.key,
      enforceSSL: true,
    });
    // Adds the topic policy that lets SES (for this configuration set only) publish.
    this.configurationSet.addEventDestination('ToTopic', {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: props.trackOpensAndClicks ? [...SES_EVENTS, ...TRACKING_EVENTS] : SES_EVENTS,
    });

    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.handler = new CourseFunction(this, 'Handler', {
      entry: 'functions/handlers/ses-events.ts',
      description: 'Email course SES events: bounces, complaints, deliveries (and opens, clicks when tracked)',
      // A handful of conditional writes per notification; the smallest size that cold-starts quickly.
      memorySize: 256,
      // Each invocation is one SNS message (one event); 30 s covers DynamoDB retries with room.
      timeout: Duration.seconds(30),
      environment: props.environment,
      // SNS invokes asynchronously; a notification that still fails after Lambda's two retries is
      // kept here (and alarmed on) rather than lost: a lost complaint means mailing a complainer.
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
    });
    this.topic.addSubscription(new subscriptions.LambdaSubscription(this.handler.function));
  }

  /**
   * Let a function send raw email as this identity through this configuration set.
   *
   * In the SES sandbox (`sandbox: true`), SES authorises SendRawEmail against the recipient's
   * verified identity as well as the sender's, so a policy naming only the domain identity is
   * refused ("not authorized to perform ses:SendRawEmail on resource …identity/you@gmail.com")
   * for the verified test inbox. The sandbox grant therefore covers every identity of this account
   * in this region (`identity/*`: only identities verified here can be sent from or, in the
   * sandbox, to); after production access, deploy with `-c sesSandbox=false` to narrow it back.
   */
  grantSend(grantee: iam.IGrantable, options: { sandbox?: boolean } = {}): void {
    const identities = options.sandbox
      ? Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })
      : this.identity.emailIdentityArn;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [identities, this.configurationSetArn],
      }),
    );
    const principal = grantee.grantPrincipal;
    if (options.sandbox && Construct.isConstruct(principal)) {
      Validations.of(principal).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        reason:
          "SES sandbox (sesSandbox=true, the default for a new account): SES also checks SendRawEmail against the recipient's " +
          "verified identity, so the grant must cover this account's identities in this region; the action is only ses:SendRawEmail " +
          'through the course configuration set. Deploy with -c sesSandbox=false after production access to name the domain identity only.',
      });
    }
  }

  /** Read the account's sending quota and rate (ses:GetSendQuota). */
  grantReadQuota(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:GetSendQuota'],
        // GetSendQuota reads an account-wide number and has no resource type, so IAM accepts only
        // "*" here; the action itself is read-only and this is the only action in the statement.
        resources: ['*'],
      }),
    );
    const principal = grantee.grantPrincipal;
    if (Construct.isConstruct(principal)) {
      Validations.of(principal).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ses:GetSendQuota has no resource type, so IAM accepts only "*"; it is a read of the account\'s own sending limits and the only action in that statement.',
      });
    }
  }
}
