// A signup for an address already learning: the HTTP answer is the same bytes as for a new address,
// and the learner gets one "already subscribed" email (not a confirmation) with the zone lessons
// arrive in and a link to manage the subscription; nothing the new signup typed is in it, their zone
// is not changed, at most one such email goes out per 10 minutes, and a suppressed address gets none.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, suppressionHash } from '../../../functions/adapters/table.js';
import { mailboxKey } from '../../../functions/core/mailbox.js';
import { SendError, type Mailer } from '../../../functions/core/ports.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { compileShippedCourse } from '../../support/course.js';
import { MINUTE, PUBLIC_URL, lifecycle, type Lifecycle } from '../../support/lifecycle-setup.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
});
afterAll(async () => {
  await stack.stop();
});

/** A learner who signed up from Paris and confirmed: active. */
async function activeLearner(t: Lifecycle, email: string): Promise<string> {
  expect((await t.postJson({ email, name: 'Ann', timezone: 'Europe/Paris' })).status).toBe(200);
  const token = await t.confirmToken(email);
  expect((await t.app.request(`/confirm?token=${token}`, { method: 'POST' })).status).toBe(200);
  const [s] = await t.subscribers();
  expect(s?.status).toBe('active');
  return s!.id;
}

describe('a signup for an address already learning', () => {
  it('answers the same bytes as a new address and mails the learner one "already subscribed" email, not a confirmation', async () => {
    const t = await lifecycle(stack, compiled);
    const email = `learner-${randomUUID().slice(0, 8)}@example.com`;
    const id = await activeLearner(t, email);
    t.clock.advance(60 * MINUTE);

    const again = await t.postJson({ email, name: 'Mallory <b>bold</b>', timezone: 'America/New_York' });
    const fresh = await t.postJson({
      email: `new-${randomUUID().slice(0, 8)}@example.com`,
      name: 'Mallory <b>bold</b>',
      timezone: 'America/New_York',
    });
    expect(again.status).toBe(fresh.status);
    expect(await again.text()).toBe(await fresh.text());

    const mails = await t.emailsTo(email);
    expect(mails).toHaveLength(2);
    const notice = mails[1]!;
    expect(notice.subject).toBe(`You are already subscribed to ${compiled.course.title}`);
    expect(notice.text).not.toContain('/confirm?token=');
    expect(notice.text).toContain(`Your lessons arrive at ${compiled.course.sendHour} in the time zone Europe/Paris.`);
    expect(notice.text.replace(/\s+/g, ' ')).toContain(
      'The new signup came from a device set to another time zone. We have not changed yours',
    );
    // Nothing the new signup typed: not the name, not the zone it sent.
    for (const part of [notice.text, notice.html, notice.subject]) {
      expect(part).not.toContain('Mallory');
      expect(part).not.toContain('New_York');
    }
    // The link opens this learner's course page (GET changes nothing).
    const link = /(http:\/\/course\.test\/learn\?token=[A-Za-z0-9_.-]+)/.exec(notice.text)?.[1];
    expect(link).toBeDefined();
    const page = await t.app.request(link!.replace(PUBLIC_URL, ''), { headers: { accept: 'application/json' } });
    expect(await page.json()).toMatchObject({ ok: true, status: 'active', course: compiled.course.slug });
    // The learner's zone and state are as they were.
    expect(await t.subscriber(id)).toMatchObject({ status: 'active', timezone: 'Europe/Paris', name: 'Ann' });
  });

  it('their own send time, and no zone sentence when the signup named no zone', async () => {
    const t = await lifecycle(stack, compiled);
    const email = `own-hour-${randomUUID().slice(0, 8)}@example.com`;
    const id = await activeLearner(t, email);
    await t.setAttributes(id, { sendHour: '07:30' });
    t.clock.advance(60 * MINUTE);
    await t.postJson({ email });
    await t.signupsSettled();
    const notice = (await t.emailsTo(email)).find((m) => m.subject.startsWith('You are already subscribed'))!;
    expect(notice.text).toContain('Your lessons arrive at 07:30 in the time zone Europe/Paris.');
    expect(notice.text).not.toContain('another time zone');
  });

  it('the same zone: no zone sentence; at most one such email per 10 minutes, then another', async () => {
    const t = await lifecycle(stack, compiled);
    const email = `again-${randomUUID().slice(0, 8)}@example.com`;
    await activeLearner(t, email);

    await t.postJson({ email, timezone: 'Europe/Paris' });
    await t.postJson({ email: email.toUpperCase(), timezone: 'Europe/Paris' });
    t.clock.advance(9 * MINUTE);
    await t.postJson({ email, timezone: 'Europe/Paris' });
    let mails = await t.emailsTo(email);
    expect(mails.map((m) => m.subject.startsWith('You are already subscribed'))).toEqual([false, true]);
    expect(mails[1]!.text).not.toContain('another time zone');

    t.clock.advance(2 * MINUTE);
    await t.postJson({ email, timezone: 'Europe/Paris' });
    mails = await t.emailsTo(email);
    expect(mails).toHaveLength(3);
  });

  it('an alias spelling of the inbox reaches the learner at the address they confirmed', async () => {
    const t = await lifecycle(stack, compiled);
    const u = randomUUID().slice(0, 8);
    const email = `ann.lee${u}@gmail.com`;
    await activeLearner(t, email);
    await t.postJson({ email: `annlee${u}+again@googlemail.com` });
    const mails = await t.emailsTo(email);
    expect(mails.at(-1)?.subject).toMatch(/^You are already subscribed/);
    expect(await t.emailsTo(`annlee${u}+again@googlemail.com`)).toHaveLength(0);
  });

  it('a suppressed learner gets nothing', async () => {
    const t = await lifecycle(stack, compiled);
    const email = `stopped-${randomUUID().slice(0, 8)}@example.com`;
    await activeLearner(t, email);
    await stack.doc.send(
      new PutCommand({ TableName: t.table, Item: { ...keys.suppression(suppressionHash(mailboxKey(email))), reason: 'complaint' } }),
    );
    t.clock.advance(60 * MINUTE);
    await t.postJson({ email });
    expect(await t.emailsTo(email)).toHaveLength(1);
  });

  it('a completed learner gets nothing (the email is for people still learning)', async () => {
    const t = await lifecycle(stack, compiled);
    const email = `done-${randomUUID().slice(0, 8)}@example.com`;
    const id = await activeLearner(t, email);
    await t.setAttributes(id, { status: 'completed' });
    t.clock.advance(60 * MINUTE);
    await t.postJson({ email });
    expect(await t.emailsTo(email)).toHaveLength(1);
  });

  it.each([
    ['transient', true],
    ['permanent', false],
  ] as const)('a %s SES failure of the email: retried later only when it may succeed', async (kind, retried) => {
    // Stands in for SES refusing this one email (the emulator cannot be made to fail on demand).
    const failing = (real: Mailer): Mailer => ({
      sendRaw: (m) =>
        m.tags?.kind === 'already-subscribed' ? Promise.reject(new SendError(kind, `SES ${kind} failure`)) : real.sendRaw(m),
    });
    const t = await lifecycle(stack, compiled, { mailer: failing });
    const email = `fail-${randomUUID().slice(0, 8)}@example.com`;
    const id = await activeLearner(t, email);
    await t.postJson({ email });

    expect(await t.emailsTo(email)).toHaveLength(1);
    const outboxLeft = (await t.items()).filter((i) => i.pk === 'OUTBOX');
    expect(outboxLeft).toHaveLength(retried ? 1 : 0);
    expect((await t.subscriber(id))?.knownSignupNoticeAt === undefined).toBe(retried);
  });
});
