// `course new <article>`: a course folder from an article (manifest, one lesson per section, the
// source copied). Course folders only, no table.
import { defaultCoursesDir } from '../../email/manifest.js';
import { runNew } from '../authoring.js';
import { listValue, textValue, type AuthoringCommand } from '../command.js';

export const newCommand: AuthoringCommand = {
  kind: 'authoring',
  name: 'new',
  argument: '<article.md|.txt|.html>',
  summary: ['a course folder from an article: manifest, one lesson per section,', 'the source copied (default DIR: $COURSES_DIR/<slug>)'],
  options: {
    out: { type: 'string', value: 'DIR', name: true, doc: 'the folder to write (default: $COURSES_DIR/<slug>)' },
    slug: { type: 'string', value: 'S', name: true, doc: "the course's slug (default: made from the title)" },
    title: { type: 'string', value: 'T', name: true, doc: "the course's title (default: the article's)" },
    lang: {
      type: 'string',
      value: '<tag>',
      name: true,
      doc: "the course's language, a BCP 47 tag (en, de, fr, es, pt-BR, ar…);\ndefault: detected from the article's text and printed to confirm",
    },
    heading: { type: 'string', multiple: true, value: '"<line>"', doc: 'a line that starts a lesson, whatever it looks like' },
    'not-heading': { type: 'string', multiple: true, value: '"<line>"', doc: 'a line that is body text, whatever it looks like' },
  },
  run: async ({ io, settings, values, positional }) => {
    const out = textValue(values.out);
    const slug = textValue(values.slug);
    const title = textValue(values.title);
    const language = textValue(values.lang);
    await runNew(
      { out: io.out },
      {
        article: positional ?? '',
        coursesDir: settings.coursesDir ?? defaultCoursesDir,
        ...(out === undefined ? {} : { out }),
        ...(slug === undefined ? {} : { slug }),
        ...(title === undefined ? {} : { title }),
        ...(language === undefined ? {} : { language }),
        overrides: { headings: listValue(values.heading), notHeadings: listValue(values['not-heading']) },
      },
    );
    return 0;
  },
};
