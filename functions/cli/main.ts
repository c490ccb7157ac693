// The operator CLI (`npx course …`, `npm run course -- …`): argv parsed against the command
// definitions (one module per command in functions/cli/commands/), the command run, and a failure
// reported by its class or code. The usage text is generated from the definitions (usage.ts).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isAppError } from '../core/errors.js';
import { loadCourses } from '../email/courses.js';
import { CommandRefusedError, UsageError, WHERE, textValue, type CliIo, type Command, type OptionSpec, type Values } from './command.js';
import { COMMANDS } from './commands/index.js';
import { parseCliSettings, resolveTarget, type Target } from './target.js';
import { commandUsage, usage } from './usage.js';

export { UsageError, type CliIo } from './command.js';

/** `course --help`. */
export const USAGE = usage();

/** Every option `command` takes: its own, then the shared ones it names. */
function optionsOf(command: Command): Record<string, OptionSpec> {
  const where = command.kind === 'table' ? Object.fromEntries(command.where.map((w) => [w, WHERE[w]])) : {};
  return { ...where, ...command.options };
}

type Parsed = { command: 'help'; of?: Command } | { command: Command; values: Values; positional: string | undefined };

function parse(argv: readonly string[]): Parsed {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { command: 'help' };
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw new UsageError(`unknown command "${name}"`);
  // `course <command> --help` asks for that command's usage: not a bad argument.
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help', of: command };
  const options = optionsOf(command);
  let parsed;
  try {
    const config = Object.fromEntries(
      Object.entries(options).map(([n, o]) => [
        n,
        { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.default === undefined ? {} : { default: o.default }) },
      ]),
    );
    parsed = parseArgs({ args: [...rest], options: config, allowPositionals: true, strict: true });
  } catch (e: unknown) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const positionals = command.argument === undefined ? 0 : 1;
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(
      positionals === 0 ? `${name} takes no arguments (got "${parsed.positionals.join(' ')}")` : `${name} needs exactly one argument`,
    );
  }
  const values = parsed.values as Values;
  if (values.table !== undefined && values.stack !== undefined) throw new UsageError('give --table or --stack, not both');
  // An empty name would not mean "the default": it would reach AWS as a table, stack or course named "".
  for (const [option, spec] of Object.entries(options)) {
    const value = values[option];
    if (spec.name && typeof value === 'string' && value.trim() === '') throw new UsageError(`--${option} needs a name`);
  }
  return { command, values, positional: parsed.positionals[0] };
}

/** Run one CLI invocation; answers the exit code (0 done, 1 failed, 2 bad arguments). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let target: Target | undefined;
  try {
    const parsed = parse(argv);
    if (parsed.command === 'help') {
      io.out.write(parsed.of === undefined ? USAGE : commandUsage(parsed.of));
      return 0;
    }
    const { command, values, positional } = parsed;
    const settings = parseCliSettings(io.env);
    if (command.kind === 'authoring') return await command.run({ io, settings, values, positional });
    const folders = (io.loadCourses ?? (() => loadCourses(settings.coursesDir)))();
    const courses = folders.map((f) => f.course);
    const chosen = textValue(values.course);
    const checked = await command.plan({
      ...{ io, settings, values, positional, folders, courses, chosen },
      slugs: chosen === undefined ? courses.map((c) => c.slug) : [chosen],
      connect: async () => (target = await resolveTarget({ table: textValue(values.table), stack: textValue(values.stack) }, io.env)),
    });
    await checked();
    return 0;
  } catch (e: unknown) {
    return reportFailure(e, io, target);
  } finally {
    target?.close();
  }
}

/** The exit code of a failed invocation, with its message on stderr: 2 for bad arguments (and the usage), else 1. */
function reportFailure(e: unknown, io: CliIo, target: Target | undefined): number {
  if (e instanceof UsageError) {
    io.err.write(`course: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (e instanceof CommandRefusedError) {
    io.err.write(`course ${e.command}: ${e.report}\n`);
    return 1;
  }
  io.err.write(`course: ${describeFailure(e, target)}\n`);
  return 1;
}

/** `e` and its causes, outermost first (at most `depth`). */
function causes(e: unknown, depth = 4): Error[] {
  const chain: Error[] = [];
  for (let c: unknown = e; c instanceof Error && chain.length < depth; c = c.cause) chain.push(c);
  return chain;
}

/** A connection that could not be made: Node's system error from `connect` (ECONNREFUSED, ETIMEDOUT, …). */
const isConnectFailure = (e: Error): boolean => {
  const { code, syscall } = e as NodeJS.ErrnoException;
  return (
    syscall === 'connect' ||
    code === 'ECONNREFUSED' ||
    (e instanceof AggregateError && e.errors.some((x) => x instanceof Error && isConnectFailure(x)))
  );
};

/** DynamoDB's answer for a table that is not there (the SDK names its error class). */
const isMissingTable = (e: Error): boolean => e.name === 'ResourceNotFoundException';

/** The failure's message and its causes', with what to do when the table or the local stack is not there. */
function describeFailure(e: unknown, target: Target | undefined): string {
  const chain = causes(e);
  const text = chain.map((c) => c.message || c.name).join(': ') || String(e);
  if (target?.kind === 'local' && chain.some(isConnectFailure))
    return `${text}\nIs the local stack running? Start it with \`npm start\` (or point AWS_ENDPOINT_URL_DYNAMODB at it).`;
  if (isAppError(e) && chain.some(isMissingTable)) return `${text}\nNo table ${target?.tableName ?? ''} there.`;
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
