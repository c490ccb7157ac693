// The deploy settings read from CDK context: defaults that synthesise, `-c` strings accepted,
// and every bad value refused at synth with the key's name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/constructs/course-function.js';
import { DEFAULTS } from '../../functions/config/settings.js';
import { isReservedExampleDomain, parseDeployConfig, type DeployConfig } from '../../infra/config.js';
import { cdkJsonContext, testContext } from './synth.js';

/** cdk.json's context and the tests' placeholder sender (example.com, allowPlaceholderDomain). */
const defaults = () => testContext();

describe('deploy config from CDK context', () => {
  it('synthesises with the cdk.json defaults and the test sender: the API URL as public URL, no CORS, no alarm email, no tracking', () => {
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
      trackOpensAndClicks: false,
      eventsIncludeEmail: false,
    });
  });

  it('events carry the address only with -c eventsIncludeEmail=true; a value that is not a switch is refused, naming the key', () => {
    expect(parseDeployConfig(defaults()).eventsIncludeEmail).toBe(false);
    expect(parseDeployConfig({ ...defaults(), eventsIncludeEmail: 'true' }).eventsIncludeEmail).toBe(true);
    expect(parseDeployConfig({ ...defaults(), eventsIncludeEmail: true }).eventsIncludeEmail).toBe(true);
    expect(() => parseDeployConfig({ ...defaults(), eventsIncludeEmail: 'maybe' })).toThrow(/Context "eventsIncludeEmail"/);
  });

  it('defaults the fan-out as the drip Lambdas do (functions/config/settings.ts)', () => {
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
    ['disableExecuteApiEndpoint', 'true', /Context "disableExecuteApiEndpoint": needs publicUrl or domainName/],
    ['domainName', 'course.example.org', /Context "certificateArn": is required with domainName/],
    ['certificateArn', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123', /Context "domainName": is required with certificateArn/],
    ['certificateArn', 'arn:aws:iam::123456789012:server-certificate/x', /Context "certificateArn": must be an ACM certificate ARN/],
    ['domainName', 'https://course.example.org', /Context "domainName": must be a domain name/],
    ['trackOpensAndClicks', 'sometimes', /Context "trackOpensAndClicks": must be true or false/],
  ])('refuses %s = %j, naming the key', (key, value, message) => {
    expect(() => parseDeployConfig({ ...defaults(), [key]: value })).toThrow(message);
  });

  it('says how to set a bad key', () => {
    expect(() => parseDeployConfig({ ...defaults(), maxSendRate: 'x' })).toThrow('with -c maxSendRate=');
  });
});

describe('a real sender domain, required at synth', () => {
  const fix = /-c senderDomain=<your domain> -c fromAddress=<you>@<your domain>, or set both in cdk.json "context"/;

  it('cdk.json holds no sender: a synth without -c flags is refused, naming the fix', () => {
    expect(cdkJsonContext()).not.toHaveProperty('senderDomain');
    expect(cdkJsonContext()).not.toHaveProperty('fromAddress');
    expect(() => parseDeployConfig(cdkJsonContext())).toThrow(/Context "senderDomain": is required/);
    expect(() => parseDeployConfig(cdkJsonContext())).toThrow(fix);
    expect(() => parseDeployConfig({ ...cdkJsonContext(), senderDomain: 'mail.course.org' })).toThrow(/Context "fromAddress": is required/);
    expect(() => parseDeployConfig({ ...cdkJsonContext(), senderDomain: '', fromAddress: 'a@b.org' })).toThrow(
      /"senderDomain": is required/,
    );
  });

  it.each(['example.com', 'mail.example.org', 'EXAMPLE.NET', 'course.example', 'shop.test', 'x.invalid', 'dev.localhost'])(
    'refuses the reserved example domain %s without the opt-in, naming the fix',
    (domain) => {
      const context = { ...cdkJsonContext(), senderDomain: domain, fromAddress: `course@${domain}` };
      expect(() => parseDeployConfig(context)).toThrow(/Context "senderDomain": .* is a reserved example domain \(RFC 2606, RFC 6761\)/);
      expect(() => parseDeployConfig(context)).toThrow(fix);
      expect(() => parseDeployConfig({ ...context, allowPlaceholderDomain: 'false' })).toThrow(/reserved example domain/);
      expect(parseDeployConfig({ ...context, allowPlaceholderDomain: 'true' }).senderDomain).toBe(domain.toLowerCase());
    },
  );

  it('accepts a real domain with no opt-in, including ones that merely contain a reserved word', () => {
    for (const domain of ['mail.course.org', 'example.co.uk', 'notexample.com', 'test.example-clinic.org', 'testing.de']) {
      expect(isReservedExampleDomain(domain), domain).toBe(false);
      expect(parseDeployConfig({ ...cdkJsonContext(), senderDomain: domain, fromAddress: `course@${domain}` }).senderDomain).toBe(domain);
    }
  });
});

describe('a custom domain and tracking from context', () => {
  const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/1f2e3d4c-0000-4bbb-8ccc-123456789abc';

  it('takes domainName with certificateArn, and makes https://<domainName> the public URL unless publicUrl says otherwise', () => {
    const config = parseDeployConfig({ ...defaults(), domainName: 'Course.Example.org', certificateArn });
    expect(config.customDomain).toEqual({ domainName: 'course.example.org', certificateArn });
    expect(config.publicUrl).toBe('https://course.example.org');
    expect(
      parseDeployConfig({ ...defaults(), domainName: 'api.example.org', certificateArn, publicUrl: 'https://learn.example.org' }).publicUrl,
    ).toBe('https://learn.example.org');
    expect(
      parseDeployConfig({ ...defaults(), domainName: 'api.example.org', certificateArn, disableExecuteApiEndpoint: true }),
    ).toMatchObject({
      disableExecuteApiEndpoint: true,
      publicUrl: 'https://api.example.org',
    });
  });

  it('turns open and click tracking on only when asked', () => {
    expect(parseDeployConfig(defaults()).trackOpensAndClicks).toBe(false);
    expect(parseDeployConfig({ ...defaults(), trackOpensAndClicks: 'true' }).trackOpensAndClicks).toBe(true);
    expect(parseDeployConfig({ ...defaults(), trackOpensAndClicks: true }).trackOpensAndClicks).toBe(true);
  });
});

describe('the CDK app (infra/app.ts) refusing a setting', () => {
  it('says it in one message naming the fix, with exit code 1 and no stack trace', () => {
    // As `npx cdk synth` runs it, with no -c flags: CDK_CONTEXT_JSON carries only cdk.json's context.
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: repoRoot,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(cdkJsonContext()), CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'refused-')) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(1);
    expect(child.stderr.trim()).toMatch(/^Context "senderDomain": is required: .*-c senderDomain=<your domain> -c fromAddress=/);
    expect(child.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
