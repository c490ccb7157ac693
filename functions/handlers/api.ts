// The api Lambda: the HTTP app behind API Gateway. Deps are built once per container (config,
// clients, token key from Secrets Manager, the course compiled at build time) and reused.
import { SESClient } from '@aws-sdk/client-ses';
import { handle, getConnInfo, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import { systemClock } from '../core/ports.js';
import { createApp } from '../http/app.js';
import { loadLambdaRuntime } from './runtime.js';

type Handler = ReturnType<typeof handle>;

async function buildHandler(env: NodeJS.ProcessEnv): Promise<Handler> {
  const { config, tokens, compiled, courses } = await loadLambdaRuntime(env);
  const doc = createDocumentClient(createDynamoClient());
  const deps = {
    store: createDynamoStore({ doc, tableName: config.tableName, dueShards: config.dueShards }),
    // cacheMiddleware: the middleware chain is built once, not on every send.
    mailer: createSesMailer({ client: new SESClient({ cacheMiddleware: true }), ...(config.configurationSet === undefined ? {} : { configurationSet: config.configurationSet }) }),
    clock: systemClock,
    tokens,
    compiled,
    courses,
    config,
    warn: (msg: string, fields: Record<string, unknown>) => console.warn(JSON.stringify({ level: 'warn', msg, ...fields })),
  };
  // API Gateway's sourceIp is the connection's address; X-Forwarded-For can be written by the client.
  const app = createApp({ deps, corsOrigins: config.corsOrigins, clientIp: (c) => getConnInfo(c).remote.address });
  return handle(app);
}

let ready: Promise<Handler> | undefined;

export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  ready ??= buildHandler(process.env);
  // A failed start (a secret not readable yet) is not kept: the next invocation tries again.
  const current = ready;
  void current.catch(() => {
    if (ready === current) ready = undefined;
  });
  return (await current)(event, context);
};
