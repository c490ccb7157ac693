// The api Lambda: the HTTP app (functions/http/app.ts) behind API Gateway. Its deps (settings, the
// link-signing key and, behind CloudFront, the origin-verify secret from Secrets Manager, the courses
// compiled at build time) are built once per container by functions/wiring.ts.
import { apiLambda, type ApiContext, type ApiEvent } from '../wiring/api.js';

const api = apiLambda();

export const handler = api.handle(async (event: ApiEvent, context: ApiContext) => (await api.deps())(event, context));
