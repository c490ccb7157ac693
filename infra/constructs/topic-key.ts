// The KMS key the course's SNS topics are encrypted with. SNS's AWS-managed key (alias/aws/sns)
// cannot be used by SES or CloudWatch to publish, so the topics need a key whose policy lets
// exactly those services, acting for this account, use it.
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
      enableKeyRotation: true,
      // Topics hold messages only in flight; nothing encrypted with this key outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
  }

  /** Let an AWS service (e.g. `ses.amazonaws.com`) publish to topics encrypted with this key. */
  allowPublishingBy(servicePrincipal: string): void {
    if (this.publishers.has(servicePrincipal)) return;
    this.publishers.add(servicePrincipal);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `PublishFrom${servicePrincipal.split('.')[0] ?? servicePrincipal}`,
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        // What a publisher to an SSE topic calls; named, not kms:GenerateDataKey*.
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'], // in a key policy, "*" means this key
        // Only when the service acts for this account (no confused deputy).
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}
