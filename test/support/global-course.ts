// A folder for the run's compiled shipped course (test/support/course.ts compileShippedCourse: the
// first test file to need it compiles it there, the others read it), handed to the test files as
// inject('compiledCourseDir') and removed when the run ends. One folder per run, so a template edited
// between runs is always compiled afresh; nothing is compiled when no test asks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    compiledCourseDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'course-compiled-'));
  project.provide('compiledCourseDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
