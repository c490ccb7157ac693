// Loads the courses compiled at build time (build/compiled-course.json: an array, one per course).
// Lambda bundles import this, never compile.ts, so mjml stays out of every bundle and off the cold start.
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { parseCourse } from './manifest.js';
import type { CompiledCourse } from './compiled-course.js';

export type { CompiledCourse, CompiledEmail } from './compiled-course.js';

const emailSchema = z.object({ subject: z.string(), preheader: z.string(), html: z.string().min(1), text: z.string().min(1) });
const compiledSchema = z.object({ course: z.unknown(), lessons: z.array(emailSchema).min(1), confirmation: emailSchema });
const fileSchema = z.array(compiledSchema).min(1, 'no course');

const loaded = new Map<string, Promise<CompiledCourse[]>>();

/** Read (once per process and path) and check the compiled courses written by `npm run build:lessons`. */
export function loadPrecompiledCourses(path: string): Promise<CompiledCourse[]> {
  let pending = loaded.get(path);
  if (!pending) {
    pending = readCompiled(path);
    loaded.set(path, pending);
    // A failed read is not cached, so a later call can succeed once the file is there.
    void pending.catch(() => loaded.delete(path));
  }
  return pending;
}

async function readCompiled(path: string): Promise<CompiledCourse[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    throw new Error(`Cannot read the compiled course at ${path} (run npm run build:lessons)`, { cause: e });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} is not a list of compiled courses: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.map((entry) => {
    const course = parseCourse(entry.course, path);
    if (entry.lessons.length !== course.lessons.length)
      throw new Error(`${path}: ${course.slug}: ${entry.lessons.length} compiled lessons for ${course.lessons.length} in the manifest`);
    return { course, lessons: entry.lessons, confirmation: entry.confirmation };
  });
}
