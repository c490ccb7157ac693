// Tests that need a program npm does not install (Chromium, Apache SpamAssassin, cfn-lint) ask for it
// here, so one rule holds for all of them: in CI (CI set, as .ci/run sets it) a missing program fails the
// tests that need it, since CI exists to run them; elsewhere they are skipped with a note naming the fix.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { describe, it, type TestFunction } from 'vitest';

/** True under CI: the CI variable is set to anything but empty, `false` or `0` (.ci/run sets `true`). */
export const inCi = !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());

/** A program some tests need, with `describe` and `it` that apply the rule above. */
export interface RequiredTool {
  name: string;
  present: boolean;
  /** Why the program is missing and how to install it; undefined when present. */
  problem?: string;
  /** A suite that runs when the program is there; otherwise fails in CI, or is skipped (after a printed note). */
  describe(name: string, body: () => void): void;
  /** A test that runs when the program is there; otherwise fails in CI, or is skipped with the note. */
  it(name: string, body: TestFunction, timeout?: number): void;
}

/** Why `where` cannot be run: an absolute path must be an executable file; a command must answer `--version`. */
function whyMissing(where: string): string | undefined {
  if (where.startsWith('/')) {
    try {
      accessSync(where, constants.X_OK);
      return undefined;
    } catch {
      return `no executable at ${where}`;
    }
  }
  const run = spawnSync(where, ['--version'], { encoding: 'utf8' });
  if (run.status === 0) return undefined;
  return run.error !== undefined
    ? `${where} --version failed: ${run.error.message}`
    : `${where} --version exited ${run.status}: ${run.stderr.trim()}`;
}

/**
 * The program `name` at `where` (an absolute path, or a command on PATH), and `fix`, the command that
 * installs it (`apt-get install chromium`). Checked once, when called (at the top of a test file).
 * Missing outside CI, the note is printed once.
 */
export function requireTool(name: string, where: string, fix: string): RequiredTool {
  const why = whyMissing(where);
  if (why === undefined)
    return {
      name,
      present: true,
      describe: (title, body) => describe(title, body),
      it: (title, body, timeout) => it(title, body, timeout),
    };
  const problem = `${name} is missing (${why}): ${fix}`;
  if (inCi) {
    const fail = () => {
      throw new Error(`${problem}. CI runs every test that needs ${name}, so it may not skip them.`);
    };
    return {
      name,
      present: false,
      problem,
      describe: (title) => describe(title, () => it(`needs ${name}`, fail)),
      it: (title) => it(title, fail),
    };
  }
  console.warn(`${problem}. The tests that need it are skipped here; CI runs them.`);
  return {
    name,
    present: false,
    problem,
    describe: (title, body) => describe.skip(title, body),
    it: (title, _body, timeout) => it(title, (ctx) => ctx.skip(problem), timeout),
  };
}
