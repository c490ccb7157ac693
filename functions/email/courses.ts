// Every course of a deployment: each folder under the courses folder (templates/courses, or
// COURSES_DIR) that holds a course.json is one course, served under its manifest's slug.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { defaultCoursesDir, defaultTemplatesDir, loadCourse, type Course } from './manifest.js';

/** One course and the folder it was read from (its lessons and source are relative to it). */
export interface CourseFolder {
  dir: string;
  course: Course;
}

/**
 * Load every course under `coursesDir`, in folder-name order (the first is the one a one-course
 * deployment serves at `GET /`). Throws ValidationError `invalid_course` when the folder holds no
 * course, when any manifest is invalid, or when two courses share a slug (the slug is a course's
 * identity in the table: address locks, counters and subscribers carry it).
 */
export function loadCourses(coursesDir: string = defaultCoursesDir, templatesDir: string = defaultTemplatesDir): CourseFolder[] {
  const root = resolve(coursesDir);
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'course.json')))
      .map((d) => d.name)
      .sort();
  } catch (e: unknown) {
    throw new ValidationError('invalid_course', `Cannot read the courses folder ${root}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (names.length === 0) throw new ValidationError('invalid_course', `No course in ${root} (expected <slug>/course.json folders)`);
  const folders = names.map((name) => {
    const dir = join(root, name);
    try {
      return { dir, course: loadCourse(dir, templatesDir) };
    } catch (e: unknown) {
      if (e instanceof ValidationError) throw new ValidationError(e.code, `${name}/${e.message}`, e.field);
      throw e;
    }
  });
  const seen = new Map<string, string>();
  for (const { dir, course } of folders) {
    const other = seen.get(course.slug);
    if (other !== undefined)
      throw new ValidationError('invalid_course', `Two courses have the slug "${course.slug}": ${other} and ${dir}`, 'slug');
    seen.set(course.slug, dir);
  }
  return folders;
}
