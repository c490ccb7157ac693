// What a `course` command is: its name, its summary, its options with their doc, and how it runs.
// Each command is one module in functions/cli/commands/; main.ts parses argv against these
// definitions, and the usage text (`course --help`) and docs/reference/cli.md are generated from them
// (functions/cli/usage.ts), so a command or option cannot go undocumented.
import type { Writable } from 'node:stream';
import type { CompiledCourse } from '../email/compiled-course.js';
import type { CourseFolder } from '../email/courses.js';
import type { Course } from '../email/manifest.js';
import type { CliEnv, CliSettings, Target } from './target.js';

/** Bad arguments: the usage goes to stderr and the exit code is 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A command refused what it was asked, for a reason the operator can fix (an address that is not
 * held, a file that cannot be imported): exit 1, with `course <command>: <report>` on stderr.
 */
export abstract class CommandRefusedError extends Error {
  /** The command that refused. */
  abstract readonly command: string;
  /** A stable name for the refusal. */
  abstract readonly code: string;
  /** What stderr says after `course <command>: `. */
  get report(): string {
    return this.message;
  }
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

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** May be given more than once (`--heading a --heading b`). */
  multiple?: true;
  default?: string;
  /** What the value looks like in the usage (`DIR`, `<address>`). */
  value?: string;
  /** Shown without brackets: the command refuses to run without it. */
  required?: true;
  /** A name, so an empty one is refused (it would not mean "the default"). */
  name?: true;
  /** One line for the reference. */
  doc: string;
}

/** The options every table command shares (which table, which course), shown once in the usage. */
export const WHERE = {
  table: { type: 'string', value: '<name>', name: true, doc: 'a deployed table (AWS credentials from the usual chain)' },
  stack: { type: 'string', value: '<name>', name: true, doc: 'the table of a deployed stack (its TableName output)' },
  course: {
    type: 'string',
    value: '<slug>',
    name: true,
    doc:
      'one course; without it stats, export, show, erase and held cover\nevery course, and requeue, import and send-test need it when\n' +
      'there are several',
  },
} as const satisfies Record<string, OptionSpec>;

export type Values = Record<string, string | boolean | string[] | undefined>;

interface CommandBase {
  name: string;
  /** The argument, as the usage shows it (`<email>`); absent: the command takes none. */
  argument?: string;
  /** What it does, as the usage's lines (the reference joins them). */
  summary: string[];
  /** Its own options, in the usage's order. */
  options: Record<string, OptionSpec>;
}

/** What a table command is planned from: its arguments, the courses, the settings, the way to the table. */
export interface TableContext {
  io: CliIo;
  settings: CliSettings;
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
export type CheckedCommand = () => Promise<void>;

/** A command on a course's table (running a course). */
export interface TableCommand extends CommandBase {
  kind: 'table';
  /** Which of WHERE it takes. */
  where: readonly (keyof typeof WHERE)[];
  /** Checks every argument, then answers the work (nothing is half-done on bad input). Throws UsageError. */
  plan(ctx: TableContext): CheckedCommand | Promise<CheckedCommand>;
}

/** What an authoring command runs with. */
export interface AuthoringContext {
  io: CliIo;
  settings: CliSettings;
  values: Values;
  positional: string | undefined;
}

/** A command on course folders only, no table (writing a course). */
export interface AuthoringCommand extends CommandBase {
  kind: 'authoring';
  /** Answers the exit code. */
  run(ctx: AuthoringContext): Promise<number>;
}

export type Command = TableCommand | AuthoringCommand;

/** The option's value when it is text. */
export const textValue = (v: Values[string]) => (typeof v === 'string' ? v : undefined);

/** The option's values when it may be given more than once. */
export const listValue = (v: Values[string]) => (Array.isArray(v) ? v : []);
