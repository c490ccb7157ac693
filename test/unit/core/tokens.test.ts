import { describe, expect, it } from 'vitest';
import { TokenError } from '../../../functions/core/errors.js';
import { CONFIRM_TOKEN_TTL_MS, createTokens, generateTokenKey, type TokenPurpose } from '../../../functions/core/tokens.js';

const key = Buffer.alloc(32, 7);
const tokens = createTokens(key);
const id = 'Xk3v9QpL2mN8rT5wY7zA1b'; // 22 chars, like a real subscriber id
const issuedAt = new Date('2026-03-01T12:00:00.000Z');
const later = (ms: number): Date => new Date(issuedAt.getTime() + ms);

function rejection(token: string | undefined, purpose: TokenPurpose = 'confirm', now = later(1000)): TokenError {
  try {
    tokens.verify(token, purpose, now);
  } catch (e: unknown) {
    if (e instanceof TokenError) return e;
    throw e;
  }
  throw new Error('verify accepted the token');
}

describe('link tokens', () => {
  it('a signed confirm token verifies and gives back the subscriber id and issue time', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    expect(tokens.verify(token, 'confirm', later(60_000))).toEqual({ subscriberId: id, issuedAt });
  });

  it('is URL-safe and short', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(token.length).toBeLessThanOrEqual(60);
  });

  it('carries the issue time to the second', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt: new Date('2026-03-01T12:00:00.999Z') });
    expect(tokens.verify(token, 'confirm', later(0)).issuedAt.toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('keeps non-ASCII ids intact', () => {
    const token = tokens.sign({ subscriberId: 'é-李-🙂', purpose: 'unsubscribe', issuedAt });
    expect(tokens.verify(token, 'unsubscribe', later(0)).subscriberId).toBe('é-李-🙂');
  });

  it('a confirm token works for exactly 7 days and then expires (410)', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    expect(tokens.verify(token, 'confirm', later(CONFIRM_TOKEN_TTL_MS)).subscriberId).toBe(id);
    const e = rejection(token, 'confirm', later(CONFIRM_TOKEN_TTL_MS + 1000));
    expect(e.code).toBe('token_expired');
    expect(e.status).toBe(410);
  });

  it('an unsubscribe token never expires', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt });
    expect(tokens.verify(token, 'unsubscribe', later(50 * 365 * 24 * 3_600_000)).subscriberId).toBe(id);
  });

  it('a token for one purpose is refused for the other', () => {
    const confirm = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    const unsubscribe = tokens.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt });
    expect(rejection(confirm, 'unsubscribe').code).toBe('token_wrong_purpose');
    expect(rejection(unsubscribe, 'confirm').code).toBe('token_wrong_purpose');
    expect(rejection(unsubscribe, 'confirm').status).toBe(400);
  });

  it('a missing token is token_missing', () => {
    expect(rejection(undefined).code).toBe('token_missing');
    expect(rejection('').code).toBe('token_missing');
  });

  it('a token signed with another key is invalid', () => {
    const other = createTokens(Buffer.alloc(32, 8)).sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    expect(rejection(other).code).toBe('token_invalid');
  });

  it('every single-character change is invalid', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let checked = 0;
    for (let i = 0; i < token.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(token[i]!) + 1) % alphabet.length]!;
      const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
      expect(rejection(tampered).code, `position ${i}`).toBe('token_invalid');
      checked++;
    }
    expect(checked).toBe(token.length);
  });

  it('a changed id, purpose or issue time with the old signature is invalid', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    const bytes = Buffer.from(token, 'base64url');
    for (const offset of [1 /* purpose */, 5 /* issuedAt */, 10 /* id */]) {
      const forged = Buffer.from(bytes);
      forged[offset] = forged[offset]! ^ 1;
      expect(rejection(forged.toString('base64url'), 'confirm').code, `byte ${offset}`).toBe('token_invalid');
    }
    // Pushing the issue time forward to dodge expiry breaks the signature too.
    const fresher = Buffer.from(bytes);
    fresher.writeUInt32BE(fresher.readUInt32BE(2) + 30 * 86_400, 2);
    expect(rejection(fresher.toString('base64url'), 'confirm', later(CONFIRM_TOKEN_TTL_MS * 2)).code).toBe('token_invalid');
  });

  it('every truncation is invalid', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    for (let length = 1; length < token.length; length++) {
      expect(rejection(token.slice(0, length)).code, `length ${length}`).toBe('token_invalid');
    }
  });

  it('extra characters are invalid', () => {
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    for (const extended of [`${token}A`, `${token}AA`, `${token}=`, `${token}.`, ` ${token}`, `${token}\n`]) {
      expect(rejection(extended).code, JSON.stringify(extended)).toBe('token_invalid');
    }
  });

  it('garbage is invalid', () => {
    for (const garbage of ['x', 'null', 'AAAA', '%00', '../../etc/passwd', 'a+b/c==', '💥', 'A'.repeat(5000), 'A'.repeat(59)]) {
      expect(rejection(garbage).code, garbage.slice(0, 20)).toBe('token_invalid');
    }
  });

  it('a non-canonical base64url spelling of a good token is invalid', () => {
    // Flipping the unused low bits of the last character decodes to the same bytes in Node.
    const token = tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token[token.length - 1]!);
    const sibling = token.slice(0, -1) + alphabet[last ^ 1]!;
    expect(Buffer.from(sibling, 'base64url').equals(Buffer.from(token, 'base64url'))).toBe(true);
    expect(rejection(sibling).code).toBe('token_invalid');
  });

  it('refuses to sign with a bad id, a bad time or a short key', () => {
    expect(() => tokens.sign({ subscriberId: '', purpose: 'confirm', issuedAt })).toThrow(/subscriber id/);
    expect(() => tokens.sign({ subscriberId: 'x'.repeat(129), purpose: 'confirm', issuedAt })).toThrow(/subscriber id/);
    expect(() => tokens.sign({ subscriberId: id, purpose: 'confirm', issuedAt: new Date(Number.NaN) })).toThrow(/issuedAt/);
    expect(() => createTokens(Buffer.alloc(8))).toThrow(/at least 16 bytes/);
  });

  it("the key is copied, so changing the caller's buffer later changes nothing", () => {
    const mine = Buffer.alloc(32, 1);
    const t = createTokens(mine);
    const token = t.sign({ subscriberId: id, purpose: 'unsubscribe', issuedAt });
    mine.fill(2);
    expect(t.verify(token, 'unsubscribe', later(0)).subscriberId).toBe(id);
  });

  it('generates 32-byte random keys', () => {
    const a = generateTokenKey();
    const b = generateTokenKey();
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
  });
});
