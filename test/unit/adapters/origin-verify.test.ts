// The origin-verify secret from Secrets Manager. Secrets Manager has no local emulator here, so the
// read is a stand-in that answers GetSecretValue the way the service does (or fails as it does).
import { describe, expect, it } from 'vitest';
import type { ReadSecret } from '../../../functions/adapters/secrets.js';
import { loadOriginVerifySecret } from '../../../functions/adapters/origin-verify.js';

const answering =
  (answer: () => Promise<{ SecretString?: string }>): ReadSecret =>
  async () =>
    (await answer()).SecretString;

describe('loadOriginVerifySecret', () => {
  it('returns the secret string of a generated secret', async () => {
    const secret = 'a'.repeat(48);
    await expect(
      loadOriginVerifySecret(
        'origin',
        answering(() => Promise.resolve({ SecretString: secret })),
      ),
    ).resolves.toBe(secret);
  });

  it('refuses a missing or short secret, which would let anyone pass the check', async () => {
    for (const SecretString of [undefined, '', 'x'.repeat(31)]) {
      await expect(
        loadOriginVerifySecret(
          'origin',
          answering(() => Promise.resolve({ SecretString })),
        ),
      ).rejects.toThrow('The origin-verify secret origin must hold a string of at least 32 characters');
    }
  });

  it('fails naming the secret when Secrets Manager cannot answer, keeping the cause', async () => {
    const denied = Object.assign(new Error('not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });
    const failure = loadOriginVerifySecret(
      'origin',
      answering(() => Promise.reject(denied)),
    );
    await expect(failure).rejects.toThrow('Cannot read the origin-verify secret origin');
    await expect(failure).rejects.toMatchObject({ cause: denied });
  });
});
