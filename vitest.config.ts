import { defineConfig } from 'vitest/config';

// One DynamoDB Local for the whole run (test/support/global-dynamo.ts; every file makes its own tables
// in it), and an SES emulator per integration file, so files can run in parallel; two workers match
// this 2-core machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One id per run, so the deploy tests' files share one synthesised cloud assembly.
    // One DynamoDB Local for the run, shared by the test files through inject('dynamoDbUrl').
    globalSetup: ['test/deploy/global-setup.ts', 'test/support/global-dynamo.ts', 'test/support/global-course.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The AWS SDK warns on every process that Node 20 support ends in 2027; Lambda runs Node 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
