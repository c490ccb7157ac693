// The learner's controls (functions/core/learner.ts) on the in-memory subscription store (held to the
// DynamoDB store's conditions by the SubscriptionStore contract) and a clock the test sets: each
// control's rule, each refusal code, and that a refusal writes nothing and publishes nothing.
import { lessonsReadable, lessonsSent } from '../../../functions/core/learner-view.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { courseCatalog } from '../../../functions/core/courses.js';
import type { AppError } from '../../../functions/core/errors.js';
import type { SubscriptionEvent } from '../../../functions/core/events.js';
import {
  changeSettings,
  nextLessonNow,
  pauseLessons,
  restartCourse,
  resumeLessons,
  type LearnerCourse,
} from '../../../functions/core/learner.js';
import type { LifecycleDeps } from '../../../functions/core/lifecycle.js';
import type { Subscriber } from '../../../functions/core/model.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { parseCourse } from '../../../functions/email/manifest.js';
import { MemorySubscriptionStore } from '../../support/memory-subscription-store.js';

const manifest = (slug: string, extra: Record<string, unknown> = {}) =>
  parseCourse({
    slug,
    title: `Course ${slug}`,
    description: 'A course for tests.',
    sender: { name: 'Course', email: 'course@example.com' },
    postalAddress: '1 Test Street',
    cadenceDays: 7,
    sendHour: '09:00',
    defaultTimezone: 'UTC',
    confirmation: { file: 'system/confirm.mjml', subject: 'Confirm', preheader: 'Confirm' },
    lessons: [1, 2, 3, 4].map((n) => ({ file: `lessons/${n}.mjml`, title: `L${n}`, subject: `Lesson ${n}`, preheader: `P${n}` })),
    ...extra,
  });
const courses = courseCatalog<LearnerCourse>([
  { course: manifest('pace', { cadenceChoices: [1, 3, 7, 14] }) },
  { course: manifest('other') },
]);

// Wednesday 4 March 2026, 12:00 UTC.
const NOW = new Date('2026-03-04T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const tokens = createTokens(Buffer.alloc(32, 9));

let store: MemorySubscriptionStore;
let clock: { current: Date; now: () => Date };
let events: SubscriptionEvent[];
let deps: LifecycleDeps<LearnerCourse>;

beforeEach(() => {
  store = new MemorySubscriptionStore({ dueShards: 2 });
  clock = { current: NOW, now: () => new Date(clock.current.getTime()) };
  events = [];
  deps = {
    store,
    clock,
    tokens,
    courses,
    config: { publicUrl: 'https://course.example', signupsPerIpPerHour: 10 },
    events: { publish: (e) => Promise.resolve(void events.push(...e)) },
  };
});

let serial = 0;
/** An active learner on lesson `nextLesson` (0-based), lesson before it sent `lastSentDaysAgo` days ago at 09:00 UTC, next due a week after it. */
function learner(extra: Partial<Subscriber> = {}, o: { course?: string } = {}): { s: Subscriber; token: string } {
  const id = `l${serial++}`;
  const lastSent = new Date('2026-03-02T09:00:03.000Z'); // Monday
  const s: Subscriber = {
    id,
    course: o.course ?? 'pace',
    email: `${id}@example.com`,
    timezone: 'UTC',
    status: 'active',
    nextLesson: 1,
    nextSendAt: '2026-03-09T09:00:00.000Z',
    lastSentAt: lastSent.toISOString(),
    consent: { at: lastSent.toISOString(), ip: '192.0.2.1', userAgent: 'unit', page: 'unit' },
    createdAt: lastSent.toISOString(),
    confirmedAt: lastSent.toISOString(),
    ...extra,
  };
  store.rows.set(id, { ...s, ...(s.status === 'active' && s.nextSendAt ? { dueShard: 'DUE#0', dueAt: `${s.nextSendAt}#${id}` } : {}) });
  return { s, token: tokens.sign({ subscriberId: id, purpose: 'learn', issuedAt: NOW }) };
}

const row = (id: string) => structuredClone(store.rows.get(id));

/** Expects `work` to be refused with `code` (and `status`), changing nothing and publishing nothing. */
async function refused(id: string, work: () => Promise<unknown>, code: string, status?: number): Promise<void> {
  const before = row(id);
  const error = await work().then(
    () => undefined,
    (e: unknown) => e as AppError,
  );
  expect(error?.code, `expected ${code}`).toBe(code);
  if (status !== undefined) expect(error?.status).toBe(status);
  expect(row(id)).toEqual(before);
  expect(events).toEqual([]);
}

describe('pause', () => {
  it('indefinitely: out of the due index (nothing is due), the schedule kept for later; the event after the write', async () => {
    const { s, token } = learner();
    const { done, subscriber } = await pauseLessons(deps, token);
    expect(done).toBe('paused');
    expect(subscriber.pausedAt).toBe(NOW.toISOString());
    const r = row(s.id)!;
    expect(r).toMatchObject({ status: 'active', pausedAt: NOW.toISOString(), nextSendAt: s.nextSendAt, nextLesson: 1 });
    expect(r.dueAt).toBeUndefined();
    expect(r.dueShard).toBeUndefined();
    expect(events).toEqual([
      { type: 'paused', course: 'pace', subscriberId: s.id, at: NOW.toISOString(), detail: { lesson: 2, round: 1 } },
    ]);
    events.length = 0;
    await refused(s.id, () => pauseLessons(deps, token), 'already_paused', 409);
  });

  it('until a local date: due at the send hour of that date in their zone (Kolkata +05:30), the pause ending there', async () => {
    const { s, token } = learner({
      timezone: 'Asia/Kolkata',
      nextSendAt: '2026-03-09T03:30:00.000Z',
      lastSentAt: '2026-03-02T03:30:02.000Z',
    });
    await pauseLessons(deps, token, { until: '2026-03-20' });
    expect(row(s.id)).toMatchObject({
      pausedAt: NOW.toISOString(),
      pausedUntil: '2026-03-20T03:30:00.000Z',
      nextSendAt: '2026-03-20T03:30:00.000Z',
      dueAt: `2026-03-20T03:30:00.000Z#${s.id}`,
    });
    expect(events[0]?.detail).toEqual({ lesson: 2, round: 1, until: '2026-03-20' });
  });

  it('until a date before the lesson was due anyway: the lesson keeps its time (a pause never brings one forward)', async () => {
    const { s, token } = learner();
    await pauseLessons(deps, token, { until: '2026-03-06' });
    expect(row(s.id)).toMatchObject({ pausedUntil: '2026-03-06T09:00:00.000Z', nextSendAt: '2026-03-09T09:00:00.000Z' });
  });

  it('refuses a date that is not one, today or before, more than a year ahead, or not text: invalid_until (400)', async () => {
    const { s, token } = learner({ timezone: 'Pacific/Kiritimati' });
    // In Kiritimati (+14) it is already 5 March.
    for (const until of [
      'tomorrow',
      '2026-3-20',
      '2026-02-30',
      '2026-13-01',
      '2026-03-05',
      '2026-03-01',
      '2027-03-06',
      ['2026-04-01'],
      'x'.repeat(200),
    ])
      await refused(s.id, () => pauseLessons(deps, token, { until }), 'invalid_until', 400);
    await pauseLessons(deps, token, { until: '2026-03-06' });
    expect(row(s.id)?.pausedUntil).toBe('2026-03-05T19:00:00.000Z');
  });

  it('refuses a learner who finished (not_active), whose lessons are held, or who left (subscription_ended)', async () => {
    const done = learner({ status: 'completed', nextLesson: 4, nextSendAt: undefined });
    await refused(done.s.id, () => pauseLessons(deps, done.token), 'not_active', 409);
    const held = learner();
    Object.assign(store.rows.get(held.s.id)!, { heldAt: NOW.toISOString() });
    await refused(held.s.id, () => pauseLessons(deps, held.token), 'not_active', 409);
    const left = learner({ status: 'unsubscribed', nextSendAt: undefined });
    await refused(left.s.id, () => pauseLessons(deps, left.token), 'subscription_ended', 410);
    const pending = learner({ status: 'pending', nextLesson: 0, nextSendAt: undefined });
    await refused(pending.s.id, () => pauseLessons(deps, pending.token), 'not_active', 409);
  });
});

describe('resume', () => {
  it('after a long pause: the next lesson at the next send hour, not at once and not the missed ones', async () => {
    const { s, token } = learner();
    await pauseLessons(deps, token);
    clock.current = new Date('2026-03-25T10:30:00.000Z');
    await resumeLessons(deps, token);
    const r = row(s.id)!;
    expect(r).toMatchObject({ nextLesson: 1, nextSendAt: '2026-03-26T09:00:00.000Z', dueAt: `2026-03-26T09:00:00.000Z#${s.id}` });
    expect(r.pausedAt).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['paused', 'resumed']);
  });

  it('after a short pause: the lesson keeps the time it had (a pause and resume never bring it forward)', async () => {
    const { s, token } = learner();
    await pauseLessons(deps, token);
    clock.current = new Date(NOW.getTime() + HOUR);
    await resumeLessons(deps, token);
    expect(row(s.id)?.nextSendAt).toBe('2026-03-09T09:00:00.000Z');
  });

  it('ends a pause until a date early, at the next send hour after one cadence from the last lesson', async () => {
    const { s, token } = learner();
    await pauseLessons(deps, token, { until: '2026-04-20' });
    clock.current = new Date('2026-03-12T08:00:00.000Z');
    await resumeLessons(deps, token);
    expect(row(s.id)).toMatchObject({ nextSendAt: '2026-03-12T09:00:00.000Z' });
    expect(row(s.id)?.pausedUntil).toBeUndefined();
  });

  it('refuses a learner who is not paused: not_paused (409)', async () => {
    const { s, token } = learner();
    await refused(s.id, () => resumeLessons(deps, token), 'not_paused', 409);
  });
});

describe('next lesson now', () => {
  it('due now, once per 24 hours; the next one counts its cadence from it', async () => {
    const { s, token } = learner();
    await nextLessonNow(deps, token);
    expect(row(s.id)).toMatchObject({ nextSendAt: NOW.toISOString(), nextNowAt: NOW.toISOString(), dueAt: `${NOW.toISOString()}#${s.id}` });
    expect(events[0]).toMatchObject({ type: 'pace_changed', detail: { change: 'next_now', lesson: 2, round: 1 } });
    events.length = 0;
    clock.current = new Date(NOW.getTime() + DAY - 1);
    await refused(s.id, () => nextLessonNow(deps, token), 'next_too_soon', 409);
    clock.current = new Date(NOW.getTime() + DAY);
    await nextLessonNow(deps, token);
    expect(row(s.id)?.nextNowAt).toBe(clock.current.toISOString());
  });

  it('a paused learner asking for it is resumed with it', async () => {
    const { s, token } = learner();
    await pauseLessons(deps, token, { until: '2026-04-01' });
    await nextLessonNow(deps, token);
    const r = row(s.id)!;
    expect(r.pausedAt).toBeUndefined();
    expect(r.pausedUntil).toBeUndefined();
    expect(r.dueAt).toBe(`${NOW.toISOString()}#${s.id}`);
  });

  it('two clicks at once: one lesson asked for, the other click finds it too soon', async () => {
    const { s, token } = learner();
    const answers = await Promise.allSettled([nextLessonNow(deps, token), nextLessonNow(deps, token)]);
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect((failed?.reason as AppError).code).toBe('next_too_soon');
    expect(events).toHaveLength(1);
    expect(row(s.id)?.paceVersion).toBe(1);
  });

  it('refuses after the last lesson: not_active', async () => {
    const { s, token } = learner({ status: 'completed', nextLesson: 4, nextSendAt: undefined });
    await refused(s.id, () => nextLessonNow(deps, token), 'not_active', 409);
  });
});

describe('restart', () => {
  it('after finishing: active again, round 2, lesson 1 at the next send hour (not at once)', async () => {
    const { s, token } = learner({ status: 'completed', nextLesson: 4, nextSendAt: undefined });
    const { subscriber } = await restartCourse(deps, token);
    expect(subscriber).toMatchObject({ status: 'active', round: 2, nextLesson: 0 });
    expect(row(s.id)).toMatchObject({
      status: 'active',
      round: 2,
      nextLesson: 0,
      nextSendAt: '2026-03-05T09:00:00.000Z',
      lessonsReceived: 4,
    });
    // Every lesson the first round sent stays readable on the web; the new round's progress starts at 0.
    expect(lessonsReadable(row(s.id)!, 4)).toBe(4);
    expect(lessonsSent(row(s.id)!, 4)).toBe(0);
    expect(row(s.id)?.dueShard).toBeDefined();
    expect(events[0]).toMatchObject({ type: 'restarted', detail: { round: 2 } });
  });

  it('mid-course and paused: round + 1, lesson 1, the pause over; a third round after that', async () => {
    const { s, token } = learner({ round: 2, nextLesson: 3 });
    await pauseLessons(deps, token);
    await restartCourse(deps, token);
    expect(row(s.id)).toMatchObject({ round: 3, nextLesson: 0, lessonsReceived: 3 });
    expect(row(s.id)?.pausedAt).toBeUndefined();
  });

  it('refuses who left or never confirmed', async () => {
    const left = learner({ status: 'bounced', nextSendAt: undefined });
    await refused(left.s.id, () => restartCourse(deps, left.token), 'subscription_ended', 410);
    const pending = learner({ status: 'pending', nextLesson: 0, nextSendAt: undefined });
    await refused(pending.s.id, () => restartCourse(deps, pending.token), 'not_active', 409);
  });
});

describe('settings', () => {
  it('a new hour and zone move the next lesson at once: one cadence after the last one, at the new hour there', async () => {
    const { s, token } = learner();
    await changeSettings(deps, token, { sendHour: '18:45', timezone: 'Asia/Kathmandu' });
    // Last lesson Monday 2 March; a week on, 18:45 in Kathmandu (+05:45) is 13:00 UTC.
    expect(row(s.id)).toMatchObject({ sendHour: '18:45', timezone: 'Asia/Kathmandu', nextSendAt: '2026-03-09T13:00:00.000Z' });
    expect(events[0]).toMatchObject({
      type: 'pace_changed',
      detail: { change: 'settings', sendHour: '18:45', timezone: 'Asia/Kathmandu' },
    });
  });

  it('a shorter cadence brings the lesson forward, never before the next send hour', async () => {
    const { s, token } = learner();
    await changeSettings(deps, token, { cadenceDays: '1' });
    // A day after Monday's lesson has passed: the next 09:00 from now (Thursday).
    expect(row(s.id)).toMatchObject({ cadenceDays: 1, nextSendAt: '2026-03-05T09:00:00.000Z' });
    await changeSettings(deps, token, { cadenceDays: 14, weekday: '5' });
    // Two weeks after Monday 2 March, on a Friday: 20 March.
    expect(row(s.id)).toMatchObject({ cadenceDays: 14, weekday: 5, nextSendAt: '2026-03-20T09:00:00.000Z' });
    // A cadence not of whole weeks drops the weekday; an empty weekday clears it.
    await changeSettings(deps, token, { cadenceDays: '3' });
    expect(row(s.id)?.weekday).toBeUndefined();
    await changeSettings(deps, token, { cadenceDays: '7', weekday: '3' });
    expect(row(s.id)?.weekday).toBe(3);
    await changeSettings(deps, token, { weekday: '' });
    expect(row(s.id)?.weekday).toBeUndefined();
  });

  it('the same settings posted again leave the schedule as the drip made it', async () => {
    const { s, token } = learner({ nextSendAt: '2026-03-10T09:00:00.000Z' });
    // The course's own hour and cadence, now the learner's choice: stored, the schedule as it was.
    await changeSettings(deps, token, { sendHour: '09:00', cadenceDays: '7', timezone: 'UTC' });
    expect(row(s.id)).toMatchObject({ sendHour: '09:00', cadenceDays: 7, nextSendAt: '2026-03-10T09:00:00.000Z' });
    expect(events[0]?.detail).toEqual({ change: 'settings', sendHour: '09:00', cadenceDays: 7 });
    await changeSettings(deps, token, { sendHour: '09:00', cadenceDays: '7' });
    expect(row(s.id)?.nextSendAt).toBe('2026-03-10T09:00:00.000Z');
    expect(events[1]?.detail).toEqual({ change: 'settings' });
  });

  it('a lesson already due stays due (lesson 1 after confirming)', async () => {
    const { s, token } = learner({ nextLesson: 0, nextSendAt: NOW.toISOString(), lastSentAt: undefined });
    await changeSettings(deps, token, { sendHour: '07:00' });
    expect(row(s.id)?.nextSendAt).toBe(NOW.toISOString());
  });

  it('while paused until a date: the pause ends on the same local date at the new hour', async () => {
    const { s, token } = learner();
    await pauseLessons(deps, token, { until: '2026-03-20' });
    await changeSettings(deps, token, { sendHour: '07:15', timezone: 'America/New_York' });
    // 20 March 07:15 EDT (New York moved to summer time on 8 March) is 11:15 UTC.
    expect(row(s.id)).toMatchObject({ pausedUntil: '2026-03-20T11:15:00.000Z', nextSendAt: '2026-03-20T11:15:00.000Z' });
  });

  it('after finishing: kept for a restart, nothing due', async () => {
    const { s, token } = learner({ status: 'completed', nextLesson: 4, nextSendAt: undefined });
    await changeSettings(deps, token, { cadenceDays: '3' });
    expect(row(s.id)).toMatchObject({ status: 'completed', cadenceDays: 3 });
    expect(row(s.id)?.dueAt).toBeUndefined();
  });

  it('refuses each bad field with its code (400), writing nothing', async () => {
    const { s, token } = learner();
    const bad: [Record<string, unknown>, string][] = [
      [{ sendHour: '24:00' }, 'invalid_send_hour'],
      [{ sendHour: '9:00' }, 'invalid_send_hour'],
      [{ sendHour: 900 }, 'invalid_send_hour'],
      [{ weekday: '8' }, 'invalid_weekday'],
      [{ weekday: 'Mon' }, 'invalid_weekday'],
      [{ cadenceDays: '3', weekday: '2' }, 'invalid_weekday'],
      [{ timezone: 'Mars/Olympus' }, 'invalid_timezone'],
      [{ timezone: '+05:30' }, 'invalid_timezone'],
      [{ timezone: { zone: 'UTC' } }, 'invalid_timezone'],
      [{ cadenceDays: '2' }, 'invalid_cadence'],
      [{ cadenceDays: '7.0' }, 'invalid_cadence'],
      [{ cadenceDays: '-7' }, 'invalid_cadence'],
    ];
    for (const [fields, code] of bad) await refused(s.id, () => changeSettings(deps, token, fields), code, 400);
  });

  it('a course without cadence choices allows only its own cadence', async () => {
    const { s, token } = learner({}, { course: 'other' });
    await refused(s.id, () => changeSettings(deps, token, { cadenceDays: '3' }), 'invalid_cadence', 400);
    await changeSettings(deps, token, { cadenceDays: '7' });
    expect(row(s.id)?.cadenceDays).toBe(7);
  });
});

describe('every control', () => {
  const controls = {
    pause: (token?: string, course?: string) => pauseLessons(deps, token, course === undefined ? {} : { course }),
    resume: (token?: string, course?: string) => resumeLessons(deps, token, course === undefined ? {} : { course }),
    next: (token?: string, course?: string) => nextLessonNow(deps, token, course === undefined ? {} : { course }),
    restart: (token?: string, course?: string) => restartCourse(deps, token, course === undefined ? {} : { course }),
    settings: (token?: string, course?: string) =>
      changeSettings(deps, token, { sendHour: '10:00' }, course === undefined ? {} : { course }),
  };

  it('refuses missing, forged and other links exactly as the unsubscribe link is refused', async () => {
    const { s } = learner();
    const unsubscribeToken = tokens.sign({ subscriberId: s.id, purpose: 'unsubscribe', issuedAt: NOW });
    for (const control of Object.values(controls)) {
      await refused(s.id, () => control(undefined), 'token_missing', 400);
      await refused(s.id, () => control('garbage'), 'token_invalid', 400);
      await refused(s.id, () => control(unsubscribeToken), 'token_wrong_purpose', 400);
      await refused(
        s.id,
        () => control(createTokens(Buffer.alloc(32, 1)).sign({ subscriberId: s.id, purpose: 'learn', issuedAt: NOW })),
        'token_invalid',
      );
    }
  });

  it("a token of one course's subscription changes nothing when the request is another course's", async () => {
    const { s, token } = learner();
    for (const control of Object.values(controls)) await refused(s.id, () => control(token, 'other'), 'token_wrong_purpose', 400);
    await controls.pause(token, 'pace');
    expect(row(s.id)?.pausedAt).toBeDefined();
  });

  it('waits for no drip run: while a run holds a live claim (sending their lesson), lesson_in_flight (409); after it expires, it goes', async () => {
    const { s, token } = learner();
    Object.assign(store.rows.get(s.id)!, { claimId: 'run', claimUntil: NOW.getTime() + 60_000 });
    // (Resume is refused before it writes: they are not paused.)
    for (const control of [controls.pause, controls.next, controls.restart, controls.settings])
      await refused(s.id, () => control(token), 'lesson_in_flight', 409);
    store.rows.get(s.id)!.claimUntil = NOW.getTime() - 1;
    await controls.settings(token);
    expect(row(s.id)?.claimId).toBeUndefined();
  });

  it('a subscription that no longer exists: subscription_ended (410)', async () => {
    const token = tokens.sign({ subscriberId: 'gone', purpose: 'learn', issuedAt: NOW });
    for (const control of Object.values(controls))
      await expect(control(token)).rejects.toMatchObject({ code: 'subscription_ended', status: 410 });
  });

  it('a publisher that fails is logged; the change stands', async () => {
    const logs: Record<string, unknown>[] = [];
    deps = { ...deps, events: { publish: () => Promise.reject(new Error('bus down')) }, log: (e) => logs.push(e) };
    const { s, token } = learner();
    await pauseLessons(deps, token);
    expect(row(s.id)?.pausedAt).toBeDefined();
    expect(logs).toMatchObject([{ level: 'error', error: 'bus down' }]);
  });
});
