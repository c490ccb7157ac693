// The Brazilian Portuguese catalogue (pt-BR): every key of the English one (en.ts), with the same placeholders.
import type { Catalogue } from '../catalogue.js';

export const ptBR: Catalogue = {
  'learn.title': 'Seu curso',

  'cadence.lessons':
    '{unit, select, day {uma lição por dia} week {uma lição por semana} weeks {{n, plural, other {uma lição a cada # semanas}}} other {{n, plural, other {uma lição a cada # dias}}}}',
  'cadence.short':
    '{unit, select, day {uma por dia} week {uma por semana} weeks {{n, plural, other {uma a cada # semanas}}} other {{n, plural, other {uma a cada # dias}}}}',
  'cadence.email': '{unit, select, day {todo dia} week {toda semana} other {{n, plural, other {a cada # dias}}}}',

  'disclaimer.label': '{label}:',
  'page.backToCourse': 'Voltar à página do curso',
  'page.toCourse': 'Ir para a página do curso',

  'signup.kicker': 'Curso gratuito por e-mail',
  'signup.summary': '{count, plural, one {# lição} other {# lições}}, {cadence}, por volta das {time} no seu fuso horário.',
  'signup.heading': 'Inscreva-se',
  'signup.email': 'Endereço de e-mail',
  'signup.name': 'Primeiro nome',
  'signup.optional': '(opcional)',
  'signup.honeypot': 'Deixe este campo vazio',
  'signup.submit': 'Quero receber o curso',
  'signup.privacy':
    'Primeiro você receberá um e-mail para confirmar seu endereço; nada mais é enviado até você clicar no link dele. Todo e-mail tem um link para cancelar a inscrição com um clique. Guardamos seu endereço, seu primeiro nome, seu fuso horário e quando e onde você se inscreveu, apenas para enviar este curso.',
  'signup.lessonsHeading': 'As lições',
  'signup.lessonsIntro': 'A primeira chega assim que você confirmar seu endereço; depois, {cadence}.',
  'signup.sending': 'Enviando…',
  'signup.failed': 'Algo deu errado. Tente de novo.',
  'signup.offline': 'Não foi possível enviar o formulário. Verifique sua conexão e tente de novo.',
  'signup.thanks':
    'Obrigado. Confira sua caixa de entrada: um e-mail de confirmação está a caminho. Clique no link dele para começar o curso. Se nada chegar em alguns minutos, confira a pasta de spam.',

  'checkInbox.title': 'Confira sua caixa de entrada',

  'courses.kicker': 'Cursos gratuitos por e-mail',
  'courses.title': 'Cursos por e-mail',
  'courses.intro':
    'Escolha um curso: cada um é uma inscrição separada, com seu próprio e-mail de confirmação e seu próprio link para cancelar.',
  'courses.summary': '{count, plural, one {# lição} other {# lições}}, {cadence}.',
  'courses.more': 'Sobre este curso e inscrição',
  'courses.language': 'Idioma: {language}',

  'confirm.title': 'Confirme sua inscrição',
  'confirm.question': 'Começar {course} em {email}?',
  'confirm.explain': 'Só mais um clique: aperte o botão para confirmar seu endereço. A lição {number} vem em seguida; depois, {cadence}.',
  'confirm.button': 'Sim, começar o curso',
  'confirm.notYou': 'Não foi você que pediu? Feche esta página: nada é enviado sem apertar o botão.',
  'confirmed.title': 'Inscrição feita',
  'confirmed.completed': 'Seu endereço está confirmado. Você já recebeu todas as lições de {course}, então não há mais nada a enviar.',
  'confirmed.thanks': 'Obrigado: sua inscrição em {course} está confirmada.',
  'confirmed.scheduled':
    'A lição {number} chega no horário previsto, por volta das {time} no seu fuso horário; depois você receberá {cadence}.',
  'confirmed.soon':
    'A lição {number} sai no próximo envio programado, em geral em poucos minutos. Depois você receberá {cadence}, por volta das {time} no seu fuso horário.',
  'confirmed.unsubscribeNote': 'Todo e-mail tem um link para cancelar a inscrição com um clique.',

  'unsubscribe.goneTitle': 'Nenhuma inscrição',
  'unsubscribe.gone': 'Esta inscrição não existe mais, então você não receberá mais e-mails de {course}.',
  'unsubscribe.notSubscribed': '{email} não está inscrito em {course} e não receberá mais lições.',
  'unsubscribe.title': 'Cancelar a inscrição?',
  'unsubscribe.question': 'Parar de enviar {course} para {email}?',
  'unsubscribe.effect': 'Você não receberá mais lições. Vale na hora.',
  'unsubscribe.button': 'Cancelar inscrição',
  'unsubscribed.title': 'Inscrição cancelada',
  'unsubscribed.address': '{email} não receberá mais e-mails de {course}.',
  'unsubscribed.you': 'Você não receberá mais e-mails de {course}.',
  'unsubscribed.again': 'Mudou de ideia? Você pode {link} e continuar de onde parou.',
  'unsubscribed.againLink': 'se inscrever de novo',

  'error.400': 'Não deu certo',
  'error.403': 'Não permitido a partir daqui',
  'error.404': 'Página não encontrada',
  'error.410': 'Este link expirou',
  'error.413': 'Foi demais',
  'error.415': 'Não deu certo',
  'error.429': 'Tentativas demais',
  'error.503': 'Tente de novo daqui a pouco',
  'error.other': 'Algo deu errado',
  'errorCode.invalid_input': 'Não foi possível ler o formulário.',
  'errorCode.control_characters': 'Um campo contém uma quebra de linha ou um caractere de controle.',
  'errorCode.invalid_name': 'Digite só o seu primeiro nome, com no máximo 100 caracteres.',
  'errorCode.invalid_timezone': 'O fuso horário não é um nome de fuso horário.',
  'errorCode.invalid_email': 'Isso não parece um endereço de e-mail. Confira, por favor.',
  'errorCode.token_missing': 'Falta a chave deste link.',
  'errorCode.token_invalid': 'Este link não é válido. Confira se ele foi copiado por inteiro.',
  'errorCode.token_wrong_purpose': 'Este link não pode ser usado aqui.',
  'errorCode.token_expired': 'Este link de confirmação expirou. Inscreva-se de novo para receber outro.',
  'errorCode.subscription_expired': 'Este link de confirmação expirou. Inscreva-se de novo para receber outro.',
  'errorCode.busy': 'Tente de novo em instantes.',
  'errorCode.dependency_failed': 'Não foi possível enviar o e-mail agora. Tente de novo em alguns minutos.',
  'errorCode.course_required': 'Escolha um curso.',
  'errorCode.unknown_course': 'Esse curso não existe.',
  'errorCode.course_not_served': 'Este curso não é mais oferecido aqui.',
  'errorCode.body_too_large': 'A solicitação é grande demais.',
  'errorCode.invalid_json': 'O corpo da solicitação não é um JSON válido.',
  'errorCode.invalid_form': 'Não foi possível ler os dados do formulário.',
  'errorCode.repeated_field': 'Um campo aparece mais de uma vez.',
  'errorCode.rate_limited': 'Solicitações demais. Aguarde alguns minutos e tente de novo.',
  'errorCode.not_found': 'Não há nada neste endereço.',
  'errorCode.internal': 'Algo deu errado do nosso lado. Tente de novo mais tarde.',
  'errorCode.unsupported_media_type': 'Este tipo de solicitação não é aceito aqui.',
  'errorCode.next_too_soon': 'Você pode adiantar a próxima lição uma vez por dia. Tente de novo amanhã.',
  'errorCode.not_active': 'Esta inscrição não está ativa, então isso não é possível.',
  'errorCode.invalid_until': 'Escolha uma data no futuro.',
  'errorCode.invalid_send_hour': 'Escolha um horário como 09:00.',
  'errorCode.invalid_weekday': 'Escolha um dia da semana.',
  'errorCode.invalid_cadence': 'Escolha um dos ritmos oferecidos.',
  'errorCode.already_paused': 'O curso já está pausado.',
  'errorCode.not_paused': 'O curso não está pausado.',

  'email.lesson.position': 'Lição {number} de {count}',
  'email.lesson.greeting': 'Olá, {name}!',
  'email.lesson.nameFallback': 'leitor',
  'email.lesson.next': '{unit, select, week {Semana que vem: {title}} other {Próxima lição: {title}}}',
  'email.lesson.why':
    'Você recebe este e-mail porque se inscreveu em {course} e confirmou seu endereço. Chega uma lição {cadence}, {count} no total.',
  'email.lesson.unsubscribe': '{link} deste curso com um clique.',
  'email.lesson.unsubscribeLink': 'Cancele a inscrição',

  'email.confirm.heading': 'Confirme sua inscrição',
  'email.hello': 'Olá!',
  'email.confirm.asked':
    'Alguém, esperamos que você, pediu para receber o curso por e-mail {course} neste endereço: {count, plural, one {# lição} other {# lições}}, uma {cadence}.',
  'email.confirm.open':
    'Para começar, abra a página de confirmação abaixo. Mais um clique lá, no botão dela, inicia o curso: só abrir a página não basta.',
  'email.confirm.button': 'Abrir a página de confirmação',
  'email.confirm.copy': 'Se o botão não funcionar, copie este link no seu navegador:',
  'email.confirm.ignore': 'Se você não pediu isto, ignore este e-mail: sem um clique no botão da página, não escreveremos de novo.',

  'email.already.subject': 'Você já está inscrito em {course}',
  'email.already.preheader': 'Alguém inscreveu este endereço de novo. Nada mudou: suas lições continuam chegando.',
  'email.already.heading': 'Você já está inscrito',
  'email.already.signedUpAgain':
    'Alguém, esperamos que você, acabou de inscrever este endereço no curso por e-mail “{course}”. Você já está inscrito, então nada mudou e nenhuma confirmação é necessária: suas lições continuam chegando como antes.',
  'email.already.when': 'Suas lições chegam às {time} no fuso horário {zone}.',
  'email.already.zoneDiffers':
    'A nova inscrição veio de um aparelho com outro fuso horário. Não mudamos o seu: um fuso horário só muda quando você pede. Você poderá mudá-lo na página do seu curso quando ela estiver disponível; até lá, responda a este e-mail e mudaremos para você.',
  'email.already.manageIntro':
    'Para gerenciar sua inscrição ou parar as lições, abra a página abaixo (abri-la não muda nada; o botão dela, sim).',
  'email.already.manage': 'Gerenciar sua inscrição',
  'email.already.manageText': 'Gerenciar sua inscrição: {url}',
  'email.already.notYou': 'Se não foi você, pode ignorar este e-mail.',

  // What `course new` writes into a new course.json, from the article's headings only.
  'authoring.introductionTitle': 'Introdução',
  'authoring.lessonSubject': 'Lição {number} de {count}: {title}',
  'authoring.introductionSubject': 'Lição {number} de {count}: {courseTitle}, uma introdução',
  'authoring.preheaderInThisLesson': 'Nesta lição: {headings}',
  'authoring.preheaderComingUp': 'Em breve: {titles}',
  'authoring.preheaderLessonOf': '{courseTitle}: lição {number} de {count}',
  'authoring.description':
    'Um curso por e-mail em {count, plural, one {# lição} other {# lições}}: o artigo “{title}”, uma seção por semana.',
  'authoring.senderName': 'Curso {title}',
  'authoring.postalAddressPlaceholder':
    'Curso Exemplo Ltda., Rua Exemplo, 1, Cidade Exemplo (provisório: informe seu endereço postal real)',
  'authoring.disclaimerLabel': 'Aviso médico',
  'authoring.disclaimerText':
    'este curso é apenas informativo e não é aconselhamento médico. Consulte um profissional de saúde qualificado sobre a sua situação antes de tomar qualquer decisão sobre diagnóstico ou tratamento.',
  'authoring.confirmationSubject': 'Confirme sua inscrição em {title}',
  'authoring.confirmationPreheader': 'Um clique para confirmar, e a primeira lição chega no próximo envio.',
};
