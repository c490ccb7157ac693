// The api Lambda: the HTTP app behind API Gateway. Deps are built once per container (config,
// clients, token key from Secrets Manager, the course compiled at build time) and reused.
import { SESClient } from '@aws-sdk/client-ses';
import { handle, getConnInfo, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { parseConfig } from '../adapters/config.js';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import { loadSecretTokenKey } from '../adapters/token-key.js';
import { systemClock } from '../core/ports.js';
import { createTokens } from '../core/tokens.js';
import { loadPrecompiledCourse } from '../email/precompiled.js';
import { createApp } from '../http/app.js';

type Handler = ReturnType<typeof handle>;

async function buildHandler(env: NodeJS.ProcessEnv): Promise<Handler> {
  const config = parseConfig(env);
  const secretArn = env.TOKEN_SECRET_ARN;
  if (!secretArn) throw new Error('Bad setting TOKEN_SECRET_ARN: required (the Secrets Manager secret holding the link-signing key)');
  const [key, compiled] = await Promise.all([
    loadSecretTokenKey(secretArn),
    // The CDK bundle ships the course compiled at build time next to this file; mjml never loads here.
    loadPrecompiledCourse(`${env.LAMBDA_TASK_ROOT ?? '.'}/compiled-course.json`),
  ]);
  const doc = createDocumentClient(createDynamoClient());
  const deps = {
    store: createDynamoStore({ doc, tableName: config.tableName, dueShards: config.dueShards }),
    mailer: createSesMailer({ client: new SESClient({}), ...(config.configurationSet === undefined ? {} : { configurationSet: config.configurationSet }) }),
    clock: systemClock,
    tokens: createTokens(key),
    compiled,
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
