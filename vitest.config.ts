import { defineConfig } from 'vitest/config';

// Integration files each start their own dynalite + SES emulator (once per file), so files can run
// in parallel; two workers match this 2-core machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
