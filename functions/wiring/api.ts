// The api Lambda's deps (functions/handlers/api.ts): the HTTP app on API Gateway's events.
import { getConnInfo, handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { parseApiLambdaSettings } from '../adapters/config.js';
import { createDocumentClient, createDynamoClient } from '../adapters/dynamo-client.js';
import { loadOriginVerifySecret } from '../adapters/origin-verify.js';
import { loadSecretTokenKey } from '../adapters/token-key.js';
import { courseCatalog } from '../core/courses.js';
import { createTokens } from '../core/tokens.js';
import { voteMetricsPublisher } from '../adapters/vote-metrics.js';
import { loadCourseManifests } from '../email/course-manifests.js';
import { loadPrecompiledCourses } from '../email/precompiled.js';
import { createApp } from '../http/app.js';
import { ORIGIN_VERIFY_HEADER, trustedClientIp, VIEWER_ADDRESS_HEADER } from '../http/client-ip.js';
import { siteDeps } from './deps.js';
import { busEvents } from './events.js';
import { lambdaHandler } from './lambda.js';

/** The api's deps: the HTTP app as a handler of API Gateway's events (hono/aws-lambda). */
export type ApiApp = ReturnType<typeof handle>;

/**
 * The api Lambda's handler of `fn`, which gets the app built once per container (settings, the
 * link-signing key and, behind CloudFront, the origin-verify secret, each course's manifest shipped
 * beside the bundle as course-manifests.json; the compiled lessons beside them, compiled-course.json, are
 * read only for a lesson's web version; no MIME composer). Logs as JSON; its only metrics are the learners' votes (API Gateway's count the rest).
 */
export function apiLambda<R>(
  fn: (app: ApiApp, event: LambdaEvent, context: LambdaContext) => Promise<R>,
  env: NodeJS.ProcessEnv = process.env,
) {
  return lambdaHandler(
    'api',
    async ({ log }) => {
      const settings = parseApiLambdaSettings(env, log);
      const { app: config, tokenSecretId, taskRoot, originVerifySecretId } = settings;
      const [key, manifests, origin] = await Promise.all([
        loadSecretTokenKey(tokenSecretId),
        loadCourseManifests(`${taskRoot}/course-manifests.json`),
        originVerifySecretId === undefined ? undefined : loadOriginVerifySecret(originVerifySecretId),
      ]);
      const tokens = createTokens(key);
      const courses = courseCatalog(manifests);
      const doc = createDocumentClient(createDynamoClient());
      // No mailer and no composer: a signup is stored for the outbox and the drip sends its
      // confirmation (core/signup-outbox.ts), so this role holds no ses:SendRawEmail.
      // Confirm, unsubscribe and the learner's controls publish to the bus; a vote also becomes a metric.
      const events = busEvents({ config, log, also: [voteMetricsPublisher('api')] });
      const deps = siteDeps({ doc, tableName: config.tableName, dueShards: config.dueShards, tokens, courses, config, log, events });
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
          origin,
        );
      // The compiled lessons (for their web versions, /learn/lessons/<n>) are read on the first one
      // asked for, not at start: most requests never need them.
      const lessons = async (slug: string) =>
        (await loadPrecompiledCourses(`${taskRoot}/compiled-course.json`)).find((c) => c.course.slug === slug)?.lessons;
      return handle(createApp({ deps, corsOrigins: config.corsOrigins, clientIp, log, lessons }));
    },
    fn,
  );
}
