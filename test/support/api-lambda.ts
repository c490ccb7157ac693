// The api Lambda as AWS calls it, for the tests that run its handler (functions/handlers/api.ts) in
// process: API Gateway HTTP API (payload v2) events, a Lambda context, and a stand-in for Secrets
// Manager (which has no emulator here): a tiny HTTP server answering GetSecretValue.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileShippedCourse } from './course.js';
import { startTestStack, type TestStack } from './stack.js';

export interface ApiGatewayEventOptions {
  body?: string;
  headers?: Record<string, string>;
  /** The raw query string, without `?`. */
  query?: string;
  /** The connection's address as API Gateway saw it. Default 203.0.113.50. */
  sourceIp?: string;
  /** The Host header and domain name. Default the API's own execute-api domain. */
  host?: string;
  /** Default `$default`, as the api's catch-all route. */
  routeKey?: string;
  requestId?: string;
}

/** An API Gateway HTTP API (payload format 2.0) event for `method path`, as Lambda hands it to the handler. */
export function apiGatewayEvent(method: string, path: string, options: ApiGatewayEventOptions = {}) {
  const host = options.host ?? 'abc123.execute-api.eu-west-1.amazonaws.com';
  const routeKey = options.routeKey ?? '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { host, 'user-agent': 'Mozilla/5.0 test', ...options.headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '203.0.113.50', userAgent: 'Mozilla/5.0 test' },
      requestId: options.requestId ?? 'req-1',
      routeKey,
      stage: '$default',
      time: '02/Mar/2026:10:00:00 +0000',
      timeEpoch: 1772445600000,
    },
    ...(options.body === undefined ? {} : { body: options.body, isBase64Encoded: false }),
  };
}

/** The parts of a Lambda context the handler reads. */
export const lambdaContext = { functionName: 'api', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 };

export interface SecretsStandIn {
  /** For AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  url: string;
  /** Each request received: `<X-Amz-Target> <body>`. */
  requests: string[];
  close(): Promise<void>;
}

/** Answers GetSecretValue for the secrets in `values` (by SecretId), and ResourceNotFoundException for any other. */
export async function startSecretsStandIn(values: Record<string, string>): Promise<SecretsStandIn> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push(`${String(req.headers['x-amz-target'])} ${body}`);
      const id = (JSON.parse(body) as { SecretId: string }).SecretId;
      const value = values[id];
      res.writeHead(value === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify(
          value === undefined
            ? { __type: 'ResourceNotFoundException', message: id }
            : { ARN: id, Name: id.split(':').pop(), SecretString: value },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What an api Lambda handler returns (API Gateway's proxy result, payload v2). */
export type ApiHandler = (
  event: unknown,
  context: unknown,
) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;

/** The api Lambda's handler as Lambda starts it, on a test stack's table, with what it owns. */
export interface ApiLambda {
  handler: ApiHandler;
  stack: TestStack;
  table: string;
  secrets: SecretsStandIn;
  /** Stops the stack and the Secrets Manager stand-in, and removes the task root. */
  close(): Promise<void>;
}

/**
 * Starts the api Lambda's handler as Lambda would: a test stack and a table of its own, a task root
 * holding what the stack ships beside the api bundle (course-manifests.json and compiled-course.json,
 * written by infra/bundling/after-bundling.mjs --manifests-only), a Secrets Manager stand-in for `secrets`, and
 * the handler imported after the environment is set (its deps are built once per module, as once per
 * container). `env` adds to the settings every api Lambda gets (TABLE_NAME, PUBLIC_URL,
 * LAMBDA_TASK_ROOT, credentials, the DynamoDB and Secrets Manager endpoints). The calling file must
 * run in a module graph of its own (vitest.config.ts FRESH_MODULES).
 */
export async function startApiLambda(o: {
  secrets: Record<string, string>;
  env: (stack: TestStack) => Record<string, string>;
}): Promise<ApiLambda> {
  const stack = await startTestStack();
  const table = await stack.newTable();
  const taskRoot = await mkdtemp(join(tmpdir(), 'api-lambda-'));
  const compiled = await compileShippedCourse();
  await writeFile(join(taskRoot, 'course-manifests.json'), JSON.stringify([{ course: compiled.course }]));
  await writeFile(join(taskRoot, 'compiled-course.json'), JSON.stringify([compiled]));
  const secrets = await startSecretsStandIn(o.secrets);
  Object.assign(process.env, {
    TABLE_NAME: table,
    PUBLIC_URL: 'https://course.example.com',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    ...o.env(stack),
  });
  const { handler } = (await import('../../functions/handlers/api.js')) as unknown as { handler: ApiHandler };
  return {
    handler,
    stack,
    table,
    secrets,
    async close() {
      await stack.stop();
      await secrets.close();
      await rm(taskRoot, { recursive: true, force: true });
    },
  };
}
