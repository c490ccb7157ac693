// Build step: compile every course once and write them as JSON for the Lambda bundles, which then
// load them with loadPrecompiledCourses and never import mjml.
// `npm run build:lessons -- [--out FILE] [--courses DIR]`.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readSettings, SETTINGS } from '../config/settings.js';
import { compileCourses } from './compile.js';
import { loadCourses } from './courses.js';
import { defaultCoursesDir } from './manifest.js';

/** The compiled courses, a JSON array of CompiledCourse (the file name predates several courses). */
export const DEFAULT_COMPILED_PATH = 'build/compiled-course.json';

/** Compile every course under `coursesDir` and write them to `outPath`; returns the absolute path, size and counts. */
export async function writeCompiledCourses(
  outPath: string = DEFAULT_COMPILED_PATH,
  coursesDir: string = defaultCoursesDir,
): Promise<{ path: string; bytes: number; courses: number; lessons: number }> {
  const compiled = await compileCourses(loadCourses(coursesDir));
  const path = resolve(outPath);
  const json = JSON.stringify(compiled);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, json, 'utf8');
  return { path, bytes: Buffer.byteLength(json), courses: compiled.length, lessons: compiled.reduce((n, c) => n + c.lessons.length, 0) };
}

async function main(): Promise<void> {
  // COURSES_DIR through the settings table, as every entry point reads it (unset: templates/courses).
  const { coursesDir } = readSettings({ coursesDir: SETTINGS.coursesDir.part }, process.env);
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_COMPILED_PATH },
      courses: { type: 'string', default: coursesDir ?? defaultCoursesDir },
    },
  });
  const written = await writeCompiledCourses(values.out, values.courses);
  console.log(
    `Compiled ${written.courses} course(s), ${written.lessons} lessons and their confirmation emails into ${written.path} (${(written.bytes / 1024).toFixed(1)} KB)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
