// The French catalogue (fr): every key of the English one (en.ts), with the same placeholders.
// Apostrophes are typographic (’): a straight one can start a quoted run in ICU MessageFormat.
import type { Catalogue } from '../catalogue.js';

export const fr: Catalogue = {
  'learn.title': 'Votre cours',

  'cadence.lessons':
    '{unit, select, day {une leçon par jour} week {une leçon par semaine} weeks {{n, plural, other {une leçon toutes les # semaines}}} other {{n, plural, other {une leçon tous les # jours}}}}',
  'cadence.short':
    '{unit, select, day {une par jour} week {une par semaine} weeks {{n, plural, other {une toutes les # semaines}}} other {{n, plural, other {une tous les # jours}}}}',
  'cadence.email': '{unit, select, day {chaque jour} week {chaque semaine} other {{n, plural, other {tous les # jours}}}}',

  'disclaimer.label': '{label} :',
  'page.backToCourse': 'Retour à la page du cours',
  'page.toCourse': 'Aller à la page du cours',

  'signup.kicker': 'Cours gratuit par e-mail',
  'signup.summary': '{count, plural, one {# leçon} other {# leçons}}, {cadence}, vers {time} dans votre fuseau horaire.',
  'signup.heading': 'Inscription',
  'signup.email': 'Adresse e-mail',
  'signup.name': 'Prénom',
  'signup.optional': '(facultatif)',
  'signup.honeypot': 'Laissez ce champ vide',
  'signup.submit': 'Recevoir le cours',
  'signup.privacy':
    'Vous recevrez d’abord un e-mail pour confirmer votre adresse ; rien d’autre n’est envoyé avant que vous cliquiez sur son lien. Chaque e-mail contient un lien de désinscription en un clic. Nous conservons votre adresse, votre prénom, votre fuseau horaire, ainsi que la date et le lieu de votre inscription, uniquement pour vous envoyer ce cours.',
  'signup.lessonsHeading': 'Les leçons',
  'signup.lessonsIntro': 'La première arrive dès que vous confirmez votre adresse, puis {cadence}.',
  'signup.sending': 'Envoi…',
  'signup.failed': 'Une erreur s’est produite. Veuillez réessayer.',
  'signup.offline': 'Le formulaire n’a pas pu être envoyé. Vérifiez votre connexion et réessayez.',
  'signup.thanks':
    'Merci. Consultez votre boîte de réception : un e-mail de confirmation est en route. Cliquez sur son lien pour commencer le cours. Si rien n’arrive d’ici quelques minutes, regardez dans vos courriers indésirables.',

  'checkInbox.title': 'Consultez votre boîte de réception',

  'courses.kicker': 'Cours gratuits par e-mail',
  'courses.title': 'Cours par e-mail',
  'courses.intro':
    'Choisissez un cours : chacun est un abonnement à part, avec son propre e-mail de confirmation et son propre lien de désinscription.',
  'courses.summary': '{count, plural, one {# leçon} other {# leçons}}, {cadence}.',
  'courses.more': 'À propos de ce cours et inscription',
  'courses.language': 'Langue : {language}',

  'confirm.title': 'Confirmez votre inscription',
  'confirm.question': 'Commencer {course} à l’adresse {email} ?',
  'confirm.explain':
    'Encore un clic : appuyez sur le bouton pour confirmer votre adresse. La leçon {number} suit sous peu, puis {cadence}.',
  'confirm.button': 'Oui, commencer le cours',
  'confirm.notYou': 'Vous n’avez rien demandé ? Fermez cette page : rien n’est envoyé sans appui sur le bouton.',
  'confirmed.title': 'Vous êtes inscrit',
  'confirmed.completed': 'Votre adresse est confirmée. Vous avez déjà reçu toutes les leçons de {course} : il n’y a plus rien à envoyer.',
  'confirmed.thanks': 'Merci : votre inscription à {course} est confirmée.',
  'confirmed.scheduled':
    'La leçon {number} arrivera à l’heure prévue, vers {time} dans votre fuseau horaire ; ensuite vous recevrez {cadence}.',
  'confirmed.soon':
    'La leçon {number} part avec le prochain envoi prévu, en général d’ici quelques minutes. Ensuite vous recevrez {cadence}, vers {time} dans votre fuseau horaire.',
  'confirmed.unsubscribeNote': 'Chaque e-mail contient un lien pour vous désinscrire en un clic.',

  'unsubscribe.goneTitle': 'Aucun abonnement',
  'unsubscribe.gone': 'Cet abonnement n’existe plus : vous ne recevrez plus d’e-mails de {course}.',
  'unsubscribe.notSubscribed': '{email} n’est pas inscrit à {course} et ne recevra plus de leçons.',
  'unsubscribe.title': 'Se désinscrire ?',
  'unsubscribe.question': 'Ne plus envoyer {course} à {email} ?',
  'unsubscribe.effect': 'Vous ne recevrez plus de leçons. C’est immédiat.',
  'unsubscribe.button': 'Se désinscrire',
  'unsubscribed.title': 'Vous êtes désinscrit',
  'unsubscribed.address': '{email} ne recevra plus d’e-mails de {course}.',
  'unsubscribed.you': 'Vous ne recevrez plus d’e-mails de {course}.',
  'unsubscribed.again': 'Vous avez changé d’avis ? Vous pouvez {link} et reprendre là où vous en étiez.',
  'unsubscribed.againLink': 'vous réinscrire',

  'error.400': 'Cela n’a pas fonctionné',
  'error.403': 'Non autorisé depuis ici',
  'error.404': 'Page introuvable',
  'error.410': 'Ce lien a expiré',
  'error.413': 'C’était trop',
  'error.415': 'Cela n’a pas fonctionné',
  'error.429': 'Trop de tentatives',
  'error.503': 'Veuillez réessayer bientôt',
  'error.other': 'Une erreur s’est produite',
  'errorCode.invalid_input': 'Le formulaire n’a pas pu être lu.',
  'errorCode.control_characters': 'Un champ contient un saut de ligne ou un caractère de contrôle.',
  'errorCode.invalid_name': 'Indiquez seulement votre prénom, en 100 caractères au plus.',
  'errorCode.invalid_timezone': 'Le fuseau horaire n’est pas un nom de fuseau horaire.',
  'errorCode.invalid_email': 'Cela ne ressemble pas à une adresse e-mail. Veuillez la vérifier.',
  'errorCode.token_missing': 'Il manque le jeton de ce lien.',
  'errorCode.token_invalid': 'Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier.',
  'errorCode.token_wrong_purpose': 'Ce lien ne peut pas être utilisé ici.',
  'errorCode.token_expired': 'Ce lien de confirmation a expiré. Inscrivez-vous à nouveau pour en recevoir un nouveau.',
  'errorCode.subscription_expired': 'Ce lien de confirmation a expiré. Inscrivez-vous à nouveau pour en recevoir un nouveau.',
  'errorCode.busy': 'Veuillez réessayer dans un instant.',
  'errorCode.dependency_failed': 'L’e-mail n’a pas pu être envoyé pour le moment. Réessayez dans quelques minutes.',
  'errorCode.course_required': 'Veuillez choisir un cours.',
  'errorCode.unknown_course': 'Ce cours n’existe pas.',
  'errorCode.course_not_served': 'Ce cours n’est plus proposé ici.',
  'errorCode.body_too_large': 'La requête est trop volumineuse.',
  'errorCode.invalid_json': 'Le corps de la requête n’est pas du JSON valide.',
  'errorCode.invalid_form': 'Les données du formulaire n’ont pas pu être lues.',
  'errorCode.repeated_field': 'Un champ est donné plus d’une fois.',
  'errorCode.rate_limited': 'Trop de requêtes. Attendez quelques minutes et réessayez.',
  'errorCode.not_found': 'Il n’y a rien à cette adresse.',
  'errorCode.internal': 'Une erreur s’est produite de notre côté. Veuillez réessayer plus tard.',
  'errorCode.unsupported_media_type': 'Ce type de requête n’est pas accepté ici.',
  'errorCode.next_too_soon': 'Vous pouvez avancer la leçon suivante une fois par jour. Réessayez demain.',
  'errorCode.not_active': 'Cet abonnement n’est pas actif : ce n’est donc pas possible.',
  'errorCode.invalid_until': 'Veuillez choisir une date future.',
  'errorCode.invalid_send_hour': 'Veuillez choisir une heure comme 09:00.',
  'errorCode.invalid_weekday': 'Veuillez choisir un jour de la semaine.',
  'errorCode.invalid_cadence': 'Veuillez choisir l’un des rythmes proposés.',
  'errorCode.already_paused': 'Le cours est déjà en pause.',
  'errorCode.not_paused': 'Le cours n’est pas en pause.',

  'email.lesson.position': 'Leçon {number} sur {count}',
  'email.lesson.greeting': 'Bonjour {name},',
  'email.lesson.nameFallback': 'à vous',
  'email.lesson.next': '{unit, select, week {La semaine prochaine : {title}} other {Leçon suivante : {title}}}',
  'email.lesson.why':
    'Vous recevez cet e-mail parce que vous vous êtes inscrit à {course} et avez confirmé votre adresse. Une leçon arrive {cadence}, {count} en tout.',
  'email.lesson.unsubscribe': '{link} de ce cours en un clic.',
  'email.lesson.unsubscribeLink': 'Se désinscrire',

  'email.confirm.heading': 'Veuillez confirmer votre inscription',
  'email.hello': 'Bonjour,',
  'email.confirm.asked':
    'Quelqu’un, vous sans doute, a demandé à recevoir le cours par e-mail {course} à cette adresse : {count, plural, one {# leçon} other {# leçons}}, une {cadence}.',
  'email.confirm.open':
    'Pour commencer, ouvrez la page de confirmation ci-dessous. Un clic de plus sur son bouton lance le cours : ouvrir la page ne suffit pas.',
  'email.confirm.button': 'Ouvrir la page de confirmation',
  'email.confirm.copy': 'Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :',
  'email.confirm.ignore':
    'Si vous n’avez rien demandé, ignorez cet e-mail : sans un clic sur le bouton de la page, nous ne vous écrirons plus.',

  'email.already.subject': 'Vous êtes déjà inscrit à {course}',
  'email.already.preheader': 'Quelqu’un a de nouveau inscrit cette adresse. Rien n’a changé : vos leçons continuent.',
  'email.already.heading': 'Vous êtes déjà inscrit',
  'email.already.signedUpAgain':
    'Quelqu’un, vous sans doute, vient d’inscrire cette adresse au cours par e-mail « {course} ». Vous êtes déjà inscrit : rien n’a changé et aucune confirmation n’est nécessaire, vos leçons continuent d’arriver comme avant.',
  'email.already.when': 'Vos leçons arrivent à {time} dans le fuseau horaire {zone}.',
  'email.already.zoneDiffers':
    'La nouvelle inscription venait d’un appareil réglé sur un autre fuseau horaire. Nous n’avons pas changé le vôtre : un fuseau horaire n’est changé que si vous le demandez. Vous pourrez le changer depuis la page de votre cours dès qu’elle sera disponible ; d’ici là, répondez à cet e-mail et nous le changerons pour vous.',
  'email.already.manageIntro':
    'Pour gérer votre abonnement ou arrêter les leçons, ouvrez la page ci-dessous (l’ouvrir ne change rien ; son bouton, si).',
  'email.already.manage': 'Gérer votre abonnement',
  'email.already.manageText': 'Gérer votre abonnement : {url}',
  'email.already.notYou': 'Si ce n’était pas vous, vous pouvez ignorer cet e-mail.',

  // What `course new` writes into a new course.json, from the article's headings only.
  'authoring.introductionTitle': 'Introduction',
  'authoring.lessonSubject': 'Leçon {number} sur {count} : {title}',
  'authoring.introductionSubject': 'Leçon {number} sur {count} : {courseTitle}, une introduction',
  'authoring.preheaderInThisLesson': 'Dans cette leçon : {headings}',
  'authoring.preheaderComingUp': 'À venir : {titles}',
  'authoring.preheaderLessonOf': '{courseTitle} : leçon {number} sur {count}',
  'authoring.description':
    'Un cours par e-mail en {count, plural, one {# leçon} other {# leçons}} : l’article « {title} », une section par semaine.',
  'authoring.senderName': 'Cours {title}',
  'authoring.postalAddressPlaceholder':
    'Exemple Cours SARL, 1 rue de l’Exemple, Exempleville (à remplacer : indiquez votre véritable adresse postale)',
  'authoring.disclaimerLabel': 'Avertissement médical',
  'authoring.disclaimerText':
    'ce cours est uniquement informatif et ne constitue pas un avis médical. Consultez un professionnel de santé qualifié au sujet de votre situation avant toute décision de diagnostic ou de traitement.',
  'authoring.confirmationSubject': 'Veuillez confirmer votre inscription à {title}',
  'authoring.confirmationPreheader': 'Un clic pour confirmer, et la première leçon arrive au prochain envoi.',
};
