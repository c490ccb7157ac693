// The checks the table commands share on their arguments: an email address, the one course a command
// works on, and the courses it covers. Each refuses with a UsageError (exit 2, the usage shown).
import { parseSignupInput } from '../core/validation.js';
import type { CourseFolder } from '../email/courses.js';
import { UsageError, type OptionSpec, type TableContext } from './command.js';
import { SCAN_SEGMENTS } from './operator-store.js';

/** `value` as an email address (the signup form's rules); `what` names it in the refusal. */
export function emailArgument(value: string | undefined, what: string): string {
  try {
    return parseSignupInput({ email: value ?? '' }).email;
  } catch {
    throw new UsageError(`${what} is not a valid email address: "${value ?? ''}"`);
  }
}

/**
 * The course a command that needs exactly one works on: `--course`, or the only course. Data of a
 * course no longer in the folder can still be read (show, erase, held) by slug; sending needs the folder.
 */
export function oneCourse(folders: readonly CourseFolder[], slug: string | undefined, command: string): CourseFolder {
  if (slug !== undefined) {
    const folder = folders.find((f) => f.course.slug === slug);
    if (folder === undefined)
      throw new UsageError(`no course "${slug}" (the courses are: ${folders.map((f) => f.course.slug).join(', ')})`);
    return folder;
  }
  if (folders.length === 1) return folders[0]!;
  throw new UsageError(`${command} needs --course <slug> when there are several courses (${folders.map((f) => f.course.slug).join(', ')})`);
}

/** A --course no longer in the folder lists its slug; lesson titles come from the manifests only. */
export const heldCourse = (ctx: TableContext, slug: string) => ({
  slug,
  lessons: ctx.courses.find((c) => c.slug === slug)?.lessons ?? [],
});

/** `--segments N`, shared by the commands that read the whole table (stats, export, held). */
export const SEGMENTS_OPTION = {
  type: 'string',
  value: '<N>',
  default: String(SCAN_SEGMENTS.default),
  doc: `parallel Scan segments reading the table at once, ${SCAN_SEGMENTS.min} to ${SCAN_SEGMENTS.max}\n(default ${SCAN_SEGMENTS.default}; 1 reads it in one sequential Scan)`,
} as const satisfies OptionSpec;

/**
 * The value of `--segments`: a whole number from SCAN_SEGMENTS.min to SCAN_SEGMENTS.max (1..32),
 * digits only (Number() would also take "0x4", "4e0" or " 4"). Refuses anything else with a
 * UsageError (exit 2), before the table is touched.
 */
export function segmentsArgument(value: string | undefined): number {
  const text = value ?? String(SCAN_SEGMENTS.default);
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < SCAN_SEGMENTS.min || n > SCAN_SEGMENTS.max)
    throw new UsageError(`--segments must be a whole number from ${SCAN_SEGMENTS.min} to ${SCAN_SEGMENTS.max}, not "${text}"`);
  return n;
}
