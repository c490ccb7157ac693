// The api Lambda's handler as Lambda calls it: API Gateway HTTP API (v2) events in, proxy results out,
// with the precompiled course from LAMBDA_TASK_ROOT and the key from Secrets Manager. DynamoDB and
// SES are DynamoDB Local and the emulator (through the SDK's standard AWS_ENDPOINT_URL_* settings);
// Secrets Manager, which has no emulator here, is stood in for by a tiny HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { keys } from '../../../functions/adapters/table.js';
import { compileShippedCourse, shippedCourse } from '../../support/course.js';
import { createDynamoStore } from '../../../functions/adapters/dynamo-store.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { systemClock } from '../../../functions/core/ports.js';
import { sweepSignups } from '../../../functions/core/signup-outbox.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { messageComposer } from '../../../functions/email/composer.js';

let stack: TestStack;
let secrets: Server;
let taskRoot: string;
let table: string;
const secretRequests: string[] = [];
const SECRET = 'x'.repeat(20) + 'LambdaTokenKey0123456789abcdefghij';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;
let handler: Handler;

beforeAll(async () => {
  stack = await startTestStack();
  table = await stack.newTable();
  taskRoot = await mkdtemp(join(tmpdir(), 'api-lambda-'));
  await writeFile(join(taskRoot, 'compiled-course.json'), JSON.stringify([await compileShippedCourse()]));
  secrets = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      secretRequests.push(`${String(req.headers['x-amz-target'])} ${body}`);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:token-key', Name: 'token-key', SecretString: SECRET }),
      );
    });
  });
  await new Promise<void>((resolve) => secrets.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    TABLE_NAME: table,
    PUBLIC_URL: 'https://course.example.com',
    TOKEN_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:token-key',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl,
    AWS_ENDPOINT_URL_SES: stack.sesUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
  });
  ({ handler } = (await import('../../../functions/handlers/api.js')) as unknown as { handler: Handler });
});
afterAll(async () => {
  await stack.stop();
  await new Promise((resolve) => secrets.close(resolve));
  await rm(taskRoot, { recursive: true, force: true });
});

function event(method: string, path: string, options: { body?: string; headers?: Record<string, string>; query?: string } = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'Mozilla/5.0 test', ...options.headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.50', userAgent: 'Mozilla/5.0 test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '02/Mar/2026:10:00:00 +0000',
      timeEpoch: 1772445600000,
    },
    ...(options.body === undefined ? {} : { body: options.body, isBase64Encoded: false }),
  };
}
const context = { functionName: 'api', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 };

describe('the api Lambda handler', () => {
  it('serves the signup page from the precompiled course', async () => {
    const res = await handler(event('GET', '/'), context);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<form id="signup" method="post" action="subscribe">');
    expect(JSON.stringify(res.headers)).toContain('frame-ancestors');
  });

  it('subscribes with the caller’s sourceIp (not a client-written X-Forwarded-For) and mails a link on PUBLIC_URL', async () => {
    const res = await handler(
      event('POST', '/subscribe', {
        body: JSON.stringify({ email: 'lambda@example.com' }),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9' },
      }),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true });
    // In AWS the confirmation goes out from the outbox on the next drip run: its sweep, with the
    // same key and public URL (the drip Lambda's own wiring is exercised in test/infra/bundles.test.ts).
    const compiled = await compileShippedCourse();
    const signups = {
      store: createDynamoStore({ doc: stack.doc, tableName: table, dueShards: 8 }),
      mailer: createSesMailer({ client: stack.ses }),
      clock: systemClock,
      tokens: createTokens(Buffer.from(SECRET, 'utf8')),
      compiled,
      composer: messageComposer,
      config: { publicUrl: 'https://course.example.com', signupsPerIpPerHour: 20 },
    };
    expect(await sweepSignups(signups, { deadline: new Date(Date.now() + 60_000) })).toMatchObject({ found: 1, done: 1 });
    const lock = await stack.doc.send(new GetCommand({ TableName: table, Key: keys.address(shippedCourse().slug, 'lambda@example.com') }));
    const sub = await stack.doc.send(new GetCommand({ TableName: table, Key: keys.subscriber(String(lock.Item?.id)) }));
    expect(sub.Item?.consent).toMatchObject({ ip: '203.0.113.50', userAgent: 'Mozilla/5.0 test' });
    const mail = (await stack.emails()).find((e) => e.destination.to.some((t) => t.includes('lambda@example.com')));
    const token = /https:\/\/course\.example\.com\/confirm\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
    expect(token).toBeDefined();

    const page = await handler(event('GET', '/confirm', { query: `token=${token}` }), context);
    expect(page.body).toContain('Yes, start the course');
    const confirmed = await handler(event('POST', '/confirm', { query: `token=${token}` }), context);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('You are subscribed');
  });

  it('reads the key from Secrets Manager once per container', async () => {
    await handler(event('GET', '/'), context);
    await handler(event('GET', '/'), context);
    expect(secretRequests).toHaveLength(1);
    expect(secretRequests[0]).toContain('secretsmanager.GetSecretValue');
  });

  it('has no local drip route', async () => {
    const res = await handler(event('POST', '/__local/drip', { body: '{}', headers: { 'content-type': 'application/json' } }), context);
    expect(res.statusCode).toBe(404);
  });

  it('answers a bad token with a 400 page, not a 500', async () => {
    const res = await handler(
      event('POST', '/unsubscribe', {
        query: 'token=forged',
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      context,
    );
    expect(res.statusCode).toBe(400);
  });
});
