// Synthesises the course's CDK app the way `npx cdk synth` does (cdk.json's context, cdk-nag's
// AWS Solutions checks), for the infra tests. Each test file synthesises once and shares it.
// cdk.json names no sender: the tests send from example.com, with the opt-in a deploy never has.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PLACEHOLDER_SENDER_CONTEXT } from '../../infra/config.js';
import { cdkJsonContext, defineCourseApp, type CourseApp } from '../../infra/course-app.js';

/** cdk.json's context with the tests' placeholder sender (example.com, allowPlaceholderDomain). */
export function testContext(): Record<string, unknown> {
  return { ...cdkJsonContext(), ...PLACEHOLDER_SENDER_CONTEXT };
}

export { cdkJsonContext };

export interface SynthOptions {
  /** Context on top of testContext() (like `-c key=value`). */
  context?: Record<string, unknown>;
  /**
   * Run esbuild for the three Lambdas (and compile the course). Off: the template is the same,
   * the assets are placeholders, and the synth takes a second instead of many.
   */
  bundle?: boolean;
  /** Add cdk-nag's AwsSolutionsChecks, as infra/app.ts does. */
  nag?: boolean;
  /** Change the app before it is synthesised (e.g. add a resource a check must refuse). */
  beforeSynth?: (course: CourseApp) => void;
  /** Where the cloud assembly goes. @default a new temporary folder */
  outdir?: string;
}

export interface Synthesised extends CourseApp {
  app: App;
  outdir: string;
  dataTemplate: Template;
  serviceTemplate: Template;
}

export async function synthCourse(options: SynthOptions = {}): Promise<Synthesised> {
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'course-cdk-'));
  const context: Record<string, unknown> = { ...testContext(), ...options.context };
  if (!options.bundle) context[cxapi.BUNDLING_STACKS] = [];
  const app = new App({ outdir, context });
  const course = await defineCourseApp(app);
  options.beforeSynth?.(course);
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return {
    ...course,
    app,
    outdir,
    dataTemplate: Template.fromStack(course.data),
    serviceTemplate: Template.fromStack(course.service),
  };
}
