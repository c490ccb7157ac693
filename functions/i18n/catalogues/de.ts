// The German catalogue (de): every key of the English one (en.ts), with the same placeholders.
import type { Catalogue } from '../catalogue.js';

export const de: Catalogue = {
  'learn.title': 'Ihr Kurs',

  'cadence.lessons':
    '{unit, select, day {eine Lektion pro Tag} week {eine Lektion pro Woche} weeks {{n, plural, other {eine Lektion alle # Wochen}}} other {{n, plural, other {eine Lektion alle # Tage}}}}',
  'cadence.short':
    '{unit, select, day {eine pro Tag} week {eine pro Woche} weeks {{n, plural, other {eine alle # Wochen}}} other {{n, plural, other {eine alle # Tage}}}}',
  'cadence.email': '{unit, select, day {jeden Tag} week {jede Woche} other {{n, plural, other {alle # Tage}}}}',

  'disclaimer.label': '{label}:',
  'page.backToCourse': 'Zurück zur Kursseite',
  'page.toCourse': 'Zur Kursseite',

  'signup.kicker': 'Kostenloser E-Mail-Kurs',
  'signup.summary': '{count, plural, one {# Lektion} other {# Lektionen}}, {cadence}, jeweils gegen {time} Uhr in Ihrer Zeitzone.',
  'signup.heading': 'Anmelden',
  'signup.email': 'E-Mail-Adresse',
  'signup.name': 'Vorname',
  'signup.optional': '(freiwillig)',
  'signup.honeypot': 'Dieses Feld leer lassen',
  'signup.submit': 'Kurs zusenden',
  'signup.privacy':
    'Zuerst erhalten Sie eine E-Mail, um Ihre Adresse zu bestätigen; erst nach einem Klick auf deren Link senden wir mehr. Jede E-Mail enthält einen Link zum Abmelden mit einem Klick. Wir speichern Ihre Adresse, Ihren Vornamen, Ihre Zeitzone sowie wann und wo Sie sich angemeldet haben, nur um Ihnen diesen Kurs zu senden.',
  'signup.lessonsHeading': 'Die Lektionen',
  'signup.lessonsIntro': 'Die erste kommt, sobald Sie Ihre Adresse bestätigt haben, danach {cadence}.',
  'signup.sending': 'Wird gesendet …',
  'signup.failed': 'Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.',
  'signup.offline': 'Das Formular konnte nicht gesendet werden. Bitte prüfen Sie Ihre Verbindung und versuchen Sie es noch einmal.',
  'signup.thanks':
    'Vielen Dank. Bitte sehen Sie in Ihr Postfach: Eine Bestätigungs-E-Mail ist unterwegs. Klicken Sie auf den Link darin, um den Kurs zu beginnen. Wenn in einigen Minuten nichts ankommt, sehen Sie im Spam-Ordner nach.',

  'checkInbox.title': 'Sehen Sie in Ihr Postfach',

  'courses.kicker': 'Kostenlose E-Mail-Kurse',
  'courses.title': 'E-Mail-Kurse',
  'courses.intro': 'Wählen Sie einen Kurs: Jeder ist ein eigenes Abonnement, mit eigener Bestätigungs-E-Mail und eigenem Abmeldelink.',
  'courses.summary': '{count, plural, one {# Lektion} other {# Lektionen}}, {cadence}.',
  'courses.more': 'Mehr über diesen Kurs und Anmeldung',
  'courses.language': 'Sprache: {language}',

  'confirm.title': 'Anmeldung bestätigen',
  'confirm.question': '{course} an {email} senden?',
  'confirm.explain':
    'Noch ein Klick: Drücken Sie die Schaltfläche, um Ihre Adresse zu bestätigen. Lektion {number} folgt in Kürze, danach {cadence}.',
  'confirm.button': 'Ja, Kurs beginnen',
  'confirm.notYou': 'Nicht von Ihnen angefordert? Schließen Sie diese Seite: Ohne Druck auf die Schaltfläche wird nichts gesendet.',
  'confirmed.title': 'Sie sind angemeldet',
  'confirmed.completed':
    'Ihre Adresse ist bestätigt. Sie haben bereits jede Lektion von {course} erhalten, es gibt also nichts mehr zu senden.',
  'confirmed.thanks': 'Vielen Dank: Ihr Abonnement von {course} ist bestätigt.',
  'confirmed.scheduled': 'Lektion {number} kommt zur geplanten Zeit, gegen {time} Uhr in Ihrer Zeitzone; danach erhalten Sie {cadence}.',
  'confirmed.soon':
    'Lektion {number} geht mit dem nächsten geplanten Versand hinaus, meist innerhalb weniger Minuten. Danach erhalten Sie {cadence}, jeweils gegen {time} Uhr in Ihrer Zeitzone.',
  'confirmed.unsubscribeNote': 'Jede E-Mail enthält einen Link, um sich mit einem Klick abzumelden.',

  'unsubscribe.goneTitle': 'Kein Abonnement',
  'unsubscribe.gone': 'Dieses Abonnement besteht nicht mehr, Sie erhalten also keine E-Mails mehr von {course}.',
  'unsubscribe.notSubscribed': '{email} hat {course} nicht abonniert und erhält keine weiteren Lektionen.',
  'unsubscribe.title': 'Abmelden?',
  'unsubscribe.question': '{course} nicht mehr an {email} senden?',
  'unsubscribe.effect': 'Sie erhalten keine weiteren Lektionen. Das gilt sofort.',
  'unsubscribe.button': 'Abmelden',
  'unsubscribed.title': 'Sie sind abgemeldet',
  'unsubscribed.address': '{email} erhält keine E-Mails mehr von {course}.',
  'unsubscribed.you': 'Sie erhalten keine E-Mails mehr von {course}.',
  'unsubscribed.again': 'Umentschieden? Sie können sich {link} und dort weitermachen, wo Sie aufgehört haben.',
  'unsubscribed.againLink': 'wieder anmelden',

  'error.400': 'Das hat nicht geklappt',
  'error.403': 'Von hier aus nicht erlaubt',
  'error.404': 'Seite nicht gefunden',
  'error.410': 'Dieser Link ist abgelaufen',
  'error.413': 'Das war zu viel',
  'error.415': 'Das hat nicht geklappt',
  'error.429': 'Zu viele Versuche',
  'error.503': 'Bitte versuchen Sie es gleich noch einmal',
  'error.other': 'Etwas ist schiefgegangen',
  'errorCode.invalid_input': 'Das Formular konnte nicht gelesen werden.',
  'errorCode.control_characters': 'Ein Feld enthält einen Zeilenumbruch oder ein Steuerzeichen.',
  'errorCode.invalid_name': 'Bitte geben Sie nur Ihren Vornamen ein, mit höchstens 100 Zeichen.',
  'errorCode.invalid_timezone': 'Die Zeitzone ist kein gültiger Zeitzonenname.',
  'errorCode.invalid_email': 'Das sieht nicht wie eine E-Mail-Adresse aus. Bitte prüfen Sie sie.',
  'errorCode.token_missing': 'Diesem Link fehlt sein Schlüssel.',
  'errorCode.token_invalid': 'Dieser Link ist ungültig. Bitte prüfen Sie, ob er vollständig kopiert wurde.',
  'errorCode.token_wrong_purpose': 'Dieser Link kann hier nicht verwendet werden.',
  'errorCode.token_expired': 'Dieser Bestätigungslink ist abgelaufen. Bitte melden Sie sich erneut an, um einen neuen zu erhalten.',
  'errorCode.subscription_expired': 'Dieser Bestätigungslink ist abgelaufen. Bitte melden Sie sich erneut an, um einen neuen zu erhalten.',
  'errorCode.busy': 'Bitte versuchen Sie es gleich noch einmal.',
  'errorCode.dependency_failed': 'Die E-Mail konnte gerade nicht gesendet werden. Bitte versuchen Sie es in einigen Minuten noch einmal.',
  'errorCode.course_required': 'Bitte wählen Sie einen Kurs.',
  'errorCode.unknown_course': 'Diesen Kurs gibt es nicht.',
  'errorCode.course_not_served': 'Dieser Kurs wird hier nicht mehr angeboten.',
  'errorCode.body_too_large': 'Die Anfrage ist zu groß.',
  'errorCode.invalid_json': 'Der Inhalt der Anfrage ist kein gültiges JSON.',
  'errorCode.invalid_form': 'Die Formulardaten konnten nicht gelesen werden.',
  'errorCode.repeated_field': 'Ein Feld wurde mehrfach angegeben.',
  'errorCode.rate_limited': 'Zu viele Anfragen. Bitte warten Sie einige Minuten und versuchen Sie es dann noch einmal.',
  'errorCode.not_found': 'Unter dieser Adresse gibt es nichts.',
  'errorCode.internal': 'Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es später noch einmal.',
  'errorCode.unsupported_media_type': 'Diese Art von Anfrage wird hier nicht angenommen.',
  'errorCode.next_too_soon': 'Die nächste Lektion können Sie einmal am Tag vorziehen. Bitte versuchen Sie es morgen noch einmal.',
  'errorCode.not_active': 'Dieses Abonnement ist nicht aktiv, daher geht das nicht.',
  'errorCode.invalid_until': 'Bitte wählen Sie ein Datum in der Zukunft.',
  'errorCode.invalid_send_hour': 'Bitte wählen Sie eine Uhrzeit wie 09:00.',
  'errorCode.invalid_weekday': 'Bitte wählen Sie einen Wochentag.',
  'errorCode.invalid_cadence': 'Bitte wählen Sie eines der angebotenen Tempi.',
  'errorCode.already_paused': 'Der Kurs ist bereits pausiert.',
  'errorCode.not_paused': 'Der Kurs ist nicht pausiert.',

  'email.lesson.position': 'Lektion {number} von {count}',
  'email.lesson.greeting': 'Hallo {name},',
  'email.lesson.nameFallback': 'zusammen',
  'email.lesson.next': '{unit, select, week {Nächste Woche: {title}} other {Nächste Lektion: {title}}}',
  'email.lesson.why':
    'Sie erhalten diese E-Mail, weil Sie sich für {course} angemeldet und Ihre Adresse bestätigt haben. Eine Lektion kommt {cadence}, insgesamt {count}.',
  'email.lesson.unsubscribe': 'Mit einem Klick von diesem Kurs {link}.',
  'email.lesson.unsubscribeLink': 'abmelden',

  'email.confirm.heading': 'Bitte bestätigen Sie Ihre Anmeldung',
  'email.hello': 'Hallo,',
  'email.confirm.asked':
    'Jemand, hoffentlich Sie, möchte den E-Mail-Kurs {course} an diese Adresse erhalten: {count, plural, one {# Lektion} other {# Lektionen}}, {cadence} eine.',
  'email.confirm.open':
    'Öffnen Sie zum Start die Bestätigungsseite unten. Ein weiterer Klick dort, auf ihre Schaltfläche, startet den Kurs: Das Öffnen der Seite allein tut es nicht.',
  'email.confirm.button': 'Bestätigungsseite öffnen',
  'email.confirm.copy': 'Wenn die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:',
  'email.confirm.ignore':
    'Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne einen Klick auf die Schaltfläche der Seite schreiben wir Ihnen nicht wieder.',

  'email.already.subject': 'Sie haben {course} bereits abonniert',
  'email.already.preheader': 'Jemand hat diese Adresse erneut angemeldet. Es hat sich nichts geändert: Ihre Lektionen kommen weiter.',
  'email.already.heading': 'Sie sind bereits angemeldet',
  'email.already.signedUpAgain':
    'Jemand, hoffentlich Sie, hat diese Adresse gerade für den E-Mail-Kurs „{course}“ angemeldet. Sie sind bereits angemeldet, daher hat sich nichts geändert und keine Bestätigung ist nötig: Ihre Lektionen kommen weiter wie bisher.',
  'email.already.when': 'Ihre Lektionen kommen um {time} Uhr in der Zeitzone {zone}.',
  'email.already.zoneDiffers':
    'Die neue Anmeldung kam von einem Gerät mit einer anderen Zeitzone. Ihre haben wir nicht geändert: Eine Zeitzone wird nur geändert, wenn Sie darum bitten. Sobald Ihre Kursseite verfügbar ist, können Sie sie dort ändern; bis dahin antworten Sie einfach auf diese E-Mail, und wir ändern sie für Sie.',
  'email.already.manageIntro':
    'Um Ihr Abonnement zu verwalten oder die Lektionen zu beenden, öffnen Sie die Seite unten (das Öffnen ändert nichts; erst ihre Schaltfläche).',
  'email.already.manage': 'Abonnement verwalten',
  'email.already.manageText': 'Abonnement verwalten: {url}',
  'email.already.notYou': 'Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren.',

  // What `course new` writes into a new course.json, from the article's headings only.
  'authoring.introductionTitle': 'Einleitung',
  'authoring.lessonSubject': 'Lektion {number} von {count}: {title}',
  'authoring.introductionSubject': 'Lektion {number} von {count}: {courseTitle}, eine Einführung',
  'authoring.preheaderInThisLesson': 'In dieser Lektion: {headings}',
  'authoring.preheaderComingUp': 'Demnächst: {titles}',
  'authoring.preheaderLessonOf': '{courseTitle}: Lektion {number} von {count}',
  'authoring.description':
    'Ein E-Mail-Kurs in {count, plural, one {# Lektion} other {# Lektionen}}: der Artikel „{title}“, ein Abschnitt pro Woche.',
  'authoring.senderName': 'Kurs {title}',
  'authoring.postalAddressPlaceholder':
    'Beispielkurs GmbH, Beispielstraße 1, Beispielstadt (Platzhalter: tragen Sie Ihre echte Postanschrift ein)',
  'authoring.disclaimerLabel': 'Medizinischer Hinweis',
  'authoring.disclaimerText':
    'Dieser Kurs dient nur der Information und ist keine medizinische Beratung. Besprechen Sie Ihre eigene Situation mit einer qualifizierten medizinischen Fachperson, bevor Sie eine Entscheidung über Diagnose oder Behandlung treffen.',
  'authoring.confirmationSubject': 'Bitte bestätigen Sie Ihr Abonnement von {title}',
  'authoring.confirmationPreheader': 'Ein Klick zum Bestätigen, und die erste Lektion kommt mit dem nächsten Versand.',
};
