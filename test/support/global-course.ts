// A folder for the run's compiled shipped course (test/support/course.ts compileShippedCourse: the
// first test file to need it compiles it there, the others read it), handed to the test files as
// inject('compiledCourseDir') and removed when the run ends. One folder per run, so a template edited
// between runs is always compiled afresh; nothing is compiled when no test asks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { runOnce } from './run-once.js';

declare module 'vitest' {
  export interface ProvidedContext {
    compiledCourseDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One folder for every test project of the run (run-once.ts).
  const shared = await runOnce(
    'compiled-course-dir',
    () => mkdtempSync(join(tmpdir(), 'course-compiled-')),
    (dir) => rmSync(dir, { recursive: true, force: true }),
  );
  project.provide('compiledCourseDir', shared.value);
  return shared.release;
}
