// Loads course-manifests.json (written at synth by infra/bundling/after-bundling.mjs beside the api
// bundle): each served course's manifest, without its compiled lessons, for what shows courses but
// sends no email (the api: pages, signup, confirm, unsubscribe).
import { readFile } from 'node:fs/promises';
import { parseCourse, type Course } from './manifest.js';

/**
 * The courses of `path` (a JSON array of `{ course: <course.json manifest> }`, in the deployment's
 * order), each checked by parseCourse. Throws when the file cannot be read, is not a non-empty
 * array, or a manifest is invalid (the error names the path and field).
 */
export async function loadCourseManifests(path: string): Promise<{ course: Course }[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    throw new Error(`Cannot read the course manifests at ${path}`, { cause: e });
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${path} is not a list of courses: no course`);
  return raw.map((entry: unknown) => ({
    course: parseCourse(typeof entry === 'object' && entry !== null ? (entry as { course?: unknown }).course : undefined, path),
  }));
}
