import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that need a module graph of their own: they set process.env and then import a Lambda handler,
 * whose container (deps, secret, course) is built once per module instance, as Lambda builds it once
 * per container. Every other file shares its worker's modules (below).
 */
const FRESH_MODULES = [
  'test/integration/http/lifecycle-lambda.test.ts',
  'test/integration/http/api-lambda-cloudfront.test.ts',
  'test/integration/feedback/feedback.test.ts',
  // Counts the MJML compilations of its process since it started (mjmlCompilations): 8, not every
  // compile earlier files in a shared worker made.
  'test/integration/bench/bench-suite.test.ts',
  // The deploy harness sets COURSES_DIR for its synth and runs Lambda containers: kept apart too.
  'test/deploy/**/*.test.ts',
];

/**
 * The slowest files (tens of seconds each, from the clean-clone runs' timings), started first in
 * their project: on a clean clone vitest has no timings and starts the largest files first, so one of
 * these could start last and run alone at the end. Two workers finish together when the long ones go first.
 */
const SLOW_FIRST = [
  'test/deploy/journey.test.ts',
  'test/integration/bench/bench-suite.test.ts',
  'test/e2e/accessibility.test.ts',
  'test/integration/drip/drip-simulation.test.ts',
  'test/integration/local/local-stack.test.ts',
  'test/unit/authoring/preview.test.ts',
  'test/integration/authoring/deliverability.test.ts',
  'test/integration/drip/drip-learner-simulation.test.ts',
  'test/integration/signup/signup-outbox.test.ts',
  'test/integration/drip/drip-pacing.test.ts',
  'test/infra/stack.test.ts',
];

class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const projects = [...new Set(sorted.map((f) => f.project.name))];
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((path) => f.moduleId.endsWith(path));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    // Projects keep their order (vitest runs them in turn); within one, the slow files lead.
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => projects.indexOf(a.f.project.name) - projects.indexOf(b.f.project.name) || rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

// One DynamoDB Local for the whole run (test/support/global-dynamo.ts; every file makes its own tables
// in it), an SES emulator per integration file, and the shipped course compiled once per run
// (global-course.ts), so files can run in parallel; two workers match this 2-core machine.
export default defineConfig({
  test: {
    // One id per run, so the deploy tests' files share one synthesised cloud assembly.
    // One DynamoDB Local for the run, shared by the test files through inject('dynamoDbUrl').
    // Each project runs these; run-once.ts makes what they start exist once per run.
    globalSetup: ['test/deploy/global-setup.ts', 'test/support/global-dynamo.ts', 'test/support/global-course.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: SlowFilesFirst },
    env: {
      // The AWS SDK warns on every process that Node 20 support ends in 2027; Lambda runs Node 22.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The JVMs test files start themselves (the local stack's restart and data-folder tests, the
      // bench's services) live seconds: the client compiler only and the serial collector start them
      // in half the CPU on two cores. The run's shared DynamoDB Local (global-dynamo.ts) keeps Java's defaults.
      JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
    },
    projects: [
      {
        extends: true,
        // Test files are still evaluated each on its own; what they import (the AWS SDK, aws-cdk-lib,
        // MJML, Hono…) is loaded once per worker instead of once per file: about half the CPU of
        // the run. Data stays apart as before: a table per test, an SES emulator per file.
        test: {
          name: 'shared-modules',
          include: ['test/**/*.test.ts'],
          exclude: FRESH_MODULES,
          isolate: false,
          // The SES emulator's store is module-level: emptied before each file (ses-store-per-file.ts).
          setupFiles: ['test/support/ses-store-per-file.ts'],
        },
      },
      // (No `include` above: a project's list would be added to the root's, not put in its place.)
      { extends: true, test: { name: 'fresh-modules', include: FRESH_MODULES, isolate: true } },
    ],
  },
});
