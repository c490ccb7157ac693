// The api Lambda's handler deployed behind CloudFront (CLIENT_IP_HEADER + ORIGIN_VERIFY_SECRET_ID, as
// infra's behindCloudFront sets them): the consent record's IP, which is also the per-IP signup limit's
// key, comes from CloudFront-Viewer-Address only when the request carries the origin-verify secret.
// DynamoDB is DynamoDB Local; Secrets Manager, which has no emulator here, is a tiny HTTP server that
// answers GetSecretValue for the two secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../functions/adapters/dynamo-store.js';
import type { TestStack } from '../../support/stack.js';
import { apiGatewayEvent, lambdaContext, startApiLambda, type ApiHandler, type ApiLambda } from '../../support/api-lambda.js';

let api: ApiLambda;
let stack: TestStack;
let table: string;
const TOKEN_SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:token-key';
const ORIGIN_SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:origin-verify';
const ORIGIN_SECRET = 'Zq3kV9pWm2Lx7Tb4Nc8Rd1Hs6Jf5Gy0Aa2Bb3Cc4Dd5Ee6';
const SECRET_VALUES: Record<string, string> = {
  [TOKEN_SECRET_ID]: 'x'.repeat(20) + 'LambdaTokenKey0123456789abcdefghij',
  [ORIGIN_SECRET_ID]: ORIGIN_SECRET,
};

let handler: ApiHandler;

beforeAll(async () => {
  api = await startApiLambda({
    secrets: SECRET_VALUES,
    env: () => ({ TOKEN_SECRET_ID, CLIENT_IP_HEADER: 'cloudfront-viewer-address', ORIGIN_VERIFY_SECRET_ID: ORIGIN_SECRET_ID }),
  });
  ({ handler, stack, table } = api);
});
afterAll(() => api.close());

/** POST /subscribe as API Gateway (payload v2) hands it over, from `sourceIp`, with extra headers. */
function signup(email: string, sourceIp: string, headers: Record<string, string>) {
  return apiGatewayEvent('POST', '/subscribe', {
    host: 'course.example.com',
    routeKey: 'POST /subscribe',
    sourceIp,
    requestId: `req-${email}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email }),
  });
}
const context = lambdaContext;

/** The consent IP stored with the outbox request of `email`. */
async function consentIpOf(email: string): Promise<string | undefined> {
  const store = createDynamoStore({ doc: stack.doc, tableName: table, dueShards: 8 });
  // Every request is due by 2100: the outbox reads by next attempt.
  const { requests } = await store.dueSignups(new Date('2100-01-01T00:00:00Z'), 100);
  return requests.find((r) => r.fields.email === email)?.consent.ip;
}

describe('the api Lambda behind CloudFront', () => {
  it('takes the viewer address from a request CloudFront signed with the origin secret', async () => {
    const res = await handler(
      signup('viewer@example.com', '130.176.0.10', {
        'cloudfront-viewer-address': '198.51.100.10:46532',
        'x-origin-verify': ORIGIN_SECRET,
      }),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(await consentIpOf('viewer@example.com')).toBe('198.51.100.10');
  });

  it.each([
    ['no origin header', {}],
    ['a wrong origin secret', { 'x-origin-verify': 'guess-guess-guess-guess-guess-guess' }],
    ['the secret with one character changed', { 'x-origin-verify': `${ORIGIN_SECRET.slice(0, -1)}7` }],
  ])('records a direct request with a forged viewer address and %s at its connection address', async (label, headers) => {
    const email = `forged-${label.replace(/\W+/g, '-')}@example.com`;
    const res = await handler(signup(email, '203.0.113.66', { 'cloudfront-viewer-address': '192.0.2.1:443', ...headers }), context);
    expect(res.statusCode).toBe(200);
    expect(await consentIpOf(email)).toBe('203.0.113.66');
  });
});
