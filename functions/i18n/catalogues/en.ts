// The English catalogue: every string the product adds around an article, as ICU MessageFormat
// (https://unicode-org.github.io/icu/userguide/format_parse/messages/). Its keys are the catalogue's
// keys: every other language's file must have each of them with the same placeholders
// (test/unit/i18n/catalogues.test.ts). Keys are stable: rename one only with every catalogue.
export const en = {
  // The learner's pages (/learn, /learn/lessons/<n>, /feedback); the learner-page work fills these in.
  'learn.title': 'Your course',
} as const satisfies Record<string, string>;
