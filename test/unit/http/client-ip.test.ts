// The viewer's IP from CloudFront-Viewer-Address, for the per-IP signup limit behind a CDN.
import { describe, expect, it } from 'vitest';
import { viewerIp } from '../../../functions/http/client-ip.js';

describe('viewerIp (CloudFront-Viewer-Address)', () => {
  it('takes the IP and drops the source port, for IPv4 and IPv6', () => {
    expect(viewerIp('198.51.100.10:46532')).toBe('198.51.100.10');
    expect(viewerIp('2001:db8::1:46532')).toBe('2001:db8::1');
    expect(viewerIp('[2001:db8::1]:443')).toBe('2001:db8::1');
  });

  it('answers undefined for a missing or malformed value, so the connection address is used instead', () => {
    for (const bad of [undefined, '', '198.51.100.10', 'evil:80', 'not an ip:12', '198.51.100.10:port', '[1.2.3.4]:80'])
      expect(viewerIp(bad)).toBeUndefined();
  });
});
