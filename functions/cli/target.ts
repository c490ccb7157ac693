// Which table the operator CLI works on: the local stack's (DynamoDB Local, the default), a deployed table
// named with --table, or the table of a deployed CloudFormation stack named with --stack (its
// TableName output). Deployed targets use the usual AWS credential chain.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { createDocumentClient, createDynamoClient, LOCAL_CREDENTIALS } from '../adapters/dynamo-client.js';

export const LOCAL_DYNAMODB_URL = 'http://127.0.0.1:8000';
export const LOCAL_SES_URL = 'http://127.0.0.1:8005';
export const LOCAL_TABLE_NAME = 'email-course';

/** The settings the CLI reads from its environment (read once, in main). */
export interface CliEnv {
  TABLE_NAME?: string;
  AWS_ENDPOINT_URL_DYNAMODB?: string;
  AWS_ENDPOINT_URL_SES?: string;
  PUBLIC_URL?: string;
  DATA_DIR?: string;
  TOKEN_SECRET_ID?: string;
  SES_CONFIGURATION_SET?: string;
  DUE_SHARDS?: string;
}

export interface Target {
  kind: 'local' | 'deployed';
  tableName: string;
  /** For messages: which table, where. */
  description: string;
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** An SES client for the same place (the emulator locally). */
  ses(): SESClient;
  close(): void;
}

/** The stack output holding the table name: `TableName`, or failing that one ending in `TableName`. */
export async function tableNameOfStack(stackName: string, cloudFormation: CloudFormationClient = new CloudFormationClient({})): Promise<string> {
  let outputs;
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = out.Stacks?.[0]?.Outputs ?? [];
  } catch (e: unknown) {
    throw new Error(`Cannot describe the stack ${stackName} (check its name, region and your AWS credentials)`, { cause: e });
  } finally {
    cloudFormation.destroy();
  }
  const output = outputs.find((o) => o.OutputKey === 'TableName') ?? outputs.find((o) => o.OutputKey?.endsWith('TableName'));
  if (!output?.OutputValue) throw new Error(`The stack ${stackName} has no TableName output`);
  return output.OutputValue;
}

export async function resolveTarget(options: { table?: string; stack?: string }, env: CliEnv): Promise<Target> {
  if (options.table !== undefined || options.stack !== undefined) {
    const tableName = options.table ?? (await tableNameOfStack(options.stack ?? ''));
    // No endpoint: the region's DynamoDB (the SDK still honours AWS_ENDPOINT_URL_DYNAMODB if set).
    const dynamo = createDynamoClient();
    let ses: SESClient | undefined;
    return {
      kind: 'deployed',
      tableName,
      description: `table ${tableName}${options.stack ? ` of stack ${options.stack}` : ''}`,
      dynamo,
      doc: createDocumentClient(dynamo),
      ses: () => (ses ??= new SESClient({ cacheMiddleware: true })),
      close: () => {
        dynamo.destroy();
        ses?.destroy();
      },
    };
  }
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB || LOCAL_DYNAMODB_URL;
  const tableName = env.TABLE_NAME || LOCAL_TABLE_NAME;
  const dynamo = createDynamoClient({ endpoint });
  let ses: SESClient | undefined;
  return {
    kind: 'local',
    tableName,
    description: `local table ${tableName} at ${endpoint}`,
    dynamo,
    doc: createDocumentClient(dynamo),
    ses: () => (ses ??= new SESClient({ endpoint: env.AWS_ENDPOINT_URL_SES || LOCAL_SES_URL, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, cacheMiddleware: true })),
    close: () => {
      dynamo.destroy();
      ses?.destroy();
    },
  };
}
