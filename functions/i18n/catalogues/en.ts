// The English catalogue: every string the product adds around an article, as ICU MessageFormat
// (https://unicode-org.github.io/icu/userguide/format_parse/messages/). Its keys are the catalogue's
// keys: every other language's file must have each of them with the same placeholders
// (test/unit/i18n/catalogues.test.ts). Keys are stable: rename one only with every catalogue.
export const en = {
  // The learner's pages (/learn, /learn/lessons/<n>, /feedback); the learner-page work fills these in.
  'learn.title': 'Your course',

  // What `course new` writes into a new course.json (the author reviews and may edit it there), built
  // from the article's headings only: never a claim the article does not make.
  /** The title of lesson 1 when the article has text before its first section heading. */
  'authoring.introductionTitle': 'Introduction',
  'authoring.lessonSubject': 'Lesson {number} of {count}: {title}',
  /** Lesson 1's subject when it is the untitled introduction. */
  'authoring.introductionSubject': 'Lesson {number} of {count}: {courseTitle}, an introduction',
  /** `{headings}`: the lesson's sub-headings, joined with " · ". */
  'authoring.preheaderInThisLesson': 'In this lesson: {headings}',
  /** `{titles}`: the titles of the lessons after the introduction, joined with " · ". */
  'authoring.preheaderComingUp': 'Coming up: {titles}',
  'authoring.preheaderLessonOf': '{courseTitle}: lesson {number} of {count}',
  'authoring.description':
    'An email course in {count, plural, one {# lesson} other {# lessons}}: the article “{title}”, one section a week.',
  'authoring.senderName': '{title} course',
  'authoring.postalAddressPlaceholder': 'Example Course Ltd, 1 Example Street, Example City (placeholder: set your real postal address)',
  'authoring.disclaimerLabel': 'Medical disclaimer',
  'authoring.disclaimerText':
    'this course is educational only and is not medical advice. Consult a qualified healthcare professional about your own situation before making any decision about diagnosis or treatment.',
  'authoring.confirmationSubject': 'Please confirm your subscription to {title}',
  'authoring.confirmationPreheader': 'One click to confirm, and the first lesson arrives at the next send.',
} as const satisfies Record<string, string>;
