// The learner's votes (functions/core/votes.ts) and what opens a learner's link (learner.ts) on the
// in-memory subscription store, which keeps the DynamoDB store's conditions (the same rules run on
// DynamoDB Local in test/integration/http/learner.test.ts). No I/O.
import { describe, expect, it } from 'vitest';
import { courseCatalog } from '../../../functions/core/courses.js';
import type { SubscriptionEvent } from '../../../functions/core/events.js';
import { lessonsSent, openLearner, sentLessonIndex } from '../../../functions/core/learner-view.js';
import { lessonLinks, learnUrlOf } from '../../../functions/core/learner-links.js';
import type { LifecycleDeps } from '../../../functions/core/lifecycle.js';
import type { Subscriber } from '../../../functions/core/model.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { castVote, describeVote } from '../../../functions/core/votes.js';
import { MemorySubscriptionStore } from '../../support/memory-subscription-store.js';
import { shippedCourse } from '../../support/course.js';

const NOW = new Date('2026-03-10T10:00:00.000Z');

function setup(subscriber: Partial<Subscriber> = {}) {
  const store = new MemorySubscriptionStore();
  const events: SubscriptionEvent[] = [];
  const tokens = createTokens(Buffer.alloc(32, 3));
  const course = shippedCourse();
  const deps: LifecycleDeps = {
    store,
    clock: { now: () => NOW },
    tokens,
    courses: courseCatalog([{ course }]),
    config: { publicUrl: 'https://course.example', signupsPerIpPerHour: 10 },
    events: { publish: (e) => (events.push(...e), Promise.resolve()) },
  };
  const s: Subscriber = {
    id: 'learner-1',
    course: course.slug,
    email: 'ann@example.com',
    timezone: 'Europe/Berlin',
    status: 'active',
    nextLesson: 3,
    consent: { at: NOW.toISOString(), ip: '198.51.100.1', userAgent: 'test', page: 'https://course.example/' },
    createdAt: NOW.toISOString(),
    ...subscriber,
  };
  store.rows.set(s.id, s);
  const token = tokens.sign({ subscriberId: s.id, purpose: 'learn', issuedAt: NOW });
  const q = (lesson: string, vote: string) => ({ token, lesson, vote });
  return { store, deps, events, token, q, counters: (lesson: number) => store.votes.get(`${course.slug}/${lesson}`) };
}

describe('votes', () => {
  it('a first vote counts one, the same again changes nothing, a change moves one from the other', async () => {
    const { deps, q, counters, store, events } = setup();
    expect((await castVote(deps, q('2', 'yes'))).changed).toBe(true);
    expect(counters(1)).toEqual({ votedYes: 1, votedNo: 0 });
    expect((await castVote(deps, q('2', 'yes'))).changed).toBe(false);
    expect(counters(1)).toEqual({ votedYes: 1, votedNo: 0 });
    const changed = await castVote(deps, q('2', 'no'));
    expect(changed).toMatchObject({ changed: true, previous: 'yes', vote: 'no' });
    expect(counters(1)).toEqual({ votedYes: 0, votedNo: 1 });
    expect(store.rows.get('learner-1')?.votes).toEqual({ 1: 'no' });
    expect(events.map((e) => e.detail)).toEqual([
      { lesson: 2, vote: 'yes' },
      { lesson: 2, vote: 'no', previous: 'yes' },
    ]);
  });

  it('clicks racing each other count the learner once per lesson', async () => {
    const { deps, q, counters } = setup();
    const votes = ['yes', 'no', 'yes', 'yes', 'no', 'no', 'yes'];
    await Promise.all(votes.map((v) => castVote(deps, q('1', v))));
    const c = counters(0)!;
    expect(c.votedYes + c.votedNo).toBe(1);
  });

  it('the page (describeVote) reads only', async () => {
    const { deps, q, store } = setup({ votes: { 0: 'no' } });
    const before = structuredClone(store.rows.get('learner-1'));
    expect(await describeVote(deps, q('1', 'yes'))).toMatchObject({ lesson: 0, vote: 'yes', previous: 'no' });
    expect(store.rows.get('learner-1')).toEqual(before);
    expect(store.votes.size).toBe(0);
  });

  it('refuses lessons not yet sent, bad numbers and answers, ended subscriptions and other tokens, writing nothing', async () => {
    const { deps, q, store, token } = setup();
    await expect(castVote(deps, q('4', 'yes'))).rejects.toMatchObject({ code: 'lesson_not_sent', status: 404 });
    for (const lesson of ['0', '9', '', '1e0', ' 1'])
      await expect(castVote(deps, q(lesson, 'yes'))).rejects.toMatchObject({ code: 'invalid_lesson', status: 400 });
    await expect(castVote(deps, q('1', 'YES'))).rejects.toMatchObject({ code: 'invalid_vote' });
    const unsubscribe = deps.tokens.sign({ subscriberId: 'learner-1', purpose: 'unsubscribe', issuedAt: NOW });
    await expect(castVote(deps, { token: unsubscribe, lesson: '1', vote: 'yes' })).rejects.toMatchObject({ code: 'token_wrong_purpose' });
    store.rows.get('learner-1')!.status = 'unsubscribed';
    await expect(castVote(deps, { token, lesson: '1', vote: 'yes' })).rejects.toMatchObject({ code: 'subscription_ended', status: 410 });
    expect(store.votes.size).toBe(0);
    expect(store.rows.get('learner-1')?.votes).toBeUndefined();
  });
});

describe("a learner's link", () => {
  it('opens only active and completed subscriptions; completed ones have every lesson', async () => {
    const { deps, token, store } = setup({ status: 'completed', nextLesson: 8 });
    const learner = await openLearner(deps, token);
    expect(lessonsSent(learner.subscriber, 8)).toBe(8);
    expect(sentLessonIndex(learner.subscriber, 8, '8')).toBe(7);
    for (const status of ['pending', 'unsubscribed', 'bounced', 'complained'] as const) {
      store.rows.get('learner-1')!.status = status;
      await expect(openLearner(deps, token)).rejects.toMatchObject({ code: 'subscription_ended' });
    }
  });

  it("a lesson's links sit beside the course page, keeping a public URL's own path", () => {
    expect(lessonLinks(learnUrlOf('https://example.com/courses', 'T-1_x'), 2)).toEqual({
      learnUrl: 'https://example.com/courses/learn?token=T-1_x',
      webUrl: 'https://example.com/courses/learn/lessons/3?token=T-1_x',
      feedbackYesUrl: 'https://example.com/courses/feedback?token=T-1_x&lesson=3&vote=yes',
      feedbackNoUrl: 'https://example.com/courses/feedback?token=T-1_x&lesson=3&vote=no',
    });
  });
});
