// The drip fanned out (dripSenders > 1): a scheduled planner that may invoke only the sender, a sender
// that runs each share once (no retries, dropped when late) with no reserved concurrency (a new
// account cannot reserve any), the single drip Lambda gone, and cdk-nag's checks clean with every
// acknowledgement explained. Offline synth, bundling skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaSettings } from './lambda-settings.js';
import { synthCourse, type Synthesised } from './synth.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties are free-form JSON
type Resource = { Type: string; Properties: Record<string, any> };

let s: Synthesised;
beforeAll(async () => {
  s = await synthCourse({ nag: true, context: { dripSenders: '4', ratePerSender: '50', maxSendRate: '200' } });
});

const resources = (type: string) => Object.entries(s.serviceTemplate.findResources(type) as Record<string, Resource>);
const functionByDescription = (start: string) => {
  const found = resources('AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).startsWith(start));
  expect(found, start).toHaveLength(1);
  return found[0]!;
};
const policyOf = (functionId: string) => {
  const role = (
    (s.serviceTemplate.toJSON().Resources as Record<string, Resource>)[functionId]!.Properties.Role as { 'Fn::GetAtt': [string] }
  )['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
};

describe('drip fan-out (dripSenders = 4)', () => {
  it('replaces the single drip Lambda with a planner on the schedule and a sender', () => {
    expect(
      resources('AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).startsWith('Email course drip: ')),
    ).toEqual([]);
    const [plannerId] = functionByDescription('Email course drip planner');
    const [senderId, sender] = functionByDescription('Email course drip sender');
    const rules = resources('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(JSON.stringify(rules[0]![1].Properties.Targets)).toContain(plannerId);
    expect(JSON.stringify(rules[0]![1].Properties.Targets)).not.toContain(senderId);
    expect(sender.Properties.Environment.Variables).toMatchObject({ DRIP_SENDERS: '4', RATE_PER_SENDER: '50', MAX_SEND_RATE: '200' });
  });

  it('the planner knows the sender and the tick, and may invoke only that sender', () => {
    const [plannerId, planner] = functionByDescription('Email course drip planner');
    const [senderId] = functionByDescription('Email course drip sender');
    expect(planner.Properties.Environment.Variables).toMatchObject({ SENDER_FUNCTION_NAME: { Ref: senderId }, DRIP_TICK_SECONDS: '300' });
    const invoke = policyOf(plannerId).filter((st) => [st.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]!.Resource)).toContain(senderId);
    const actions = policyOf(plannerId).flatMap((st) => [st.Action].flat());
    expect(actions.filter((a) => !a.startsWith('logs:')).sort()).toEqual(['dynamodb:PutItem', 'lambda:InvokeFunction', 'ses:GetSendQuota']);
  });

  it('planner and sender get only variables their handlers read, and every one they require', () => {
    const functions = lambdaSettings(s.serviceTemplate);
    expect(functions.map((f) => f.function).sort()).toEqual([
      'Email course HTTP app',
      'Email course SES events',
      'Email course drip planner',
      'Email course drip sender',
    ]);
    for (const f of functions) expect(f).toEqual({ function: f.function, unread: [], missing: [] });
  });

  it('each share runs once or not at all: no retries, dropped after a minute, no reserved concurrency', () => {
    const [senderId, sender] = functionByDescription('Email course drip sender');
    expect(sender.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const configs = resources('AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
      JSON.stringify(c.Properties.FunctionName).includes(senderId),
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });

  it('the sender may send, read the table and run the batched PartiQL updates', () => {
    const [senderId] = functionByDescription('Email course drip sender');
    const actions = policyOf(senderId).flatMap((st) => [st.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:PartiQLUpdate',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:Query',
        'ses:SendRawEmail',
      ]),
    );
    expect(actions).not.toContain('lambda:InvokeFunction');
    expect(actions).not.toContain('ses:GetSendQuota');
  });

  it('cdk-nag reports nothing unacknowledged, and each acknowledgement says why', () => {
    const report = JSON.parse(readFileSync(join(s.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
    const annotations = Annotations.fromStack(s.service);
    expect(annotations.findError('*', {}).map((e) => `${e.id}: ${JSON.stringify(e.entry.data)}`)).toEqual([]);
    const acknowledged = s.app.node
      .findAll()
      .filter((c) => c.node.path.includes('DripFanOut'))
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          .map((m) => ({ path: c.node.path, rules: m.data as Record<string, string> })),
      )
      .flatMap(({ path, rules }) => Object.entries(rules).map(([id, reason]) => ({ path, id: id.replace(/^Annotation::/, ''), reason })));
    for (const { path, id, reason } of acknowledged) expect(reason.length, `${path} ${id} needs a reason`).toBeGreaterThan(60);
    // A new acknowledgement changes this list: review it, don't just re-record it.
    expect(acknowledged.map((a) => `${a.id.replace(/<\w+\.Arn>/, '<sender>')} ${a.path}`).sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*] EmailCourse/DripFanOut/Planner/Role',
      'AwsSolutions-IAM5[Resource::<sender>:*] EmailCourse/DripFanOut/Planner/Role',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*] EmailCourse/DripFanOut/Sender/Role',
      'AwsSolutions-L1 EmailCourse/DripFanOut/Planner/Function',
      'AwsSolutions-L1 EmailCourse/DripFanOut/Sender/Function',
    ]);
  });
});
