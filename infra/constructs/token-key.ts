// The key that signs the tokens in confirm and unsubscribe links: a Secrets Manager secret
// generated at deploy, never in code, in context or in the template.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface TokenKeyProps {
  /**
   * What CloudFormation does with the secret when it leaves the stack.
   * @default RemovalPolicy.RETAIN: a new key would break every unsubscribe link already sent
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The token signing key. Grant reads with `grantRead`; handlers read it once per container. */
export class TokenKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: TokenKeyProps = {}) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'HMAC key for the email course confirm and unsubscribe link tokens',
      // 64 characters from [A-Za-z0-9]: about 380 bits, and nothing that needs escaping anywhere.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'No automatic rotation: unsubscribe tokens must work for the life of the list (every email already sent carries one), ' +
        'so a rotated key would silently break one-click unsubscribe. Rotating needs a key ring in the token code first.',
    });
  }

  /**
   * Let a function read the key: secretsmanager:GetSecretValue on this secret only, the one call
   * the handlers make (functions/adapters/token-key.ts loadSecretTokenKey). Not `Secret.grantRead`,
   * which adds DescribeSecret; the secret uses the aws/secretsmanager key, so no KMS grant is needed.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [this.secret.secretArn] });
  }
}
