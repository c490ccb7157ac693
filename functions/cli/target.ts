// Which table the operator CLI works on: the local stack's (DynamoDB Local, the default, found through
// the same settings as `npm start`), a deployed table
// named with --table, or the table of a deployed CloudFormation stack named with --stack (its
// TableName output). Deployed targets use the usual AWS credential chain.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { createDocumentClient, createDynamoClient, LOCAL_CREDENTIALS } from '../adapters/dynamo-client.js';
import type { Env } from '../config/parts.js';
import { DEFAULT_PUBLIC_URL, localUrl, pick, readSettings, SETTINGS } from '../config/settings.js';
import { parseLocalSettings, type LocalSettings } from '../local/settings.js';

/**
 * The CLI's environment (read once, in main). Locally the target is found through the local stack's
 * own settings (parseLocalSettings: PORT, DYNAMODB_PORT, SES_PORT, DATA_DIR, PUBLIC_URL, TABLE_NAME
 * and the AWS_ENDPOINT_URL_* overrides), so `course` finds whatever `npm start` started in the same
 * shell; every command reads `cliSettings` below.
 */
export type CliEnv = Env;

/** What every CLI command may read: the courses folder, and for deployed tables the link key, URL and shards. */
export const cliSettings = {
  /** Unset: templates/courses. */
  coursesDir: SETTINGS.coursesDir.part,
  /** The link-signing key's secret (import --send-confirmations on a deployed table). */
  tokenSecretId: SETTINGS.tokenSecretId.part,
  /** The base of links in emails sent to a deployed table's people. */
  publicUrl: SETTINGS.publicUrl.part,
  /** DUE_SHARDS must be the drip's (default 8, as deployed), or a requeued entry is never read. */
  ...pick('configurationSet', 'dueShards'),
  /** Where an import's signed_up events go on a deployed table (locally: DATA_DIR/events.jsonl). */
  ...pick('eventBusName', 'eventsIncludeEmail'),
};

export interface CliSettings {
  coursesDir?: string;
  tokenSecretId?: string;
  publicUrl?: string;
  configurationSet?: string;
  dueShards: number;
  eventBusName?: string;
  eventsIncludeEmail: boolean;
}

/** Throws SettingError naming the first variable that is wrong. */
export function parseCliSettings(env: CliEnv): CliSettings {
  return readSettings(cliSettings, env);
}

export interface Target {
  kind: 'local' | 'deployed';
  /** The local stack's settings, as `npm start` parses them (local targets only). */
  local?: LocalSettings;
  tableName: string;
  /** For messages: which table, where. */
  description: string;
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** An SES client for the same place (the emulator locally). */
  ses(): SESClient;
  close(): void;
}

/** Where the local stack's DynamoDB and SES listen: the AWS_ENDPOINT_URL_* overrides, or the embedded ones' ports. */
export function localEndpoints(settings: LocalSettings): { dynamodb: string; ses: string } {
  return {
    dynamodb: settings.dynamodbEndpoint ?? `http://127.0.0.1:${settings.dynamodbPort}`,
    ses: settings.sesEndpoint ?? `http://127.0.0.1:${settings.sesPort}`,
  };
}

/** The base of links the local stack puts in emails: PUBLIC_URL, or the signup page's own address. */
export function localPublicUrl(settings: LocalSettings): string {
  return settings.publicUrl ?? localUrl(settings.port);
}

/** The base of links in emails the CLI sends: the local stack's, or PUBLIC_URL (default DEFAULT_PUBLIC_URL). */
export function linkBase(target: Target, settings: CliSettings): string {
  return target.local ? localPublicUrl(target.local) : (settings.publicUrl ?? DEFAULT_PUBLIC_URL);
}

/** The stack output holding the table name: `TableName`, or failing that one ending in `TableName`. */
export async function tableNameOfStack(
  stackName: string,
  cloudFormation: CloudFormationClient = new CloudFormationClient({}),
): Promise<string> {
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
  const local = parseLocalSettings(env);
  const { dynamodb: endpoint, ses: sesEndpoint } = localEndpoints(local);
  const tableName = local.app.tableName;
  const dynamo = createDynamoClient({ endpoint });
  let ses: SESClient | undefined;
  return {
    kind: 'local',
    local,
    tableName,
    description: `local table ${tableName} at ${endpoint}`,
    dynamo,
    doc: createDocumentClient(dynamo),
    ses: () =>
      (ses ??= new SESClient({ endpoint: sesEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, cacheMiddleware: true })),
    close: () => {
      dynamo.destroy();
      ses?.destroy();
    },
  };
}
