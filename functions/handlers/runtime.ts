// What the api and drip Lambdas both load once per container: parsed settings, the link-signing key
// from Secrets Manager, and every course compiled at synth (shipped next to the bundle, so mjml
// never loads in Lambda).
import { parseConfig, type AppConfig } from '../adapters/config.js';
import { loadSecretTokenKey } from '../adapters/token-key.js';
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

export async function loadLambdaRuntime(env: NodeJS.ProcessEnv): Promise<LambdaRuntime> {
  const config = parseConfig(env);
  const secretArn = env.TOKEN_SECRET_ARN;
  if (!secretArn) throw new Error('Bad setting TOKEN_SECRET_ARN: required (the Secrets Manager secret holding the link-signing key)');
  const [key, compiled] = await Promise.all([
    loadSecretTokenKey(secretArn),
    loadPrecompiledCourses(`${env.LAMBDA_TASK_ROOT ?? '.'}/compiled-course.json`),
  ]);
  const courses = courseCatalog(compiled);
  return { config, tokens: createTokens(key), compiled: courses.all[0]!, courses };
}
