// cdk-nag's AWS Solutions checks over both stacks, as infra/app.ts applies them: no finding may be
// left without a written acknowledgement. A plain SNS topic added on purpose shows the check runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Annotations } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthCourse, type Synthesised } from './synth.js';

let s: Synthesised;
beforeAll(async () => {
  s = await synthCourse({ nag: true });
});

describe('cdk-nag AwsSolutionsChecks', () => {
  it('reports no unacknowledged finding in either stack', () => {
    const report = JSON.parse(readFileSync(join(s.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
    for (const stack of [s.data, s.service]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', {}).map((e) => `${e.id}: ${JSON.stringify(e.entry.data)}`)).toEqual([]);
      expect(annotations.findWarning('*', {}).map((w) => `${w.id}: ${JSON.stringify(w.entry.data)}`)).toEqual([]);
    }
  });

  it('acknowledges only these findings, each with a written reason next to it', () => {
    const acknowledged = s.app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          .map((m) => ({ path: c.node.path, rules: m.data as Record<string, string> })),
      )
      .flatMap(({ path, rules }) => Object.entries(rules).map(([id, reason]) => ({ path, id: id.replace(/^Annotation::/, ''), reason })));
    for (const { path, id, reason } of acknowledged) expect(reason.length, `${path} ${id} needs a reason`).toBeGreaterThan(60);
    // A new acknowledgement changes this list: review it, don't just re-record it.
    expect(
      [...new Set(acknowledged.map(({ path, id }) => `${id} ${path.replace(/\/(GET|POST|HEAD)--[^/]*$/, '/<route>')}`))].sort(),
    ).toEqual(
      [
        'AwsSolutions-APIG4 EmailCourse/HttpApi/Api/<route>',
        'AwsSolutions-IAM5[Resource::*] EmailCourse/DripSchedule/Handler/Role',
        // The SES sandbox grant (sesSandbox, on by default): this account's identities.
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*] EmailCourse/DripSchedule/Handler/Role',
        'AwsSolutions-L1 EmailCourse/DripSchedule/Handler/Function',
        'AwsSolutions-L1 EmailCourse/HttpApi/Handler/Function',
        'AwsSolutions-L1 EmailCourse/SesFeedback/Handler/Function',
        'AwsSolutions-SQS3 EmailCourse/DripSchedule/Failed',
        'AwsSolutions-SMG4 EmailCourseData/TokenKey/Secret',
      ].sort(),
    );
  });

  it('needs no identity/* acknowledgement once sesSandbox is off', async () => {
    const production = await synthCourse({ nag: true, context: { sesSandbox: false } });
    const report = JSON.parse(readFileSync(join(production.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
    const ids = production.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.keys(m.data as object)));
    expect(ids.filter((id) => id.includes('identity/*'))).toEqual([]);
  });

  it('passes behind CloudFront with a custom domain and tracking on, acknowledging only the origin secret’s rotation', async () => {
    const flipped = await synthCourse({
      nag: true,
      context: {
        behindCloudFront: true,
        domainName: 'course.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1f2e3d4c-0000-4bbb-8ccc-123456789abc',
        trackOpensAndClicks: true,
      },
    });
    const report = JSON.parse(readFileSync(join(flipped.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
    const acknowledged = flipped.app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          .flatMap((m) => Object.keys(m.data as object).map((id) => `${id} ${c.node.path}`)),
      );
    expect(acknowledged.filter((a) => a.includes('OriginVerify'))).toEqual([
      'Annotation::AwsSolutions-SMG4 EmailCourse/HttpApi/OriginVerifySecret',
    ]);
  });

  it('fails the synth when a resource breaks a rule with no acknowledgement', async () => {
    await expect(
      synthCourse({
        nag: true,
        beforeSynth: ({ service }) => void new sns.Topic(service, 'UnencryptedTopic'),
      }),
    ).rejects.toThrow(/AwsSolutions-SNS[23]/);
  });
});
