// Signed link tokens for the confirm and unsubscribe links: HMAC-SHA-256 over the subscriber id, the
// purpose and the issue time, URL-safe, checked in constant time. Confirm tokens expire; unsubscribe
// tokens work for the life of the list.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TokenError } from './errors.js';

/** `learn`: the learner's course page, its controls and the feedback links; like `unsubscribe`, it works for the life of the subscription. */
export type TokenPurpose = 'confirm' | 'unsubscribe' | 'learn';

/** How long a confirm link works. Unsubscribe links never expire (a person must always be able to leave). */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface Tokens {
  /** A URL-safe token (base64url, no padding) for the link of `purpose`. */
  sign(p: { subscriberId: string; purpose: TokenPurpose; issuedAt: Date }): string;
  /**
   * The subscriber id and issue time (to the second) the token carries, after checking its signature,
   * purpose and age. Throws TokenError: `token_missing`, `token_invalid` (forged, tampered, truncated,
   * garbage), `token_wrong_purpose`, `token_expired`.
   */
  verify(token: string | undefined, purpose: TokenPurpose, now: Date): { subscriberId: string; issuedAt: Date };
}

/*
 * Layout, before base64url (one string, no separators, so it survives any URL or mail client):
 *   version (1 byte, 1) | purpose (1 byte: 'c' | 'u' | 'l') | issuedAt (4 bytes, big-endian epoch seconds)
 *   | subscriber id (UTF-8, 1–128 bytes) | HMAC-SHA-256(key, everything before it), first 16 bytes
 * A 22-character id gives 44 bytes → a 59-character token. 128 bits of MAC is the size RFC 2104
 * recommends as the minimum truncation and is far beyond guessing over HTTP.
 */
const VERSION = 1;
const HEADER_BYTES = 6;
const MAC_BYTES = 16;
const MAX_ID_BYTES = 128;
const MAX_TOKEN_CHARS = Math.ceil(((HEADER_BYTES + MAX_ID_BYTES + MAC_BYTES) * 4) / 3);
const PURPOSE_BYTE: Record<TokenPurpose, number> = { confirm: 0x63 /* c */, unsubscribe: 0x75 /* u */, learn: 0x6c /* l */ };
const MIN_KEY_BYTES = 16;

/** 32 random bytes for a new signing key (the local stack keeps one under DATA_DIR; AWS keeps it secret). */
export function generateTokenKey(): Buffer {
  return randomBytes(32);
}

export function createTokens(key: Uint8Array): Tokens {
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`The token key must be at least ${MIN_KEY_BYTES} bytes, got ${key.length}`);
  }
  // Copied so a caller reusing its buffer cannot change the key under us.
  const secret = Buffer.from(key);
  const mac = (payload: Buffer): Buffer => createHmac('sha256', secret).update(payload).digest().subarray(0, MAC_BYTES);

  return {
    sign({ subscriberId, purpose, issuedAt }) {
      const id = Buffer.from(subscriberId, 'utf8');
      if (id.length === 0 || id.length > MAX_ID_BYTES) {
        throw new Error(`A subscriber id must be 1–${MAX_ID_BYTES} bytes, got ${id.length}`);
      }
      const seconds = Math.floor(issuedAt.getTime() / 1000);
      if (!Number.isFinite(seconds) || seconds < 0 || seconds > 0xffffffff) {
        throw new Error(`issuedAt is out of range: ${String(issuedAt)}`);
      }
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt8(VERSION, 0);
      header.writeUInt8(PURPOSE_BYTE[purpose], 1);
      header.writeUInt32BE(seconds, 2);
      const payload = Buffer.concat([header, id]);
      return Buffer.concat([payload, mac(payload)]).toString('base64url');
    },

    verify(token, purpose, now) {
      if (token === undefined || token === '') throw new TokenError('token_missing', 'This link is missing its token.');
      const invalid = (): TokenError =>
        new TokenError('token_invalid', 'This link is not valid. Please check that it was copied completely.');
      if (token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
      const bytes = Buffer.from(token, 'base64url');
      // Node's decoder ignores stray trailing bits; accept only the one canonical spelling of a token.
      if (bytes.toString('base64url') !== token) throw invalid();
      if (bytes.length < HEADER_BYTES + 1 + MAC_BYTES) throw invalid();

      const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
      const given = bytes.subarray(bytes.length - MAC_BYTES);
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      // From here on the token was made by us with this key.
      if (payload.readUInt8(0) !== VERSION) throw invalid();

      const purposeByte = payload.readUInt8(1);
      const carried = (Object.keys(PURPOSE_BYTE) as TokenPurpose[]).find((p) => PURPOSE_BYTE[p] === purposeByte);
      if (carried === undefined) throw invalid();
      if (carried !== purpose) {
        throw new TokenError('token_wrong_purpose', 'This link cannot be used here.');
      }

      const issuedAt = new Date(payload.readUInt32BE(2) * 1000);
      if (purpose === 'confirm' && now.getTime() - issuedAt.getTime() > CONFIRM_TOKEN_TTL_MS) {
        throw new TokenError('token_expired', 'This confirmation link has expired. Please sign up again to get a new one.');
      }

      let subscriberId: string;
      try {
        subscriberId = new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(HEADER_BYTES));
      } catch (e: unknown) {
        if (e instanceof TypeError) throw invalid();
        throw e;
      }
      return { subscriberId, issuedAt };
    },
  };
}
