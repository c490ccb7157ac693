// The Spanish catalogue (es): every key of the English one (en.ts), with the same placeholders.
import type { Catalogue } from '../catalogue.js';

export const es: Catalogue = {
  'learn.title': 'Tu curso',

  'cadence.lessons':
    '{unit, select, day {una lección al día} week {una lección a la semana} weeks {{n, plural, other {una lección cada # semanas}}} other {{n, plural, other {una lección cada # días}}}}',
  'cadence.short':
    '{unit, select, day {una al día} week {una a la semana} weeks {{n, plural, other {una cada # semanas}}} other {{n, plural, other {una cada # días}}}}',
  'cadence.email': '{unit, select, day {cada día} week {cada semana} other {{n, plural, other {cada # días}}}}',

  'disclaimer.label': '{label}:',
  'page.backToCourse': 'Volver a la página del curso',
  'page.toCourse': 'Ir a la página del curso',

  'signup.kicker': 'Curso gratuito por correo electrónico',
  'signup.summary': '{count, plural, one {# lección} other {# lecciones}}, {cadence}, hacia las {time} en tu zona horaria.',
  'signup.heading': 'Suscríbete',
  'signup.email': 'Correo electrónico',
  'signup.name': 'Nombre',
  'signup.optional': '(opcional)',
  'signup.honeypot': 'Deja este campo vacío',
  'signup.submit': 'Quiero recibir el curso',
  'signup.privacy':
    'Primero recibirás un correo para confirmar tu dirección; no se envía nada más hasta que pulses su enlace. Cada correo tiene un enlace para darte de baja con un clic. Guardamos tu dirección, tu nombre, tu zona horaria y cuándo y dónde te suscribiste, solo para enviarte este curso.',
  'signup.lessonsHeading': 'Las lecciones',
  'signup.lessonsIntro': 'La primera llega en cuanto confirmes tu dirección; después, {cadence}.',
  'signup.sending': 'Enviando…',
  'signup.failed': 'Algo ha fallado. Inténtalo de nuevo.',
  'signup.offline': 'No se ha podido enviar el formulario. Comprueba tu conexión e inténtalo de nuevo.',
  'signup.thanks':
    'Gracias. Revisa tu bandeja de entrada: te hemos enviado un correo de confirmación. Pulsa el enlace que contiene para empezar el curso. Si no llega nada en unos minutos, mira en la carpeta de spam.',

  'checkInbox.title': 'Revisa tu bandeja de entrada',

  'courses.kicker': 'Cursos gratuitos por correo electrónico',
  'courses.title': 'Cursos por correo electrónico',
  'courses.intro':
    'Elige un curso: cada uno es una suscripción independiente, con su propio correo de confirmación y su propio enlace para darte de baja.',
  'courses.summary': '{count, plural, one {# lección} other {# lecciones}}, {cadence}.',
  'courses.more': 'Sobre este curso y suscripción',
  'courses.language': 'Idioma: {language}',

  'confirm.title': 'Confirma tu suscripción',
  'confirm.question': '¿Empezar {course} en {email}?',
  'confirm.explain': 'Un clic más: pulsa el botón para confirmar tu dirección. La lección {number} llegará en breve; después, {cadence}.',
  'confirm.button': 'Sí, empezar el curso',
  'confirm.notYou': '¿No lo has pedido tú? Cierra esta página: no se envía nada si no se pulsa el botón.',
  'confirmed.title': 'Te has suscrito',
  'confirmed.completed': 'Tu dirección está confirmada. Ya has recibido todas las lecciones de {course}, así que no queda nada por enviar.',
  'confirmed.thanks': 'Gracias: tu suscripción a {course} está confirmada.',
  'confirmed.scheduled':
    'La lección {number} llegará a su hora prevista, hacia las {time} en tu zona horaria; después recibirás {cadence}.',
  'confirmed.soon':
    'La lección {number} sale con el próximo envío programado, normalmente en pocos minutos. Después recibirás {cadence}, hacia las {time} en tu zona horaria.',
  'confirmed.unsubscribeNote': 'Cada correo tiene un enlace para darte de baja con un clic.',

  'unsubscribe.goneTitle': 'No hay suscripción',
  'unsubscribe.gone': 'Esta suscripción ya no existe, así que no recibirás más correos de {course}.',
  'unsubscribe.notSubscribed': '{email} no está suscrito a {course} y no recibirá más lecciones.',
  'unsubscribe.title': '¿Darte de baja?',
  'unsubscribe.question': '¿Dejar de enviar {course} a {email}?',
  'unsubscribe.effect': 'No recibirás más lecciones. Tiene efecto inmediato.',
  'unsubscribe.button': 'Darme de baja',
  'unsubscribed.title': 'Te has dado de baja',
  'unsubscribed.address': '{email} no recibirá más correos de {course}.',
  'unsubscribed.you': 'No recibirás más correos de {course}.',
  'unsubscribed.again': '¿Has cambiado de opinión? Puedes {link} y seguir donde lo dejaste.',
  'unsubscribed.againLink': 'volver a suscribirte',

  'error.400': 'No ha funcionado',
  'error.403': 'No permitido desde aquí',
  'error.404': 'Página no encontrada',
  'error.410': 'Este enlace ha caducado',
  'error.413': 'Ha sido demasiado',
  'error.415': 'No ha funcionado',
  'error.429': 'Demasiados intentos',
  'error.503': 'Inténtalo de nuevo en breve',
  'error.other': 'Algo ha fallado',
  'errorCode.invalid_input': 'No se ha podido leer el formulario.',
  'errorCode.control_characters': 'Un campo contiene un salto de línea o un carácter de control.',
  'errorCode.invalid_name': 'Escribe solo tu nombre, con 100 caracteres como máximo.',
  'errorCode.invalid_timezone': 'La zona horaria no es un nombre de zona horaria.',
  'errorCode.invalid_email': 'Eso no parece una dirección de correo. Compruébala.',
  'errorCode.token_missing': 'A este enlace le falta su clave.',
  'errorCode.token_invalid': 'Este enlace no es válido. Comprueba que se ha copiado entero.',
  'errorCode.token_wrong_purpose': 'Este enlace no se puede usar aquí.',
  'errorCode.token_expired': 'Este enlace de confirmación ha caducado. Vuelve a suscribirte para recibir uno nuevo.',
  'errorCode.subscription_expired': 'Este enlace de confirmación ha caducado. Vuelve a suscribirte para recibir uno nuevo.',
  'errorCode.busy': 'Inténtalo de nuevo dentro de un momento.',
  'errorCode.dependency_failed': 'No se ha podido enviar el correo ahora. Inténtalo de nuevo dentro de unos minutos.',
  'errorCode.course_required': 'Elige un curso.',
  'errorCode.unknown_course': 'Ese curso no existe.',
  'errorCode.course_not_served': 'Este curso ya no se ofrece aquí.',
  'errorCode.body_too_large': 'La solicitud es demasiado grande.',
  'errorCode.invalid_json': 'El cuerpo de la solicitud no es JSON válido.',
  'errorCode.invalid_form': 'No se han podido leer los datos del formulario.',
  'errorCode.repeated_field': 'Un campo aparece más de una vez.',
  'errorCode.rate_limited': 'Demasiadas solicitudes. Espera unos minutos e inténtalo de nuevo.',
  'errorCode.not_found': 'No hay nada en esta dirección.',
  'errorCode.internal': 'Algo ha fallado por nuestra parte. Inténtalo de nuevo más tarde.',
  'errorCode.unsupported_media_type': 'Aquí no se acepta este tipo de solicitud.',
  'errorCode.next_too_soon': 'Puedes adelantar la siguiente lección una vez al día. Inténtalo de nuevo mañana.',
  'errorCode.not_active': 'Esta suscripción no está activa, así que no se puede hacer.',
  'errorCode.invalid_until': 'Elige una fecha futura.',
  'errorCode.invalid_send_hour': 'Elige una hora del día, como 09:00.',
  'errorCode.invalid_weekday': 'Elige un día de la semana.',
  'errorCode.invalid_cadence': 'Elige uno de los ritmos ofrecidos.',
  'errorCode.already_paused': 'El curso ya está en pausa.',
  'errorCode.not_paused': 'El curso no está en pausa.',

  'email.lesson.position': 'Lección {number} de {count}',
  'email.lesson.greeting': 'Hola, {name}:',
  'email.lesson.nameFallback': 'lector',
  'email.lesson.next': '{unit, select, week {La próxima semana: {title}} other {Próxima lección: {title}}}',
  'email.lesson.why':
    'Recibes este correo porque te suscribiste a {course} y confirmaste tu dirección. Llega una lección {cadence}, {count} en total.',
  'email.lesson.unsubscribe': '{link} de este curso con un clic.',
  'email.lesson.unsubscribeLink': 'Date de baja',

  'email.confirm.heading': 'Confirma tu suscripción',
  'email.hello': 'Hola:',
  'email.confirm.asked':
    'Alguien, esperamos que tú, ha pedido recibir el curso por correo {course} en esta dirección: {count, plural, one {# lección} other {# lecciones}}, una {cadence}.',
  'email.confirm.open':
    'Para empezar, abre la página de confirmación de abajo. Un clic más allí, en su botón, inicia el curso: abrir la página no basta.',
  'email.confirm.button': 'Abrir la página de confirmación',
  'email.confirm.copy': 'Si el botón no funciona, copia este enlace en tu navegador:',
  'email.confirm.ignore': 'Si no lo has pedido, ignora este correo: sin un clic en el botón de la página, no volveremos a escribirte.',

  'email.already.subject': 'Ya estás suscrito a {course}',
  'email.already.preheader': 'Alguien ha vuelto a suscribir esta dirección. No ha cambiado nada: tus lecciones siguen llegando.',
  'email.already.heading': 'Ya estás suscrito',
  'email.already.signedUpAgain':
    'Alguien, esperamos que tú, acaba de suscribir esta dirección al curso por correo «{course}». Ya estás suscrito, así que no ha cambiado nada y no hace falta confirmar: tus lecciones siguen llegando como antes.',
  'email.already.when': 'Tus lecciones llegan a las {time} en la zona horaria {zone}.',
  'email.already.zoneDiffers':
    'La nueva suscripción venía de un dispositivo con otra zona horaria. No hemos cambiado la tuya: una zona horaria solo se cambia si tú lo pides. Podrás cambiarla desde la página de tu curso cuando esté disponible; hasta entonces, responde a este correo y la cambiaremos por ti.',
  'email.already.manageIntro':
    'Para gestionar tu suscripción o dejar de recibir las lecciones, abre la página de abajo (abrirla no cambia nada; su botón sí).',
  'email.already.manage': 'Gestionar tu suscripción',
  'email.already.manageText': 'Gestionar tu suscripción: {url}',
  'email.already.notYou': 'Si no has sido tú, puedes ignorar este correo.',

  // What `course new` writes into a new course.json, from the article's headings only.
  'authoring.introductionTitle': 'Introducción',
  'authoring.lessonSubject': 'Lección {number} de {count}: {title}',
  'authoring.introductionSubject': 'Lección {number} de {count}: {courseTitle}, una introducción',
  'authoring.preheaderInThisLesson': 'En esta lección: {headings}',
  'authoring.preheaderComingUp': 'Próximamente: {titles}',
  'authoring.preheaderLessonOf': '{courseTitle}: lección {number} de {count}',
  'authoring.description':
    'Un curso por correo electrónico en {count, plural, one {# lección} other {# lecciones}}: el artículo «{title}», una sección por semana.',
  'authoring.senderName': 'Curso {title}',
  'authoring.postalAddressPlaceholder':
    'Curso de Ejemplo S.L., Calle Ejemplo 1, Ciudad Ejemplo (provisional: indique su dirección postal real)',
  'authoring.disclaimerLabel': 'Aviso médico',
  'authoring.disclaimerText':
    'este curso es solo informativo y no constituye consejo médico. Consulte a un profesional sanitario cualificado sobre su situación antes de tomar cualquier decisión de diagnóstico o tratamiento.',
  'authoring.confirmationSubject': 'Confirme su suscripción a {title}',
  'authoring.confirmationPreheader': 'Un clic para confirmar, y la primera lección llega en el próximo envío.',
};
