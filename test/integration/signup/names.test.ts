// Names through the public path: the signup form (HTTP), confirmation, a drip run and the lesson in
// the SES emulator's inbox. Bidirectional controls never reach the greeting (HTML or text), and a
// name is measured in characters as a person sees them (grapheme clusters).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrip } from '../../../functions/core/drip/index.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { compileShippedCourse } from '../../support/course.js';
import { lifecycle, type Lifecycle } from '../../support/lifecycle-setup.js';
import { SettableClock, dripDeps } from '../../support/drip-fixtures.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
});
afterAll(async () => {
  await stack.stop();
});

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Signs up with `name`, confirms, runs the drip: lesson 1 as the inbox holds it. */
async function lessonOne(t: Lifecycle, name: string): Promise<{ text: string; html: string }> {
  const email = `n-${randomUUID().slice(0, 8)}@example.com`;
  expect((await t.postJson({ email, name })).status).toBe(200);
  const token = await t.confirmToken(email);
  expect((await t.app.request(`/confirm?token=${token}`, { method: 'POST' })).status).toBe(200);
  const clock = new SettableClock(t.clock.now());
  await runDrip(dripDeps(stack, t.table, compiled, { clock, shards: 8 }), {
    now: clock.now(),
    deadline: new Date(clock.now().getTime() + 30_000),
  });
  const lesson = (await t.emailsTo(email)).find((m) => m.subject.startsWith('Lesson 1'));
  if (!lesson) throw new Error('lesson 1 not sent');
  return lesson;
}

describe('names in the greeting', () => {
  it.each([
    ['RLO', 'Ann\u202e, you won a prize'],
    ['RLI', 'Ann\u2067 lla ,olleH'],
    ['LRO inside an Arabic name', 'محمد\u202d123'],
    ['RLM and ALM', '\u200fSam\u061c'],
  ])('%s: the controls are gone from the stored name and from both parts of the lesson', async (_what, name) => {
    const t = await lifecycle(stack, compiled);
    const lesson = await lessonOne(t, name);
    const [s] = await t.subscribers();
    expect(s?.name).not.toMatch(BIDI);
    expect(lesson.text).not.toMatch(BIDI);
    expect(lesson.html).not.toMatch(BIDI);
    expect(lesson.text).toContain(`Hi ${name.replace(new RegExp(BIDI.source, 'g'), '')},`);
  });

  it('a 52-letter Devanagari and Tamil name (104 code points) is accepted and greeted whole', async () => {
    const t = await lifecycle(stack, compiled);
    const name = 'कि'.repeat(26) + 'சொ'.repeat(26);
    expect([...name].length).toBe(104);
    const lesson = await lessonOne(t, name);
    expect(lesson.text).toContain(`Hi ${name},`);
  });

  it('101 letters is refused over HTTP with the 100-character message, and nothing is stored', async () => {
    const t = await lifecycle(stack, compiled);
    const res = await t.postJson({ email: `long-${randomUUID().slice(0, 8)}@example.com`, name: 'கொ'.repeat(101) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_name', field: 'name', message: 'Please keep the name to 100 characters or fewer.' },
    });
    expect(await t.subscribers()).toEqual([]);
  });
});
