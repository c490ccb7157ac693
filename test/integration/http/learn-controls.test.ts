// POST /learn/{pause,resume,next,restart,settings} through the HTTP app on DynamoDB Local and the SES
// emulator: a confirmed learner's forms, each answered 303 back to the course page with `done=`; the
// refusals through the one error mapping (a page, or JSON); bad and foreign tokens answered as the
// unsubscribe link answers them; nothing written on a refusal, nor on GET or HEAD.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { DUE_SHARD_ATTR, DUE_SORT_ATTR } from '../../../functions/adapters/table.js';
import { compileShippedCourse } from '../../support/course.js';
import { DAY, lifecycle, newAddress, type Lifecycle } from '../../support/lifecycle-setup.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  let shipped: CompiledCourse;
  [stack, shipped] = await Promise.all([startTestStack(), compileShippedCourse()]);
  // The author lets learners pick every day, every three days or weekly.
  compiled = { ...shipped, course: { ...shipped.course, cadenceChoices: [1, 3, 7] } };
});
afterAll(async () => {
  await stack.stop();
});

let t: Lifecycle;
beforeEach(async () => {
  t = await lifecycle(stack, compiled);
});

/** A learner who signed up (in Kolkata) and confirmed; answers their id and `learn` token. */
async function confirmedLearner(): Promise<{ id: string; token: string }> {
  const email = newAddress('learner');
  expect((await t.postJson({ email, timezone: 'Asia/Kolkata' })).status).toBe(200);
  const confirm = await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, { method: 'POST' });
  expect(confirm.status).toBe(200);
  const id = String((await t.addressLock(email))?.id);
  return { id, token: t.tokens.sign({ subscriberId: id, purpose: 'learn', issuedAt: t.clock.now() }) };
}

const form = (fields: Record<string, string> = {}, accept = 'text/html') => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
  body: new URLSearchParams(fields).toString(),
});
const everything = async () => (await t.items()).map((i) => JSON.stringify(i)).sort();

describe('the controls', () => {
  it('pause until a date, resume, next now, settings, restart: each one write, each answered 303 to the course page with done=', async () => {
    const { id, token } = await confirmedLearner();
    const post = (control: string, fields?: Record<string, string>) => t.app.request(`/learn/${control}?token=${token}`, form(fields));
    const back = (done: string) => `../learn?${new URLSearchParams({ token, done }).toString()}`;

    // Lesson 1 went out; lesson 2 is due a week on, at 09:00 in Kolkata.
    await t.setAttributes(id, { nextLesson: 1, lastSentAt: '2026-03-02T10:00:05.000Z', nextSendAt: '2026-03-10T03:30:00.000Z' });
    let res = await post('pause');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(back('paused'));
    expect((await t.subscriber(id))?.[DUE_SHARD_ATTR]).toBeUndefined();

    res = await post('resume');
    expect([res.status, res.headers.get('location')]).toEqual([303, back('resumed')]);
    expect((await t.subscriber(id))?.pausedAt).toBeUndefined();
    expect((await t.subscriber(id))?.nextSendAt).toBe('2026-03-10T03:30:00.000Z');

    res = await post('pause', { until: '2026-03-20' });
    expect([res.status, res.headers.get('location')]).toEqual([303, back('paused')]);
    expect(await t.subscriber(id)).toMatchObject({ pausedUntil: '2026-03-20T03:30:00.000Z', nextSendAt: '2026-03-20T03:30:00.000Z' });

    // "Next now" while paused: the lesson now, the pause over.
    res = await post('next');
    expect([res.status, res.headers.get('location')]).toEqual([303, back('next')]);
    const now = t.clock.now().toISOString();
    expect(await t.subscriber(id)).toMatchObject({ nextSendAt: now, nextNowAt: now, [DUE_SORT_ATTR]: `${now}#${id}` });

    res = await post('settings', { sendHour: '18:30', timezone: 'Europe/Berlin', cadenceDays: '3', weekday: '' });
    expect([res.status, res.headers.get('location')]).toEqual([303, back('settings')]);
    // The lesson asked for now stays due now.
    expect(await t.subscriber(id)).toMatchObject({ sendHour: '18:30', timezone: 'Europe/Berlin', cadenceDays: 3, nextSendAt: now });

    res = await post('restart');
    expect([res.status, res.headers.get('location')]).toEqual([303, back('restarted')]);
    // 18:30 in Berlin (CET) today: 17:30 UTC.
    expect(await t.subscriber(id)).toMatchObject({ status: 'active', round: 2, nextLesson: 0, nextSendAt: '2026-03-02T17:30:00.000Z' });
    expect((await t.subscriber(id))?.pausedUntil).toBeUndefined();
    expect((await t.subscriber(id))?.paceVersion).toBe(6);
  });

  it('a refusal goes through the error mapping (a page for a browser, JSON for a client) with its code, and writes nothing', async () => {
    const { token } = await confirmedLearner();
    expect((await t.app.request(`/learn/next?token=${token}`, form())).status).toBe(303);
    const before = await everything();
    const cases: [string, Record<string, string>, number, string][] = [
      ['next', {}, 409, 'next_too_soon'],
      ['resume', {}, 409, 'not_paused'],
      ['pause', { until: '2026-02-30' }, 400, 'invalid_until'],
      ['pause', { until: '2026-03-02' }, 400, 'invalid_until'],
      ['settings', { sendHour: '25:00' }, 400, 'invalid_send_hour'],
      ['settings', { weekday: '9' }, 400, 'invalid_weekday'],
      ['settings', { timezone: 'Nowhere/Land' }, 400, 'invalid_timezone'],
      ['settings', { cadenceDays: '2' }, 400, 'invalid_cadence'],
    ];
    for (const [control, fields, status, code] of cases) {
      const json = await t.app.request(`/learn/${control}?token=${token}`, form(fields, 'application/json'));
      expect(
        [json.status, ((await json.json()) as { error: { code: string } }).error.code],
        `${control} ${JSON.stringify(fields)}`,
      ).toEqual([status, code]);
      const page = await t.app.request(`/learn/${control}?token=${token}`, form(fields));
      expect(page.status).toBe(status);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      // A rule, not a fault: a 409's page is titled so.
      if (status === 409) expect(await page.text()).toContain('<h1>Not right now</h1>');
    }
    // Until the 24 hours are over, the course page says when instead of offering the button.
    const course = await (await t.app.request(`/learn?token=${token}`)).text();
    expect(course).toContain('You can ask for a lesson early again from');
    expect(course).not.toContain('learn/next?token=');
    await t.app.request(`/learn/pause?token=${token}`, form());
    const paused = await t.app.request(`/learn/pause?token=${token}`, form({}, 'application/json'));
    expect(((await paused.json()) as { error: { code: string } }).error.code).toBe('already_paused');
    expect((await everything()).length).toBe(before.length);
  });

  it('bad, missing and wrong-purpose tokens are answered exactly as the unsubscribe link answers them; nothing changes', async () => {
    const { id } = await confirmedLearner();
    const before = await everything();
    const unsubscribeToken = t.unsubscribeToken(id);
    for (const accept of ['application/json', 'text/html']) {
      for (const query of ['', '?token=', '?token=garbage', `?token=${unsubscribeToken.slice(0, -2)}`]) {
        const ours = await t.app.request(`/learn/pause${query}`, form({}, accept));
        const theirs = await t.app.request(`/unsubscribe${query}`, form({}, accept));
        expect(ours.status, query).toBe(theirs.status);
        expect(await ours.text(), query).toBe(await theirs.text());
      }
      // A learn token where an unsubscribe token belongs, and the other way round: the same refusal.
      const learnAtUnsubscribe = await t.app.request(
        `/unsubscribe?token=${t.tokens.sign({ subscriberId: id, purpose: 'learn', issuedAt: t.clock.now() })}`,
        form({}, accept),
      );
      const unsubscribeAtLearn = await t.app.request(`/learn/pause?token=${unsubscribeToken}`, form({}, accept));
      expect(unsubscribeAtLearn.status).toBe(learnAtUnsubscribe.status);
      expect(await unsubscribeAtLearn.text()).toBe(await learnAtUnsubscribe.text());
    }
    expect(await everything()).toEqual(before);
  });

  it("a token of this course's subscription changes nothing when the request names another course", async () => {
    const { token } = await confirmedLearner();
    const before = await everything();
    for (const control of ['pause', 'resume', 'next', 'restart', 'settings']) {
      const res = await t.app.request(`/learn/${control}?token=${token}&course=another-course`, form({}, 'application/json'));
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([400, 'token_wrong_purpose']);
      const field = await t.app.request(`/learn/${control}?token=${token}`, form({ course: 'another-course' }, 'application/json'));
      expect(field.status).toBe(400);
    }
    expect(await everything()).toEqual(before);
    expect((await t.app.request(`/learn/pause?token=${token}&course=${compiled.course.slug}`, form())).status).toBe(303);
  });

  it('GET and HEAD of each control find nothing (404) and change nothing; another body type is refused (415)', async () => {
    const { token } = await confirmedLearner();
    const before = await everything();
    for (const control of ['pause', 'resume', 'next', 'restart', 'settings']) {
      for (const method of ['GET', 'HEAD']) {
        const res = await t.app.request(`/learn/${control}?token=${token}`, { method });
        expect(res.status, `${method} ${control}`).toBe(404);
      }
      const text = await t.app.request(`/learn/${control}?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', accept: 'application/json' },
        body: 'until=2026-04-01',
      });
      expect(text.status).toBe(415);
    }
    expect(await everything()).toEqual(before);
  });

  it('a button without a body, a JSON body, a repeated field', async () => {
    const { id, token } = await confirmedLearner();
    expect((await t.app.request(`/learn/pause?token=${token}`, { method: 'POST' })).status).toBe(303);
    expect((await t.subscriber(id))?.[DUE_SHARD_ATTR]).toBeUndefined();
    const json = await t.app.request(`/learn/settings?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ sendHour: '07:15', cadenceDays: 1 }),
    });
    expect(json.status).toBe(303);
    expect(await t.subscriber(id)).toMatchObject({ sendHour: '07:15', cadenceDays: 1 });
    const repeated = await t.app.request(`/learn/settings?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'sendHour=08:00&sendHour=09:00',
    });
    expect([repeated.status, ((await repeated.json()) as { error: { code: string } }).error.code]).toEqual([400, 'repeated_field']);
    // A day later, the pause still stands; resume puts the next lesson at the next 07:15 in Kolkata.
    t.clock.advance(DAY);
    expect((await t.app.request(`/learn/resume?token=${token}`, form())).status).toBe(303);
    expect((await t.subscriber(id))?.nextSendAt).toBe('2026-03-04T01:45:00.000Z');
  });
});
