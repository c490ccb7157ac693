// A course's manifest (templates/courses/<slug>/course.json): what the course is, who sends it, when,
// its ordered lessons and the article they come from. Validated on load so a typo fails at build time
// naming the field. Lesson files and the source are relative to the course's folder; the layout and
// the confirmation email are the project's shared templates (templates/layout, templates/system).
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ValidationError } from '../core/errors.js';
import { emailAddressSchema, hasControlCharacter } from '../core/text.js';
import { problemsWithStrings } from '../i18n/placeholders.js';

/** The shared templates of this repository: `layout/` (every lesson's frame) and `system/` (the confirmation email). */
export const defaultTemplatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));
/** Where the repository's courses live, one folder each (`COURSES_DIR` overrides it). */
export const defaultCoursesDir = join(defaultTemplatesDir, 'courses');

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const isLanguageTag = (tag: string): boolean => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

/**
 * Characters that show nothing on their own: whitespace, format characters (zero-width space and
 * joiners, bidi marks and isolates, the soft hyphen, U+2060…), default-ignorable ones (variation
 * selectors, Hangul fillers…), combining marks with nothing to combine with, controls, and the
 * Braille blank (Unicode's Default_Ignorable_Code_Point and general categories Cf, Cc, Mn, Me, Z).
 */
const INVISIBLE = /^[\s\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\p{Mn}\p{Me}\p{Z}\u2800]*$/u;

/** True when `s` has a character a reader can see (see INVISIBLE): a title of zero-width spaces has none. */
export function hasVisibleCharacter(s: string): boolean {
  return !INVISIBLE.test(s);
}

const required = { error: (iss: { input: unknown }) => (iss.input === undefined ? 'required' : undefined) };
const text = () => z.string(required).trim().min(1, 'must not be empty');
/** Shown to the reader as a title or subject: must have a visible character, not only zero-width or bidi marks. */
const visible = <T extends z.ZodType<string>>(schema: T) =>
  schema.refine(hasVisibleCharacter, 'must have a visible character (it has only invisible ones)');
// Subjects and sender names become headers: refuse here, at build time, everything the MIME composer
// refuses at send time (C0/C1 controls, DEL, U+2028/U+2029), or every send of the lesson would fail.
const headerText = () => text().refine((s) => !hasControlCharacter(s), 'must not contain control characters or line breaks');
const insideFolder = (f: string) => !f.startsWith('/') && !f.includes('\\') && !f.split('/').includes('..');
const mjmlFile = () =>
  text()
    .regex(/^[a-z0-9][a-z0-9/_.-]*\.mjml$/, 'must be a relative .mjml path (lower-case letters, digits, -, _, /)')
    .refine(insideFolder, 'must stay inside its folder');

// Built on first use, not at import: zod's schema objects cost a cold start that parses no manifest
// several milliseconds.
function buildCourseSchema() {
  const lessonSchema = z.object({
    /** MJML file relative to the course's folder (`lessons/NN-….mjml`), holding only the lesson's content (the layout adds the rest). */
    file: mjmlFile(),
    /** The lesson's title: the article section heading (shown in "Next week: …" and the preview). */
    title: visible(text()),
    subject: visible(headerText()),
    /** The line inbox lists show after the subject. */
    preheader: text(),
  });

  return z.object({
    slug: text().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens'),
    title: visible(headerText()),
    description: text(),
    sender: z.object({ name: headerText(), email: emailAddressSchema('must be an email address') }, required),
    /** Required by anti-spam law in most places; shown in every footer. */
    postalAddress: text(),
    /** The course's language, a BCP 47 tag (`de`, `pt-BR`, `ar`): every string the product adds comes from its catalogue (functions/i18n). */
    language: z.string().refine(isLanguageTag, 'must be a BCP 47 language tag such as en, de, pt-BR or ar').default('en'),
    /** The author's own wording for any catalogue key (functions/i18n/catalogues/en.ts names them), in the course's language. */
    strings: z
      .record(z.string(), z.string())
      .superRefine((strings, ctx) => {
        for (const problem of problemsWithStrings(strings)) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /**
     * `en`: the author chose English for the product's words a language without a catalogue lacks
     * (those `strings` does not give). Absent: `course check` fails on such a course, naming the keys.
     */
    stringsFallback: z.literal('en', { error: 'must be "en" (the only fallback: English)' }).optional(),
    cadenceDays: z.number(required).int('must be a whole number').min(1, 'must be at least 1').default(7),
    /** The cadences (days) a learner may pick on their course page; absent: only `cadenceDays`. */
    cadenceChoices: z
      .array(z.number().int('must be a whole number').min(1, 'must be at least 1').max(365, 'must be at most 365'))
      .min(1)
      .optional(),
    sendHour: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)')
      .default('09:00'),
    defaultTimezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('UTC'),
    /** `file` is relative to the shared templates folder (`system/confirm.mjml`). */
    confirmation: z.object({ file: mjmlFile(), subject: headerText(), preheader: text() }, required),
    /**
     * The article the lessons come from, relative to the course's folder (`source/<its file name>`),
     * kept byte for byte: `course check` compares every lesson against it.
     */
    source: text().refine(insideFolder, 'must stay inside the course folder').optional(),
    /** Shown in every email's and page's footer as "<label>: <text>"; `course check` makes sure every lesson carries it. */
    disclaimer: z.object({ label: headerText(), text: text() }).optional(),
    lessons: z.array(lessonSchema, required).min(1, 'must list at least one lesson'),
  });
}
let builtCourseSchema: ReturnType<typeof buildCourseSchema> | undefined;
const courseSchema = () => (builtCourseSchema ??= buildCourseSchema());

export type Course = z.infer<ReturnType<typeof buildCourseSchema>>;
export type Lesson = Course['lessons'][number];

function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** Validate a parsed manifest; the error names the source and field, e.g. `course.json: lessons[3].subject: required`. */
export function parseCourse(input: unknown, source = 'course.json'): Course {
  const parsed = courseSchema().safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issuePath(issue.path) : '';
    throw new ValidationError('invalid_course', `${source}: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, field || undefined);
  }
  return parsed.data;
}

/**
 * Read and validate `<courseDir>/course.json`, and check every file it names exists: lessons and
 * source in the course's folder, the confirmation email in the shared templates folder. A UTF-8
 * byte-order mark at the start of the file is accepted. Throws ValidationError `invalid_course`
 * naming the file and field.
 */
export function loadCourse(courseDir: string, templatesDir: string = defaultTemplatesDir): Course {
  const dir = resolve(courseDir);
  const path = join(dir, 'course.json');
  let raw: unknown;
  try {
    // A byte-order mark (editors on Windows save one) is not part of the JSON: JSON.parse refuses it.
    raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ValidationError('invalid_course', `course.json: cannot read ${path}: ${why}`);
  }
  const course = parseCourse(raw);
  const files: [string, string][] = [
    ['confirmation.file', join(resolve(templatesDir), course.confirmation.file)],
    ...course.lessons.map((l, i): [string, string] => [`lessons[${i}].file`, join(dir, l.file)]),
    ...(course.source === undefined ? [] : [['source', join(dir, course.source)] as [string, string]]),
  ];
  for (const [field, file] of files) {
    if (!existsSync(file)) throw new ValidationError('invalid_course', `course.json: ${field}: file not found: ${file}`, field);
  }
  return course;
}
