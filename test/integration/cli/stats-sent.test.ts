// The "sent" column of `course stats` comes from the drip, which counts each lesson as it records the
// send: right in AWS, where the configuration set publishes no Send event, and counted once in local
// mode, where simulated SES feedback publishes what AWS does. DynamoDB Local and the SES emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoFeedbackStore } from '../../../functions/adapters/dynamo-feedback-store.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { createOperatorStore } from '../../../functions/cli/operator-store.js';
import { runStats } from '../../../functions/cli/stats.js';
import { runDrip } from '../../../functions/core/drip/index.js';
import { createSesEventsHandler } from '../../../functions/adapters/ses-notifications.js';
import { withSimulatedFeedback } from '../../../functions/local/simulated-feedback.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { collector } from '../../support/collector.js';
import { compileShippedCourse } from '../../support/course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { SettableClock, dripDeps, seedActive } from '../../support/drip-fixtures.js';

let stack: TestStack;
let compiled: CompiledCourse;
const SHARDS = 4;
const NOW = new Date('2026-03-02T12:00:00.000Z');

beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

async function seed(table: string, n: number, nextLesson = 0) {
  for (let i = 0; i < n; i++) {
    await seedActive(stack, table, {
      course: compiled.course.slug,
      timezone: 'UTC',
      dueAt: new Date(NOW.getTime() - 60_000),
      nextLesson,
      shards: SHARDS,
    });
  }
}

async function stats(table: string) {
  const out = collector();
  const [s] = await runStats({ store: createOperatorStore({ doc: stack.doc, tableName: table }), out, courses: [compiled.course] });
  return { lessons: s!.lessons, text: out.text() };
}

describe('the sent column of course stats', () => {
  it('counts every lesson the drip sends, with no SES Send event at all (as in AWS)', async () => {
    const table = await stack.newTable();
    await seed(table, 3);
    await seed(table, 2, 1);
    const clock = new SettableClock(NOW);
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, settings: { pageSize: 2 } });
    expect(await runDrip(deps, { now: NOW, deadline: new Date(NOW.getTime() + 240_000) })).toMatchObject({ sent: 5 });

    const { lessons, text } = await stats(table);
    expect(lessons.slice(0, 3).map((l) => [l.lesson, l.sent, l.delivered])).toEqual([
      [1, 3, 0],
      [2, 2, 0],
      [3, 0, 0],
    ]);
    expect(text).toMatch(/ {2}1 +.+? +3 +0 /);
    // A second run finds nothing due and counts nothing more.
    expect(await runDrip(deps, { now: NOW, deadline: new Date(NOW.getTime() + 240_000) })).toMatchObject({ sent: 0 });
    expect((await stats(table)).lessons[0]).toMatchObject({ sent: 3 });
  });

  it('local mode counts each send once: simulated feedback publishes deliveries, not Send events', async () => {
    const table = await stack.newTable();
    await seed(table, 2);
    const clock = new SettableClock(NOW);
    const feedback = createSesEventsHandler({
      store: createDynamoFeedbackStore({ doc: stack.doc, tableName: table }),
      clock,
      log: () => undefined,
    });
    const mailer = withSimulatedFeedback(createSesMailer({ client: stack.ses }), { deliver: feedback, now: () => clock.now() });
    const deps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer });
    expect(await runDrip(deps, { now: NOW, deadline: new Date(NOW.getTime() + 240_000) })).toMatchObject({ sent: 2 });
    await mailer.settled();
    expect((await stats(table)).lessons[0]).toMatchObject({ lesson: 1, sent: 2, delivered: 2 });
  });

  it('a counter that cannot be written is logged and the lessons still go out and move on', async () => {
    const table = await stack.newTable();
    await seed(table, 1);
    const clock = new SettableClock(NOW);
    const base = dripDeps(stack, table, compiled, { clock, shards: SHARDS });
    const deps = { ...base, store: { ...base.store, countSent: () => Promise.reject(new Error('DynamoDB sent counter update failed')) } };
    expect(await runDrip(deps, { now: NOW, deadline: new Date(NOW.getTime() + 240_000) })).toMatchObject({ sent: 1, failed: 0 });
    expect(base.logs).toContainEqual(expect.objectContaining({ msg: 'drip.count_failed', level: 'error', sent: 1 }));
    expect((await stats(table)).lessons[0]).toMatchObject({ sent: 0 });
  });
});
