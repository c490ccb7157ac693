// An operator's import changes state too: each row it adds as pending publishes one signed_up, which
// the CLI on the local stack keeps where the stack does (DATA_DIR/events.jsonl), without the address
// unless EVENTS_INCLUDE_EMAIL.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionEvent } from '../../../functions/core/events.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { runCli } from '../../support/cli.js';
import { compileShippedCourse } from '../../support/course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

async function importRows(env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'course-import-events-'));
  const file = join(dir, 'list.csv');
  await writeFile(file, 'email,name\nann@example.com,Ann\nbob@example.com,Bob\n');
  const table = await stack.newTable();
  const dataDir = join(dir, 'data');
  const run = await runCli(stack, { table, dataDir, compiled, env }, ['import', file, '--consent', 'paper form at the clinic']);
  const events = (await readFile(join(dataDir, 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SubscriptionEvent);
  return { run, events };
}

describe('course import publishes signed_up', () => {
  it('one per row added, in DATA_DIR/events.jsonl, with no address and no confirmation sent', async () => {
    const { run, events } = await importRows();
    expect(run.code).toBe(0);
    expect(events.map((e) => [e.type, e.course, e.detail])).toEqual([
      ['signed_up', compiled.course.slug, { renewed: false, confirmationSent: false }],
      ['signed_up', compiled.course.slug, { renewed: false, confirmationSent: false }],
    ]);
    expect(events.every((e) => e.email === undefined && typeof e.subscriberId === 'string')).toBe(true);
    expect(run.out).not.toContain('signed_up');
  });

  it('with EVENTS_INCLUDE_EMAIL=true, with the address', async () => {
    const { events } = await importRows({ EVENTS_INCLUDE_EMAIL: 'true' });
    expect(events.map((e) => e.email).sort()).toEqual(['ann@example.com', 'bob@example.com']);
  });
});
