// The KMS key the course's SNS topics are encrypted with. SNS's AWS-managed key (alias/aws/sns)
// cannot be used by SES or CloudWatch to publish, so the topics need a key whose policy lets
// exactly those services use it, and only for SNS topics of this account and region.
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export class TopicKey extends Construct {
  readonly key: kms.Key;
  private readonly publishers = new Set<string>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the email course SNS topics (SES events, alarms)',
      // Yearly automatic rotation: $1 a month per key plus $1 a month for each of the first two
      // rotations (AWS KMS pricing); nothing to do by hand, old versions keep decrypting.
      enableKeyRotation: true,
      // Topics hold messages only in flight; nothing encrypted with this key outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
  }

  /**
   * Let an AWS service (e.g. `ses.amazonaws.com`) publish to topics encrypted with this key.
   *
   * The statement is the form the SNS developer guide gives for event sources from AWS services
   * ("Enable compatibility between event sources from AWS services and encrypted topics":
   * the service principal, kms:GenerateDataKey* and kms:Decrypt, and no aws:SourceAccount or
   * aws:SourceArn: the SES and SNS guides use none, and the EventBridge guide documents that such
   * a condition on the key drops every event silently). It is scoped instead by
   * the encryption context SNS itself sets on every data key, `aws:sns:topicArn`, to topics of
   * this account and region (the condition the GameLift and SNS guides show for SSE topics).
   */
  allowPublishingBy(servicePrincipal: string): void {
    if (this.publishers.has(servicePrincipal)) return;
    this.publishers.add(servicePrincipal);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `PublishFrom${servicePrincipal.split('.')[0] ?? servicePrincipal}`,
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        // What a publisher to an SSE topic needs; named, not kms:GenerateDataKey*.
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: { StringLike: { [TOPIC_ARN_CONTEXT]: `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` } },
      }),
    );
  }
}

/** The encryption context key SNS puts on the data keys of an encrypted topic. */
export const TOPIC_ARN_CONTEXT = 'kms:EncryptionContext:aws:sns:topicArn';
