// Test support: every course folder in the repository (a folder holding a course.json), so the email
// checks cover every course: templates/ itself today, and templates/courses/<slug>/ once courses
// move there (issue 13; swap this for its course-listing function when it lands).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTemplatesDir } from '../../functions/email/manifest.js';

export function courseFolders(root: string = defaultTemplatesDir): string[] {
  const nested = join(root, 'courses');
  const candidates = [root, ...(existsSync(nested) ? readdirSync(nested, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(nested, d.name)) : [])];
  return candidates.filter((dir) => existsSync(join(dir, 'course.json')));
}
