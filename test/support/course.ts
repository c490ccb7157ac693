// The course this repository ships (templates/courses/botox-permanent-numbness): its folder, its
// manifest and its compiled emails, for the tests that need one real course.
//
// Compiling it (MJML, about two seconds of CPU, and loading MJML itself) used to happen in each of
// ~20 test files. compileShippedCourse() compiles it once per `vitest run`: the first file to ask
// compiles it with compileCourse and leaves the result as JSON in the run's folder
// (global-course.ts); the others read that. The JSON is the shape the Lambdas load
// (compiled-course.json), so nothing is lost on the way. The tests of compiling itself call
// freshlyCompiledShippedCourse().
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { CompiledCourse } from '../../functions/email/compiled-course.js';
import { defaultCoursesDir, loadCourse, type Course } from '../../functions/email/manifest.js';

export const SHIPPED_COURSE_DIR = join(defaultCoursesDir, 'botox-permanent-numbness');
/** Its source article, kept byte for byte in the repository. */
export const SHIPPED_SOURCE_PATH = join(SHIPPED_COURSE_DIR, 'source', '000_ead803f271ebb9cd.txt');

export const shippedCourse = (): Course => loadCourse(SHIPPED_COURSE_DIR);

/** The shipped course compiled now, in this process, by compileCourse (cached per process as compileCourse caches). */
export async function freshlyCompiledShippedCourse(): Promise<CompiledCourse> {
  // Imported on use: a file that reads the run's compiled course never loads MJML.
  const { compileCourse } = await import('../../functions/email/compile.js');
  return compileCourse(shippedCourse(), SHIPPED_COURSE_DIR);
}

let once: Promise<CompiledCourse> | undefined;

/** The shipped course compiled once per run (see above); the same object for every call in one file. */
export function compileShippedCourse(): Promise<CompiledCourse> {
  once ??= readOrCompile();
  return once;
}

async function readOrCompile(): Promise<CompiledCourse> {
  // Typed as always provided, but a run without global-course.ts (another config) provides nothing.
  const dir: string | undefined = inject('compiledCourseDir');
  if (dir === undefined) return freshlyCompiledShippedCourse();
  const file = join(dir, 'shipped-course.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CompiledCourse;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const compiled = await freshlyCompiledShippedCourse();
  // Written whole, then renamed into place: a reader sees the whole file or none.
  const partial = `${file}.${randomUUID()}.partial`;
  await writeFile(partial, JSON.stringify(compiled));
  await rename(partial, file);
  return compiled;
}
