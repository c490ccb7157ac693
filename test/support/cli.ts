// Runs the `course` CLI in-process against a test stack, as an operator would from the shell: the
// settings come in as environment variables, the output is collected, the exit code returned.
import { main, type CliIo } from '../../functions/cli/main.js';
import type { CompiledCourse } from '../../functions/email/compiled-course.js';
import { collector } from './collector.js';
import type { TestStack } from './stack.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * `course <args…>` on `table` of `stack`, with the local data folder `dataDir` and `compiled` as
 * the course it renders (no mjml compile per call); `env` adds or overrides settings.
 */
export async function runCli(
  stack: TestStack,
  o: { table: string; dataDir: string; compiled: CompiledCourse; env?: Record<string, string> },
  args: string[],
): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const io: CliIo = {
    out,
    err,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl,
      AWS_ENDPOINT_URL_SES: stack.sesUrl,
      TABLE_NAME: o.table,
      DATA_DIR: o.dataDir,
      ...o.env,
    },
    compileCourse: () => Promise.resolve(o.compiled),
  };
  const code = await main(args, io);
  return { code, out: out.text(), err: err.text() };
}
