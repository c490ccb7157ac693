// The deploy settings read from CDK context: defaults that synthesise, `-c` strings accepted,
// and every bad value refused at synth with the key's name.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../functions/config/defaults.js';
import { parseDeployConfig, type DeployConfig } from '../../infra/config.js';
import { cdkJsonContext } from './synth.js';

const defaults = () => cdkJsonContext();

describe('deploy config from CDK context', () => {
  it('synthesises with the cdk.json defaults: example.com, the API URL as public URL, no CORS, no alarm email', () => {
    const config = parseDeployConfig(defaults());
    expect(config).toEqual<DeployConfig>({
      senderDomain: 'example.com',
      fromAddress: 'course@example.com',
      mailFromDomain: 'bounce.example.com',
      publicUrl: undefined,
      corsOrigins: [],
      maxSendRate: 1,
      dripEveryMinutes: 5,
      alarmEmail: undefined,
      dripSenders: 1,
      ratePerSender: 100,
      dripReservedConcurrency: false,
      sesSandbox: true,
      behindCloudFront: false,
      disableExecuteApiEndpoint: false,
    });
  });

  it('defaults the fan-out as the drip Lambdas do (functions/config/defaults.ts)', () => {
    const config = parseDeployConfig(defaults());
    expect({ dripSenders: config.dripSenders, ratePerSender: config.ratePerSender }).toEqual({
      dripSenders: DEFAULTS.dripSenders,
      ratePerSender: DEFAULTS.ratePerSender,
    });
  });

  it('takes the flags as booleans from cdk.json or as "true"/"false" from -c', () => {
    expect(
      parseDeployConfig({ ...defaults(), dripReservedConcurrency: 'true', sesSandbox: 'false', behindCloudFront: true }),
    ).toMatchObject({
      dripReservedConcurrency: true,
      sesSandbox: false,
      behindCloudFront: true,
    });
    expect(parseDeployConfig({ ...defaults(), sesSandbox: '' }).sesSandbox).toBe(true);
  });

  it('takes -c values as strings: numbers, comma-separated origins, a public URL without its trailing slash', () => {
    const config = parseDeployConfig({
      ...defaults(),
      senderDomain: 'Mail.Example.org',
      fromAddress: 'lessons@mail.example.org',
      maxSendRate: '14',
      dripEveryMinutes: '10',
      corsOrigins: 'https://www.example.org, http://localhost:5173',
      publicUrl: 'https://course.example.org/',
      alarmEmail: 'ops@example.org',
    });
    expect(config).toMatchObject({
      senderDomain: 'mail.example.org',
      maxSendRate: 14,
      dripEveryMinutes: 10,
      corsOrigins: ['https://www.example.org', 'http://localhost:5173'],
      publicUrl: 'https://course.example.org',
      alarmEmail: 'ops@example.org',
    });
  });

  it('accepts a from address on a subdomain of the sender domain', () => {
    expect(parseDeployConfig({ ...defaults(), fromAddress: 'course@news.example.com' }).fromAddress).toBe('course@news.example.com');
  });

  it.each([
    ['senderDomain', 'not a domain', /Context "senderDomain": must be a domain name/],
    ['senderDomain', undefined, /Context "senderDomain": is required/],
    ['fromAddress', 'nobody', /Context "fromAddress": must be an email address/],
    ['fromAddress', 'course@elsewhere.net', /Context "fromAddress": must be an address at example.com/],
    ['maxSendRate', 'fast', /Context "maxSendRate": must be a number/],
    ['maxSendRate', '0', /Context "maxSendRate": must be a positive number/],
    ['dripEveryMinutes', '2.5', /Context "dripEveryMinutes": must be a whole number/],
    ['dripEveryMinutes', 0, /Context "dripEveryMinutes": must be at least 1/],
    ['dripEveryMinutes', 61, /Context "dripEveryMinutes": must be at most 60/],
    ['corsOrigins', '*', /Context "corsOrigins": must list origins/],
    ['corsOrigins', 'https://example.com/signup', /Context "corsOrigins": each origin must be scheme:\/\/host/],
    ['publicUrl', 'course.example.com', /Context "publicUrl": must be an absolute http\(s\) URL/],
    ['alarmEmail', 'ops-at-example.com', /Context "alarmEmail": must be an email address/],
    ['mailFromSubdomain', 'a.b', /Context "mailFromSubdomain": must be one DNS label/],
    ['sesSandbox', 'yes', /Context "sesSandbox": must be true or false/],
    ['disableExecuteApiEndpoint', 'true', /Context "disableExecuteApiEndpoint": needs publicUrl/],
  ])('refuses %s = %j, naming the key', (key, value, message) => {
    expect(() => parseDeployConfig({ ...defaults(), [key]: value })).toThrow(message);
  });

  it('says how to set a bad key', () => {
    expect(() => parseDeployConfig({ ...defaults(), maxSendRate: 'x' })).toThrow('with -c maxSendRate=');
  });
});
