// Starts ONE DynamoDB Local (in memory, -sharedDb, as startTestStack used to start per file) for the
// whole `vitest run` and hands its URL to the test files as inject('dynamoDbUrl'). Each JVM costs
// seconds of start-up and hundreds of MB on this 2-core machine; ~25 files used to start their own.
// Every test project's setup gets the same one (run-once.ts). Why sharing is safe: see
// test/support/stack.ts. Stopped when the run ends.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../functions/local/services.js';
import { runOnce } from './run-once.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = await runOnce(
    'dynamodb-local',
    () => startDynamoDbLocal(),
    (db) => db.close(),
  );
  project.provide('dynamoDbUrl', shared.value.url);
  return shared.release;
}
