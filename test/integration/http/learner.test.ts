// The learner's pages through the HTTP app on DynamoDB Local and the SES emulator: the course page
// (/learn), a lesson's web version (/learn/lessons/<n>) and the feedback links (/feedback), from the
// links a real drip run puts in lesson 1. Bad, forged and foreign tokens get what /unsubscribe gives
// them and change nothing; lessons not yet sent stay unreadable; votes count once per learner.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/table.js';
import { runDrip } from '../../../functions/core/drip/index.js';
import type { SubscriptionEvent } from '../../../functions/core/events.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { compileShippedCourse } from '../../support/course.js';
import { SettableClock, dripDeps } from '../../support/drip-fixtures.js';
import { PUBLIC_URL, lifecycle, newAddress, type Lifecycle } from '../../support/lifecycle-setup.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

const POST = { method: 'POST' } as const;
const HTML = { headers: { accept: 'text/html' } };

/** Signs up, confirms and runs the drip once: the learner's id, lesson 1 as the inbox holds it, and the confirmed page. */
async function learnerWithLessonOne(
  t: Lifecycle,
  name = 'Robin',
): Promise<{ id: string; email: string; lesson: { text: string; html: string }; confirmed: string }> {
  const email = newAddress('learner');
  expect((await t.postJson({ email, name, timezone: 'Europe/Berlin' })).status).toBe(200);
  const confirmed = await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
  expect(confirmed.status).toBe(200);
  const clock = new SettableClock(t.clock.now());
  const deps = dripDeps(stack, t.table, compiled, { clock, shards: 8, settings: { publicUrl: PUBLIC_URL } });
  await runDrip(deps, { now: clock.now(), deadline: new Date(clock.now().getTime() + 30_000) });
  const lesson = (await t.emailsTo(email)).find((m) => m.subject.startsWith('Lesson 1'));
  if (!lesson) throw new Error('lesson 1 not sent');
  const id = String((await t.addressLock(email))?.id);
  return { id, email, lesson, confirmed: await confirmed.text() };
}

/** The path and query of the first link in `text` that starts with `${PUBLIC_URL}/<prefix>`. */
function linkIn(text: string, prefix: string): string {
  const m = new RegExp(`${PUBLIC_URL.replace(/[.]/g, '\\.')}(/${prefix}[^\\s"<>\\]]*)`).exec(text);
  if (!m?.[1]) throw new Error(`no ${prefix} link`);
  return m[1].replace(/&amp;/g, '&');
}

const learnToken = (t: Lifecycle, id: string) => t.tokens.sign({ subscriberId: id, purpose: 'learn', issuedAt: t.clock.now() });

async function stats(t: Lifecycle, lesson: number): Promise<{ votedYes?: number; votedNo?: number } | undefined> {
  const key = keys.lessonStats(compiled.course.slug, lesson);
  return (await stack.doc.send(new GetCommand({ TableName: t.table, Key: key, ConsistentRead: true }))).Item;
}

describe('the course page from lesson 1', () => {
  it("lesson 1 links to the learner's course page, its web version and Yes/No, none click-tracked; the page after confirming links there too", async () => {
    const t = await lifecycle(stack, compiled);
    const { lesson, confirmed } = await learnerWithLessonOne(t);
    expect(confirmed).toMatch(/<a href="learn\?token=[A-Za-z0-9_-]+">Your course page<\/a>/);
    for (const prefix of [
      'learn\\?token=',
      'learn/lessons/1\\?token=',
      'feedback\\?token=[^&]+&amp;lesson=1&amp;vote=yes',
      'feedback\\?token=[^&]+&amp;lesson=1&amp;vote=no',
    ])
      expect(lesson.html).toMatch(new RegExp(`<a ses:no-track href="${PUBLIC_URL}/${prefix}`));
    // The text part names each link and its address.
    expect(lesson.text).toMatch(/Your course page\s+\[http:\/\/course\.test\/learn\?token=/);
    expect(lesson.text).toMatch(/Read this lesson on the web\s+\[http:\/\/course\.test\/learn\/lessons\/1\?token=/);
    expect(lesson.text).toMatch(/Was this lesson useful\? Yes\s+\[[^\]]+vote=yes\] \/ No\s+\[[^\]]+vote=no\]/);
    expect(lesson.text).not.toContain('completed');
  });

  it('shows the course, lesson 1 of 8, the syllabus (sent lessons linked, later ones listed), when lesson 2 comes in their zone, and the controls', async () => {
    const t = await lifecycle(stack, compiled);
    const { lesson } = await learnerWithLessonOne(t);
    const res = await t.app.request(linkIn(lesson.text, 'learn\\?'), HTML);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-robots-tag')).toBe('noindex');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+'/);
    const page = await res.text();
    expect(page).toContain('<html lang="en" dir="ltr">');
    expect(page).toContain('<meta name="robots" content="noindex">');
    expect(page).toContain(compiled.course.title);
    expect(page).toContain('Lesson 1 of 8');
    expect(page).toMatch(/<a href="learn\/lessons\/1\?token=[^"]+"[^>]*>[^<]+<\/a>/);
    expect(page).not.toMatch(/href="learn\/lessons\/2/);
    expect(page).toContain(`${compiled.course.lessons[1]!.title} <span class="note">(not sent yet)</span>`);
    // Lesson 2 a week after lesson 1, at 09:00 Berlin time, in English words.
    expect(page).toMatch(/Lesson 2 arrives on (Monday|Tuesday), March (9|10) at 09:00 \(Europe\/Berlin\)\./);
    for (const action of ['next', 'pause', 'restart', 'settings']) expect(page).toMatch(new RegExp(`action="learn/${action}\\?token=`));
    expect(page).not.toContain('action="learn/resume');
    for (const field of ['until', 'sendHour', 'weekday', 'timezone']) expect(page).toContain(`name="${field}"`);
    // One cadence allowed: no choice offered.
    expect(page).not.toContain('name="cadenceDays"');
  });

  it('shows a done=<action> confirmation, and ignores any other value', async () => {
    const t = await lifecycle(stack, compiled);
    const { id } = await learnerWithLessonOne(t);
    const token = learnToken(t, id);
    expect(await (await t.app.request(`/learn?token=${token}&done=paused`, HTML)).text()).toContain('Your course is paused.');
    expect(await (await t.app.request(`/learn?token=${token}&done=settings`, HTML)).text()).toContain('Your settings are saved.');
    const other = await (await t.app.request(`/learn?token=${token}&done=%3Cscript%3E`, HTML)).text();
    expect(other).not.toContain('message ok');
    expect(other).not.toContain('<script>alert');
  });

  it('paused: says so (until when, in their zone) and offers resume; completed: says so and offers restart; round 2 says so', async () => {
    const t = await lifecycle(stack, compiled);
    const { id } = await learnerWithLessonOne(t);
    const token = learnToken(t, id);
    await t.setAttributes(id, { pausedAt: '2026-03-03T10:00:00.000Z' });
    let page = await (await t.app.request(`/learn?token=${token}`, HTML)).text();
    expect(page).toContain('Your course is paused: nothing is sent until you resume it.');
    expect(page).toContain('action="learn/resume');
    expect(page).not.toContain('action="learn/pause');
    await t.setAttributes(id, { pausedUntil: '2026-03-20T08:00:00.000Z' });
    page = await (await t.app.request(`/learn?token=${token}`, HTML)).text();
    expect(page).toContain('paused until Friday, March 20 (Europe/Berlin)');
    await t.setAttributes(id, { status: 'completed', nextLesson: 8, round: 2 });
    page = await (await t.app.request(`/learn?token=${token}`, HTML)).text();
    expect(page).toContain(`You have completed ${compiled.course.title}`);
    expect(page).toContain('Round 2');
    expect(page).toContain('action="learn/restart');
    expect(page).not.toContain('action="learn/settings');
    for (let n = 1; n <= 8; n++) expect(page).toContain(`href="learn/lessons/${n}?token=`);
  });

  it("offers the course's cadence choices, the learner's own selected", async () => {
    const choices = { ...compiled, course: { ...compiled.course, cadenceChoices: [1, 3, 7] } };
    const t = await lifecycle(stack, choices);
    const email = newAddress('choices');
    await t.postJson({ email });
    await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
    const id = String((await t.addressLock(email))?.id);
    await t.setAttributes(id, { cadenceDays: 3 });
    const page = await (await t.app.request(`/learn?token=${learnToken(t, id)}`, HTML)).text();
    expect(page).toContain('<select id="cadenceDays" name="cadenceDays">');
    expect(page).toContain('<option value="1">One lesson a day</option>');
    expect(page).toContain('<option value="3" selected>One lesson every 3 days</option>');
    expect(page).toContain('<option value="7">One lesson a week</option>');
    expect(page).toContain('Lesson 1 of 8 comes next');
  });
});

describe("a lesson's web version", () => {
  it('is the email as sent, with their name, without tracking marks or script, and a link back', async () => {
    const t = await lifecycle(stack, compiled);
    const { lesson } = await learnerWithLessonOne(t, 'Robin <b>');
    const res = await t.app.request(linkIn(lesson.text, 'learn/lessons/1\\?'), HTML);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).not.toContain('script-src');
    expect(res.headers.get('x-robots-tag')).toBe('noindex');
    const page = await res.text();
    expect(page).toContain('Hi Robin &lt;b&gt;,');
    expect(page).not.toContain('ses:no-track');
    expect(page).not.toMatch(/<script/i);
    expect(page).toMatch(/<a href="\.\.\/\.\.\/learn\?token=[^"]+"[^>]*>← Your course page<\/a>/);
    expect(page).toContain(compiled.course.disclaimer!.text);
  });

  it('a lesson not yet sent is a 404 page; what is not a lesson number is a 400', async () => {
    const t = await lifecycle(stack, compiled);
    const { id } = await learnerWithLessonOne(t);
    const token = learnToken(t, id);
    const later = await t.app.request(`/learn/lessons/2?token=${token}`, HTML);
    expect(later.status).toBe(404);
    expect(await later.text()).toContain('This lesson has not been sent to you yet');
    for (const n of ['0', '9', '01', 'x', '1.0', '-1']) {
      const res = await t.app.request(`/learn/lessons/${n}?token=${token}`, { headers: { accept: 'application/json' } });
      expect(res.status, n).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, n).toBe('invalid_lesson');
    }
    await t.setAttributes(id, { status: 'completed', nextLesson: 8 });
    expect((await t.app.request(`/learn/lessons/8?token=${token}`, HTML)).status).toBe(200);
  });
});

describe('tokens', () => {
  it('missing, forged, tampered and wrong-purpose tokens get the same status and page as /unsubscribe, on every learner route', async () => {
    const t = await lifecycle(stack, compiled);
    const { id } = await learnerWithLessonOne(t);
    const learn = learnToken(t, id);
    const unsubscribe = t.unsubscribeToken(id);
    const before = await t.items();
    const cases: [string, string, string][] = [
      ['', '', 'missing'],
      ['token=', 'token=', 'empty'],
      ['token=garbage', 'token=garbage', 'garbage'],
      [`token=${learn.slice(0, -2)}AA`, `token=${unsubscribe.slice(0, -2)}AA`, 'tampered'],
      [`token=${unsubscribe}`, `token=${learn}`, 'wrong purpose'],
    ];
    for (const [query, unsubscribeQuery, what] of cases) {
      for (const accept of ['text/html', 'application/json']) {
        const expected = await t.app.request(`/unsubscribe?${unsubscribeQuery}`, { headers: { accept } });
        const want = { status: expected.status, body: await expected.text() };
        expect(want.status, what).toBe(400);
        for (const [path, init] of [
          ['/learn', {}],
          ['/learn/lessons/1', {}],
          ['/feedback', {}],
          ['/feedback', POST],
        ] as const) {
          const extra = path === '/feedback' ? '&lesson=1&vote=yes' : '';
          const res = await t.app.request(`${path}?${query}${extra}`, { ...init, headers: { accept } });
          expect({ status: res.status, body: await res.text() }, `${init === POST ? 'POST' : 'GET'} ${path} ${what} ${accept}`).toEqual(
            want,
          );
        }
      }
    }
    expect(await t.items()).toEqual(before);
  });

  it('a confirm token cannot vote, and one learner’s token changes nothing of another’s', async () => {
    const t = await lifecycle(stack, compiled);
    const a = await learnerWithLessonOne(t, 'Ann');
    const b = await learnerWithLessonOne(t, 'Bea');
    const confirmToken = t.tokens.sign({ subscriberId: a.id, purpose: 'confirm', issuedAt: t.clock.now() });
    expect((await t.app.request(`/feedback?token=${confirmToken}&lesson=1&vote=yes`, POST)).status).toBe(400);
    expect((await t.subscriber(a.id))?.votes).toBeUndefined();
    // B's own link votes for B alone.
    expect((await t.app.request(linkIn(b.lesson.text, 'feedback\\?token=[^&]+&lesson=1&vote=no').replace('&amp;', '&'), POST)).status).toBe(
      200,
    );
    expect((await t.subscriber(b.id))?.votes).toEqual({ 0: 'no' });
    expect((await t.subscriber(a.id))?.votes).toBeUndefined();
    // An ended subscription's link opens nothing.
    await t.app.request(`/unsubscribe?token=${t.unsubscribeToken(a.id)}`, POST);
    const ended = await t.app.request(`/learn?token=${learnToken(t, a.id)}`, { headers: { accept: 'application/json' } });
    expect(ended.status).toBe(410);
    expect(((await ended.json()) as { error: { code: string } }).error.code).toBe('subscription_ended');
    expect((await t.app.request(`/feedback?token=${learnToken(t, a.id)}&lesson=1&vote=yes`, POST)).status).toBe(410);
  });
});

describe('"Was this lesson useful?"', () => {
  it('GET shows the choice and one button that POSTs, and changes nothing', async () => {
    const t = await lifecycle(stack, compiled);
    const { lesson } = await learnerWithLessonOne(t);
    const before = await t.items();
    const path = linkIn(lesson.text, 'feedback\\?token=[^&\\]]+&lesson=1&vote=yes');
    for (const method of ['GET', 'HEAD']) {
      const res = await t.app.request(path, { method, headers: { accept: 'text/html' } });
      expect(res.status, method).toBe(200);
      if (method === 'GET') {
        const page = await res.text();
        expect(page).toContain('The button below sends: yes, it was useful.');
        expect(page.match(/<form /g)).toHaveLength(1);
        expect(page).toMatch(/<form method="post" action="feedback\?token=[^&]+&amp;lesson=1&amp;vote=yes">/);
        expect(page).toContain('Send “Yes”');
      }
    }
    expect(await t.items()).toEqual(before);
  });

  it('POST records the vote once, a repeat changes nothing, a change moves the count; each write publishes feedback_given', async () => {
    const t = await lifecycle(stack, compiled);
    const events: SubscriptionEvent[] = [];
    t.deps.events = { publish: (e) => (events.push(...e), Promise.resolve()) };
    const { id } = await learnerWithLessonOne(t);
    const vote = (v: string) =>
      t.app.request(`/feedback?token=${learnToken(t, id)}&lesson=1&vote=${v}`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(await (await vote('yes')).json()).toEqual({ ok: true, lesson: 1, vote: 'yes', changed: true });
    expect(await stats(t, 0)).toMatchObject({ votedYes: 1 });
    expect(await (await vote('yes')).json()).toEqual({ ok: true, lesson: 1, vote: 'yes', changed: false });
    expect(await stats(t, 0)).toMatchObject({ votedYes: 1 });
    expect(await (await vote('no')).json()).toEqual({ ok: true, lesson: 1, vote: 'no', changed: true });
    expect(await stats(t, 0)).toMatchObject({ votedYes: 0, votedNo: 1 });
    expect((await t.subscriber(id))?.votes).toEqual({ 0: 'no' });
    expect(events.filter((e) => e.type === 'feedback_given').map((e) => [e.type, e.subscriberId, e.detail])).toEqual([
      ['feedback_given', id, { lesson: 1, vote: 'yes' }],
      ['feedback_given', id, { lesson: 1, vote: 'no', previous: 'yes' }],
    ]);
    // The page after the button.
    const page = await (await t.app.request(`/feedback?token=${learnToken(t, id)}&lesson=1&vote=no`, POST)).text();
    expect(page).toContain('You had already given this answer, so nothing changed.');
  });

  it('double clicks and a change racing each other count the learner once', async () => {
    const t = await lifecycle(stack, compiled);
    const { id } = await learnerWithLessonOne(t);
    const token = learnToken(t, id);
    const clicks = await Promise.all(
      Array.from({ length: 8 }, async () =>
        t.app.request(`/feedback?token=${token}&lesson=1&vote=yes`, { method: 'POST', headers: { accept: 'application/json' } }),
      ),
    );
    expect(clicks.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await stats(t, 0)).toMatchObject({ votedYes: 1 });
    const mixed = await Promise.all(
      ['no', 'yes', 'no', 'no', 'yes', 'no'].map(async (v) =>
        t.app.request(`/feedback?token=${token}&lesson=1&vote=${v}`, { method: 'POST', headers: { accept: 'application/json' } }),
      ),
    );
    expect(mixed.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const counters = await stats(t, 0);
    const stored = (await t.subscriber(id))?.votes as Record<string, string>;
    expect((counters?.votedYes ?? 0) + (counters?.votedNo ?? 0)).toBe(1);
    expect(counters?.[stored['0'] === 'yes' ? 'votedYes' : 'votedNo']).toBe(1);
  });

  it('refuses a lesson not yet sent (404), a bad lesson or vote (400), and writes nothing', async () => {
    const t = await lifecycle(stack, compiled);
    const { id } = await learnerWithLessonOne(t);
    const token = learnToken(t, id);
    const before = await t.items();
    for (const [query, status, code] of [
      ['lesson=2&vote=yes', 404, 'lesson_not_sent'],
      ['lesson=9&vote=yes', 400, 'invalid_lesson'],
      ['lesson=&vote=yes', 400, 'invalid_lesson'],
      ['lesson=1&vote=maybe', 400, 'invalid_vote'],
      ['lesson=1', 400, 'invalid_vote'],
    ] as const) {
      for (const method of ['GET', 'POST']) {
        const res = await t.app.request(`/feedback?token=${token}&${query}`, { method, headers: { accept: 'application/json' } });
        expect(res.status, `${method} ${query}`).toBe(status);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      }
    }
    expect(await t.items()).toEqual(before);
  });
});
