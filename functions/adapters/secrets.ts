// Secrets Manager secrets through Powertools Parameters: one GetSecretValue per secret, then the
// cached value until it is SECRET_MAX_AGE_SECONDS old (the link-signing key, the origin-verify secret).
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/** How long a read secret is reused before Secrets Manager is asked again: 5 minutes, so a rotated secret is taken within that. */
export const SECRET_MAX_AGE_SECONDS = 300;

/** Reads a secret's string (ARN or name); undefined when it holds none (a binary secret). Rejects when it cannot be read. */
export type ReadSecret = (secretId: string) => Promise<string | undefined>;

// Built on first use, so a bundle that imports this module but never reads a secret makes no client.
let provider: SecretsProvider | undefined;

/**
 * The secret string of `secretId` from Secrets Manager (GetSecretValue, the role's only secrets
 * action), cached for SECRET_MAX_AGE_SECONDS. A failed read is not cached; it rejects with the SDK's
 * own error (AccessDeniedException, ResourceNotFoundException…) rather than Parameters' wrapper.
 */
export const readSecret: ReadSecret = async (secretId) => {
  provider ??= new SecretsProvider();
  try {
    const value = await provider.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
    return typeof value === 'string' ? value : undefined;
  } catch (e: unknown) {
    throw e instanceof Error && e.name === 'GetParameterError' && e.cause !== undefined ? e.cause : e;
  }
};
