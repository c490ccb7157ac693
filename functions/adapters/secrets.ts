// Secrets Manager secrets (the link-signing key, the origin-verify secret): GetSecretValue, the role's
// only secrets action. Each Lambda reads its secrets once per container, when its deps are built
// (functions/wiring/lambda.ts); a start that failed reads them again on the next invocation.
// (Powertools Parameters would cache them for a maxAge, but adds about 6 KB to each bundle that reads
// a secret, for a cache the once-per-container deps already are.)
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads a secret's string (ARN or name); undefined when it holds none (a binary secret). Rejects when it cannot be read. */
export type ReadSecret = (secretId: string) => Promise<string | undefined>;

// Made on first use, so a module that imports this one but never reads a secret makes no client.
let client: SecretsManagerClient | undefined;

/** The secret string of `secretId` from Secrets Manager; rejects with the SDK's error (AccessDeniedException, ResourceNotFoundException…). */
export const readSecret: ReadSecret = async (secretId) =>
  (await (client ??= new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
