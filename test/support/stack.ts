// One shared helper for integration tests: connect to the run's DynamoDB Local, start the SES emulator once per
// test file (call in beforeAll), hand out real SDK clients, and give each test its own table.
//
// Why one DynamoDB Local for the whole run is safe (test/support/global-dynamo.ts starts it): tables are the
// unit of isolation. DynamoDB Local with -sharedDb keys its data by table name only (no account or region),
// and every test makes its own table with a random name (newTable(), localStackEnv()), so no file can see
// or change another's items; no test lists, scans across or deletes tables. The SES emulator stays per
// file: its inbox is one store that tests read whole.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import {
  startDynamoDbLocal,
  startSesEmulator,
  emulatorEmails,
  clearEmulator,
  type RunningService,
} from '../../functions/local/services.js';
import { tableDefinition } from '../../functions/adapters/table.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface TestStack {
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** A raw client with cacheMiddleware, for drip stores (as the drip Lambda has; a DocumentClient refuses one). */
  dripDynamo: DynamoDBClient;
  ses: SESClient;
  dynamoUrl: string;
  sesUrl: string;
  /** Create a fresh table (its own key space) and return its name. */
  newTable(): Promise<string>;
  emails(): ReturnType<typeof emulatorEmails>;
  clearEmails(): Promise<void>;
  stop(): Promise<void>;
}

/** A table name no other test uses (DynamoDB Local is shared by the whole run). */
export const uniqueTableName = (): string => `t-${randomUUID().replace(/-/g, '').slice(0, 16)}`;

/** The run's shared DynamoDB Local (global-dynamo.ts), or undefined when the run has none. */
function sharedDynamoDbUrl(): string | undefined {
  // Typed as always provided, but a run without global-dynamo.ts (another config) provides nothing.
  const url: string | undefined = inject('dynamoDbUrl');
  return url;
}

/**
 * Settings for a local stack (startLocalStack via parseLocalSettings) that only needs a DynamoDB: the run's
 * shared one and a table of its own, so the stack starts no JVM. Empty when the run has no shared one.
 */
export function localStackEnv(): Record<string, string> {
  const url = sharedDynamoDbUrl();
  return url === undefined ? {} : { AWS_ENDPOINT_URL_DYNAMODB: url, TABLE_NAME: uniqueTableName() };
}

export async function startTestStack(): Promise<TestStack> {
  // Only what this file started is stopped by stop(): never the shared DynamoDB Local.
  const services: RunningService[] = [];
  let dynamoUrl = sharedDynamoDbUrl();
  if (dynamoUrl === undefined) {
    const dynamoDbLocal = await startDynamoDbLocal();
    services.push(dynamoDbLocal);
    dynamoUrl = dynamoDbLocal.url;
  }
  const sesEmu = await startSesEmulator();
  services.push(sesEmu);
  const dynamo = new DynamoDBClient({ endpoint: dynamoUrl, region: 'us-east-1', credentials });
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const dripDynamo = new DynamoDBClient({ endpoint: dynamoUrl, region: 'us-east-1', credentials, cacheMiddleware: true });
  const ses = new SESClient({ endpoint: sesEmu.url, region: 'us-east-1', credentials, cacheMiddleware: true });
  return {
    dynamo,
    doc,
    dripDynamo,
    ses,
    dynamoUrl,
    sesUrl: sesEmu.url,
    async newTable() {
      const name = uniqueTableName();
      await dynamo.send(new CreateTableCommand(tableDefinition(name)));
      return name;
    },
    emails: () => emulatorEmails(sesEmu.url),
    clearEmails: () => clearEmulator(sesEmu.url),
    async stop() {
      dynamo.destroy();
      dripDynamo.destroy();
      ses.destroy();
      for (const s of services.reverse()) await s.close();
    },
  };
}
