// The client's IP address when CloudFront fronts the API: API Gateway's sourceIp is then one of
// CloudFront's addresses, and the viewer's travels in the CloudFront-Viewer-Address header. That
// header is believed only on requests that prove they came through our distribution (the secret
// origin header CloudFront adds); anyone else could write it themselves.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
// The viewer-address header is a setting's only value (CLIENT_IP_HEADER) and the secret's shortest
// length is checked where the secret is read (adapters/origin-verify.ts), so both live with the settings.
import { MIN_ORIGIN_SECRET_LENGTH } from '../config/settings.js';

export { MIN_ORIGIN_SECRET_LENGTH, VIEWER_ADDRESS_HEADER } from '../config/settings.js';

/**
 * The IP part of a `CloudFront-Viewer-Address` value, which is `<ip>:<source port>` for IPv4 and
 * IPv6 alike (`198.51.100.10:46532`, `2001:db8::1:46532`; CloudFront developer guide, "Add
 * CloudFront request headers"). Undefined when the value is missing or not that shape, so a
 * caller falls back to the connection's address rather than trusting an odd value.
 */
export function viewerIp(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const bracketed = /^\[([^\]]+)\]:\d{1,5}$/.exec(value);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? bracketed[1] : undefined;
  const colon = value.lastIndexOf(':');
  if (colon <= 0 || !/^\d{1,5}$/.test(value.slice(colon + 1))) return undefined;
  const ip = value.slice(0, colon);
  return isIP(ip) === 0 ? undefined : ip;
}

/**
 * The request header the CloudFront distribution adds to every origin request (an origin custom
 * header), holding the deployment's origin-verify secret. A client cannot see it, and one that sets
 * it itself does not know the value.
 */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/**
 * True when `given` (the x-origin-verify header) equals `secret`, compared in constant time: both are
 * hashed to SHA-256 first, so neither the length nor the first differing byte shows in the timing.
 */
export function originVerified(given: string | undefined, secret: string): boolean {
  if (given === undefined || secret.length < MIN_ORIGIN_SECRET_LENGTH) return false;
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** What the client IP is decided from: the two headers and the connection's own address. */
export interface ClientIpFacts {
  /** The CloudFront-Viewer-Address header, as received. */
  viewerAddress?: string;
  /** The x-origin-verify header, as received. */
  originVerify?: string;
  /** The address the request came from (API Gateway's sourceIp). */
  connectionIp?: string;
}

/**
 * The client IP for the per-IP signup limit and the consent record. With `originSecret` (the API is
 * behind CloudFront), the viewer's address from CloudFront-Viewer-Address, but only when the request
 * carries the right origin-verify header; any other request (straight to the API or its custom
 * domain, forged headers or not) is taken at its connection's address, which is the true address of
 * whoever connected. Without `originSecret`, always the connection's address.
 */
export function trustedClientIp(facts: ClientIpFacts, originSecret: string | undefined): string | undefined {
  if (originSecret !== undefined && originVerified(facts.originVerify, originSecret)) {
    return viewerIp(facts.viewerAddress) ?? facts.connectionIp;
  }
  return facts.connectionIp;
}
