// `course check`: every course (or one folder) checked as an author would: the source word for word,
// strict compile, size, disclaimer, strings in the course's language, then deliverability. Course
// folders only, no table.
import { runCheck } from '../authoring.js';
import { textValue, type AuthoringCommand } from '../command.js';

export const check: AuthoringCommand = {
  kind: 'authoring',
  name: 'check',
  summary: [
    'every paragraph of the source in its lesson word for word, strict',
    "compile, size, disclaimer, the product's words in the course's language,",
    'then the deliverability check (SpamAssassin score, caniemail support,',
    'contrast in light and dark, 375 px width)',
    '(default: every course); exit 1 on any problem',
  ],
  options: {
    // A folder, as `course new` writes one (not a slug: the course may not be in $COURSES_DIR yet).
    course: { type: 'string', value: 'DIR', name: true, doc: 'check this course folder only (default: every course)' },
    'no-deliverability': { type: 'boolean', doc: 'skip the deliverability check (SpamAssassin, caniemail, contrast, width)' },
  },
  run: async ({ io, settings, values }) => {
    const courseDir = textValue(values.course);
    const { ok } = await runCheck({
      out: io.out,
      ...(courseDir === undefined ? {} : { courseDir }),
      ...(settings.coursesDir === undefined ? {} : { coursesDir: settings.coursesDir }),
      ...(values['no-deliverability'] === true ? { deliverability: false } : {}),
    });
    return ok ? 0 : 1;
  },
};
