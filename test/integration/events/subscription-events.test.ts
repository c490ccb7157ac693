// Each change of a subscription's state publishes exactly one event of the right type, after the
// write, through the real paths on DynamoDB Local and the SES emulator (the HTTP app for signup,
// confirm and unsubscribe; runDrip for lessons): no address unless the operator opted in, and nothing
// for a request that changed nothing (a repeated click, a signup of a learner already active).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDrip } from '../../../functions/core/drip/index.js';
import { withAddressPolicy } from '../../../functions/core/events.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { compileShippedCourse } from '../../support/course.js';
import { SettableClock, dripDeps, seedActive } from '../../support/drip-fixtures.js';
import { collectEvents, type EventCollector } from '../../support/event-collector.js';
import { MINUTE, lifecycle, newAddress, type Lifecycle } from '../../support/lifecycle-setup.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

const POST = { method: 'POST' } as const;

let stack: TestStack;
let compiled: CompiledCourse;
beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

describe('the signup path', () => {
  let t: Lifecycle;
  let events: EventCollector;
  /** The lifecycle's deps publishing to `events` as the wiring does: the address only when `includeEmail`. */
  const wire = (includeEmail: boolean) => {
    events = collectEvents();
    t.deps.events = withAddressPolicy(events, includeEmail);
  };
  beforeEach(async () => {
    t = await lifecycle(stack, compiled);
    wire(false);
  });
  const idOf = async (email: string) => String((await t.addressLock(email))?.id);

  it('signed_up, confirmed and unsubscribed: one event each, after the write, with the id and course and no address', async () => {
    const email = newAddress('events');
    await t.postForm({ email, timezone: 'Europe/Paris', website: '' });
    const id = await idOf(email);
    expect(events.events.map((e) => e.type)).toEqual(['signed_up']);
    expect(events.events[0]).toEqual({
      type: 'signed_up',
      course: compiled.course.slug,
      subscriberId: id,
      at: '2026-03-02T10:00:00.000Z',
      detail: { renewed: false, confirmationSent: true },
    });
    expect((await t.subscriber(id))?.status).toBe('pending');

    t.clock.advance(5 * MINUTE);
    const token = await t.confirmToken(email);
    expect((await t.app.request(`/confirm?token=${token}`)).status).toBe(200); // the page: no change, no event
    expect(events.ofType('confirmed')).toHaveLength(0);
    expect((await t.app.request(`/confirm?token=${token}`, POST)).status).toBe(200);
    expect((await t.app.request(`/confirm?token=${token}`, POST)).status).toBe(200); // a second click changes nothing
    expect(events.ofType('confirmed', id)).toEqual([
      {
        type: 'confirmed',
        course: compiled.course.slug,
        subscriberId: id,
        at: '2026-03-02T10:05:00.000Z',
        detail: { round: 1, completed: false },
      },
    ]);
    expect((await t.subscriber(id))?.status).toBe('active');

    const unsubscribe = `/unsubscribe?token=${t.unsubscribeToken(id)}`;
    expect((await t.app.request(unsubscribe)).status).toBe(200);
    expect(events.ofType('unsubscribed')).toHaveLength(0);
    await t.app.request(unsubscribe, POST);
    await t.app.request(unsubscribe, POST);
    expect(events.ofType('unsubscribed', id)).toEqual([
      expect.objectContaining({ type: 'unsubscribed', subscriberId: id, detail: { from: 'active' } }),
    ]);
    expect(events.events.map((e) => e.type)).toEqual(['signed_up', 'confirmed', 'unsubscribed']);
    expect(JSON.stringify(events.events)).not.toContain(email);
  });

  it('with the operator’s opt-in every event carries the address', async () => {
    wire(true);
    const email = newAddress('optin');
    await t.postForm({ email, website: '' });
    const id = await idOf(email);
    await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
    await t.app.request(`/unsubscribe?token=${t.unsubscribeToken(id)}`, POST);
    expect(events.events.map((e) => [e.type, e.email])).toEqual([
      ['signed_up', email],
      ['confirmed', email],
      ['unsubscribed', email],
    ]);
  });

  it('a signup that writes nothing publishes nothing: a confirmation under 10 minutes old, an active learner, the honeypot', async () => {
    const email = newAddress('again');
    await t.postForm({ email, website: '' });
    await t.postForm({ email, website: '' }); // within 10 minutes: nothing renewed
    expect(events.ofType('signed_up')).toHaveLength(1);

    t.clock.advance(11 * MINUTE);
    await t.postForm({ email, website: '' }); // renewed: a new confirmation
    expect(events.ofType('signed_up').map((e) => e.detail)).toEqual([
      { renewed: false, confirmationSent: true },
      { renewed: true, confirmationSent: true },
    ]);

    await t.app.request(`/confirm?token=${await t.confirmToken(email)}`, POST);
    events.clear();
    t.clock.advance(11 * MINUTE);
    await t.postForm({ email, website: '' }); // already learning
    await t.postForm({ email: newAddress('bot'), website: 'https://spam.example' });
    expect(events.events).toEqual([]);
  });
});

describe('the drip', () => {
  const SHARDS = 8;
  it('lesson_sent (1-based lesson, round) for each lesson it sends, and completed after the last, once each', async () => {
    const table = await stack.newTable();
    const now = new Date('2026-03-02T08:00:00.000Z');
    const clock = new SettableClock(now);
    const events = collectEvents();
    const deps = { ...dripDeps(stack, table, compiled, { clock, shards: SHARDS }), events: withAddressPolicy(events, false) };
    const course = compiled.course.slug;
    const first = await seedActive(stack, table, { course, timezone: 'UTC', dueAt: now, shards: SHARDS });
    const last = await seedActive(stack, table, {
      course,
      timezone: 'UTC',
      dueAt: now,
      shards: SHARDS,
      nextLesson: compiled.lessons.length - 1,
    });

    await runDrip(deps, { now, deadline: new Date(now.getTime() + 5 * MINUTE) });
    await runDrip(deps, { now, deadline: new Date(now.getTime() + 5 * MINUTE) }); // nothing due: nothing published

    expect(events.ofType('lesson_sent', first.id)).toEqual([
      expect.objectContaining({ course, subscriberId: first.id, detail: { lesson: 1, round: 1 } }),
    ]);
    expect(events.ofType('completed', first.id)).toEqual([]);
    expect(events.ofType('lesson_sent', last.id)).toEqual([
      expect.objectContaining({ detail: { lesson: compiled.lessons.length, round: 1 } }),
    ]);
    expect(events.ofType('completed', last.id)).toEqual([
      expect.objectContaining({ detail: { round: 1, lessons: compiled.lessons.length } }),
    ]);
    expect(events.events).toHaveLength(3);
    expect(events.events.every((e) => e.email === undefined)).toBe(true);
  });

  it('a lesson a run sent and logged but died before advancing is published by the run that advances it', async () => {
    const table = await stack.newTable();
    const now = new Date('2026-03-02T08:00:00.000Z');
    const clock = new SettableClock(now);
    const events = collectEvents();
    const base = dripDeps(stack, table, compiled, { clock, shards: SHARDS });
    const s = await seedActive(stack, table, { course: compiled.course.slug, timezone: 'UTC', dueAt: now, shards: SHARDS });
    // The send log says lesson 1 went out; the subscriber was never moved on.
    await base.store.logSends([{ subscriberId: s.id, lesson: 0, status: 'sent', at: now.toISOString(), messageId: 'm-1' }]);
    await runDrip({ ...base, events }, { now, deadline: new Date(now.getTime() + 5 * MINUTE) });
    expect(events.ofType('lesson_sent', s.id)).toEqual([
      expect.objectContaining({ detail: { lesson: 1, round: 1 }, at: now.toISOString() }),
    ]);
  });
});
