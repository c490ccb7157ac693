// The floor of each Lambda bundle's init: a bundle of nothing but the AWS SDK clients and the
// Powertools parts that function needs, each client constructed at import as the handlers do, built
// with the same esbuild settings as the stack's (infra/constructs/course-function.ts). What a bundle's
// init costs above its floor is the project's own code and libraries: the target is a ratio to the
// floor measured in the same run (this machine is noisy), not an absolute time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Each bundle's floor: its SDK clients and Powertools parts, and the init-time ratio allowed. */
export const FLOORS: Record<string, { parts: string[]; ratio: number }> = {
  // Signup, confirm, unsubscribe and pages: the table, the link key and the origin secret, the events' bus, logs and metrics.
  api: { parts: ['dynamodb', 'document', 'secrets', 'eventbridge', 'logger', 'metrics'], ratio: 1.5 },
  // The drip: the table, SES, the link key, the events' bus, logs and metrics.
  drip: { parts: ['dynamodb', 'document', 'ses', 'secrets', 'eventbridge', 'logger', 'metrics'], ratio: 2 },
  // SES notifications: the table, the events' bus, logs and metrics.
  'ses-events': { parts: ['dynamodb', 'document', 'eventbridge', 'logger', 'metrics'], ratio: 2 },
};

const PARTS: Record<string, string> = {
  dynamodb: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export const dynamo = new DynamoDBClient({});`,
  document: `import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; import { DynamoDBClient as D2 } from '@aws-sdk/client-dynamodb'; export const doc = DynamoDBDocumentClient.from(new D2({}), { marshallOptions: { removeUndefinedValues: true } });`,
  ses: `import { SESClient } from '@aws-sdk/client-ses'; export const ses = new SESClient({});`,
  // The functions read their secrets with the SDK's client (functions/adapters/secrets.ts), not Powertools Parameters.
  secrets: `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; export const secrets = new SecretsManagerClient({});`,
  // Subscription events (functions/adapters/eventbridge-events.ts): every function that changes a subscription publishes.
  eventbridge: `import { EventBridgeClient } from '@aws-sdk/client-eventbridge'; export const bus = new EventBridgeClient({});`,
  logger: `import { Logger } from '@aws-lambda-powertools/logger'; export const logger = new Logger({ serviceName: 'floor' });`,
  metrics: `import { Metrics } from '@aws-lambda-powertools/metrics'; export const metrics = new Metrics({ namespace: 'floor', serviceName: 'floor' });`,
};

const REPO = fileURLToPath(new URL('..', import.meta.url));
const REQUIRE_BANNER =
  "import{createRequire as __courseCreateRequire}from'node:module';const require=__courseCreateRequire(import.meta.url);";

/** Builds the floor bundle of `name` into `dir`/index.mjs (with a `handler` export, as a real one); answers the file. */
export async function buildFloor(name: string, dir: string): Promise<string> {
  const floor = FLOORS[name];
  if (!floor) throw new Error(`no floor for ${name}`);
  mkdirSync(dir, { recursive: true });
  const contents = [
    ...floor.parts.map((p, i) =>
      PARTS[p]!.replaceAll('export const ', `export const p${i}_`).replace(/import \{ (\w+) \}/g, `import { $1 }`),
    ),
    'export const handler = async () => ({ statusCode: 200 });',
  ].join('\n');
  const file = join(dir, 'index.mjs');
  await build({
    stdin: { contents, resolveDir: REPO, sourcefile: `${name}-floor.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    outfile: file,
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return file;
}
