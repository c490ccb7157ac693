// The one check for links that go into emails (body and List-Unsubscribe header).
import { ValidationError } from '../core/errors.js';

/** Only absolute http(s) URLs go into links: no javascript:, no relative paths. */
export function absoluteHttpUrl(url: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('invalid_url', `${field} must be an absolute URL`, field);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ValidationError('invalid_url', `${field} must be http(s)`, field);
  // The WHATWG serialisation percent-encodes spaces, quotes, < > and control characters.
  return parsed.href;
}
