// Test support: every course folder of the repository (templates/courses/<slug>/, or COURSES_DIR's),
// so the email checks cover every course.
import { loadCourses } from '../../functions/email/courses.js';

export function courseFolders(coursesDir?: string): string[] {
  return loadCourses(coursesDir ?? (process.env.COURSES_DIR || undefined)).map((f) => f.dir);
}
