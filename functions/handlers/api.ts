// The api Lambda: the HTTP app behind API Gateway. Deps are built once per container (config,
// clients, token key and, behind CloudFront, the origin-verify secret from Secrets Manager, the
// course compiled at build time) and reused.
import { handle, getConnInfo, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { parseApiLambdaSettings } from '../adapters/config.js';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { createLambdaObservability } from '../adapters/observability.js';
import { loadOriginVerifySecret } from '../adapters/origin-verify.js';
import { systemClock } from '../core/ports.js';
import { createApp } from '../http/app.js';
import { ORIGIN_VERIFY_HEADER, trustedClientIp, VIEWER_ADDRESS_HEADER } from '../http/client-ip.js';
import { loadLambdaRuntime } from './runtime.js';

type Handler = ReturnType<typeof handle>;

// Logs as JSON objects (Powertools Logger); the api emits no metrics of its own (API Gateway's suffice).
const observability = createLambdaObservability('api');
const { log } = observability;

async function buildHandler(env: NodeJS.ProcessEnv): Promise<Handler> {
  const settings = parseApiLambdaSettings(env, log);
  const [{ config, tokens, courses }, originSecret] = await Promise.all([
    loadLambdaRuntime(env, log, settings),
    settings.originVerifySecretId === undefined ? undefined : loadOriginVerifySecret(settings.originVerifySecretId),
  ]);
  const doc = createDocumentClient(createDynamoClient());
  // No mailer and no composer: a signup is stored for the outbox and the drip sends its confirmation
  // (core/signup-outbox.ts), so this role holds no ses:SendRawEmail.
  const deps = {
    store: createDynamoStore({ doc, tableName: config.tableName, dueShards: config.dueShards }),
    clock: systemClock,
    tokens,
    courses,
    config,
    log,
  };
  // API Gateway's sourceIp is the connection's address; X-Forwarded-For can be written by the client.
  // Behind CloudFront that address is CloudFront's, and the viewer's is in CloudFront-Viewer-Address,
  // believed only with the origin-verify secret CloudFront adds (client-ip.ts trustedClientIp).
  const clientIp = (c: Parameters<typeof getConnInfo>[0]) =>
    trustedClientIp(
      {
        viewerAddress: c.req.header(VIEWER_ADDRESS_HEADER),
        originVerify: c.req.header(ORIGIN_VERIFY_HEADER),
        connectionIp: getConnInfo(c).remote.address,
      },
      originSecret,
    );
  const app = createApp({ deps, corsOrigins: config.corsOrigins, clientIp, log });
  return handle(app);
}

let ready: Promise<Handler> | undefined;

export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  observability.startInvocation(context);
  ready ??= buildHandler(process.env);
  // A failed start (a secret not readable yet) is not kept: the next invocation tries again.
  const current = ready;
  void current.catch(() => {
    if (ready === current) ready = undefined;
  });
  return (await current)(event, context);
};
