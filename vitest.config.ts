import { defineConfig } from 'vitest/config';

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
