// The stateful stack: what must survive every redeploy and teardown of the rest (the subscriber
// table, and the token key without which the unsubscribe links already sent stop working).
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SubscriberTable } from './constructs/subscriber-table.js';
import { TokenKey } from './constructs/token-key.js';

export class CourseDataStack extends Stack {
  readonly subscribers: SubscriberTable;
  readonly tokenKey: TokenKey;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.subscribers = new SubscriberTable(this, 'Subscribers');
    this.tokenKey = new TokenKey(this, 'TokenKey');
    new CfnOutput(this, 'TableName', {
      description: 'The subscriber table (retained on stack deletion)',
      value: this.subscribers.table.tableName,
    });
    // Both are what `cdk import` asks for to re-attach the kept resources after a full teardown.
    new CfnOutput(this, 'TokenKeySecretArn', {
      description: 'The link-signing key secret (retained on stack deletion)',
      value: this.tokenKey.secret.secretArn,
    });
  }
}
