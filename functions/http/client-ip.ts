// The client's IP address when CloudFront fronts the API: API Gateway's sourceIp is then one of
// CloudFront's addresses, and the viewer's travels in the CloudFront-Viewer-Address header.
import { isIP } from 'node:net';

/** The request header CloudFront adds with the viewer's address (forward it in the origin request policy). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

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
