// The origin-verify secret the api Lambda checks behind CloudFront (functions/http/client-ip.ts): a
// Secrets Manager secret generated at deploy, whose value the operator puts in the distribution's
// origin custom header. Read once per container (adapters/secrets.ts).
import { MIN_ORIGIN_SECRET_LENGTH } from '../config/settings.js';
import { readSecret, type ReadSecret } from './secrets.js';

/**
 * The secret string of `secretId` (ARN or name). Throws when it cannot be read or is shorter than
 * MIN_ORIGIN_SECRET_LENGTH (32) characters: a short one would be guessable, and with no secret the
 * viewer-address header would have to be believed from anyone or from no one.
 */
export async function loadOriginVerifySecret(secretId: string, read: ReadSecret = readSecret): Promise<string> {
  let secret: string | undefined;
  try {
    secret = await read(secretId);
  } catch (e: unknown) {
    throw new Error(`Cannot read the origin-verify secret ${secretId}`, { cause: e });
  }
  if (secret === undefined || secret.length < MIN_ORIGIN_SECRET_LENGTH) {
    throw new Error(`The origin-verify secret ${secretId} must hold a string of at least ${MIN_ORIGIN_SECRET_LENGTH} characters`);
  }
  return secret;
}
