// The course manifest (templates/course.json): what the course is, who sends it, when, and its
// ordered lessons. Validated on load so a typo fails at build time naming the field.
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ValidationError } from '../core/errors.js';
import { CONTROL_CHARACTERS } from '../core/validation.js';

/** The templates folder of this repository (used when no other folder is given). */
export const defaultTemplatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const required = { error: (iss: { input: unknown }) => (iss.input === undefined ? 'required' : undefined) };
const text = () => z.string(required).trim().min(1, 'must not be empty');
// Subjects and sender names become headers: refuse here, at build time, everything the MIME composer
// refuses at send time (C0/C1 controls, DEL, U+2028/U+2029), or every send of the lesson would fail.
const headerText = () => text().refine((s) => !CONTROL_CHARACTERS.test(s), 'must not contain control characters or line breaks');
const mjmlFile = () =>
  text().regex(/^[a-z0-9][a-z0-9/_.-]*\.mjml$/, 'must be a relative .mjml path (lower-case letters, digits, -, _, /)').refine((f) => !f.split('/').includes('..'), 'must stay inside templates/');

const lessonSchema = z.object({
  /** MJML file under templates/, holding only the lesson's content (the layout adds the rest). */
  file: mjmlFile(),
  /** The lesson's title: the article section heading (shown in "Next week: …" and the preview). */
  title: text(),
  subject: headerText(),
  /** The line inbox lists show after the subject. */
  preheader: text(),
});

const courseSchema = z.object({
  slug: text().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens'),
  title: headerText(),
  description: text(),
  sender: z.object({ name: headerText(), email: z.email('must be an email address') }, required),
  /** Required by anti-spam law in most places; shown in every footer. */
  postalAddress: text(),
  cadenceDays: z.number(required).int('must be a whole number').min(1, 'must be at least 1').default(7),
  sendHour: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)').default('09:00'),
  defaultTimezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('UTC'),
  confirmation: z.object({ file: mjmlFile(), subject: headerText(), preheader: text() }, required),
  lessons: z.array(lessonSchema, required).min(1, 'must list at least one lesson'),
});

export type Course = z.infer<typeof courseSchema>;
export type Lesson = Course['lessons'][number];

function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** Validate a parsed manifest; the error names the source and field, e.g. `course.json: lessons[3].subject: required`. */
export function parseCourse(input: unknown, source = 'course.json'): Course {
  const parsed = courseSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issuePath(issue.path) : '';
    throw new ValidationError('invalid_course', `${source}: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, field || undefined);
  }
  return parsed.data;
}

/** Read and validate templates/course.json, and check every template file it names exists. */
export function loadCourse(templatesDir: string = defaultTemplatesDir): Course {
  const dir = resolve(templatesDir);
  const path = join(dir, 'course.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ValidationError('invalid_course', `course.json: cannot read ${path}: ${why}`);
  }
  const course = parseCourse(raw);
  const files: [string, string][] = [['confirmation.file', course.confirmation.file], ...course.lessons.map((l, i): [string, string] => [`lessons[${i}].file`, l.file])];
  for (const [field, file] of files) {
    if (!existsSync(join(dir, file))) throw new ValidationError('invalid_course', `course.json: ${field}: file not found: ${join(dir, file)}`, field);
  }
  return course;
}
