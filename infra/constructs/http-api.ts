// The public HTTP API: exactly the routes of the contract (docs/reference/http-api.md), all served by one
// api Lambda running the HTTP app. The local-only /__local routes are not declared, and there is
// no $default catch-all, so API Gateway answers 404 for them before any code runs.
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../functions/config/settings.js';
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../../functions/http/client-ip.js';
import { CourseFunction } from './course-function.js';

/**
 * The GET and POST routes of the HTTP contract (docs/reference/http-api.md) that the app serves
 * (functions/http/app.ts), in API Gateway's path syntax (`{slug}` for Hono's `:slug`).
 */
const CONTRACT_GET_POST = [
  { method: apigwv2.HttpMethod.GET, path: '/' },
  { method: apigwv2.HttpMethod.GET, path: '/courses/{slug}' },
  { method: apigwv2.HttpMethod.POST, path: '/subscribe' },
  { method: apigwv2.HttpMethod.GET, path: '/confirm' },
  { method: apigwv2.HttpMethod.POST, path: '/confirm' },
  { method: apigwv2.HttpMethod.GET, path: '/unsubscribe' },
  { method: apigwv2.HttpMethod.POST, path: '/unsubscribe' },
  // The learner's controls on their course page (POST only).
  { method: apigwv2.HttpMethod.POST, path: '/learn/pause' },
  { method: apigwv2.HttpMethod.POST, path: '/learn/resume' },
  { method: apigwv2.HttpMethod.POST, path: '/learn/next' },
  { method: apigwv2.HttpMethod.POST, path: '/learn/restart' },
  { method: apigwv2.HttpMethod.POST, path: '/learn/settings' },
  { method: apigwv2.HttpMethod.GET, path: '/learn' },
  { method: apigwv2.HttpMethod.GET, path: '/learn/lessons/{n}' },
  { method: apigwv2.HttpMethod.GET, path: '/feedback' },
  { method: apigwv2.HttpMethod.POST, path: '/feedback' },
] as const;

/**
 * Every route API Gateway passes to the api Lambda: the contract's GET and POST routes, and HEAD
 * beside every GET. An HTTP API matches the method exactly (HEAD is a route method of its own, not
 * implied by GET), and Hono answers a HEAD by running the GET route and sending its status and
 * headers with no body (hono-base.ts, `dispatch`), so mail scanners that probe links with HEAD get
 * the page's answer and change nothing. No $default catch-all: any other path or method is API
 * Gateway's 404 before any code runs.
 */
export const CONTRACT_ROUTES: readonly { method: apigwv2.HttpMethod; path: string }[] = [
  ...CONTRACT_GET_POST,
  ...CONTRACT_GET_POST.filter((r) => r.method === apigwv2.HttpMethod.GET).map((r) => ({ method: apigwv2.HttpMethod.HEAD, path: r.path })),
];

export interface HttpApiProps {
  /** Settings the api handler reads (TABLE_NAME, …); PUBLIC_URL is set here. */
  readonly environment: Record<string, string>;
  /**
   * Base of the links in emails and pages, without a trailing slash.
   * @default this API's own execute-api URL
   */
  readonly publicUrl?: string;
  /** Passed to the api function: it renders the confirmation email. */
  readonly compiledCoursePath?: string;
  /** Origins allowed to call the API from a browser on another site; empty: no CORS headers. */
  readonly corsOrigins: string[];
  /**
   * Steady requests per second across the whole API before API Gateway answers 429.
   * @default 20: far above a signup page's traffic, low enough to cap the bill under a flood
   */
  readonly rateLimit?: number;
  /** @default twice the rate limit */
  readonly burstLimit?: number;
  /**
   * CloudFront fronts the API: the api Lambda takes the client IP (per-IP signup limit, consent
   * record) from the `CloudFront-Viewer-Address` header, which the distribution's origin request
   * policy must forward, but only from requests carrying the origin-verify secret (generated here,
   * `originVerifySecret`) in the `X-Origin-Verify` origin custom header. Other requests count under
   * their connection's address. Without this the IP is always the connection's (CloudFront's).
   * @default false
   */
  readonly behindCloudFront?: boolean;
  /**
   * A custom domain for the API: an API Gateway regional domain name with this ACM certificate (in
   * the stack's region), mapped to the `$default` stage. The DNS record to add is `domainRecord`.
   * @default none
   */
  readonly customDomain?: { domainName: string; certificateArn: string };
  /**
   * Turn off the execute-api URL, so the API is reached only through its custom domain (the
   * one the CDN uses as origin): nobody can skip the CDN, or forge the viewer address header,
   * through the default endpoint.
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

/** API Gateway HTTP API + the api Lambda behind it. */
export class HttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly handler: CourseFunction;
  /**
   * The API's own URL, without a trailing slash (https://<id>.execute-api.<region>.amazonaws.com);
   * undefined when that endpoint is disabled.
   */
  readonly url: string | undefined;
  /** Where people reach the course: `publicUrl` if given, else `url`. */
  readonly publicUrl: string;
  /** The stage's access log group. */
  readonly accessLogs: logs.LogGroup;
  /** Behind CloudFront: the secret CloudFront's `X-Origin-Verify` origin header must carry. */
  readonly originVerifySecret: secretsmanager.Secret | undefined;
  /** With a custom domain: the API Gateway domain name (its `regionalDomainName` is the DNS target). */
  readonly domain: apigwv2.DomainName | undefined;
  /** With a custom domain: the DNS record to create, `<domainName> CNAME <regional domain name>`. */
  readonly domainRecord: string | undefined;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.handler = apiFunction(this, props);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Email course signup, confirm and unsubscribe',
      createDefaultStage: false,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
      corsPreflight:
        props.corsOrigins.length > 0
          ? {
              allowOrigins: props.corsOrigins,
              allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
              allowHeaders: ['content-type'],
              maxAge: Duration.days(1),
            }
          : undefined,
    });
    const routes = addContractRoutes(this.api, this.handler);
    this.accessLogs = accessLogGroup(this);
    this.stage = throttledStage(this, this.api, this.accessLogs, props);
    // Route settings name a route key, which must exist before the stage is updated.
    for (const route of routes) this.stage.node.addDependency(route);
    this.url = props.disableExecuteApiEndpoint ? undefined : this.api.apiEndpoint;
    const publicUrl = props.publicUrl ?? this.url;
    if (publicUrl === undefined)
      throw new Error('HttpApi: disableExecuteApiEndpoint needs publicUrl (every link would point at the disabled endpoint)');
    this.publicUrl = publicUrl;
    this.handler.function.addEnvironment(ENV.publicUrl, this.publicUrl);
    this.originVerifySecret = props.behindCloudFront ? originVerify(this, this.handler) : undefined;
    this.domain = props.customDomain ? customDomain(this, this.api, this.stage, props.customDomain) : undefined;
    this.domainRecord =
      this.domain && props.customDomain ? `${props.customDomain.domainName} CNAME ${this.domain.regionalDomainName}` : undefined;
  }
}

/**
 * The origin-verify secret, generated at deploy (never in the repository or the template), and the
 * api Lambda told to believe CloudFront-Viewer-Address only from requests whose `X-Origin-Verify`
 * header carries it (functions/http/client-ip.ts), with GetSecretValue on it alone.
 */
function originVerify(scope: Construct, handler: CourseFunction): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'OriginVerifySecret', {
    description: `Email course: the value CloudFront sends in the ${ORIGIN_VERIFY_HEADER} origin header; the api believes the viewer address only with it`,
    // 48 characters from [A-Za-z0-9]: about 285 bits, nothing to escape in a header value.
    generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    // Nothing outside this deployment holds it but the distribution's header, which is set again from a new one.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'No automatic rotation: the value must be copied into the CloudFront origin custom header by hand, so a rotation ' +
      'would leave every request unverified (counted under CloudFront’s address) until then. Rotate by hand as the README says.',
  });
  handler.function.addEnvironment(ENV.clientIpHeader, VIEWER_ADDRESS_HEADER);
  handler.function.addEnvironment(ENV.originVerifySecretId, secret.secretArn);
  // functions/adapters/origin-verify.ts loadOriginVerifySecret: the one call on it.
  iam.Grant.addToPrincipal({ grantee: handler.function, actions: ['secretsmanager:GetSecretValue'], resourceArns: [secret.secretArn] });
  return secret;
}

/**
 * A regional custom domain for the API (TLS 1.2, the certificate from ACM in this region) mapped to
 * the `$default` stage; the DNS record to create points the name at its `regionalDomainName`.
 */
function customDomain(
  scope: Construct,
  api: apigwv2.HttpApi,
  stage: apigwv2.HttpStage,
  o: { domainName: string; certificateArn: string },
): apigwv2.DomainName {
  const domain = new apigwv2.DomainName(scope, 'Domain', {
    domainName: o.domainName,
    certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate', o.certificateArn),
    securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
    endpointType: apigwv2.EndpointType.REGIONAL,
  });
  const mapping = new apigwv2.ApiMapping(scope, 'Mapping', { api, domainName: domain, stage });
  // The mapping names the stage by name ($default), not by reference: it must wait for the stage.
  mapping.node.addDependency(stage);
  return domain;
}

/** The api Lambda: the HTTP app behind every route. */
function apiFunction(scope: Construct, props: HttpApiProps): CourseFunction {
  return new CourseFunction(scope, 'Handler', {
    entry: 'functions/handlers/api.ts',
    description: 'Email course HTTP app: signup page, subscribe, confirm, unsubscribe',
    // A request does a few DynamoDB calls and at most one SES send; 512 MB buys the CPU that
    // halves cold starts against 256 MB (CPU scales with memory) for a fraction of a cent.
    memorySize: 512,
    // Well under API Gateway's 30 s integration limit: a hung dependency shows as a fast 5xx
    // (and the 5xx alarm) rather than a browser spinning; the SDK's own retries fit inside.
    timeout: Duration.seconds(10),
    environment: props.environment,
    compiledCoursePath: props.compiledCoursePath,
    // Pages and signups need each course's manifest, not its compiled lessons: the outbox (in the
    // drip) sends the confirmations.
    courseManifestsOnly: true,
  });
}

/** CONTRACT_ROUTES on `api`, each integrated with the api Lambda; public by design (cdk-nag APIG4 acknowledged). */
function addContractRoutes(api: apigwv2.HttpApi, handler: CourseFunction): apigwv2.HttpRoute[] {
  const integration = new HttpLambdaIntegration('App', handler.function);
  const routes = CONTRACT_ROUTES.flatMap(({ method, path }) => api.addRoutes({ path, methods: [method], integration }));
  for (const route of routes) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Public by design: anyone may open the signup page and subscribe (double opt-in protects the address owner); ' +
        'confirm and unsubscribe are authorised by the signed token in the link, checked by the handler.',
    });
  }
  return routes;
}

/** The stage's access log group. */
function accessLogGroup(scope: Construct): logs.LogGroup {
  // Under /aws/vendedlogs/: API Gateway delivers access logs as a "vended" log, and CloudWatch
  // Logs lets it write there without adding this group to the account's one log-delivery
  // resource policy, which has a 5,120-character limit that a few APIs or state machines fill.
  return new logs.LogGroup(scope, 'AccessLogs', {
    logGroupName: `/aws/vendedlogs/apigateway/${Stack.of(scope).stackName}-http-api`,
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** One line per request in the access log; $context.path carries no query string, so link tokens never reach it. */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTimeEpoch',
    ip: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    userAgent: '$context.identity.userAgent',
  }),
);

/**
 * The `$default` stage, auto-deployed: the API-wide throttle (`rateLimit`, default 20/s; burst
 * twice that), a tighter one on `POST /subscribe`, and access logs to `accessLogs`.
 */
function throttledStage(scope: Construct, api: apigwv2.HttpApi, accessLogs: logs.LogGroup, props: HttpApiProps): apigwv2.HttpStage {
  const rateLimit = props.rateLimit ?? 20;
  const stage = new apigwv2.HttpStage(scope, 'Stage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit, burstLimit: props.burstLimit ?? rateLimit * 2 },
    accessLogSettings: {
      destination: { bind: () => ({ destinationArn: logGroupArnWithoutWildcard(accessLogs) }) },
      format: ACCESS_LOG_FORMAT,
    },
  });
  // Each accepted signup sends an email: a tighter limit on that one route caps what a flood
  // of form posts can cost or send (the handler also limits per address and per client IP).
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.addPropertyOverride('RouteSettings', {
    'POST /subscribe': {
      ThrottlingRateLimit: Math.max(1, Math.floor(rateLimit / 4)),
      ThrottlingBurstLimit: Math.max(2, Math.floor(rateLimit / 2)),
    },
  });
  return stage;
}

/**
 * The log group's ARN as API Gateway's access log setting documents it (`arn:…:log-group:name`),
 * not CloudFormation's `Arn` attribute, which ends in `:*` (the form IAM policies use).
 */
function logGroupArnWithoutWildcard(group: logs.LogGroup): string {
  return Stack.of(group).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: group.logGroupName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
