// The api Lambda: the HTTP app (functions/http/app.ts) behind API Gateway. Its deps (settings, the
// link-signing key and, behind CloudFront, the origin-verify secret from Secrets Manager, the courses
// compiled at build time) are built once per container by functions/wiring/api.ts.
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { apiLambda } from '../wiring/api.js';

export const handler = apiLambda((app, event: LambdaEvent, context: LambdaContext) => app(event, context));
