// Authoring in the catalogued languages, as pure functions: the plain-text heading guess in German,
// French, Spanish, Portuguese and Arabic (punctuation and length, never letter case; numbered headings
// in any digits; opening and closing section names), the language of an article detected (franc-min)
// or given (a checked BCP 47 tag), the subjects and preheaders built from the catalogue's authoring
// keys and the headings only, and the strings check's verdicts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSectionName, looksLikeHeading, parseArticle, type Article } from '../../../functions/authoring/article.js';
import { stringsProblems } from '../../../functions/authoring/check.js';
import { detectLanguage, parseLanguageTag } from '../../../functions/authoring/language.js';
import { splitIntoLessons, subjectAndPreheader } from '../../../functions/authoring/new-course.js';
import { en } from '../../../functions/i18n/catalogues/en.js';
import { messagesFor, type MessageKey } from '../../../functions/i18n/messages.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/articles/${name}`, import.meta.url), 'utf8');
/** The article's title and its headings as `level text`. */
const outline = (article: Article) => ({
  title: article.title,
  headings: article.items.flatMap((i) => (i.kind === 'heading' ? [`${i.level} ${i.text}`] : [])),
});
const text = (...paragraphs: string[]) => parseArticle(paragraphs.join('\n\n'), 'text');

describe('the plain-text heading guess in every catalogued language', () => {
  it('German: nouns are capitalised everywhere, so only punctuation and length count; „…“ quotes do not hide a full stop', () => {
    const article = text(
      'Schlaf und Erholung',
      'Einleitung',
      'Guter Schlaf ist wichtig. Er hilft dem Körper, sich zu erholen.',
      'Er sagte: „Schlaf ist Medizin.“',
      'Müdigkeit am Tag',
      'Wer tagsüber müde ist, schläft oft zu wenig.',
      '1. Die Schlafphasen',
      'Der Schlaf verläuft in mehreren Phasen.',
      'Fazit:',
      'Regelmäßiger Schlaf hilft.',
    );
    expect(outline(article)).toEqual({
      title: 'Schlaf und Erholung',
      headings: ['1 Einleitung', '1 Müdigkeit am Tag', '2 1. Die Schlafphasen', '1 Fazit:'],
    });
  });

  it('French: a space before ? or : (narrow no-break or not) and « … » guillemets are read as French sets them', () => {
    const article = text(
      'Bouger au quotidien',
      'Pourquoi bouger\u202f?',
      'Le mouvement aide le cœur et les muscles.',
      'Il a dit\u202f: «\u202fMarchez chaque jour.\u202f»',
      'Conclusion :',
      'Chaque pas compte.',
    );
    expect(outline(article)).toEqual({ title: 'Bouger au quotidien', headings: ['1 Pourquoi bouger ?', '1 Conclusion :'] });
  });

  it('Spanish: an article that opens with "Introducción" has no title line; ¿…? is a heading, ¡…! is text', () => {
    const article = text(
      'Introducción',
      'Caminar es un ejercicio sencillo.',
      '¿Por qué caminar?',
      'Caminar fortalece el corazón.',
      '¡Empiece hoy!',
      'Conclusión',
      'Cada paso cuenta.',
    );
    expect(outline(article)).toEqual({ title: undefined, headings: ['1 Introducción', '1 ¿Por qué caminar?', '1 Conclusión'] });
  });

  it('Portuguese: Introdução and Conclusão are sections, numbered headings sit under them', () => {
    const article = text(
      'Dormir bem',
      'Introdução',
      'O sono é importante para a saúde.',
      '1) O ritmo do corpo',
      'O corpo segue um relógio interno.',
      '2) A luz da manhã',
      'A luz da manhã acerta o relógio.',
      'Conclusão',
      'Durma em horários regulares.',
    );
    expect(outline(article)).toEqual({
      title: 'Dormir bem',
      headings: ['1 Introdução', '2 1) O ritmo do corpo', '2 2) A luz da manhã', '1 Conclusão'],
    });
  });

  it('Arabic: no letter case; ؟ may end a heading, ، and ؛ may not; Arabic-Indic numbers are numbered headings', () => {
    const article = text(
      'المشي والصحة',
      'مقدمة',
      'المشي رياضة سهلة ومفيدة.',
      'لماذا المشي؟',
      'يقوي المشي القلب والعضلات.',
      'المشي مفيد للجميع،',
      'وخاصة لكبار السن؛',
      '١. الخطوة الأولى',
      'ابدأ بعشر دقائق كل يوم.',
      'خاتمة',
      'كل خطوة مهمة.',
    );
    expect(outline(article)).toEqual({
      title: 'المشي والصحة',
      headings: ['1 مقدمة', '1 لماذا المشي؟', '2 ١. الخطوة الأولى', '1 خاتمة'],
    });
  });

  it.each([
    ['Einleitung', true],
    ['Fazit:', true],
    ['2. Zusammenfassung', true],
    ['Conclusion\u00a0:', true],
    ['Introducción', true],
    ['Considerações finais', true],
    ['الخاتمة', true],
    ['Einleitung und Ziel', false],
    ['Fazit des Autors', false],
  ])('isSectionName(%j) is %s', (line, expected) => {
    expect(isSectionName(line)).toBe(expected);
  });

  it.each([
    ['Wie viel Wasser braucht der Körper?', true],
    ['Trinken bei Hitze und Sport', true],
    ['Der Körper verliert Wasser.', false],
    ['„Wer Durst hat, hat schon zu lange gewartet.“', false],
    ['Pourquoi bouger ?', true],
    ['« Marchez. »', false],
    ['¿Cuánto caminar?', true],
    ['¡Empiece hoy!', false],
    ['لماذا نغسل أيدينا؟', true],
    ['المشي مفيد،', false],
    ['٢. الفرك الجيد', true],
  ])('looksLikeHeading(%j) is %s', (line, expected) => {
    expect(looksLikeHeading(line)).toBe(expected);
  });
});

describe("the article's language", () => {
  const samples: [string, string][] = [
    ['de', fixture('de-wasser-trinken.txt')],
    ['ar', fixture('ar-hand-washing.txt')],
    [
      'fr',
      "La marche est l'exercice le plus simple qui soit. Elle ne demande aucun équipement et la plupart des gens peuvent commencer dès aujourd'hui. Une promenade quotidienne de vingt minutes aide le cœur, les muscles et l'humeur, et elle se partage facilement avec des amis.",
    ],
    [
      'es',
      'Caminar es el ejercicio más sencillo que existe. No necesita ningún equipo y la mayoría de las personas pueden empezar hoy mismo. Un paseo diario de veinte minutos ayuda al corazón, a los músculos y al ánimo, y se puede compartir fácilmente con los amigos.',
    ],
    [
      'pt-BR',
      'Caminhar é o exercício mais simples que existe. Não precisa de nenhum equipamento e a maioria das pessoas pode começar hoje mesmo. Uma caminhada diária de vinte minutos ajuda o coração, os músculos e o humor, e pode ser feita facilmente com os amigos.',
    ],
    [
      'en',
      'Walking is the easiest exercise there is. It needs no equipment, and most people can start today. A daily walk of twenty minutes helps the heart, the muscles and the mood, and it is easy to share with friends or family.',
    ],
  ];

  it.each(samples)('is detected as %s', (tag, sample) => {
    expect(detectLanguage(sample)).toMatchObject({ tag, source: 'detected' });
  });

  it('Portuguese is pt-BR (the Portuguese catalogue is Brazilian; franc cannot tell the two apart), named for the author', () => {
    expect(detectLanguage(samples[4]![1])).toEqual({ tag: 'pt-BR', name: 'Brazilian Portuguese', source: 'detected' });
  });

  it('too little text to tell is English, with a warning saying why', () => {
    expect(detectLanguage('Kurzer Text über Wasser.')).toEqual({
      tag: 'en',
      name: 'English',
      source: 'default',
      warning: 'the article has too little text (20 letters) to tell its language',
    });
  });

  it('a language without a catalogue is still named by its BCP 47 tag (Italian → it)', () => {
    const italian =
      "Camminare è l'esercizio più semplice che ci sia. Non richiede alcuna attrezzatura e la maggior parte delle persone può iniziare oggi stesso. Una passeggiata quotidiana di venti minuti aiuta il cuore, i muscoli e l'umore.";
    expect(detectLanguage(italian)).toMatchObject({ tag: 'it', name: 'Italian', source: 'detected' });
  });

  it.each([
    ['de', 'de'],
    ['PT-br', 'pt-BR'],
    [' ar ', 'ar'],
    ['zh-Hant-TW', 'zh-Hant-TW'],
  ])('--lang %j is the tag %s', (given, tag) => {
    expect(parseLanguageTag(given)).toBe(tag);
  });

  it.each([
    ['german', 'is not a BCP 47 tag of a known language'],
    ['xx', 'is not a BCP 47 tag of a known language'],
    ['', 'is not a BCP 47 tag of a known language'],
    ['de_DE', '(a hyphen, not an underscore: de-DE)'],
  ])('--lang %j is refused: %s', (given, why) => {
    expect(() => parseLanguageTag(given)).toThrow(why);
  });
});

describe('subjects and preheaders in the course language', () => {
  // What a German catalogue would hold for these keys: the subjects are the catalogue's words around the headings.
  const german = messagesFor('de', {
    'authoring.introductionTitle': 'Einführung',
    'authoring.lessonSubject': 'Lektion {number} von {count}: {title}',
    'authoring.introductionSubject': 'Lektion {number} von {count}: {courseTitle}, eine Einführung',
    'authoring.preheaderInThisLesson': 'In dieser Lektion: {headings}',
    'authoring.preheaderComingUp': 'Demnächst: {titles}',
    'authoring.preheaderLessonOf': '{courseTitle}: Lektion {number} von {count}',
  });

  it('come from the authoring keys and the headings only', () => {
    const article = text(
      'Schlaf',
      'Ein Text vor dem ersten Abschnitt.',
      'Die Schlafphasen',
      'Der Schlaf hat Phasen.',
      '1. Tiefschlaf',
      'Tief.',
      'Fazit',
      'Schlafen Sie regelmäßig.',
    );
    const lessons = splitIntoLessons(article, 'Schlaf', german);
    expect(lessons.map((l) => l.title)).toEqual(['Einführung', 'Die Schlafphasen', 'Fazit']);
    expect(lessons.map((_l, i) => subjectAndPreheader(lessons, i, 'Schlaf', german))).toEqual([
      { subject: 'Lektion 1 von 3: Schlaf, eine Einführung', preheader: 'Demnächst: Die Schlafphasen · Fazit' },
      { subject: 'Lektion 2 von 3: Die Schlafphasen', preheader: 'In dieser Lektion: 1. Tiefschlaf' },
      { subject: 'Lektion 3 von 3: Fazit', preheader: 'Schlaf: Lektion 3 von 3' },
    ]);
  });

  it('in English, as they always were', () => {
    const article = text('Sleep', 'Text before the first section.', 'Phases', 'Sleep has phases.', 'Ending', 'Sleep regularly.');
    const lessons = splitIntoLessons(article, 'Sleep');
    expect(lessons.map((_l, i) => subjectAndPreheader(lessons, i, 'Sleep'))).toEqual([
      { subject: 'Lesson 1 of 3: Sleep, an introduction', preheader: 'Coming up: Phases · Ending' },
      { subject: 'Lesson 2 of 3: Phases', preheader: 'Sleep: lesson 2 of 3' },
      { subject: 'Lesson 3 of 3: Ending', preheader: 'Sleep: lesson 3 of 3' },
    ]);
  });
});

describe('the strings check', () => {
  const keys = Object.keys(en) as MessageKey[];
  const all = (value: (k: MessageKey) => string) => Object.fromEntries(keys.map((k) => [k, value(k)]));

  it('a language with a complete catalogue, or English, passes without a word', () => {
    expect(stringsProblems({ language: 'en' }, en)).toEqual([]);
    expect(
      stringsProblems(
        { language: 'de' },
        all((k) => `de ${k}`),
      ),
    ).toEqual([]);
  });

  it('a language with no catalogue fails, naming every key course.json does not give', () => {
    const [first, ...rest] = keys;
    const problems = stringsProblems({ language: 'sw', strings: { [first!]: 'Kozi yako' } }, undefined);
    expect(problems).toEqual([
      {
        check: 'strings',
        message: `no catalogue for Swahili (sw): ${rest.length} string${rest.length === 1 ? ' is' : 's are'} missing: ${rest.join(', ')}. Give each in course.json "strings" (in Swahili (sw)), or set "stringsFallback": "en" to show them in English`,
      },
    ]);
  });

  it('with every key in course.json "strings", a language with no catalogue passes', () => {
    expect(stringsProblems({ language: 'sw', strings: all((k) => `sw ${k}`) }, undefined)).toEqual([]);
  });

  it('"stringsFallback": "en" turns the failure into a warning: the author chose English', () => {
    const problems = stringsProblems({ language: 'sw', stringsFallback: 'en' }, undefined);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ check: 'strings', warning: true });
    expect(problems[0]!.message).toMatch(
      /^no catalogue for Swahili \(sw\): \d+ strings? shown in English, as "stringsFallback": "en" chooses: /,
    );
  });

  it('keys a catalogue lacks are a warning listing them (they are shown in English)', () => {
    const partial = all((k) => `de ${k}`);
    delete partial['authoring.lessonSubject'];
    expect(stringsProblems({ language: 'de' }, partial)).toEqual([
      {
        check: 'strings',
        warning: true,
        message:
          '1 untranslated string: the German (de) catalogue lacks them and course.json\'s "strings" does not give them, so they are shown in English: authoring.lessonSubject',
      },
    ]);
  });

  it('a "strings" key that is no catalogue key is a problem: a typo would change nothing', () => {
    expect(stringsProblems({ language: 'en', strings: { 'authoring.lesonSubject': 'x' } }, en)).toEqual([
      {
        check: 'strings',
        message:
          'strings: "authoring.lesonSubject" is not a catalogue key (functions/i18n/catalogues/en.ts lists them), so it changes nothing',
      },
    ]);
  });
});
