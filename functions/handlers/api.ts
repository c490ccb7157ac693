// The api Lambda: the HTTP app behind API Gateway. Deps are built once per container (config,
// clients, token key from Secrets Manager, the course compiled at build time) and reused.
import { SESClient } from '@aws-sdk/client-ses';
import { handle, getConnInfo, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { createLambdaObservability } from '../adapters/observability.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import { systemClock } from '../core/ports.js';
import { messageComposer } from '../email/composer.js';
import { createApp } from '../http/app.js';
import { viewerIp, VIEWER_ADDRESS_HEADER } from '../http/client-ip.js';
import { loadLambdaRuntime } from './runtime.js';

type Handler = ReturnType<typeof handle>;

// Logs as JSON objects (Powertools Logger); the api emits no metrics of its own (API Gateway's suffice).
const observability = createLambdaObservability('api');
const { log } = observability;

async function buildHandler(env: NodeJS.ProcessEnv): Promise<Handler> {
  const { config, tokens, compiled, courses } = await loadLambdaRuntime(env, log);
  const doc = createDocumentClient(createDynamoClient());
  const deps = {
    store: createDynamoStore({ doc, tableName: config.tableName, dueShards: config.dueShards }),
    // cacheMiddleware: the middleware chain is built once, not on every send.
    mailer: createSesMailer({
      client: new SESClient({ cacheMiddleware: true }),
      ...(config.configurationSet === undefined ? {} : { configurationSet: config.configurationSet }),
    }),
    clock: systemClock,
    tokens,
    compiled,
    courses,
    composer: messageComposer,
    config,
    log,
  };
  // API Gateway's sourceIp is the connection's address; X-Forwarded-For can be written by the client.
  // Behind CloudFront that address is CloudFront's, and the viewer's is in CloudFront-Viewer-Address
  // (set by CloudFront, which replaces any value a client sends).
  const fromConnection = (c: Parameters<typeof getConnInfo>[0]) => getConnInfo(c).remote.address;
  const clientIp =
    config.clientIpHeader === VIEWER_ADDRESS_HEADER
      ? (c: Parameters<typeof getConnInfo>[0]) => viewerIp(c.req.header(VIEWER_ADDRESS_HEADER)) ?? fromConnection(c)
      : fromConnection;
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
