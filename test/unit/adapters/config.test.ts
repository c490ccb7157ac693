import { describe, expect, it } from 'vitest';
import { parseApiLambdaSettings, parseConfig } from '../../../functions/adapters/config.js';

describe('runtime settings', () => {
  it('defaults give a working local configuration', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      tableName: 'email-course',
      publicUrl: 'http://localhost:3000',
      maxSendRate: 10,
      sendConcurrency: 4,
      dueShards: 8,
    });
    expect(c.corsOrigins).toEqual([]);
    expect(c.senderAddress).toBeUndefined();
  });

  it('reads the client IP from the connection unless CLIENT_IP_HEADER names CloudFront-Viewer-Address', () => {
    expect(parseConfig({}).clientIpHeader).toBeUndefined();
    expect(parseConfig({ CLIENT_IP_HEADER: 'cloudfront-viewer-address' }).clientIpHeader).toBe('cloudfront-viewer-address');
  });

  it('a trailing slash is dropped from PUBLIC_URL and CORS origins are split', () => {
    const c = parseConfig({ PUBLIC_URL: 'https://course.example.org/', CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(c.publicUrl).toBe('https://course.example.org');
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each(['javascript:alert(1)', 'ftp://files.example.org', 'mailto:a@example.org', 'not a url'])(
    'PUBLIC_URL %s is refused: links in emails must be http(s)',
    (url) => {
      expect(() => parseConfig({ PUBLIC_URL: url })).toThrow(/PUBLIC_URL/);
    },
  );

  it.each([
    ['MAX_SEND_RATE', '0'],
    ['MAX_SEND_RATE', 'fast'],
    ['SEND_CONCURRENCY', '-1'],
    ['SENDER_ADDRESS', 'not-an-address'],
    ['CLIENT_IP_HEADER', 'x-forwarded-for'],
  ])('a bad %s (%s) fails naming the setting', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});

describe('the api Lambda’s settings behind CloudFront', () => {
  const base = { TOKEN_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:TokenKey' };
  const secretId = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:OriginVerify';
  const quiet = () => undefined;

  it('reads the origin-verify secret with the viewer-address header, and neither by default', () => {
    expect(parseApiLambdaSettings(base, quiet).originVerifySecretId).toBeUndefined();
    const behind = parseApiLambdaSettings(
      { ...base, CLIENT_IP_HEADER: 'cloudfront-viewer-address', ORIGIN_VERIFY_SECRET_ID: secretId },
      quiet,
    );
    expect(behind.originVerifySecretId).toBe(secretId);
    expect(behind.app.clientIpHeader).toBe('cloudfront-viewer-address');
  });

  it('fails at start when the viewer-address header would be read with no secret to check it, or the reverse', () => {
    expect(() => parseApiLambdaSettings({ ...base, CLIENT_IP_HEADER: 'cloudfront-viewer-address' }, quiet)).toThrow(
      /CLIENT_IP_HEADER: set together with ORIGIN_VERIFY_SECRET_ID/,
    );
    expect(() => parseApiLambdaSettings({ ...base, ORIGIN_VERIFY_SECRET_ID: secretId }, quiet)).toThrow(
      /ORIGIN_VERIFY_SECRET_ID: set together with CLIENT_IP_HEADER/,
    );
  });
});
