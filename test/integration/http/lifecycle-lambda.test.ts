// The api Lambda's handler as Lambda calls it: API Gateway HTTP API (v2) events in, proxy results out,
// with the course manifests from LAMBDA_TASK_ROOT and the key from Secrets Manager. DynamoDB and
// SES are DynamoDB Local and the emulator (through the SDK's standard AWS_ENDPOINT_URL_* settings);
// Secrets Manager, which has no emulator here, is stood in for by a tiny HTTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TestStack } from '../../support/stack.js';
import {
  apiGatewayEvent,
  lambdaContext,
  startApiLambda,
  type ApiHandler,
  type ApiLambda,
  type SecretsStandIn,
} from '../../support/api-lambda.js';
import { keys } from '../../../functions/adapters/table.js';
import { compileShippedCourse, shippedCourse } from '../../support/course.js';
import { createDynamoStore } from '../../../functions/adapters/dynamo-store.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { systemClock } from '../../../functions/core/ports.js';
import { courseCatalog } from '../../../functions/core/courses.js';
import { sweepSignups } from '../../../functions/core/signup-outbox.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { messageComposer } from '../../../functions/email/composer.js';

let api: ApiLambda;
let stack: TestStack;
let secrets: SecretsStandIn;
let table: string;
const TOKEN_SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:token-key';
const SECRET = 'x'.repeat(20) + 'LambdaTokenKey0123456789abcdefghij';

let handler: ApiHandler;

beforeAll(async () => {
  api = await startApiLambda({
    secrets: { [TOKEN_SECRET_ID]: SECRET },
    env: (s) => ({ TOKEN_SECRET_ID, AWS_ENDPOINT_URL_SES: s.sesUrl }),
  });
  ({ handler, stack, table, secrets } = api);
});
afterAll(() => api.close());

const event = apiGatewayEvent;
const context = lambdaContext;

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
      courses: courseCatalog([compiled]),
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

  it("shows a lesson's web version from the compiled lessons beside the manifests, read on the first such request", async () => {
    const store = createDynamoStore({ doc: stack.doc, tableName: table, dueShards: 8 });
    const at = new Date().toISOString();
    const id = 'lambda-learner-0000000';
    const consent = { at, ip: '203.0.113.9', userAgent: 'test', page: 'https://course.example.com/' };
    const course = shippedCourse().slug;
    await store.createSubscriber({
      id,
      course,
      email: 'web@example.com',
      name: 'Wen',
      timezone: 'UTC',
      status: 'active',
      nextLesson: 1,
      consent,
      createdAt: at,
    });
    const token = createTokens(Buffer.from(SECRET, 'utf8')).sign({ subscriberId: id, purpose: 'learn', issuedAt: new Date() });
    const page = await handler(event('GET', '/learn/lessons/1', { query: `token=${token}` }), context);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Hi Wen,');
    expect(page.body).toContain(`href="https://course.example.com/learn/lessons/1?token=${token}"`);
    expect((await handler(event('GET', '/learn/lessons/2', { query: `token=${token}` }), context)).statusCode).toBe(404);
    expect((await handler(event('GET', '/learn', { query: `token=${token}` }), context)).body).toContain('Lesson 1 of 8');
  });

  it('reads the key from Secrets Manager once per container', async () => {
    await handler(event('GET', '/'), context);
    await handler(event('GET', '/'), context);
    expect(secrets.requests).toHaveLength(1);
    expect(secrets.requests[0]).toContain('secretsmanager.GetSecretValue');
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
