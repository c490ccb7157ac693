// The drip fanned out (dripSenders > 1): a scheduled planner that may invoke only the sender, a sender
// that runs each share once (no retries, dropped when late) with no reserved concurrency (a new
// account cannot reserve any), the single drip Lambda gone, and cdk-nag's checks clean with every
// acknowledgement explained; every failed or dropped share or tick kept and alarmed; dripSenders
// bounded by a new account's concurrency. Offline synth, bundling skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { dripConcurrencyWarning, expectedPeakConcurrency, MAX_DRIP_SENDERS } from '../../infra/concurrency.js';
import { parseDeployConfig } from '../../infra/config.js';
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
    // sqs:SendMessage: Lambda delivers a dropped tick's record to the failure queue with the planner's role.
    expect(actions.filter((a) => !a.startsWith('logs:')).sort()).toEqual([
      'dynamodb:PutItem',
      'lambda:InvokeFunction',
      'ses:GetSendQuota',
      'sqs:SendMessage',
    ]);
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
      'AwsSolutions-SQS3 EmailCourse/DripFanOut/Failed',
    ]);
  });
});

// A parallel change refuses the example.com placeholder at synth; these synths name a domain of their own.
const DOMAIN = { senderDomain: 'example.net', fromAddress: 'lessons@example.net' };

/** The template's alarms as [metric, its dimensions JSON, the alarm's properties]. */
const alarmsOf = (t: Synthesised) =>
  Object.values(t.serviceTemplate.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>).map((a) => a.Properties);

describe('drip fan-out: nothing fails or vanishes unseen', () => {
  it('a dropped or failed share or tick goes to an encrypted, TLS-only failure queue, from the planner, the sender and the rule', () => {
    const [plannerId] = functionByDescription('Email course drip planner');
    const [senderId] = functionByDescription('Email course drip sender');
    const queues = resources('AWS::SQS::Queue').filter(([id]) => id.startsWith('DripFanOutFailed'));
    expect(queues).toHaveLength(1);
    const [queueId, queue] = queues[0]!;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    const policy = resources('AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties.Queues).includes(queueId))!;
    const statements = policy[1].Properties.PolicyDocument.Statement as Record<string, unknown>[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // EventBridge may put only this rule's undeliverable ticks there.
    const ruleId = resources('AWS::Events::Rule')[0]![0];
    expect(statements.filter((st) => st.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      }),
    ]);
    for (const fnId of [plannerId, senderId]) {
      const config = resources('AWS::Lambda::EventInvokeConfig').find(([, c]) => JSON.stringify(c.Properties.FunctionName).includes(fnId))!;
      expect(config[1].Properties.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } });
      // The function's role may send there (what Lambda uses to deliver the record), and nothing more on it.
      expect(policyOf(fnId).filter((st) => JSON.stringify(st).includes('sqs:'))).toEqual([
        expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
      ]);
    }
    const rule = resources('AWS::Events::Rule')[0]![1];
    expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });

  it('alarms on planner errors, dropped shares and ticks, the failure queue, and the signup outbox’s age', () => {
    const [plannerId] = functionByDescription('Email course drip planner');
    const [senderId] = functionByDescription('Email course drip sender');
    const alarms = alarmsOf(s);
    const on = (metric: string, fnId: string) =>
      alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === metric && JSON.stringify(a.Dimensions).includes(fnId));
    expect(on('Errors', plannerId)).toEqual([expect.objectContaining({ Statistic: 'Sum', Threshold: 1, Period: 900 })]);
    expect(on('Errors', senderId)).toHaveLength(1);
    for (const fnId of [plannerId, senderId]) {
      expect(on('AsyncEventsDropped', fnId)).toEqual([
        expect.objectContaining({
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ]);
    }
    const queueId = resources('AWS::SQS::Queue').find(([id]) => id.startsWith('DripFanOutFailed'))![0];
    expect(
      alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(queueId)),
    ).toEqual([expect.objectContaining({ Statistic: 'Maximum', Threshold: 1 })]);
    expect(alarms.filter((a) => a.Namespace === 'EmailCourse' && a.MetricName === 'outboxAge')).toEqual([
      expect.objectContaining({ Dimensions: [{ Name: 'service', Value: 'drip' }], Statistic: 'Maximum', Threshold: 1800 }),
    ]);
  });
});

describe('the single drip Lambda (dripSenders = 1) is watched the same way', () => {
  it('a dropped or failed tick goes to its failure queue and is alarmed; no planner alarms', async () => {
    const one = await synthCourse({ context: DOMAIN });
    const fns = Object.entries(one.serviceTemplate.findResources('AWS::Lambda::Function') as Record<string, Resource>);
    const [dripId] = fns.find(([, f]) => String(f.Properties.Description).startsWith('Email course drip: '))!;
    const queueId = Object.keys(one.serviceTemplate.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('DripScheduleFailed'))!;
    expect(queueId).toBeDefined();
    one.serviceTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: dripId },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    const alarms = alarmsOf(one);
    expect(alarms.filter((a) => a.MetricName === 'AsyncEventsDropped').map((a) => a.Dimensions as unknown)).toEqual([
      [{ Name: 'FunctionName', Value: { Ref: dripId } }],
    ]);
    expect(
      alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(queueId)),
    ).toHaveLength(1);
    expect(alarms.filter((a) => a.MetricName === 'outboxAge')).toHaveLength(1);
    expect(Annotations.fromStack(one.service).findWarning('*', Match.stringLikeRegexp('dripSenders'))).toEqual([]);
  });
});

describe('dripSenders is bounded by what a new account can carry (10 concurrent executions)', () => {
  it('refuses more than MAX_DRIP_SENDERS (8) at synth, naming the key and the reason', () => {
    expect(MAX_DRIP_SENDERS).toBe(8);
    const base = { ...DOMAIN, allowPlaceholderDomain: true, maxSendRate: 14, dripEveryMinutes: 5 };
    expect(parseDeployConfig({ ...base, dripSenders: '8' }).dripSenders).toBe(8);
    for (const bad of ['9', '10', 11]) {
      expect(() => parseDeployConfig({ ...base, dripSenders: bad })).toThrow(
        /Context "dripSenders": must be at most 8 \(a new account runs 10 Lambdas/,
      );
    }
  });

  it('warns at synth once senders + planner + api + ses-events could pass 10, and not below', async () => {
    expect([4, 6, 7, 8].map(expectedPeakConcurrency)).toEqual([8, 10, 11, 12]);
    expect(dripConcurrencyWarning(6)).toBeUndefined();
    expect(Annotations.fromStack(s.service).findWarning('*', Match.stringLikeRegexp('concurrency'))).toEqual([]);
    const seven = await synthCourse({ context: { ...DOMAIN, dripSenders: '7', maxSendRate: '200' } });
    const warnings = Annotations.fromStack(seven.service).findWarning('*', Match.stringLikeRegexp('dripSenders=7'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]!.entry.data)).toMatch(
      /may run 11 Lambdas at once, over a new account's concurrency limit of 10.*lower dripSenders to 6/,
    );
    expect(warnings[0]!.id).toBe('/EmailCourse/DripFanOut');
  });
});
