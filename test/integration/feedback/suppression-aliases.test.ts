// Suppression keys on the mailbox as well as the address: a bounce, complaint or erase of one spelling
// of an inbox stops every spelling of it (+tag, dots at Gmail, googlemail.com, letter case, an IDN
// domain in Unicode or punycode), through the public paths: SES events, `course erase`, the signup
// form, the drip; and `course migrate-suppressions` re-keys what was stored before.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, suppressionHash } from '../../../functions/adapters/table.js';
import { createDynamoFeedbackStore } from '../../../functions/adapters/dynamo-feedback-store.js';
import { runDrip } from '../../../functions/core/drip/index.js';
import { parseSignupInput } from '../../../functions/core/validation.js';
import { createSesEventsHandler } from '../../../functions/adapters/ses-notifications.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { compileShippedCourse } from '../../support/course.js';
import { runCli } from '../../support/cli.js';
import { lifecycle, type Lifecycle } from '../../support/lifecycle-setup.js';
import { seedSubscriber, sesNotification, snsEnvelope } from '../../support/feedback-fixtures.js';
import { SettableClock, dripDeps, lessonsReceived } from '../../support/drip-fixtures.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
});
afterAll(async () => {
  await stack.stop();
});

/** Each alias form: the spelling that is stopped, and another spelling of the same inbox that signs up later. */
function aliasForms(): [form: string, stopped: string, later: string][] {
  const u = randomUUID().slice(0, 6);
  return [
    ['+tag added', `ann${u}@example.com`, `ann${u}+course@example.com`],
    ['+tag removed', `bob${u}+news@example.com`, `bob${u}@example.com`],
    ['dots in a Gmail address', `c.a.t${u}@gmail.com`, `cat${u}@gmail.com`],
    ['googlemail.com for gmail.com', `dan${u}@googlemail.com`, `d.an${u}+x@gmail.com`],
    ['upper case', `Eve${u}@Example.COM`, `eve${u}@example.com`],
    ['an IDN domain, Unicode then punycode', `fay${u}@bücher.example`, `Fay${u}+y@XN--BCHER-KVA.example`],
  ];
}

function cli(t: Lifecycle, args: string[]) {
  return runCli(stack, { table: t.table, dataDir: join(tmpdir(), `course-suppress-${randomUUID().slice(0, 8)}`), compiled }, args);
}

/** The signup form, for a later spelling: the answer is the usual one; what matters is what is mailed. */
async function signUp(t: Lifecycle, email: string) {
  const res = await t.postJson({ email, timezone: 'Europe/Paris' });
  expect(res.status).toBe(200);
}

describe.each(aliasForms())('suppression of one spelling stops another (%s)', (_form, stopped, later) => {
  const stoppedAscii = async (t: Lifecycle) => {
    // The form normalises the address (lower case, ASCII domain) before it is stored.
    await signUp(t, stopped);
    const [s] = await t.subscribers();
    if (s === undefined) throw new Error('the first signup was not stored');
    return s;
  };

  // The stopped spelling learns another course of the deployment, so the later signup (to this
  // course) finds no subscription of its own: only the suppression item can stop it.
  it.each(['Bounce', 'Complaint'] as const)('a %s: the later spelling gets no confirmation and nothing is stored for it', async (type) => {
    const t = await lifecycle(stack, compiled);
    const other = await seedSubscriber(stack.doc, t.table, parseSignupInput({ email: stopped }).email, { course: 'another-course' });
    const handle = createSesEventsHandler({
      store: createDynamoFeedbackStore({ doc: stack.doc, tableName: t.table }),
      clock: t.clock,
      log: () => undefined,
    });
    await handle(snsEnvelope([sesNotification(type, { ...other, course: 'another-course' })]));
    const before = (await stack.emails()).length;

    await signUp(t, later);
    expect((await stack.emails()).length).toBe(before);
    expect((await t.subscribers()).map((x) => [x.course, x.status])).toEqual([
      ['another-course', type === 'Bounce' ? 'bounced' : 'complained'],
    ]);
  });

  it('`course erase`: nothing is left but hashes, and the later spelling is never mailed', async () => {
    const t = await lifecycle(stack, compiled);
    await stoppedAscii(t);
    const erased = await cli(t, ['erase', stopped]);
    expect(erased.code).toBe(0);
    expect(erased.out).toContain('never mailed again');
    const before = (await stack.emails()).length;

    await signUp(t, later);
    expect((await stack.emails()).length).toBe(before);
    expect(await t.subscribers()).toEqual([]);
    expect(
      (await t.items()).every((i) => String(i.pk).startsWith('SUPPRESS#') || String(i.pk).startsWith('RATE#') || String(i.pk) === 'OUTBOX'),
    ).toBe(true);
  });
});

describe('the drip and suppression under the mailbox', () => {
  it('an active learner under one spelling gets no lesson once another spelling of the inbox complained', async () => {
    const t = await lifecycle(stack, compiled);
    const u = randomUUID().slice(0, 6);
    const clock = new SettableClock(new Date('2026-01-05T09:00:00Z'));
    const active = await seedSubscriber(stack.doc, t.table, `g.race${u}@gmail.com`, {
      nextLesson: 0,
      nextSendAt: '2026-01-05T09:00:00.000Z',
    });
    const other = await seedSubscriber(stack.doc, t.table, `grace${u}+old@googlemail.com`, { course: 'another-course' });
    const handle = createSesEventsHandler({
      store: createDynamoFeedbackStore({ doc: stack.doc, tableName: t.table }),
      clock,
      log: () => undefined,
    });
    await handle(snsEnvelope([sesNotification('Complaint', { ...other, course: 'another-course' })]));

    const summary = await runDrip(dripDeps(stack, t.table, compiled, { clock, shards: 8 }), {
      now: clock.now(),
      deadline: new Date(clock.now().getTime() + 30_000),
    });
    expect(summary.sent).toBe(0);
    expect(summary.held).toBe(1);
    expect(await lessonsReceived(stack, active.email)).toEqual([]);
  });
});

describe('course migrate-suppressions', () => {
  it('re-keys a bounce stored before mailbox keys, so an alias is suppressed; running it twice changes nothing more', async () => {
    const t = await lifecycle(stack, compiled);
    const u = randomUUID().slice(0, 6);
    // As older versions left it: a bounced subscriber and the hash of the address as typed only.
    const old = await seedSubscriber(stack.doc, t.table, `h.al${u}@gmail.com`, { status: 'bounced' });
    await stack.doc.send(
      new PutCommand({ TableName: t.table, Item: { ...keys.suppression(suppressionHash(old.email)), reason: 'permanent-bounce' } }),
    );
    const complained = await seedSubscriber(stack.doc, t.table, `ivy${u}+lists@example.com`, { status: 'complained' });
    const alias = `hal${u}+new@gmail.com`;
    expect(await t.deps.store.isSuppressed(alias)).toBe(false); // the gap the migration closes
    expect(await t.deps.store.isSuppressed(`ivy${u}@example.com`)).toBe(false);

    const first = await cli(t, ['migrate-suppressions']);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('2 bounced or complained subscribers read, 2 of them with an alias spelling');
    expect(first.out).toContain('course erase <address>');
    expect(await t.deps.store.isSuppressed(alias)).toBe(true);
    expect(await t.deps.store.isSuppressed(`ivy${u}@example.com`)).toBe(true);
    expect(complained.status).toBe('complained');

    const items = (await t.items()).length;
    const second = await cli(t, ['migrate-suppressions']);
    expect(second.code).toBe(0);
    expect((await t.items()).length).toBe(items);

    t.clock.advance(60_000);
    const before = (await stack.emails()).length;
    await signUp(t, alias);
    expect((await stack.emails()).length).toBe(before);
  });

  it('takes no arguments and no --course', async () => {
    const t = await lifecycle(stack, compiled);
    expect((await cli(t, ['migrate-suppressions', 'x'])).code).toBe(2);
    expect((await cli(t, ['migrate-suppressions', '--course', 'x'])).code).toBe(2);
  });
});
