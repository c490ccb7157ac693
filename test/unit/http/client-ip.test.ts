// The viewer's IP from CloudFront-Viewer-Address, for the per-IP signup limit behind a CDN, believed
// only from requests carrying the origin-verify secret: forged headers get the connection's address.
import { describe, expect, it } from 'vitest';
import { originVerified, trustedClientIp, viewerIp } from '../../../functions/http/client-ip.js';

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

describe('trustedClientIp: the viewer address only from requests CloudFront signed with the origin secret', () => {
  const secret = 'Zq3kV9pWm2Lx7Tb4Nc8Rd1Hs6Jf5Gy0Aa2Bb3Cc4Dd5Ee6';
  const viewer = '198.51.100.10:46532';
  const connection = '203.0.113.7';

  it('believes CloudFront-Viewer-Address when the origin-verify header matches', () => {
    expect(trustedClientIp({ viewerAddress: viewer, originVerify: secret, connectionIp: '130.176.0.1' }, secret)).toBe('198.51.100.10');
  });

  it('takes a direct request at its connection address, whatever viewer address it forges', () => {
    for (const originVerify of [undefined, '', 'guess', secret.slice(0, -1), `${secret}x`, secret.toLowerCase(), ` ${secret}`]) {
      expect(trustedClientIp({ viewerAddress: viewer, originVerify, connectionIp: connection }, secret), String(originVerify)).toBe(
        connection,
      );
    }
  });

  it('never believes the header without a configured secret (not behind CloudFront), even if a request sends one', () => {
    expect(trustedClientIp({ viewerAddress: viewer, originVerify: secret, connectionIp: connection }, undefined)).toBe(connection);
    expect(trustedClientIp({ viewerAddress: viewer, originVerify: '', connectionIp: connection }, undefined)).toBe(connection);
  });

  it('falls back to the connection address when a verified request has no or a malformed viewer address', () => {
    for (const viewerAddress of [undefined, '', 'evil', '198.51.100.10']) {
      expect(trustedClientIp({ viewerAddress, originVerify: secret, connectionIp: connection }, secret)).toBe(connection);
    }
  });

  it('refuses a secret shorter than 32 characters, so an empty or short one never verifies anything', () => {
    expect(originVerified('', '')).toBe(false);
    expect(originVerified('short', 'short')).toBe(false);
    expect(originVerified(secret, secret)).toBe(true);
    expect(trustedClientIp({ viewerAddress: viewer, originVerify: 'short', connectionIp: connection }, 'short')).toBe(connection);
  });
});
