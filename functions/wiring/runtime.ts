// What the drip Lambdas (the single drip and the fan-out senders) load once per container: parsed
// settings, the link-signing key from Secrets Manager, and every course compiled at synth. (The api
// loads only the course manifests: functions/wiring/api.ts.)
import { parseSendingLambdaSettings, type SendingLambdaSettings } from '../adapters/config.js';
import { loadSecretTokenKey } from '../adapters/token-key.js';
import type { Log } from '../core/ports.js';
import { createTokens } from '../core/tokens.js';
import { courseCatalog } from '../email/compiled-course.js';
import { loadPrecompiledCourses } from '../email/precompiled.js';

/** What a drip Lambda loads: settings, the link-signing key (Secrets Manager), every course compiled at synth. */
export async function lambdaRuntime(
  env: NodeJS.ProcessEnv,
  log: Log,
  settings: SendingLambdaSettings = parseSendingLambdaSettings(env, log),
) {
  const { app: config, tokenSecretId, taskRoot } = settings;
  const [key, compiled] = await Promise.all([
    loadSecretTokenKey(tokenSecretId),
    // Shipped next to the bundle, so mjml never loads in Lambda.
    loadPrecompiledCourses(`${taskRoot}/compiled-course.json`),
  ]);
  const courses = courseCatalog(compiled);
  return { config, tokens: createTokens(key), courses };
}
