// The rule of test/support/tools.ts, shown by running a fixture file in a child vitest: a suite and a
// test that need a missing program fail under CI (naming the fix) and are skipped elsewhere (with the
// note); those whose program is there run either way.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const vitest = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
const FIX = 'no-such-tool is missing (no executable at /nonexistent/no-such-tool): apt-get install no-such-tool';

interface JsonReport {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

/** Runs test/fixtures/tools/missing-tool.fixture.ts with CI set to `ci` (undefined: unset); answers the exit code and each test's result. */
async function runFixture(ci: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  // The JSON report goes to a file; the default reporter prints the notes the fixture writes.
  const dir = await mkdtemp(join(tmpdir(), 'require-tool-'));
  const json = join(dir, 'report.json');
  try {
    const run = await promisify(execFile)(
      process.execPath,
      [
        vitest,
        'run',
        '--config',
        'test/fixtures/tools/vitest.config.ts',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${json}`,
      ],
      { cwd: root, env, encoding: 'utf8' },
    ).then(
      (out) => ({ ...out, code: 0 }),
      (e: { stdout: string; stderr: string; code: number }) => e,
    );
    const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
    const results = Object.fromEntries(report.testResults.flatMap((f) => f.assertionResults).map((r) => [r.fullName, r]));
    return { code: run.code, output: run.stdout + run.stderr, results };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('requireTool', () => {
  it('under CI a missing program fails the suite and the test that need it, naming the fix; the rest run', async () => {
    const { code, results } = await runFixture('true');
    expect(code).toBe(1);
    const failed = Object.values(results).filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.fullName).sort()).toEqual([
      'a suite that needs the missing tool needs no-such-tool',
      'a test that needs the missing tool',
    ]);
    for (const r of failed) expect(r.failureMessages.join('\n')).toContain(FIX);
    expect(results['a suite that needs a tool that is there runs']?.status).toBe('passed');
    expect(results['a test that needs a tool that is there runs']?.status).toBe('passed');
  }, 60_000);

  it('outside CI the same tests are skipped with a printed note naming the fix; the run passes', async () => {
    const { code, output, results } = await runFixture(undefined);
    expect(code).toBe(0);
    expect(output).toContain(`${FIX}. The tests that need it are skipped here; CI runs them.`);
    expect(results['a suite that needs the missing tool would use it']?.status).toBe('skipped');
    expect(results['a test that needs the missing tool']?.status).toBe('skipped');
    expect(results['a suite that needs a tool that is there runs']?.status).toBe('passed');
  }, 60_000);

  it('CI=false and CI=0 count as outside CI', async () => {
    expect((await Promise.all(['false', '0'].map(runFixture))).map((r) => r.code)).toEqual([0, 0]);
  }, 60_000);
});
