// One shared helper for integration tests: start AWS's DynamoDB Local and the SES emulator once per test file
// (call in beforeAll), hand out real SDK clients, and give each test its own table.
import { randomUUID } from 'node:crypto';
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

export async function startTestStack(): Promise<TestStack> {
  const services: RunningService[] = [];
  const dynamoDbLocal = await startDynamoDbLocal();
  services.push(dynamoDbLocal);
  const sesEmu = await startSesEmulator();
  services.push(sesEmu);
  const dynamo = new DynamoDBClient({ endpoint: dynamoDbLocal.url, region: 'us-east-1', credentials });
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const dripDynamo = new DynamoDBClient({ endpoint: dynamoDbLocal.url, region: 'us-east-1', credentials, cacheMiddleware: true });
  const ses = new SESClient({ endpoint: sesEmu.url, region: 'us-east-1', credentials, cacheMiddleware: true });
  return {
    dynamo,
    doc,
    dripDynamo,
    ses,
    dynamoUrl: dynamoDbLocal.url,
    sesUrl: sesEmu.url,
    async newTable() {
      const name = `t-${randomUUID().slice(0, 8)}`;
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
