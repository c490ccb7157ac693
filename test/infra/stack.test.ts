// What the synthesised stacks promise: the stateful table and key kept apart and retained, the
// Lambdas as configured, exactly the contract's routes, the drip schedule, SES and its feedback
// loop, the alarms, least-privilege IAM and the outputs. Bundling is skipped here (see
// bundles.test.ts): the templates are the same, only the asset contents differ.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DUE_INDEX, DUE_SHARD_ATTR, DUE_SORT_ATTR, TTL_ATTR } from '../../functions/adapters/table.js';
import { appForRoutes, appRouteKeys } from './app-routes.js';
import { lambdaSettings } from './lambda-settings.js';
import { synthCourse, type Synthesised } from './synth.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties are free-form JSON; the assertions check their shape
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: unknown };

let s: Synthesised;
let service: Template;
let data: Template;
/** Every opt-in flipped: reserved drip concurrency, production SES, CloudFront in front. */
let flipped: Template;
beforeAll(async () => {
  s = await synthCourse();
  service = s.serviceTemplate;
  data = s.dataTemplate;
  flipped = (
    await synthCourse({
      context: {
        dripReservedConcurrency: true,
        sesSandbox: false,
        behindCloudFront: true,
        disableExecuteApiEndpoint: true,
        publicUrl: 'https://course.example.com',
      },
    })
  ).serviceTemplate;
});

const resourcesOf = (t: Template, type: string) => Object.entries(t.findResources(type) as Record<string, Resource>);
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The logical id of the function built from a given handler entry. */
function functionId(t: Template, descriptionStart: string): string {
  const found = resourcesOf(t, 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).startsWith(descriptionStart));
  expect(found).toHaveLength(1);
  return found[0]![0];
}
const fn = (t: Template, id: string) => (t.toJSON().Resources as Record<string, Resource>)[id]!;

/** Every statement of the IAM policies attached to the role of a function. */
function statementsOf(t: Template, functionLogicalId: string): Statement[] {
  const role = (fn(t, functionLogicalId).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (statements: Statement[]) => statements.flatMap((st) => asList(st.Action));

describe('the data stack (kept apart so everything else can be replaced)', () => {
  it('has the table the adapters expect: pk/sk strings, on-demand, PITR, TTL, encrypted', () => {
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTR, Enabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('has the sparse sharded due index, keys only', () => {
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: DUE_INDEX,
          KeySchema: [
            { AttributeName: DUE_SHARD_ATTR, KeyType: 'HASH' },
            { AttributeName: DUE_SORT_ATTR, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('is protected from deletion, so a destroy of everything stops at the data', () => {
    expect(s.data.terminationProtection).toBe(true);
    expect(s.service.terminationProtection).toBe(false);
  });

  it('retains the table and the token key when the stack is deleted or they are replaced', () => {
    data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('generates the token key at deploy (no value in the template)', () => {
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      SecretString: Match.absent(),
    });
  });

  it('outputs the table name and secret ARN (what cdk import asks for); the service stack holds no table or secret', () => {
    data.hasOutput('TableName', { Value: { Ref: Match.anyValue() } });
    data.hasOutput('TokenKeySecretArn', { Value: { Ref: Match.stringLikeRegexp('^TokenKeySecret') } });
    service.resourceCountIs('AWS::DynamoDB::Table', 0);
    service.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });
});

describe('the Lambdas', () => {
  it('are three Node 22 arm64 functions with JSON logs into their own log group and source maps on', () => {
    const functions = resourcesOf(service, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    for (const [, f] of functions) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      });
    }
    const retention = resourcesOf(service, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.RetentionInDays as number);
    expect(retention.length).toBeGreaterThanOrEqual(4); // three functions + API access logs
    expect(new Set(retention)).toEqual(new Set([30]));
  });

  it('give each handler the settings it reads, under the names the config parser knows', () => {
    const env = (id: string) => Object.keys(fn(service, id).Properties.Environment.Variables as object).sort();
    expect(env(functionId(service, 'Email course HTTP app'))).toEqual(
      [
        'CORS_ORIGINS',
        'DUE_SHARDS',
        'EVENT_BUS_NAME',
        'EVENTS_INCLUDE_EMAIL',
        'NODE_OPTIONS',
        'PUBLIC_URL',
        'SENDER_ADDRESS',
        'SES_CONFIGURATION_SET',
        'TABLE_NAME',
        'TOKEN_SECRET_ID',
      ].sort(),
    );
    expect(env(functionId(service, 'Email course drip'))).toEqual(
      [
        'DUE_SHARDS',
        'EVENT_BUS_NAME',
        'EVENTS_INCLUDE_EMAIL',
        'MAX_SEND_RATE',
        'NODE_OPTIONS',
        'PUBLIC_URL',
        'SENDER_ADDRESS',
        'SEND_CONCURRENCY',
        'SES_CONFIGURATION_SET',
        'TABLE_NAME',
        'TOKEN_SECRET_ID',
      ].sort(),
    );
    expect(env(functionId(service, 'Email course SES events'))).toEqual(
      ['DUE_SHARDS', 'EVENT_BUS_NAME', 'EVENTS_INCLUDE_EMAIL', 'NODE_OPTIONS', 'TABLE_NAME'].sort(),
    );
  });

  it('set only variables their handler reads (functions/adapters/config.ts), and every one it requires', () => {
    for (const t of [service, flipped]) {
      const functions = lambdaSettings(t);
      expect(functions.map((f) => f.function).sort()).toEqual(['Email course HTTP app', 'Email course SES events', 'Email course drip']);
      for (const f of functions) expect(f).toEqual({ function: f.function, unread: [], missing: [] });
    }
  });

  it('links to the API URL by default, and send as the configured from address at the configured rate', () => {
    const drip = fn(service, functionId(service, 'Email course drip')).Properties.Environment.Variables;
    expect(drip).toMatchObject({
      PUBLIC_URL: { 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] },
      SENDER_ADDRESS: 'course@example.com',
      MAX_SEND_RATE: '1',
      SEND_CONCURRENCY: '2',
    });
  });

  it('stop the drip before the next tick and never retry a tick, with no reserved concurrency (new accounts refuse it)', () => {
    const drip = functionId(service, 'Email course drip');
    expect(fn(service, drip).Properties).toMatchObject({ Timeout: 5 * 60 - 10 });
    for (const [, f] of resourcesOf(service, 'AWS::Lambda::Function')) expect(f.Properties.ReservedConcurrentExecutions).toBeUndefined();
    service.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: drip },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('reserve one drip run at a time with -c dripReservedConcurrency=true', () => {
    expect(fn(flipped, functionId(flipped, 'Email course drip')).Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn(flipped, functionId(flipped, 'Email course HTTP app')).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('read the client IP from CloudFront-Viewer-Address only when behindCloudFront is set', () => {
    expect(fn(service, functionId(service, 'Email course HTTP app')).Properties.Environment.Variables.CLIENT_IP_HEADER).toBeUndefined();
    expect(fn(flipped, functionId(flipped, 'Email course HTTP app')).Properties.Environment.Variables.CLIENT_IP_HEADER).toBe(
      'cloudfront-viewer-address',
    );
  });

  it('behind CloudFront, check an origin-verify secret generated at deploy (never in the template), readable by the api alone', () => {
    service.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(
      fn(service, functionId(service, 'Email course HTTP app')).Properties.Environment.Variables.ORIGIN_VERIFY_SECRET_ID,
    ).toBeUndefined();
    const secrets = resourcesOf(flipped, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const [secretId, secret] = secrets[0]!;
    expect(secret.Properties).toMatchObject({ GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true } });
    expect(secret.Properties.SecretString).toBeUndefined();
    const api = functionId(flipped, 'Email course HTTP app');
    expect(fn(flipped, api).Properties.Environment.Variables.ORIGIN_VERIFY_SECRET_ID).toEqual({ Ref: secretId });
    const readers = resourcesOf(flipped, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(`"Ref":"${secretId}"`),
    );
    expect(readers).toHaveLength(1);
    expect(JSON.stringify(readers[0]![1].Properties.Roles)).toContain('HttpApiHandlerRole');
    expect(actionsOf(statementsOf(flipped, api).filter((st) => JSON.stringify(st.Resource).includes(secretId)))).toEqual([
      'secretsmanager:GetSecretValue',
    ]);
    flipped.hasOutput('OriginVerifySecretArn', { Value: { Ref: secretId } });
    expect(JSON.stringify(flipped.toJSON().Outputs.OriginVerifySecretArn.Description)).toContain('x-origin-verify');
  });

  it('keep the api timeout well under API Gateway’s 30 s, and park failed SES events in an encrypted dead-letter queue', () => {
    expect(fn(service, functionId(service, 'Email course HTTP app')).Properties.Timeout).toBe(10);
    const sesEvents = fn(service, functionId(service, 'Email course SES events')).Properties;
    expect(sesEvents.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
    service.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });
});

describe('the HTTP API', () => {
  it('has exactly the contract routes, with no /__local route and no $default catch-all', () => {
    const routeKeys = resourcesOf(service, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(routeKeys.sort()).toEqual(
      [
        'GET /',
        'HEAD /',
        'GET /courses/{slug}',
        'HEAD /courses/{slug}',
        'POST /subscribe',
        'GET /confirm',
        'HEAD /confirm',
        'POST /confirm',
        'GET /unsubscribe',
        'HEAD /unsubscribe',
        'POST /unsubscribe',
        'POST /learn/pause',
        'POST /learn/resume',
        'POST /learn/next',
        'POST /learn/restart',
        'POST /learn/settings',
        'GET /learn',
        'HEAD /learn',
        'GET /learn/lessons/{n}',
        'HEAD /learn/lessons/{n}',
        'GET /feedback',
        'HEAD /feedback',
        'POST /feedback',
      ].sort(),
    );
    expect(routeKeys.some((k) => k.includes('__local') || k.includes('$default') || k.includes('{proxy'))).toBe(false);
  });

  it('routes every GET, HEAD and POST route the api Lambda’s app serves, read from functions/http/app.ts, and nothing else', () => {
    const routeKeys = resourcesOf(service, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    const served = appRouteKeys(appForRoutes({ local: false }));
    expect(served).toContain('GET /courses/{slug}');
    expect(routeKeys.sort()).toEqual(served);
    // The local stack's tools exist in the app but are never routed in AWS.
    const local = appRouteKeys(appForRoutes({ local: true }));
    expect(local).toContain('POST /__local/drip');
    expect(routeKeys).not.toContain('POST /__local/drip');
  });

  it('answers HEAD like GET with no body (Hono runs the GET route), so a routed HEAD is a real page check', async () => {
    const app = appForRoutes({ local: false });
    const get = await app.request('/', { method: 'GET' });
    const head = await app.request('/', { method: 'HEAD' });
    expect(get.status).toBe(200);
    expect((await get.text()).length).toBeGreaterThan(100);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.body).toBeNull();
    expect(await head.text()).toBe('');
  });

  it('sends every route to the api Lambda (payload format 2.0)', () => {
    const api = functionId(service, 'Email course HTTP app');
    const integrations = resourcesOf(service, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(1);
    expect(integrations[0]![1].Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [api, 'Arn'] },
    });
  });

  it('throttles the stage, and signups harder, and writes JSON access logs without query strings', () => {
    const [[, stage]] = resourcesOf(service, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      RouteSettings: { 'POST /subscribe': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
    });
    // The documented destination form, arn:…:log-group:<name> (the group's Arn attribute ends in :*).
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':logs:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':log-group:',
          { Ref: expect.stringMatching(/^HttpApiAccessLogs/) },
        ],
      ],
    });
    service.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/apigateway/EmailCourse-http-api',
      RetentionInDays: 30,
    });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format).toMatchObject({ status: '$context.status', routeKey: '$context.routeKey', path: '$context.path' });
    expect(JSON.stringify(format)).not.toMatch(/querystring|requestOverride/i);
  });

  it('keeps the execute-api endpoint unless disableExecuteApiEndpoint is set (with a publicUrl)', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
    flipped.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
  });

  it('has no custom domain unless domainName and certificateArn are given', () => {
    service.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    service.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    expect(service.toJSON().Outputs.CustomDomainRecord).toBeUndefined();
  });

  it('maps a custom domain (regional, TLS 1.2) to the stage, outputs its DNS record, and links to https://<domainName>', async () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/1f2e3d4c-0000-4bbb-8ccc-123456789abc';
    const t = (await synthCourse({ context: { domainName: 'course.example.org', certificateArn, disableExecuteApiEndpoint: 'true' } }))
      .serviceTemplate;
    const [[domainId, domain]] = resourcesOf(t, 'AWS::ApiGatewayV2::DomainName') as [[string, Resource]];
    expect(domain.Properties).toEqual({
      DomainName: 'course.example.org',
      DomainNameConfigurations: [{ CertificateArn: certificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
      Tags: expect.anything(),
    });
    const [[, mapping]] = resourcesOf(t, 'AWS::ApiGatewayV2::ApiMapping') as [[string, Resource & { DependsOn?: string[] }]];
    const [[apiId]] = resourcesOf(t, 'AWS::ApiGatewayV2::Api') as [[string, Resource]];
    const [[stageId]] = resourcesOf(t, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    // The stage by name; the mapping waits for it (a mapping to a stage not yet created fails the deploy).
    expect(mapping.Properties).toEqual({ ApiId: { Ref: apiId }, DomainName: { Ref: domainId }, Stage: '$default' });
    expect(mapping.DependsOn).toContain(stageId);
    t.hasOutput('CustomDomainRecord', {
      Value: { 'Fn::Join': ['', ['course.example.org CNAME ', { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] }]] },
    });
    t.hasOutput('SignupUrl', { Value: 'https://course.example.org/' });
    for (const d of ['Email course HTTP app', 'Email course drip']) {
      expect(fn(t, functionId(t, d)).Properties.Environment.Variables.PUBLIC_URL).toBe('https://course.example.org');
    }
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
  });

  it('sends no CORS headers unless origins are configured', async () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
    const withCors = await synthCourse({ context: { corsOrigins: 'https://www.example.com,https://blog.example.com' } });
    withCors.serviceTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://www.example.com', 'https://blog.example.com'], AllowMethods: ['GET', 'POST'] },
    });
  });
});

describe('the drip schedule', () => {
  it('runs the drip every dripEveryMinutes', () => {
    const drip = functionId(service, 'Email course drip');
    service.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [drip, 'Arn'] } })],
    });
  });

  it('follows -c dripEveryMinutes, with the timeout and event age following it', async () => {
    const every1 = await synthCourse({ context: { dripEveryMinutes: '1' } });
    const t = every1.serviceTemplate;
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    const drip = functionId(t, 'Email course drip');
    expect(fn(t, drip).Properties.Timeout).toBe(50);
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: drip }, MaximumEventAgeInSeconds: 60 });
  });
});

describe('SES and its feedback loop', () => {
  it('verifies the sender domain with Easy DKIM (2048-bit) and a custom MAIL FROM domain', () => {
    service.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: 'bounce.example.com', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: Match.anyValue() } },
    });
  });

  it('sends through a configuration set with reputation metrics, whose events go to an encrypted, TLS-only topic', () => {
    service.hasResourceProperties('AWS::SES::ConfigurationSet', { ReputationOptions: { ReputationMetricsEnabled: true } });
    const [[, destination]] = resourcesOf(service, 'AWS::SES::ConfigurationSetEventDestination') as [[string, Resource]];
    expect(destination.Properties.EventDestination).toMatchObject({
      Enabled: true,
      SnsDestination: { TopicARN: { Ref: expect.stringMatching(/^SesFeedbackEvents/) } },
    });
    expect(destination.Properties.EventDestination.MatchingEventTypes).toEqual(
      expect.arrayContaining(['bounce', 'complaint', 'delivery', 'reject']),
    );
    service.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'Email course SES events', KmsMasterKeyId: Match.anyValue() });
    const policies = resourcesOf(service, 'AWS::SNS::TopicPolicy').map(([, p]) => JSON.stringify(p.Properties));
    expect(policies.filter((p) => p.includes('"aws:SecureTransport":"false"'))).toHaveLength(2);
  });

  it('tracks no opens or clicks by default: no OPEN/CLICK event type, and the account’s VDM engagement tracking overridden off', () => {
    const [[, destination]] = resourcesOf(service, 'AWS::SES::ConfigurationSetEventDestination') as [[string, Resource]];
    expect([...(destination.Properties.EventDestination.MatchingEventTypes as string[])].sort()).toEqual(
      ['bounce', 'complaint', 'delivery', 'reject'].sort(),
    );
    service.hasResourceProperties('AWS::SES::ConfigurationSet', { VdmOptions: { DashboardOptions: { EngagementMetrics: 'DISABLED' } } });
    service.hasResourceProperties('AWS::SES::ConfigurationSet', { TrackingOptions: Match.absent() });
  });

  it('tracks opens and clicks only with -c trackOpensAndClicks=true', async () => {
    const tracked = (await synthCourse({ context: { trackOpensAndClicks: 'true' } })).serviceTemplate;
    const [[, destination]] = resourcesOf(tracked, 'AWS::SES::ConfigurationSetEventDestination') as [[string, Resource]];
    expect([...(destination.Properties.EventDestination.MatchingEventTypes as string[])].sort()).toEqual(
      ['bounce', 'click', 'complaint', 'delivery', 'open', 'reject'].sort(),
    );
    tracked.hasResourceProperties('AWS::SES::ConfigurationSet', { VdmOptions: Match.absent() });
  });

  it('subscribes the ses-events Lambda to that topic', () => {
    service.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('SesFeedbackEvents') },
      Endpoint: { 'Fn::GetAtt': [functionId(service, 'Email course SES events'), 'Arn'] },
    });
  });

  it('lets only SES and CloudWatch use the topic key, in the documented form, for this account’s SNS topics', () => {
    const [[, key]] = resourcesOf(service, 'AWS::KMS::Key') as [[string, Resource]];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const services = (key.Properties.KeyPolicy.Statement as Statement[])
      .filter((st) => JSON.stringify(st.Principal).includes('amazonaws.com"'))
      .map((st) => ({
        principal: (st.Principal as { Service: string }).Service,
        actions: asList(st.Action).sort(),
        condition: st.Condition,
      }));
    // No aws:SourceAccount/aws:SourceArn (the SNS guide's form has none, and the KMS call SNS makes
    // for a service publisher need not carry them); scoped by SNS's own encryption context instead.
    const thisAccountsTopics = {
      StringLike: {
        'kms:EncryptionContext:aws:sns:topicArn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']],
        },
      },
    };
    expect(services).toEqual([
      { principal: 'ses.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], condition: thisAccountsTopics },
      { principal: 'cloudwatch.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], condition: thisAccountsTopics },
    ]);
    expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain('aws:Source');
  });
});

describe('the alarms', () => {
  const alarms = () => resourcesOf(service, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const byMetric = (namespace: string, name: string) => alarms().filter((a) => a.Namespace === namespace && a.MetricName === name);

  it('watch drip errors, API 5xx, and SES bounce (> 5 %) and complaint (> 0.1 %) rates; drip throttles only with reserved concurrency', () => {
    const drip = functionId(service, 'Email course drip');
    expect(byMetric('AWS/Lambda', 'Errors').filter((a) => JSON.stringify(a.Dimensions).includes(drip))).toHaveLength(1);
    expect(byMetric('AWS/Lambda', 'Throttles')).toEqual([]);
    const flippedDrip = functionId(flipped, 'Email course drip');
    const throttles = resourcesOf(flipped, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'Throttles');
    expect(throttles.map(([, a]) => JSON.stringify(a.Properties.Dimensions))).toEqual([expect.stringContaining(flippedDrip)]);
    expect(byMetric('AWS/ApiGateway', '5xx')).toHaveLength(1);
    expect(byMetric('AWS/SES', 'Reputation.BounceRate')).toEqual([
      expect.objectContaining({ Threshold: 0.05, ComparisonOperator: 'GreaterThanThreshold' }),
    ]);
    expect(byMetric('AWS/SES', 'Reputation.ComplaintRate')).toEqual([
      expect.objectContaining({ Threshold: 0.001, ComparisonOperator: 'GreaterThanThreshold' }),
    ]);
  });

  it('watch the drip’s own failed-send and possible-duplicate metrics, under the names and dimension the drip emits', () => {
    for (const name of ['failed', 'possibleDuplicates']) {
      expect(byMetric('EmailCourse', name)).toEqual([
        expect.objectContaining({
          Dimensions: [{ Name: 'service', Value: 'drip' }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ]);
    }
  });

  it('can reach the alarm topic: its policy allows CloudWatch to publish, for this account’s alarms only', () => {
    const topic = resourcesOf(service, 'AWS::SNS::Topic').find(([, t]) => t.Properties.DisplayName === 'Email course alarms')![0];
    const [policy, ...others] = resourcesOf(service, 'AWS::SNS::TopicPolicy').filter(
      ([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topic }]),
    );
    expect(others).toEqual([]);
    const allow = (policy![1].Properties.PolicyDocument.Statement as Statement[]).filter((st) => st.Effect === 'Allow');
    expect(allow).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*'],
              ],
            },
          },
        },
      }),
    ]);
  });

  it('all notify the alarm topic, which has no subscription unless alarmEmail is set', async () => {
    const topic = resourcesOf(service, 'AWS::SNS::Topic').find(([, t]) => t.Properties.DisplayName === 'Email course alarms')![0];
    for (const a of alarms()) {
      expect(a.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.TreatMissingData).toBe('notBreaching');
    }
    expect(resourcesOf(service, 'AWS::SNS::Subscription').filter(([, sub]) => sub.Properties.Protocol === 'email')).toHaveLength(0);

    const withEmail = await synthCourse({ context: { alarmEmail: 'ops@example.com' } });
    withEmail.serviceTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('IAM, least privilege', () => {
  it('has no wildcard action in any IAM policy', () => {
    const actions = resourcesOf(service, 'AWS::IAM::Policy').flatMap(([, p]) =>
      actionsOf(p.Properties.PolicyDocument.Statement as Statement[]),
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    service.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    for (const [, role] of resourcesOf(service, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  const sendStatements = (t: Template, id: string) =>
    statementsOf(t, id).filter((st) => actionsOf([st]).some((a) => a.startsWith('ses:Send')));

  it('allows ses:SendRawEmail in the SES sandbox (the default) on this account’s identities and the configuration set, to the drip only', () => {
    for (const id of [functionId(service, 'Email course drip')]) {
      const [statement, ...others] = sendStatements(service, id);
      expect(others).toEqual([]);
      expect(statement!.Action).toBe('ses:SendRawEmail');
      expect(asList(statement!.Resource)).toHaveLength(2);
      const resources = JSON.stringify(statement!.Resource);
      // In the sandbox SES also authorises against the recipient's verified identity.
      expect(resources).toContain(':identity/*"');
      expect(resources).not.toContain('SesFeedbackIdentity');
      expect(resources).toMatch(/:configuration-set\/",\{"Ref":"SesFeedbackConfigurationSet/);
    }
    // The api never sends: signups wait in the outbox, whose confirmations the drip sends.
    expect(sendStatements(service, functionId(service, 'Email course HTTP app'))).toEqual([]);
    expect(sendStatements(service, functionId(service, 'Email course SES events'))).toEqual([]);
  });

  it('narrows ses:SendRawEmail to the domain identity and the configuration set with -c sesSandbox=false', () => {
    for (const id of [functionId(flipped, 'Email course drip')]) {
      const [statement, ...others] = sendStatements(flipped, id);
      expect(others).toEqual([]);
      const resources = JSON.stringify(statement!.Resource);
      expect(asList(statement!.Resource)).toHaveLength(2);
      expect(resources).toMatch(/:identity\/",\{"Ref":"SesFeedbackIdentity/);
      expect(resources).not.toContain('identity/*');
      expect(resources).toMatch(/:configuration-set\/",\{"Ref":"SesFeedbackConfigurationSet/);
    }
    expect(sendStatements(flipped, functionId(flipped, 'Email course HTTP app'))).toEqual([]);
  });

  it('gives ses:GetSendQuota ("*" resource: the action has no resource type) to the drip only, alone in its statement', () => {
    const quota = (id: string) => statementsOf(service, id).filter((st) => actionsOf([st]).includes('ses:GetSendQuota'));
    expect(quota(functionId(service, 'Email course drip'))).toEqual([{ Effect: 'Allow', Action: 'ses:GetSendQuota', Resource: '*' }]);
    expect(quota(functionId(service, 'Email course HTTP app'))).toEqual([]);
    // No other statement anywhere uses a "*" resource.
    const starResources = resourcesOf(service, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => asList(st.Resource).includes('*'));
    expect(starResources.map((st) => st.Action)).toEqual(['ses:GetSendQuota']);
  });

  it('grants item calls on the table by name, and on the due index only Query, only to the drip: no index/* wildcard, no Scan', () => {
    for (const id of [
      functionId(service, 'Email course HTTP app'),
      functionId(service, 'Email course drip'),
      functionId(service, 'Email course SES events'),
    ]) {
      const dynamo = statementsOf(service, id).filter((st) => actionsOf([st]).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.length).toBeGreaterThan(0);
      for (const st of dynamo) {
        const resources = JSON.stringify(st.Resource);
        expect(resources).not.toContain('*');
        if (resources.includes('/index/')) {
          expect(resources).toContain(`"/index/${DUE_INDEX}"`);
          expect(st.Action).toBe('dynamodb:Query');
        }
      }
      const actions = actionsOf(dynamo);
      expect(actions.filter((a) => /Scan|Transact|ConditionCheck|Stream|Table/.test(a))).toEqual([]);
      const onIndex = dynamo.filter((st) => JSON.stringify(st.Resource).includes('/index/'));
      expect(onIndex.length).toBe(id === functionId(service, 'Email course drip') ? 1 : 0);
    }
  });

  it('lets only the drip run PartiQL, and only UPDATE statements, on the table alone (its batched claims and advances)', () => {
    const partiql = (id: string) => statementsOf(service, id).filter((st) => actionsOf([st]).some((a) => a.startsWith('dynamodb:PartiQL')));
    const drip = partiql(functionId(service, 'Email course drip'));
    // One statement (IAM policy minimisation may share it with the drip's other table actions).
    expect(drip).toHaveLength(1);
    expect(actionsOf(drip).filter((a) => a.startsWith('dynamodb:PartiQL'))).toEqual(['dynamodb:PartiQLUpdate']);
    expect(JSON.stringify(drip[0]!.Resource)).not.toContain('index');
    expect(partiql(functionId(service, 'Email course HTTP app'))).toEqual([]);
    expect(partiql(functionId(service, 'Email course SES events'))).toEqual([]);
  });

  it('lets api and drip read the token key, and nothing else read any secret', () => {
    const reads = (id: string) => statementsOf(service, id).filter((st) => actionsOf([st]).includes('secretsmanager:GetSecretValue'));
    expect(reads(functionId(service, 'Email course HTTP app'))).toHaveLength(1);
    expect(reads(functionId(service, 'Email course drip'))).toHaveLength(1);
    expect(reads(functionId(service, 'Email course SES events'))).toEqual([]);
    const secretActions = resourcesOf(service, 'AWS::IAM::Policy')
      .flatMap(([, p]) => actionsOf(p.Properties.PolicyDocument.Statement as Statement[]))
      .filter((a) => a.startsWith('secretsmanager:'));
    // GetSecretValue is the one call the handlers make (adapters/token-key.ts); no DescribeSecret.
    expect(secretActions.sort()).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:GetSecretValue']);
  });
});

describe('the subscription events', () => {
  const busId = () => Object.keys(service.findResources('AWS::Events::EventBus'))[0]!;

  it('have one EventBridge bus of their own, named after the stack, with no policy opening it to anyone else', () => {
    service.resourceCountIs('AWS::Events::EventBus', 1);
    service.hasResourceProperties('AWS::Events::EventBus', { Name: 'EmailCourse-subscriptions' });
    service.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    expect(JSON.stringify(service.toJSON().Resources[busId()].Properties)).not.toContain('Policy');
  });

  it('tell the three publishing functions the bus by name, and the address opt-in (off by default)', () => {
    for (const d of ['Email course HTTP app', 'Email course drip', 'Email course SES events']) {
      const vars = fn(service, functionId(service, d)).Properties.Environment.Variables;
      expect(vars.EVENT_BUS_NAME, d).toEqual({ Ref: busId() });
      expect(vars.EVENTS_INCLUDE_EMAIL, d).toBe('false');
    }
  });

  it('carry the address only with -c eventsIncludeEmail=true', async () => {
    const t = (await synthCourse({ context: { eventsIncludeEmail: 'true' } })).serviceTemplate;
    for (const d of ['Email course HTTP app', 'Email course drip', 'Email course SES events']) {
      expect(fn(t, functionId(t, d)).Properties.Environment.Variables.EVENTS_INCLUDE_EMAIL, d).toBe('true');
    }
  });

  it('may be put on the bus by exactly the api, the drip and ses-events: events:PutEvents on the bus ARN only', () => {
    const statements = resourcesOf(service, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).map((st) => ({ roles: JSON.stringify(p.Properties.Roles), st })),
    );
    const puts = statements.filter(({ st }) => asList(st.Action).some((a) => a.startsWith('events:')));
    expect(puts).toHaveLength(3);
    for (const { st } of puts) {
      expect(st.Action).toBe('events:PutEvents');
      expect(st.Resource).toEqual({ 'Fn::GetAtt': [busId(), 'Arn'] });
    }
    const roleOf = (d: string) => (fn(service, functionId(service, d)).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    expect(puts.map(({ roles }) => roles).sort()).toEqual(
      ['Email course HTTP app', 'Email course drip', 'Email course SES events'].map((d) => JSON.stringify([{ Ref: roleOf(d) }])).sort(),
    );
  });

  it('fanned out: the senders publish, the planner is neither told the bus nor allowed to put on it', async () => {
    const t = (await synthCourse({ context: { dripSenders: '3' } })).serviceTemplate;
    const vars = (d: string) => fn(t, functionId(t, d)).Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(vars('Email course drip sender'))).toEqual(expect.arrayContaining(['EVENT_BUS_NAME', 'EVENTS_INCLUDE_EMAIL']));
    expect(Object.keys(vars('Email course drip planner'))).not.toContain('EVENT_BUS_NAME');
    expect(Object.keys(vars('Email course drip planner'))).not.toContain('EVENTS_INCLUDE_EMAIL');
    const plannerRole = (fn(t, functionId(t, 'Email course drip planner')).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const plannerPolicies = resourcesOf(t, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(`"${plannerRole}"`),
    );
    expect(JSON.stringify(plannerPolicies)).not.toContain('events:PutEvents');
  });

  it('output the bus name (for rules, and EVENT_BUS_NAME of the CLI)', () => {
    service.hasOutput('EventBusName', { Value: { Ref: busId() } });
  });
});

describe('the outputs', () => {
  it('give the signup URL, the three DKIM records, MAIL FROM, DMARC and the SES sandbox reminder', () => {
    service.hasOutput('SignupUrl', { Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'ApiEndpoint'] }, '/']] } });
    for (const n of [1, 2, 3]) {
      service.hasOutput(`DkimRecord${n}`, {
        Value: {
          'Fn::Join': [
            '',
            [
              { 'Fn::GetAtt': [Match.anyValue(), `DkimDNSTokenName${n}`] },
              ' CNAME ',
              { 'Fn::GetAtt': [Match.anyValue(), `DkimDNSTokenValue${n}`] },
            ],
          ],
        },
      });
    }
    service.hasOutput('MailFromSpfRecord', { Value: 'bounce.example.com TXT "v=spf1 include:amazonses.com ~all"' });
    service.hasOutput('DmarcRecord', { Value: Match.stringLikeRegexp('^_dmarc.example.com TXT "v=DMARC1;') });
    service.hasOutput('SesSandboxReminder', { Value: Match.anyValue() });
    const reminder = JSON.stringify(service.toJSON().Outputs.SesSandboxReminder);
    expect(reminder).toContain('sesSandbox=true');
    expect(reminder).toContain('-c sesSandbox=false');
    expect(JSON.stringify(flipped.toJSON().Outputs.SesSandboxReminder)).toContain('sesSandbox=false');
  });

  it('give the dashboard URL, for a dashboard with the operator’s graphs', () => {
    const [[dashboardId, dashboard]] = resourcesOf(service, 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const url = (service.toJSON().Outputs.DashboardUrl.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(url).toContain('.console.aws.amazon.com/cloudwatch/home?region=');
    expect(url.at(-2)).toMatch(/#dashboards\/dashboard\/$/);
    expect(url.at(-1)).toEqual({ Ref: dashboardId });
    // The body is JSON inside a Fn::Join; its text names every graph and metric.
    const body = JSON.stringify(dashboard.Properties.DashboardBody).replace(/\\"/g, '"');
    for (const title of [
      'Lessons sent per hour',
      'Drip failures per hour',
      'SES feedback per hour',
      'Drip run duration',
      'HTTP API errors',
      'SES reputation (account)',
      'Votes per lesson: was this lesson useful? (totals over the range shown)',
    ]) {
      expect(body).toContain(`"title":"${title}"`);
    }
    for (const metric of [
      'sent',
      'failed',
      'held',
      'possibleDuplicates',
      'bounces',
      'softBounces',
      'complaints',
      'deliveries',
      'duration',
      'stoppedEarly',
      '4xx',
      '5xx',
      'Reputation.BounceRate',
      'Reputation.ComplaintRate',
    ]) {
      expect(body).toContain(`"${metric}"`);
    }
    // The words `course stats` uses: permanent bounces and soft bounces are two lines, never one "bounces".
    expect(body).toContain('"label":"bounced (permanent)"');
    expect(body).toContain('"label":"soft bounces"');
    expect(body).not.toContain('"label":"bounces"');
    // The votes: every course and lesson found by a search on the dimensions the api writes them with.
    for (const name of ['votedYes', 'votedNo'])
      expect(body).toMatch(new RegExp(`SEARCH\\('\\{EmailCourse,course,lesson,service\\} MetricName=\\\\*"${name}\\\\*"', 'Sum', 3600\\)`));
    expect(body).toContain('"view":"bar"');
  });

  it('use the configured public URL for the signup link and every email link', async () => {
    const custom = await synthCourse({ context: { publicUrl: 'https://course.example.com/' } });
    custom.serviceTemplate.hasOutput('SignupUrl', { Value: 'https://course.example.com/' });
    const t = custom.serviceTemplate;
    for (const d of ['Email course HTTP app', 'Email course drip']) {
      expect(fn(t, functionId(t, d)).Properties.Environment.Variables.PUBLIC_URL).toBe('https://course.example.com');
    }
  });
});

describe('synthesis', () => {
  it('reads the data stack through Fn::ImportValue of its exports, never Fn::GetStackOutput (not a function Fn::Join may hold)', () => {
    const text = JSON.stringify(service.toJSON());
    expect(text).not.toContain('Fn::GetStackOutput');
    expect(JSON.stringify(flipped.toJSON())).not.toContain('Fn::GetStackOutput');
    // The table ARN (in IAM policies, and joined into the due index's ARN) and the secret come in as imports.
    const imports = [...new Set(text.match(/"Fn::ImportValue":"[^"]+"/g) ?? [])].sort();
    expect(imports.length).toBeGreaterThanOrEqual(3);
    expect(imports.every((i) => i.includes('EmailCourseData:ExportsOutput'))).toBe(true);
    const exported = Object.values(data.toJSON().Outputs as Record<string, { Export?: { Name: string } }>).flatMap((o) =>
      o.Export ? [`"Fn::ImportValue":"${o.Export.Name}"`] : [],
    );
    for (const i of imports) expect(exported).toContain(i);
  });

  it('keeps Fn::ImportValue even when the context asks for weak references (the service stack pins them)', async () => {
    const weak = await synthCourse({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
    expect(JSON.stringify(weak.serviceTemplate.toJSON())).not.toContain('Fn::GetStackOutput');
    expect(JSON.stringify(weak.serviceTemplate.toJSON())).toContain('Fn::ImportValue');
  });

  it('needs no AWS account: both stacks are environment-agnostic', () => {
    expect(s.data.environment).toBe('aws://unknown-account/unknown-region');
    expect(s.service.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('fails on a bad context value, naming the key', async () => {
    await expect(synthCourse({ context: { maxSendRate: 'lots' } })).rejects.toThrow('Context "maxSendRate": must be a number');
  });
});
