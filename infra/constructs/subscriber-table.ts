// The one DynamoDB table of the course (subscribers, send records, counters), declared with the
// exact shape functions/adapters/table.ts gives the local stack: the key scheme lives there.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DUE_INDEX, DUE_SHARD_ATTR, DUE_SORT_ATTR, TTL_ATTR } from '../../functions/adapters/table.js';

export interface SubscriberTableProps {
  /**
   * What CloudFormation does with the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN: the subscriber list and its consent records outlive any stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The item actions a function may be granted on the table (`SubscriberTable.grant`). Deliberately
 * absent: Scan (a full-table read has no place in a request or a drip run; the operator CLI runs with
 * the operator's credentials), transactions, table management, and stream reads (no stream).
 */
export type ItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem';

/** The subscriber table: on-demand, point-in-time recovery, TTL for pending signups, the due index. */
export class SubscriberTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SubscriberTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      // On-demand: a course list is idle most of the week and bursts on drip runs; nothing to size.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Only pending signups (and rate-limit / event-dedupe items) carry it: unconfirmed addresses
      // expire by themselves, nothing else is deleted by TTL.
      timeToLiveAttribute: TTL_ATTR,
      // The aws/dynamodb KMS key: encryption at rest with key use visible in CloudTrail, at no key
      // fee. A customer-managed key would add $1/month and a key policy to look after, for no gain
      // while nothing outside this account reads the table.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Belt and braces with RETAIN: the table also survives a console or API delete by mistake.
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Sparse (only active subscribers carry the attributes) and sharded (dueShard = DUE#0..n), so
    // "who is due now" reads only due items and no partition gets hot. Keys only: the drip claims
    // each subscriber with a conditional update that returns the item anyway.
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX,
      partitionKey: { name: DUE_SHARD_ATTR, type: dynamodb.AttributeType.STRING },
      sortKey: { name: DUE_SORT_ATTR, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }

  /** ARN of the due index (Query on an index is authorised against the index's own ARN). */
  get dueIndexArn(): string {
    return `${this.table.tableArn}/index/${DUE_INDEX}`;
  }

  /**
   * Let a function make exactly these item calls, on the table only (not its indexes): each caller
   * names the calls its code path makes, rather than every item action (least privilege per role).
   */
  grant(grantee: iam.IGrantable, ...actions: ItemAction[]): iam.Grant {
    if (actions.length === 0) throw new Error('SubscriberTable.grant: name the actions the function calls');
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn] });
  }

  /**
   * Let a function Query the due index, by name (no `index/*` wildcard): a Query on an index is
   * authorised against the index's own ARN (DynamoDB developer guide, "Using IAM policy conditions
   * for fine-grained access control"; API_Query: "IndexName ... the ARN of the index").
   */
  grantDueIndexQuery(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [this.dueIndexArn] });
  }

  /**
   * Let the drip run PartiQL UPDATE statements on the table (its batched claims, advances and claim
   * releases go through BatchExecuteStatement, which IAM authorises per statement kind:
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html). No select, insert or delete.
   */
  grantDripStatements(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:PartiQLUpdate'], resourceArns: [this.table.tableArn] });
  }

  /** Let a function put items, on the table only (the drip planner's one-plan-per-tick item). */
  grantPutItem(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'dynamodb:PutItem');
  }
}
