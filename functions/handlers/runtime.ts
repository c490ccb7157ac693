// What the api and drip Lambdas both load once per container: parsed settings, the link-signing key
// from Secrets Manager, and every course compiled at synth (shipped next to the bundle, so mjml
// never loads in Lambda).
import { parseSendingLambdaSettings, type AppConfig, type SendingLambdaSettings } from '../adapters/config.js';
import { loadSecretTokenKey } from '../adapters/token-key.js';
import type { Log } from '../core/ports.js';
import { createTokens, type Tokens } from '../core/tokens.js';
import { courseCatalog, type CompiledCourse, type CourseCatalog } from '../email/compiled-course.js';
import { loadPrecompiledCourses } from '../email/precompiled.js';

export interface LambdaRuntime {
  config: AppConfig;
  tokens: Tokens;
  /** The first course (the only one in a one-course deployment). */
  compiled: CompiledCourse;
  /** Every course of the deployment. */
  courses: CourseCatalog;
}

/**
 * `env`: the Lambda's environment (functions/adapters/config.ts); `log` hears of a renamed setting
 * still in use. `settings`: already parsed from it (the api parses its own, larger set).
 */
export async function loadLambdaRuntime(
  env: NodeJS.ProcessEnv,
  log: Log,
  settings: SendingLambdaSettings = parseSendingLambdaSettings(env, log),
): Promise<LambdaRuntime> {
  const { app: config, tokenSecretId, taskRoot } = settings;
  const [key, compiled] = await Promise.all([
    loadSecretTokenKey(tokenSecretId),
    loadPrecompiledCourses(`${taskRoot}/compiled-course.json`),
  ]);
  const courses = courseCatalog(compiled);
  return { config, tokens: createTokens(key), compiled: courses.all[0]!, courses };
}
