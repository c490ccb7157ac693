// The English catalogue: every string the product adds around an article, as ICU MessageFormat
// (https://unicode-org.github.io/icu/userguide/format_parse/messages/). Its keys are the catalogue's
// keys: every other language's file must have each of them with the same placeholders
// (test/unit/i18n/catalogues.test.ts). Keys are stable: rename one only with every catalogue.
// Placeholders a page or email fills with markup ({course} in bold, {email}, {link}) are filled by
// the caller after the message's own text is escaped; every message is plain text.
export const en = {
  // The learner's course page (/learn): progress, the syllabus, when the next lesson comes, the controls.
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

  // How often lessons come, as a phrase other messages put in. `unit` is day, week, weeks or days;
  // `n` the number of weeks or days.
  'cadence.lessons':
    '{unit, select, day {one lesson a day} week {one lesson a week} weeks {{n, plural, other {one lesson every # weeks}}} other {{n, plural, other {one lesson every # days}}}}',
  'cadence.short':
    '{unit, select, day {one a day} week {one a week} weeks {{n, plural, other {one every # weeks}}} other {{n, plural, other {one every # days}}}}',
  // In emails ("One lesson arrives each week"): `unit` is day, week or days; `n` the days.
  'cadence.email': '{unit, select, day {each day} week {each week} other {{n, plural, other {every # days}}}}',

  // Every page.
  // The disclaimer's label (course.json `disclaimer.label`) before its text, in bold.
  'disclaimer.label': '{label}:',
  'page.backToCourse': 'Back to the course page',
  'page.toCourse': 'Go to the course page',

  // The signup page (and the inline answers of its form's script).
  'signup.kicker': 'Free email course',
  'signup.summary': '{count, plural, one {# lesson} other {# lessons}}, {cadence}, arriving around {time} in your time zone.',
  'signup.heading': 'Sign up',
  'signup.email': 'Email address',
  'signup.name': 'First name',
  'signup.optional': '(optional)',
  'signup.honeypot': 'Leave this field empty',
  'signup.submit': 'Send me the course',
  'signup.privacy':
    'First you will get an email to confirm your address; nothing else is sent until you click its link. Every email has a one-click unsubscribe link. We keep your address, first name, time zone, and when and where you signed up, only to send this course.',
  'signup.lessonsHeading': 'The lessons',
  'signup.lessonsIntro': 'The first arrives as soon as you confirm your address, then {cadence}.',
  'signup.sending': 'Sending…',
  'signup.failed': 'Something went wrong. Please try again.',
  'signup.offline': 'The form could not be sent. Please check your connection and try again.',
  'signup.thanks':
    'Thank you. Please check your inbox: a confirmation email is on its way. Click the link in it to start the course. If nothing arrives within a few minutes, check your spam folder.',

  // After the form is sent.
  'checkInbox.title': 'Check your inbox',

  // `GET /` with several courses: the list's own words (the browser's language), then each course's
  // item in the course's language.
  'courses.kicker': 'Free email courses',
  'courses.title': 'Email courses',
  'courses.intro': 'Choose a course: each is its own subscription, with its own confirmation email and its own unsubscribe link.',
  'courses.summary': '{count, plural, one {# lesson} other {# lessons}}, {cadence}.',
  'courses.more': 'About this course and sign up',
  'courses.language': 'Language: {language}',

  // The confirmation link's page, and the page after its button.
  'confirm.title': 'Confirm your subscription',
  'confirm.question': 'Start {course} at {email}?',
  'confirm.explain': 'One more click: press the button to confirm your address. Lesson {number} follows shortly, then {cadence}.',
  'confirm.button': 'Yes, start the course',
  'confirm.notYou': 'Did not ask for this? Close this page: nothing is sent unless the button is pressed.',
  'confirmed.title': 'You are subscribed',
  'confirmed.completed': 'Your address is confirmed. You have already received every lesson of {course}, so there is nothing more to send.',
  'confirmed.thanks': 'Thank you: your subscription to {course} is confirmed.',
  'confirmed.scheduled':
    'Lesson {number} is on its way at its scheduled time, around {time} in your time zone; after that you will receive {cadence}.',
  'confirmed.soon':
    'Lesson {number} goes out with the next scheduled send, usually within minutes. After that you will receive {cadence}, around {time} in your time zone.',
  'confirmed.unsubscribeNote': 'Every email has a link to unsubscribe with one click.',

  // The unsubscribe link's page, and the page after its button.
  'unsubscribe.goneTitle': 'No subscription',
  'unsubscribe.gone': 'This subscription no longer exists, so you will not receive any more emails from {course}.',
  'unsubscribe.notSubscribed': '{email} is not subscribed to {course} and will not receive any more lessons.',
  'unsubscribe.title': 'Unsubscribe?',
  'unsubscribe.question': 'Stop sending {course} to {email}?',
  'unsubscribe.effect': 'You will receive no more lessons. This takes effect at once.',
  'unsubscribe.button': 'Unsubscribe',
  'unsubscribed.title': 'You are unsubscribed',
  'unsubscribed.address': '{email} will not receive any more emails from {course}.',
  'unsubscribed.you': 'You will not receive any more emails from {course}.',
  'unsubscribed.again': 'Changed your mind? You can {link} and continue where you left off.',
  'unsubscribed.againLink': 'sign up again',

  // Error pages: the title by status.
  'error.400': 'That did not work',
  'error.403': 'Not allowed from here',
  'error.404': 'Page not found',
  'error.410': 'This link has expired',
  'error.413': 'That was too much',
  'error.415': 'That did not work',
  'error.409': 'Not right now',
  'error.429': 'Too many tries',
  'error.503': 'Please try again soon',
  'error.other': 'Something went wrong',
  // What a page says for an error code, in a language other than English (an English page shows the
  // error's own message, which may be more precise; JSON answers always carry the English one).
  'errorCode.invalid_input': 'The form could not be read.',
  'errorCode.control_characters': 'A field contains a line break or control character.',
  'errorCode.invalid_name': 'Please enter just your first name, in at most 100 characters.',
  'errorCode.invalid_timezone': 'The time zone is not a time zone name.',
  'errorCode.invalid_email': 'That does not look like an email address. Please check it.',
  'errorCode.token_missing': 'This link is missing its token.',
  'errorCode.token_invalid': 'This link is not valid. Please check that it was copied completely.',
  'errorCode.token_wrong_purpose': 'This link cannot be used here.',
  'errorCode.token_expired': 'This confirmation link has expired. Please sign up again to get a new one.',
  'errorCode.subscription_expired': 'This confirmation link has expired. Please sign up again to get a new one.',
  'errorCode.busy': 'Please try again in a moment.',
  'errorCode.dependency_failed': 'The email could not be sent right now. Please try again in a few minutes.',
  'errorCode.course_required': 'Please choose a course.',
  'errorCode.unknown_course': 'There is no such course.',
  'errorCode.course_not_served': 'This course is no longer offered here.',
  'errorCode.body_too_large': 'The request is too large.',
  'errorCode.invalid_json': 'The request body is not valid JSON.',
  'errorCode.invalid_form': 'The form data could not be read.',
  'errorCode.repeated_field': 'A field is given more than once.',
  'errorCode.rate_limited': 'Too many requests. Please wait a few minutes and try again.',
  'errorCode.not_found': 'There is nothing at this address.',
  'errorCode.internal': 'Something went wrong on our side. Please try again later.',
  'errorCode.unsupported_media_type': 'This kind of request is not accepted here.',
  'errorCode.next_too_soon': 'You can ask for the next lesson early once a day. Please try again tomorrow.',
  'errorCode.not_active': 'This subscription is not active, so this cannot be done.',
  'errorCode.invalid_until': 'Please choose a date in the future.',
  'errorCode.invalid_send_hour': 'Please choose a time of day such as 09:00.',
  'errorCode.invalid_weekday': 'Please choose a day of the week.',
  'errorCode.invalid_cadence': 'Please choose one of the offered paces.',
  'errorCode.already_paused': 'The course is already paused.',
  'errorCode.not_paused': 'The course is not paused.',

  // Every lesson email's frame (templates/layout/lesson.mjml).
  'email.lesson.position': 'Lesson {number} of {count}',
  'email.lesson.greeting': 'Hi {name},',
  // The greeting's {name} when the learner gave none.
  'email.lesson.nameFallback': 'there',
  'email.lesson.next': '{unit, select, week {Next week: {title}} other {Next lesson: {title}}}',
  'email.lesson.why':
    'You are getting this email because you signed up for {course} and confirmed your address. One lesson arrives {cadence}, {count} in all.',
  'email.lesson.unsubscribe': '{link} from this course with one click.',
  'email.lesson.unsubscribeLink': 'Unsubscribe',

  // The confirmation email (templates/system/confirm.mjml).
  'email.confirm.heading': 'Please confirm your subscription',
  'email.hello': 'Hello,',
  'email.confirm.asked':
    'Someone, hopefully you, asked to receive the email course {course} at this address: {count, plural, one {# lesson} other {# lessons}}, one {cadence}.',
  'email.confirm.open':
    'To start, open the confirmation page below. One more click there, on its button, starts the course: opening the page alone does not.',
  'email.confirm.button': 'Open the confirmation page',
  'email.confirm.copy': 'If the button does not work, copy this link into your browser:',
  'email.confirm.ignore':
    "If you did not ask for this, ignore this email: without a click on the page's button, we will not write to you again.",

  // The email to a learner whose address is signed up again (functions/email/already-subscribed.ts).
  'email.already.subject': 'You are already subscribed to {course}',
  'email.already.preheader': 'Someone signed this address up again. Nothing has changed: your lessons keep coming.',
  'email.already.heading': 'You are already subscribed',
  'email.already.signedUpAgain':
    'Someone, hopefully you, just signed this address up for the email course "{course}". You are already subscribed, so nothing has changed and no confirmation is needed: your lessons keep arriving as before.',
  'email.already.when': 'Your lessons arrive at {time} in the time zone {zone}.',
  'email.already.zoneDiffers':
    'The new signup came from a device set to another time zone. We have not changed yours: a time zone is only changed when you ask for it, on your course page (the link below).',
  'email.already.manageIntro':
    'To change your pace, send time or time zone, pause, or stop the lessons, open your course page below (opening it changes nothing; its buttons do).',
  'email.already.manage': 'Manage your subscription',
  'email.already.manageText': 'Manage your subscription: {url}',
  'email.already.notYou': 'If this was not you, you can ignore this email.',

  'learn.kicker': 'Your course page',
  'learn.progress': '{sent, plural, =0 {Lesson 1 of {total} comes next} other {Lesson # of {total}}}',
  'learn.round': 'Round {round}: you started again from lesson 1.',
  'learn.next.at': 'Lesson {number} arrives on {date} at {time} ({zone}).',
  'learn.next.soon': 'Lesson {number} is on its way: it goes out with the next send, usually within minutes.',
  'learn.paused': 'Your course is paused: nothing is sent until you resume it.',
  'learn.pausedUntil': 'Your course is paused until {date} ({zone}): lessons start again by themselves then, or resume now.',
  'learn.complete': 'You have completed {title}: every lesson has been sent to you. You can start again from lesson 1 whenever you like.',
  'learn.pace': '{cadence}, around {time} ({zone}).',
  'learn.cadence': '{days, plural, =1 {One lesson a day} =7 {One lesson a week} other {One lesson every # days}}',
  'learn.syllabus': 'The lessons',
  'learn.syllabus.notYet': 'not sent yet',
  'learn.syllabus.read': 'Read lesson {number} on the web',
  'learn.controls': 'Your pace',
  'learn.pause.label': 'Pause until (optional)',
  'learn.pause.hint': 'Leave the date empty to pause until you resume.',
  'learn.pause.button': 'Pause the course',
  'learn.resume.button': 'Resume the course',
  'learn.resume.hint': 'The next lesson comes at your next send time, never several at once.',
  'learn.next.button': 'Send me the next lesson now',
  'learn.next.hint': 'At most once a day; your rhythm continues from that lesson.',
  'learn.next.after': 'You can ask for a lesson early again from {date} at {time}.',
  'learn.restart.button': 'Start again from lesson 1',
  'learn.restart.hint': 'Begins a new round: lesson 1 comes at your next send time.',
  'learn.settings': 'Your settings',
  'learn.settings.sendHour': 'Send time',
  'learn.settings.weekday': 'Day of the week (weekly rhythms)',
  'learn.settings.anyDay': 'Any day',
  'learn.settings.timezone': 'Time zone',
  'learn.settings.browserZone': 'Your browser is set to {zone}.',
  'learn.settings.useBrowserZone': 'Use {zone}',
  'learn.settings.zoneNote': 'Lessons arrive at the send time in this time zone.',
  'learn.settings.cadence': 'How often',
  'learn.settings.save': 'Save settings',
  'learn.unsubscribe': 'Unsubscribe from this course',
  'learn.done.paused': 'Your course is paused.',
  'learn.done.resumed': 'Your course is running again.',
  'learn.done.next': 'The next lesson is on its way.',
  'learn.done.restarted': 'You are starting again from lesson 1.',
  'learn.done.settings': 'Your settings are saved.',
  // The page after confirming links to the course page.
  'learn.confirmed.link': 'Your course page',
  'learn.confirmed.about': 'lists your lessons and lets you read them on the web, pause, change your pace or start again.',
  // A lesson's web version (/learn/lessons/<n>).
  'learn.web.back': 'Your course page',
  'learn.web.notice': 'Lesson {number} of {total}, as it was emailed to you.',
  // The lesson email's footer links (templates/layout/lesson.mjml) and the last lesson's note.
  'learn.email.coursePage': 'Your course page',
  'learn.email.readOnWeb': 'Read this lesson on the web',
  'learn.email.useful': 'Was this lesson useful?',
  'learn.email.yes': 'Yes',
  'learn.email.no': 'No',
  'learn.email.complete':
    'This was the last lesson: you have completed {title}. You can start again from lesson 1 on your course page whenever you like.',
  // "Was this lesson useful?" (/feedback): the page with the one button, and the page after it.
  'feedback.title': 'Was this lesson useful?',
  'feedback.question': 'Was lesson {number}, “{lesson}”, useful to you?',
  'feedback.choice':
    '{vote, select, yes {The button below sends: yes, it was useful.} other {The button below sends: no, it was not useful.}}',
  'feedback.previous': '{vote, select, yes {Your answer so far: yes.} other {Your answer so far: no.}}',
  'feedback.button': '{vote, select, yes {Send “Yes”} other {Send “No”}}',
  'feedback.other': '{vote, select, yes {Choose “No” instead} other {Choose “Yes” instead}}',
  'feedback.fine': 'Answers are counted per lesson to improve the course; nobody sees yours.',
  'feedback.thanks.title': 'Thank you',
  'feedback.thanks':
    '{vote, select, yes {Your answer for lesson {number} is saved: it was useful.} other {Your answer for lesson {number} is saved: it was not useful.}} You can change it from the lesson’s links.',
  'feedback.unchanged': 'You had already given this answer, so nothing changed.',
  'feedback.back': 'Your course page',
} as const satisfies Record<string, string>;
