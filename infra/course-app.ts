// Composes the course's CDK app from context: validates the settings, compiles the lessons for the
// Lambda bundles, and adds the two stacks. Shared by infra/app.ts (the CLI) and the infra tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tags, type App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { writeCompiledCourse } from '../functions/email/build-lessons.js';
import { readDeployConfig, type DeployConfig } from './config.js';
import { repoRoot } from './constructs/course-function.js';
import { CourseDataStack } from './data-stack.js';
import { CourseServiceStack } from './service-stack.js';

export const DATA_STACK = 'EmailCourseData';
export const SERVICE_STACK = 'EmailCourse';

export interface CourseApp {
  config: DeployConfig;
  data: CourseDataStack;
  service: CourseServiceStack;
}

export async function defineCourseApp(app: App): Promise<CourseApp> {
  const config = readDeployConfig(app.node);
  const compiledCoursePath = bundlingSkipped(app) ? undefined : await compileCourse(app.outdir);
  const data = new CourseDataStack(app, DATA_STACK, {
    description: 'Email course: subscriber table and token key (retained when deleted)',
    // `cdk destroy --all` stops here instead of orphaning the table and key (they are retained
    // anyway, but outside any stack they take a `cdk import` to manage again).
    terminationProtection: true,
  });
  const service = new CourseServiceStack(app, SERVICE_STACK, {
    description: 'Email course: HTTP API, drip, SES feedback, alarms',
    config,
    subscribers: data.subscribers,
    tokenKey: data.tokenKey,
    compiledCoursePath,
  });
  // For cost reports and for finding everything this app made. Not on the dashboard: CloudFormation's
  // schema for AWS::CloudWatch::Dashboard has no Tags in every region (cfn-lint E3002), and a
  // deploy must not fail over a label on a dashboard, which costs nothing to find by name.
  Tags.of(app).add('app', 'email-course', { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });
  return { config, data, service };
}

/** MJML → compiled-course.json, once per synth, next to the cloud assembly. */
async function compileCourse(outdir: string): Promise<string> {
  const path = join(outdir, 'compiled-course.json');
  await writeCompiledCourse(path);
  return path;
}

// The template tests set no stack to bundle (`aws:cdk:bundling-stacks: []`): nothing reads the course then.
function bundlingSkipped(app: App): boolean {
  const stacks: unknown = app.node.tryGetContext(cxapi.BUNDLING_STACKS);
  return Array.isArray(stacks) && stacks.length === 0;
}

/** cdk.json's context, as the CLI would pass it: for synthesising outside the CLI (tests, bench). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}
