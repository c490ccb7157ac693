// The system a cloud assembly describes, running on this machine: its functions (lambda.ts), its HTTP
// API (api-gateway.ts), its EventBridge schedules, Lambda's async Invoke, SES with its configuration
// set's event destination, and SNS to the functions subscribed to that topic, on DynamoDB Local and
// the SES emulator. Everything is read from the templates; whatever it cannot resolve or run throws.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startApiGateway, type ApiGateway, type Route } from './api-gateway.js';
import { startRecordingEndpoint, type AwsBackends, type AwsCall, type RecordingEndpoint } from './aws.js';
import { LambdaService, type FunctionSpec } from './lambda.js';
import { ACCOUNT, PARTITION, REGION, physicalName, resolver, resourcesOf, type Assembly, type Resolve } from './template.js';

/** The emulators the run talks to (test/support/stack.ts starts them). */
export interface Emulators {
  dynamo: DynamoDBClient;
  dynamoUrl: string;
  sesUrl: string;
}

/** A message SES accepted, with what its events carry. */
export interface SentMessage {
  messageId: string;
  source: string;
  destination: string[];
  configurationSet?: string;
  tags: Record<string, string[]>;
  at: number;
  sender: string;
}

export interface DeploymentOptions {
  /** Appended to generated physical names (tables, functions), so two deployments share the emulators. */
  nameSuffix?: string;
  /** GetSendQuota's MaxSendRate (emails per second). @default 3 */
  maxSendRate?: number;
}

/** The construct path of a resource below its stack ("HttpApi/Handler/Function"), from aws:cdk:path. */
export function constructPath(resource: { Metadata?: Record<string, unknown> }, fallback: string): string {
  const path = resource.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path.split('/').slice(1, -1).join('/') : fallback;
}

/** Which file Lambda's Node runtime loads for Handler "index.handler": index.js, index.mjs or index.cjs. */
function handlerFile(dir: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  const base = handler.slice(0, dot);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => `${base}${ext}`).find((f) => existsSync(join(dir, f)));
  if (file === undefined) throw new Error(`Handler ${handler}: no ${base}.js, .mjs or .cjs in ${dir}`);
  return { file, exportName: handler.slice(dot + 1) };
}

/** Every AWS::Lambda::Function of the assembly, resolved. */
export function functionSpecs(assembly: Assembly, resolveIn: (stack: string) => Resolve, suffix = ''): FunctionSpec[] {
  return resourcesOf(assembly, 'AWS::Lambda::Function').map(({ stack, id, resource }) => {
    const p = resource.Properties ?? {};
    const path = constructPath(resource, id);
    const asset = resource.Metadata?.['aws:asset:path'];
    if (typeof asset !== 'string') throw new Error(`${path}: no aws:asset:path in its Metadata (synthesise with asset metadata on)`);
    const dir = isAbsolute(asset) ? asset : join(assembly.dir, asset);
    const resolve = resolveIn(stack);
    const variables = (resolve((p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}, `${path}.Environment`) ??
      {}) as Record<string, unknown>;
    const name = physicalName(stack, id, resource, suffix);
    return {
      logicalId: id,
      path,
      name,
      arn: `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${name}`,
      dir,
      ...handlerFile(dir, String(p.Handler)),
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    };
  });
}

/** Create every AWS::DynamoDB::Table of the assembly in DynamoDB Local, from its template properties. */
async function createTables(assembly: Assembly, dynamo: DynamoDBClient, suffix: string): Promise<string[]> {
  const names: string[] = [];
  for (const { stack, id, resource } of resourcesOf(assembly, 'AWS::DynamoDB::Table')) {
    const p = resource.Properties as Record<string, unknown> & { GlobalSecondaryIndexes?: Record<string, unknown>[] };
    const name = physicalName(stack, id, resource, suffix);
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        BillingMode: 'PAY_PER_REQUEST',
        ...(p.GlobalSecondaryIndexes
          ? {
              GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map((g) => ({
                IndexName: g.IndexName,
                KeySchema: g.KeySchema,
                Projection: g.Projection,
              })),
            }
          : {}),
      } as CreateTableCommandInput),
    );
    names.push(name);
  }
  return names;
}

/** A running deployment. */
export class Deployment {
  readonly calls: AwsCall[] = [];
  readonly sent: SentMessage[] = [];
  /** Events SES published (type, message id) and to how many functions SNS delivered each. */
  readonly published: { eventType: string; messageId: string; delivered: number }[] = [];
  lambda!: LambdaService;
  api!: ApiGateway;
  tables: string[] = [];
  private clockOffsetMs = 0;
  private readonly endpoints: RecordingEndpoint[] = [];
  private readonly duplicates: ((fn: FunctionSpec, payload: unknown) => boolean)[] = [];
  private readonly resolvers = new Map<string, Resolve>();
  private readonly suffix: string;

  private constructor(
    readonly assembly: Assembly,
    private readonly emulators: Emulators,
    private readonly options: DeploymentOptions,
  ) {
    this.suffix = options.nameSuffix ?? '';
  }

  /** Start the deployment `assembly` describes. */
  static async start(assembly: Assembly, emulators: Emulators, options: DeploymentOptions = {}): Promise<Deployment> {
    const d = new Deployment(assembly, emulators, options);
    await d.boot();
    return d;
  }

  /** The functions' clock reads `at` now (and runs on from there at the real rate). */
  setClock(at: Date): void {
    this.clockOffsetMs = at.getTime() - Date.now();
  }

  /** What the functions' clock reads now. */
  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  /** The function whose construct path ends with `suffix` (e.g. "HttpApi/Handler/Function"). */
  fn(suffix: string): FunctionSpec {
    const found = this.lambda.functions.filter((f) => f.path.endsWith(suffix));
    if (found.length !== 1)
      throw new Error(`${found.length} functions end with ${suffix}: ${this.lambda.functions.map((f) => f.path).join(', ')}`);
    return found[0]!;
  }

  /** The next async Invoke of `fn` whose payload `which` picks is delivered twice (Lambda's at-least-once). */
  deliverTwice(which: (fn: FunctionSpec, payload: unknown) => boolean): void {
    this.duplicates.push(which);
  }

  /** The resolver of `stack`'s values, with this deployment's local names. */
  resolve(stack: string): Resolve {
    let r = this.resolvers.get(stack);
    if (r === undefined) {
      r = resolver(this.assembly, stack, { apiEndpoint: () => this.api.url, nameSuffix: this.suffix });
      this.resolvers.set(stack, r);
    }
    return r;
  }

  private async boot(): Promise<void> {
    this.api = await startApiGateway(
      (arn, event) => this.lambda.invoke(arn, event),
      () => this.now(),
    );
    const specs = functionSpecs(this.assembly, (stack) => this.resolve(stack), this.suffix);
    this.tables = await createTables(this.assembly, this.emulators.dynamo, this.suffix);
    const backends = this.backends();
    const awsEnv = {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCOUNT_ID: ACCOUNT,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
      // This machine runs Node 20, which the SDK warns about on stderr; Lambda runs Node 22.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    this.lambda = new LambdaService(specs, {
      clockOffsetMs: () => this.clockOffsetMs,
      // One recording endpoint per container; AWS_ENDPOINT_URL (every service) points at it.
      runtimeEnv: async (fn, container) => {
        const endpoint = await startRecordingEndpoint(fn.path, container, backends, this.calls);
        this.endpoints.push(endpoint);
        return { ...awsEnv, AWS_ENDPOINT_URL: endpoint.url };
      },
    });
    this.api.routes = this.routes();
  }

  private backends(): AwsBackends {
    const secrets = new Map<string, string>();
    for (const { stack, id } of resourcesOf(this.assembly, 'AWS::SecretsManager::Secret')) {
      secrets.set(String(this.resolve(stack)({ Ref: id }, id)), `local-${id}-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP`);
    }
    return {
      dynamoUrl: this.emulators.dynamoUrl,
      sesUrl: this.emulators.sesUrl,
      secrets,
      sendQuota: { Max24HourSend: 50_000, MaxSendRate: this.options.maxSendRate ?? 3, SentLast24Hours: 0 },
      invoke: (name, payload, async) => this.invokeApi(name, payload, async),
      accepted: (messageId, params) => this.accepted(messageId, params),
    };
  }

  /** Lambda's Invoke API: only the template's functions; Event invocations answer 202 and run later. */
  private async invokeApi(name: string, payload: unknown, async: boolean): Promise<{ status: number; body: string }> {
    const fn = this.lambda.find(name);
    if (fn === undefined) {
      return { status: 404, body: JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }) };
    }
    if (!async) return { status: 200, body: JSON.stringify(await this.lambda.invoke(fn.arn, payload)) };
    this.lambda.invokeAsync(fn.arn, payload);
    const twice = this.duplicates.findIndex((pick) => pick(fn, payload));
    if (twice >= 0) {
      this.duplicates.splice(twice, 1);
      this.lambda.invokeAsync(fn.arn, payload);
    }
    return { status: 202, body: '' };
  }

  private accepted(messageId: string, params: URLSearchParams): void {
    const tags: Record<string, string[]> = {};
    for (let i = 1; params.has(`Tags.member.${i}.Name`); i++)
      tags[params.get(`Tags.member.${i}.Name`)!] = [params.get(`Tags.member.${i}.Value`) ?? ''];
    const destination: string[] = [];
    for (let i = 1; params.has(`Destinations.member.${i}`); i++) destination.push(params.get(`Destinations.member.${i}`)!);
    const configurationSet = params.get('ConfigurationSetName') ?? undefined;
    if (configurationSet) tags['ses:configuration-set'] = [configurationSet];
    this.sent.push({
      messageId,
      source: params.get('Source') ?? '',
      destination,
      tags,
      at: Date.now(),
      sender: '',
      ...(configurationSet ? { configurationSet } : {}),
    });
  }

  /** The template's routes of the (one) HTTP API, each with its integration's function. */
  private routes(): Route[] {
    return resourcesOf(this.assembly, 'AWS::ApiGatewayV2::Route').map(({ stack, id, resource }) => {
      const p = resource.Properties ?? {};
      const target = String(this.resolve(stack)(p.Target, `${id}.Target`));
      const integrationName = target.replace(/^integrations\//, '');
      // The Target names the integration by its Ref: find the integration resource it refers to.
      const [integrationId, integration] =
        Object.entries(this.assembly.stacks[stack]!.Resources).find(
          ([iid, r]) => r.Type === 'AWS::ApiGatewayV2::Integration' && this.resolve(stack)({ Ref: iid }, iid) === integrationName,
        ) ?? [];
      if (integration === undefined || integrationId === undefined)
        throw new Error(`route ${String(p.RouteKey)}: no integration ${integrationName}`);
      const uri = String(this.resolve(stack)(integration.Properties?.IntegrationUri, `${integrationId}.IntegrationUri`));
      return { routeKey: String(p.RouteKey), functionArn: uri };
    });
  }

  /** The EventBridge schedule rules: rate in ms and the functions they target. */
  rules(): { id: string; expression: string; periodMs: number; targets: string[] }[] {
    return resourcesOf(this.assembly, 'AWS::Events::Rule')
      .filter(({ resource }) => resource.Properties?.ScheduleExpression !== undefined && resource.Properties.State !== 'DISABLED')
      .map(({ stack, id, resource }) => {
        const expression = String(resource.Properties!.ScheduleExpression);
        const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
        if (!m) throw new Error(`rule ${id}: the run schedules rate() expressions only, not ${expression}`);
        const unit = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[m[2]!.replace(/s$/, '')]!;
        const targets = (resource.Properties!.Targets as { Arn: unknown }[]).map((t, i) =>
          String(this.resolve(stack)(t.Arn, `${id}.Targets[${i}]`)),
        );
        return { id, expression, periodMs: Number(m[1]) * unit, targets };
      });
  }

  /**
   * Fire every schedule rule `offsetMs` into the period that starts at `periodStart` (a multiple of the
   * period on the wall-clock grid): the functions' clock is set to that instant, each target gets
   * EventBridge's "Scheduled Event" (asynchronously, as EventBridge invokes Lambda), and this resolves
   * once everything those invocations started has ended.
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
   */
  async tick(periodStart: Date, offsetMs: number): Promise<void> {
    const rules = this.rules();
    if (rules.length === 0) throw new Error('the template has no schedule rule: nothing would ever run the drip');
    const at = new Date(periodStart.getTime() + offsetMs);
    this.setClock(at);
    for (const rule of rules) {
      for (const target of rule.targets) {
        this.lambda.invokeAsync(target, {
          version: '0',
          id: randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: ACCOUNT,
          time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: REGION,
          resources: [`arn:${PARTITION}:events:${REGION}:${ACCOUNT}:rule/${rule.id}`],
          detail: {},
        });
      }
    }
    await this.lambda.idle();
  }

  /** The SES event types (lower case, as MatchingEventTypes) published to SNS topics, with the topic. */
  eventDestinations(): { configurationSet: string; types: string[]; topicArn: string }[] {
    return resourcesOf(this.assembly, 'AWS::SES::ConfigurationSetEventDestination').flatMap(({ stack, id, resource }) => {
      const r = this.resolve(stack)(resource.Properties, id) as {
        ConfigurationSetName: string;
        EventDestination: { Enabled?: boolean; MatchingEventTypes: string[]; SnsDestination?: { TopicARN: string } };
      };
      const dest = r.EventDestination;
      if (dest.Enabled === false || dest.SnsDestination === undefined) return [];
      return [
        {
          configurationSet: r.ConfigurationSetName,
          types: dest.MatchingEventTypes.map((t) => t.toLowerCase()),
          topicArn: dest.SnsDestination.TopicARN,
        },
      ];
    });
  }

  /** The functions SNS delivers `topicArn`'s messages to (AWS::SNS::Subscription, protocol lambda). */
  private subscribers(topicArn: string): string[] {
    return resourcesOf(this.assembly, 'AWS::SNS::Subscription').flatMap(({ stack, id, resource }) => {
      const p = this.resolve(stack)(resource.Properties, id) as { Protocol: string; TopicArn: string; Endpoint: string };
      return p.Protocol === 'lambda' && p.TopicArn === topicArn ? [p.Endpoint] : [];
    });
  }

  /**
   * SES publishes an event of one message (eventType as SES writes it: "Send", "Delivery", "Bounce",
   * "Complaint"; `detail` is its type-specific object): only if the message's configuration set has an
   * enabled destination whose MatchingEventTypes name it. Returns how many functions SNS delivered to.
   * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
   */
  async publishSesEvent(eventType: string, messageId: string, detail: Record<string, unknown> = {}): Promise<number> {
    const message = this.sent.find((m) => m.messageId === messageId);
    if (message === undefined) throw new Error(`SES sent no message ${messageId}`);
    const key = eventType.charAt(0).toLowerCase() + eventType.slice(1);
    const body = {
      eventType,
      mail: {
        timestamp: new Date(message.at + this.clockOffsetMs).toISOString(),
        source: message.source,
        sendingAccountId: ACCOUNT,
        messageId,
        destination: message.destination,
        headersTruncated: false,
        tags: message.tags,
      },
      [key]: { timestamp: this.now().toISOString(), ...detail },
    };
    let delivered = 0;
    for (const dest of this.eventDestinations()) {
      if (dest.configurationSet !== message.configurationSet || !dest.types.includes(eventType.toLowerCase())) continue;
      for (const fn of this.subscribers(dest.topicArn)) {
        this.lambda.invokeAsync(fn, snsEvent(dest.topicArn, JSON.stringify(body), this.now()));
        delivered++;
      }
    }
    this.published.push({ eventType, messageId, delivered });
    await this.lambda.idle();
    return delivered;
  }

  /** Stop the functions and the endpoints. */
  async stop(): Promise<void> {
    await this.lambda?.stop();
    await this.api?.close();
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}

/** The event SNS invokes a subscribed function with. https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html */
function snsEvent(topicArn: string, message: string, now: Date): unknown {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: null,
          Message: message,
          Timestamp: now.toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.local/cert.pem',
          UnsubscribeUrl: 'https://sns.local/unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}
