// The operator CLI (`npx course …`, `npm run course -- …`): argv parsing and wiring only; each
// command's logic lives in its own module and takes its streams and ports as arguments.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import { createDynamoStore } from '../adapters/dynamo-store.js';
import { requeueHeldSubscriber } from '../adapters/dynamo-drip-store.js';
import { createSesMailer } from '../adapters/ses-mailer.js';
import { loadLocalTokenKey, loadSecretTokenKey } from '../adapters/token-key.js';
import { isAppError } from '../core/errors.js';
import { hasControlCharacter } from '../core/text.js';
import { systemClock, type Mailer } from '../core/ports.js';
import { createTokens, type Tokens } from '../core/tokens.js';
import { parseSignupInput } from '../core/validation.js';
import type { SubscriptionDeps } from '../core/subscriptions.js';
import type { Course } from '../email/manifest.js';
import type { CompiledCourse } from '../email/compiled-course.js';
import { messageComposer } from '../email/composer.js';
import { loadCourses, type CourseFolder } from '../email/courses.js';
import { defaultCoursesDir } from '../email/manifest.js';
import { DEFAULTS, ENV } from '../config/settings.js';
import { runCheck, runNew } from './authoring.js';
import { simulatedSesFeedback } from '../local/simulated-feedback.js';
import { runExport, type ExportFormat } from './export.js';
import { RequeueRefusedError, runHeld, runRequeue } from './held.js';
import { CSV_ENCODINGS, type CsvEncoding } from './csv.js';
import { ImportFileError, importText, planImport, runImport } from './import.js';
import { createOperatorStore } from './operator-store.js';
import { runErase, runShow } from './person.js';
import { runSendTest } from './send-test.js';
import { runMigrateSuppressions } from './suppressions.js';
import { runStats } from './stats.js';
import { linkBase, parseCliSettings, resolveTarget, type CliEnv, type CliSettings, type Target } from './target.js';

export const USAGE = `Usage: course <command> [options]

Writing a course:
  new <article.md|.txt|.html> [--out DIR] [--slug S] [--title T] [--heading "<line>"]… [--not-heading "<line>"]…
                                          a course folder from an article: manifest, one lesson per section,
                                          the source copied (default DIR: $COURSES_DIR/<slug>)
  check [--course DIR] [--no-deliverability]
                                          every paragraph of the source in its lesson word for word, strict
                                          compile, size, disclaimer, then the deliverability check (SpamAssassin
                                          score, caniemail support, contrast in light and dark, 375 px width)
                                          (default: every course); exit 1 on any problem

Running a course:
  stats                                   the funnel and a per-lesson table, with bar charts
  export [--format csv|jsonl]             every subscriber (status, lesson, consent) to stdout
  show <email>                            everything held about one address
  erase <email>                           delete it all, keeping only a one-way hash (stays suppressed)
  held                                    who the drip holds because SES refused their lesson, and why
  migrate-suppressions                    once, after upgrading: suppress every bounced or complained address under
                                          its mailbox too (so a +tag or dotted spelling of it is never mailed)
  requeue <email>                         put a held subscriber back: the held lesson goes out at the next drip run
  import <file.csv> --consent "<where they agreed>" [--send-confirmations] [--dry-run] [--encoding E]
                                          add a list as pending subscriptions (a header row with an email column);
                                          without --send-confirmations nobody is mailed and the rows expire
                                          unconfirmed after 7 days; run again with it to send them (rows already
                                          pending included). The file must be UTF-8, or name its encoding:
                                          --encoding windows-1252|latin1|utf-16le|utf-16be
  send-test --to <address> --lesson <N> [--name <name>]
                                          one lesson to an address outside the list, marked [TEST]

Where (default: the local stack, DynamoDB Local at $AWS_ENDPOINT_URL_DYNAMODB or http://127.0.0.1:$DYNAMODB_PORT (${DEFAULTS.dynamodbPort}),
table $TABLE_NAME or ${DEFAULTS.tableName}):
  --table <name>                          a deployed table (AWS credentials from the usual chain)
  --stack <name>                          the table of a deployed stack (its TableName output)

Which course (the courses are the folders of $COURSES_DIR, default templates/courses):
  --course <slug>                         one course; without it stats, export, show, erase and held cover
                                          every course, and requeue, import and send-test need it when
                                          there are several
`;

/** Bad arguments: the usage goes to stderr and the exit code is 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIo {
  out: Writable;
  err: Writable & { isTTY?: boolean };
  env: CliEnv;
  /** Every course (default: the folders of $COURSES_DIR or templates/courses). */
  loadCourses?: () => CourseFolder[];
  /** The compiled course, for import --send-confirmations and send-test (compiled from its folder by default). */
  compileCourse?: (course: Course) => Promise<CompiledCourse>;
}

const where = { table: { type: 'string' }, stack: { type: 'string' }, course: { type: 'string' } } as const;
const commands = {
  stats: { options: { ...where }, positionals: 0 },
  export: { options: { ...where, format: { type: 'string', default: 'csv' } }, positionals: 0 },
  show: { options: { ...where }, positionals: 1 },
  erase: { options: { ...where }, positionals: 1 },
  held: { options: { ...where }, positionals: 0 },
  'migrate-suppressions': { options: { table: where.table, stack: where.stack }, positionals: 0 },
  requeue: { options: { ...where }, positionals: 1 },
  import: {
    options: {
      ...where,
      consent: { type: 'string' },
      'send-confirmations': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      encoding: { type: 'string' },
    },
    positionals: 1,
  },
  'send-test': { options: { ...where, to: { type: 'string' }, lesson: { type: 'string' }, name: { type: 'string' } }, positionals: 0 },
  // Authoring: course folders only, no table (check's --course is a folder, as `course new` writes one).
  new: {
    options: {
      out: { type: 'string' },
      slug: { type: 'string' },
      title: { type: 'string' },
      heading: { type: 'string', multiple: true },
      'not-heading': { type: 'string', multiple: true },
    },
    positionals: 1,
  },
  check: { options: { course: { type: 'string' }, 'no-deliverability': { type: 'boolean' } }, positionals: 0 },
} satisfies Record<string, { options: NonNullable<ParseArgsConfig['options']>; positionals: number }>;
type Command = keyof typeof commands;

function parse(argv: readonly string[]) {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' as const };
  if (!(command in commands)) throw new UsageError(`unknown command "${command}"`);
  // `course <command> --help` asks for the usage, as `course --help` does: not a bad argument.
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help' as const };
  const spec = commands[command as Command];
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: spec.options, allowPositionals: true, strict: true });
  } catch (e: unknown) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (parsed.positionals.length !== spec.positionals) {
    throw new UsageError(
      spec.positionals === 0
        ? `${command} takes no arguments (got "${parsed.positionals.join(' ')}")`
        : `${command} needs exactly one argument`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.table !== undefined && values.stack !== undefined) throw new UsageError('give --table or --stack, not both');
  // An empty name would not mean "the default": it would reach AWS as a table, stack or course named "".
  for (const option of ['table', 'stack', 'course', 'out', 'slug', 'title'] as const) {
    const value = values[option];
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`--${option} needs a name`);
  }
  return { command: command as Command, values, positional: parsed.positionals[0] };
}

function emailArgument(value: string | undefined, what: string): string {
  try {
    return parseSignupInput({ email: value ?? '' }).email;
  } catch {
    throw new UsageError(`${what} is not a valid email address: "${value ?? ''}"`);
  }
}

const text = (v: string | boolean | string[] | undefined) => (typeof v === 'string' ? v : undefined);
const list = (v: string | boolean | string[] | undefined) => (Array.isArray(v) ? v : []);

async function compiled(io: CliIo, folder: CourseFolder): Promise<CompiledCourse> {
  if (io.compileCourse) return io.compileCourse(folder.course);
  // mjml is loaded only for the commands that send mail.
  const { compileCourse } = await import('../email/compile.js');
  return compileCourse(folder.course, folder.dir);
}

/**
 * The course a command that needs exactly one works on: `--course`, or the only course. Data of a
 * course no longer in the folder can still be read (show, erase, held) by slug; sending needs the folder.
 */
function oneCourse(folders: readonly CourseFolder[], slug: string | undefined, command: string): CourseFolder {
  if (slug !== undefined) {
    const folder = folders.find((f) => f.course.slug === slug);
    if (folder === undefined)
      throw new UsageError(`no course "${slug}" (the courses are: ${folders.map((f) => f.course.slug).join(', ')})`);
    return folder;
  }
  if (folders.length === 1) return folders[0]!;
  throw new UsageError(`${command} needs --course <slug> when there are several courses (${folders.map((f) => f.course.slug).join(', ')})`);
}

/**
 * subscribe()'s ports for an import. Without confirmations nothing may be mailed or signed, so the
 * mailer and tokens refuse; with them, locally, the SES simulator's addresses bounce or complain
 * through the feedback path as they would in AWS.
 */
async function importWiring(
  t: Target,
  io: CliIo,
  settings: CliSettings,
  course: CourseFolder,
  sending: boolean,
): Promise<{ subscriptions: SubscriptionDeps; settled: () => Promise<void> }> {
  let mailer: Mailer = { sendRaw: () => Promise.reject(new Error('import sends no email without --send-confirmations')) };
  const refuse = () => {
    throw new Error('import signs no links without --send-confirmations');
  };
  let tokens: Tokens = { sign: refuse, verify: refuse };
  let settled = () => Promise.resolve();
  if (sending) {
    const ses = createSesMailer({
      client: t.ses(),
      ...(settings.configurationSet === undefined ? {} : { configurationSet: settings.configurationSet }),
    });
    if (t.kind === 'local') {
      const simulated = simulatedSesFeedback({ log: () => undefined })(ses, { doc: t.doc, tableName: t.tableName, clock: systemClock });
      mailer = simulated;
      settled = () => simulated.settled();
      tokens = createTokens(await loadLocalTokenKey(t.local?.dataDir ?? DEFAULTS.dataDir));
    } else {
      mailer = ses;
      tokens = createTokens(await loadSecretTokenKey(settings.tokenSecretId ?? ''));
    }
  }
  const subscriptions: SubscriptionDeps = {
    store: createDynamoStore({ doc: t.doc, tableName: t.tableName, dueShards: settings.dueShards }),
    mailer,
    clock: systemClock,
    tokens,
    compiled: await compiled(io, course),
    composer: messageComposer,
    // The per-IP signup limit guards the public form; an operator's import is not a client IP.
    config: { publicUrl: linkBase(t, settings), signupsPerIpPerHour: Number.MAX_SAFE_INTEGER },
  };
  return { subscriptions, settled };
}

type Values = Record<string, string | boolean | string[] | undefined>;
type TableCommand = Exclude<Command, 'check' | 'new'>;

/** What a table command is planned from: its arguments, the courses, the settings, the way to the table. */
interface CommandContext {
  io: CliIo;
  settings: CliSettings;
  command: TableCommand;
  values: Values;
  positional: string | undefined;
  folders: CourseFolder[];
  courses: Course[];
  /** --course, when given. */
  chosen: string | undefined;
  /** The slugs the command covers: the one asked for, or every course (data of a course removed from the folder still works by slug). */
  slugs: string[];
  /** Connects to the table (`--table`, `--stack` or the local stack); main closes it. */
  connect(): Promise<Target>;
}

/** A command whose arguments have all been checked: the part that touches the table. */
type CheckedCommand = () => Promise<void>;

const operator = async (ctx: CommandContext) => createOperatorStore(await ctx.connect());
const only = (ctx: CommandContext) => (ctx.chosen === undefined ? {} : { only: ctx.chosen });

function statsCommand(ctx: CommandContext): CheckedCommand {
  return async () => void (await runStats({ store: await operator(ctx), out: ctx.io.out, courses: ctx.courses, ...only(ctx) }));
}

function exportCommand(ctx: CommandContext): CheckedCommand {
  const format = text(ctx.values.format);
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, not "${format}"`);
  return async () =>
    void (await runExport({
      store: await operator(ctx),
      out: ctx.io.out,
      format: format satisfies ExportFormat,
      ...(ctx.chosen === undefined ? {} : { course: ctx.chosen }),
    }));
}

/** show and erase: one subscription per course; without --course, every course's (an erase request means all of it). */
function showOrEraseCommand(ctx: CommandContext): CheckedCommand {
  const { command, io } = ctx;
  const email = emailArgument(ctx.positional, `${command}'s argument`);
  return async () => {
    const store = await operator(ctx);
    for (const [i, slug] of ctx.slugs.entries()) {
      if (i > 0 && command === 'show') io.out.write('\n');
      if (command === 'show') await runShow({ store, out: io.out, course: slug, email });
      else await runErase({ store, out: io.out, course: slug, email, now: systemClock.now() });
    }
  };
}

/** A --course no longer in the folder lists its slug; lesson titles come from the manifests only. */
const heldCourse = (ctx: CommandContext, slug: string) => ({ slug, lessons: ctx.courses.find((c) => c.slug === slug)?.lessons ?? [] });

function heldCommand(ctx: CommandContext): CheckedCommand {
  return async () => {
    const store = await operator(ctx);
    for (const slug of ctx.slugs) await runHeld({ store, out: ctx.io.out, course: heldCourse(ctx, slug) });
  };
}

function requeueCommand(ctx: CommandContext): CheckedCommand {
  const which = heldCourse(ctx, ctx.chosen ?? oneCourse(ctx.folders, undefined, 'requeue').course.slug);
  const email = emailArgument(ctx.positional, "requeue's argument");
  // The shard count must be the drip's (DUE_SHARDS, default 8 as deployed), or the entry is never read.
  const { dueShards } = ctx.settings;
  return async () => {
    const t = await ctx.connect();
    await runRequeue({
      store: createOperatorStore(t),
      requeue: (id, at) => requeueHeldSubscriber({ doc: t.doc, tableName: t.tableName, dueShards }, id, at),
      out: ctx.io.out,
      course: which,
      email,
      now: systemClock.now(),
    });
  };
}

async function importCommand(ctx: CommandContext): Promise<CheckedCommand> {
  const { values, io, settings } = ctx;
  const consent = text(values.consent)?.trim();
  if (!consent) throw new UsageError('import needs --consent "<where these people agreed to receive the course>"');
  // The consent text is stored and exported: one clean line.
  if (consent.length > 500 || hasControlCharacter(consent)) throw new UsageError('--consent must be one line of at most 500 characters');
  const folder = oneCourse(ctx.folders, ctx.chosen, 'import');
  const file = ctx.positional ?? '';
  const encoding = text(values.encoding)?.trim().toLowerCase();
  if (encoding !== undefined && !(CSV_ENCODINGS as readonly string[]).includes(encoding)) {
    throw new UsageError(`--encoding must be one of ${CSV_ENCODINGS.join(', ')} (not "${encoding}")`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e: unknown) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const plan = planImport(importText(bytes, encoding as CsvEncoding | undefined));
  const sendConfirmations = values['send-confirmations'] === true;
  const dryRun = values['dry-run'] === true;
  const sending = sendConfirmations && !dryRun;
  const deployed = values.table !== undefined || values.stack !== undefined;
  if (sending && deployed && (settings.tokenSecretId === undefined || settings.publicUrl === undefined)) {
    throw new UsageError(`import --send-confirmations on a deployed table needs ${ENV.tokenSecretId} and ${ENV.publicUrl} set`);
  }
  return async () => {
    const wired = await importWiring(await ctx.connect(), io, settings, folder, sending);
    await runImport({ subscriptions: wired.subscriptions, out: io.out, err: io.err }, plan, {
      consent,
      source: basename(file),
      sendConfirmations,
      dryRun,
    });
    await wired.settled();
  };
}

function sendTestCommand(ctx: CommandContext): CheckedCommand {
  const { values, io } = ctx;
  const folder = oneCourse(ctx.folders, ctx.chosen, 'send-test');
  const course = folder.course;
  const to = emailArgument(text(values.to), '--to');
  // Digits only: Number() would also take "0x1", "1e0" or " 1".
  const lessonText = text(values.lesson) ?? '';
  const lesson = /^\d+$/.test(lessonText) ? Number(lessonText) : NaN;
  if (!Number.isInteger(lesson) || lesson < 1 || lesson > course.lessons.length) {
    throw new UsageError(`--lesson must be a lesson number from 1 to ${course.lessons.length}`);
  }
  return async () => {
    const t = await ctx.connect();
    // No configuration set and no tags: a test produces no SES events, so no counters move.
    await runSendTest(
      {
        mailer: createSesMailer({ client: t.ses() }),
        compiled: await compiled(io, folder),
        publicUrl: linkBase(t, ctx.settings),
        out: io.out,
      },
      { to, lesson, ...(text(values.name) ? { name: text(values.name) } : {}) },
    );
  };
}

/** Each table command's planner: checks every argument, then answers the work (nothing is half-done on bad input). */
const PLANS: Record<TableCommand, (ctx: CommandContext) => CheckedCommand | Promise<CheckedCommand>> = {
  stats: statsCommand,
  export: exportCommand,
  show: showOrEraseCommand,
  erase: showOrEraseCommand,
  held: heldCommand,
  'migrate-suppressions': (ctx) => async () =>
    void (await runMigrateSuppressions({ store: await operator(ctx), out: ctx.io.out, now: systemClock.now() })),
  requeue: requeueCommand,
  import: importCommand,
  'send-test': sendTestCommand,
};

/** `check` and `new`: course folders only, no table. Answers the exit code. */
async function runAuthoring(command: 'check' | 'new', values: Values, positional: string | undefined, io: CliIo, settings: CliSettings) {
  if (command === 'check') {
    const { ok } = await runCheck({
      out: io.out,
      ...(text(values.course) === undefined ? {} : { courseDir: text(values.course) }),
      ...(settings.coursesDir === undefined ? {} : { coursesDir: settings.coursesDir }),
      ...(values['no-deliverability'] === true ? { deliverability: false } : {}),
    });
    return ok ? 0 : 1;
  }
  await runNew(
    { out: io.out },
    {
      article: positional ?? '',
      coursesDir: settings.coursesDir ?? defaultCoursesDir,
      ...(text(values.out) === undefined ? {} : { out: text(values.out) }),
      ...(text(values.slug) === undefined ? {} : { slug: text(values.slug) }),
      ...(text(values.title) === undefined ? {} : { title: text(values.title) }),
      overrides: { headings: list(values.heading), notHeadings: list(values['not-heading']) },
    },
  );
  return 0;
}

/** The exit code of a failed invocation, with its message on stderr: 2 for bad arguments (and the usage), else 1. */
function reportFailure(e: unknown, io: CliIo, target: Target | undefined): number {
  if (e instanceof UsageError) {
    io.err.write(`course: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (e instanceof RequeueRefusedError) {
    io.err.write(`course requeue: ${e.message}\n`);
    return 1;
  }
  if (e instanceof ImportFileError) {
    io.err.write(`course import: ${e.message}. Nothing was imported.\n`);
    return 1;
  }
  io.err.write(`course: ${describeFailure(e, target)}\n`);
  return 1;
}

/** Run one CLI invocation; answers the exit code (0 done, 1 failed, 2 bad arguments). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let target: Target | undefined;
  try {
    const { command, values, positional } = parse(argv);
    if (command === 'help') {
      io.out.write(USAGE);
      return 0;
    }
    const settings = parseCliSettings(io.env);
    if (command === 'check' || command === 'new') return await runAuthoring(command, values, positional, io, settings);
    const folders = (io.loadCourses ?? (() => loadCourses(settings.coursesDir)))();
    const courses = folders.map((f) => f.course);
    const chosen = text(values.course);
    const checked = await PLANS[command]({
      ...{ io, settings, command, values, positional, folders, courses, chosen },
      slugs: chosen === undefined ? courses.map((c) => c.slug) : [chosen],
      connect: async () => (target = await resolveTarget({ table: text(values.table), stack: text(values.stack) }, io.env)),
    });
    await checked();
    return 0;
  } catch (e: unknown) {
    return reportFailure(e, io, target);
  } finally {
    target?.close();
  }
}

function describeFailure(e: unknown, target: Target | undefined): string {
  const messages: string[] = [];
  for (let c: unknown = e; c instanceof Error && messages.length < 4; c = c.cause) messages.push(c.message || c.name);
  const text = messages.join(': ') || String(e);
  const refused = /ECONNREFUSED|connect/i.test(text);
  if (target?.kind === 'local' && refused)
    return `${text}\nIs the local stack running? Start it with \`npm start\` (or point AWS_ENDPOINT_URL_DYNAMODB at it).`;
  if (isAppError(e) && /ResourceNotFound|non-existent table|Requested resource not found/i.test(text))
    return `${text}\nNo table ${target?.tableName ?? ''} there.`;
  return text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // `course show … | head`: the reader closed the pipe, which is how such a pipeline ends (EPIPE).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env });
}
