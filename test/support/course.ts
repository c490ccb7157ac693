// The course this repository ships (templates/courses/botox-permanent-numbness): its folder, its
// manifest and its compiled emails, for the tests that need one real course.
import { join } from 'node:path';
import { compileCourse } from '../../functions/email/compile.js';
import type { CompiledCourse } from '../../functions/email/compiled-course.js';
import { defaultCoursesDir, loadCourse, type Course } from '../../functions/email/manifest.js';

export const SHIPPED_COURSE_DIR = join(defaultCoursesDir, 'botox-permanent-numbness');
/** Its source article, kept byte for byte in the repository. */
export const SHIPPED_SOURCE_PATH = join(SHIPPED_COURSE_DIR, 'source', '000_ead803f271ebb9cd.txt');

export const shippedCourse = (): Course => loadCourse(SHIPPED_COURSE_DIR);
export const compileShippedCourse = (): Promise<CompiledCourse> => compileCourse(shippedCourse(), SHIPPED_COURSE_DIR);
