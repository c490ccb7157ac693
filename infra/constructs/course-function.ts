// One Lambda function of the course, with the settings every one of them shares: Node 22 on
// arm64, bundled locally by esbuild (never Docker), JSON logs into a log group with retention,
// a role that can write its own logs and nothing else until a construct grants more.
import { AssetStaging, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

/** The repository root: entries, package-lock.json and the bundling hook are found from here. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CourseFunctionProps {
  /** The handler module, relative to the repository root (e.g. `functions/handlers/api.ts`). */
  readonly entry: string;
  readonly description: string;
  /** Memory in MB; CPU scales with it. Callers say why they chose it. */
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Settings the handler's config parser reads (NODE_OPTIONS is added here). */
  readonly environment: Record<string, string>;
  /**
   * compiled-course.json to ship next to the handler (read from `${LAMBDA_TASK_ROOT}`).
   * @default none: the function renders no email
   */
  readonly compiledCoursePath?: string;
  /**
   * Also ship each course's manifest alone (course-manifests.json, from compiledCoursePath), read at
   * start instead of the compiled lessons: for a function that shows courses but sends no email (the
   * api, which reads the compiled lessons only for a lesson's web version).
   * @default false
   */
  readonly courseManifestsOnly?: boolean;
  /** @default no reservation */
  readonly reservedConcurrentExecutions?: number;
  /** Async invocations only: how old an event may get before Lambda drops it. @default 6 hours */
  readonly maxEventAge?: Duration;
  /** Async invocations only: retries after a function error. @default 2 */
  readonly retryAttempts?: number;
  /** Async invocations only: where events go once retries are exhausted. @default none */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Async invocations only: the on-failure destination, where Lambda sends a record of each event it
   * dropped (retries spent, or older than maxEventAge) with the error; the role may send to it.
   * @default none
   */
  readonly onFailure?: sqs.IQueue;
  /**
   * How long the function's logs are kept. They hold email addresses and client IPs, so not
   * forever.
   * @default one month
   */
  readonly logRetention?: logs.RetentionDays;
}

// Lambda runs ESM; a few bundled CommonJS dependencies still call require() for Node built-ins,
// which an ESM bundle only has through createRequire.
const REQUIRE_BANNER =
  "import{createRequire as __courseCreateRequire}from'node:module';const require=__courseCreateRequire(import.meta.url);";

/**
 * An SQS on-failure destination whose grant is sqs:SendMessage alone: Lambda delivers the record with
 * the function's execution role and needs nothing else ("Adding a destination", Lambda developer
 * guide); the CDK's SqsDestination also grants GetQueueAttributes and GetQueueUrl, which nothing calls.
 */
function sendOnlyDestination(queue: sqs.IQueue): lambda.IDestination {
  return {
    bind: (_scope, fn) => {
      queue.grant(fn, 'sqs:SendMessage');
      return { destination: queue.queueArn };
    },
  };
}

export class CourseFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CourseFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Logs are operational, and personal data should not outlive the deployment that wrote it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of the default one with AWSLambdaBasicExecutionRole: that managed
    // policy may create log groups and write to any of them; this one writes to its own group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${id} function of the email course`,
    });
    this.logGroup.grantWrite(this.role);

    const course = props.compiledCoursePath;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${repoRoot}${props.entry}`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      // Graviton: about 20 % cheaper per GB-second than x86 and at least as fast for Node.
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      maxEventAge: props.maxEventAge,
      retryAttempts: props.retryAttempts,
      deadLetterQueue: props.deadLetterQueue,
      onFailure: props.onFailure ? sendOnlyDestination(props.onFailure) : undefined,
      environment: {
        ...props.environment,
        // Stack traces point at the TypeScript source, not at one minified line.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        // Prefer packages' ESM builds: they tree-shake (the AWS SDK most of all).
        mainFields: ['module', 'main'],
        banner: REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Line mappings only: the sources themselves would double the upload for no use in logs.
        sourcesContent: false,
        // The AWS SDK is bundled, not taken from the runtime: the versions tested here are the ones
        // deployed (the runtime's copy changes under us), and tree-shaking keeps it small; the
        // bundle-size check keeps every function under 1 MiB with it.
        bundleAwsSDK: true,
        // mjml is build-time only; kept external so it can never be inlined, and the hook below
        // fails the synth if anything still imports it.
        externalModules: ['mjml'],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            [
              'node',
              JSON.stringify(`${repoRoot}infra/bundling/after-bundling.mjs`),
              JSON.stringify(outputDir),
              ...(course ? ['--course', JSON.stringify(course)] : []),
              ...(course && props.courseManifestsOnly ? ['--manifests-only'] : []),
            ].join(' '),
          ],
        },
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the project targets and tests Node 22 (the code must also run on the Node 20 used for local ' +
        'development); moving to a newer runtime is a deliberate upgrade with its own test run, not something a synth should do.',
    });
  }

  /**
   * Where the bundle was staged in the cloud assembly (index.mjs, its source map and, for the drip,
   * compiled-course.json, for the api also course-manifests.json): for the bundle checks and the bench. With bundling skipped it
   * holds a placeholder instead.
   */
  get bundleDir(): string | undefined {
    return this.function.node.findAll().find((c): c is AssetStaging => c instanceof AssetStaging)?.absoluteStagedPath;
  }
}
