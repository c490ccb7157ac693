// The events port's rules: the event of a change, the address policy (off by default), a publisher
// that throws never undoing a change, and the votes as metrics.
import { describe, expect, it } from 'vitest';
import {
  allOf,
  publishEvents,
  subscriptionEvent,
  voteMetricsOf,
  withAddressPolicy,
  type EventPublisher,
  type SubscriptionEvent,
} from '../../../functions/core/events.js';
import type { LogEntry } from '../../../functions/core/ports.js';
import { collectEvents } from '../../support/event-collector.js';

const person = { id: 'sub-1', course: 'sleep', email: 'ann@example.com' };
const at = new Date('2026-03-02T08:00:00Z');

describe('subscription events', () => {
  it('subscriptionEvent names the subscriber by id and course, carries the address for the policy to decide, drops undefined detail', () => {
    expect(subscriptionEvent('unsubscribed', person, at, { from: 'active', afterLesson: undefined })).toEqual({
      type: 'unsubscribed',
      course: 'sleep',
      subscriberId: 'sub-1',
      at: '2026-03-02T08:00:00.000Z',
      detail: { from: 'active' },
      email: 'ann@example.com',
    });
    expect(subscriptionEvent('confirmed', person, at)).not.toHaveProperty('detail');
  });

  it('withAddressPolicy removes the address unless the operator opted in', async () => {
    const event = subscriptionEvent('confirmed', person, at);
    const off = collectEvents();
    await withAddressPolicy(off, false).publish([event]);
    expect(off.events[0]).not.toHaveProperty('email');
    expect(off.events[0]).toMatchObject({ subscriberId: 'sub-1', course: 'sleep' });
    const on = collectEvents();
    await withAddressPolicy(on, true).publish([event]);
    expect(on.events[0]!.email).toBe('ann@example.com');
  });

  it('publishEvents: a publisher that throws is logged, never thrown (the change stands); none publishes nothing', async () => {
    const logs: LogEntry[] = [];
    const broken: EventPublisher = { publish: () => Promise.reject(new Error('bus gone')) };
    await expect(publishEvents(broken, [subscriptionEvent('confirmed', person, at)], (e) => logs.push(e))).resolves.toBeUndefined();
    expect(logs).toEqual([expect.objectContaining({ msg: 'events.not_published', level: 'error', error: 'bus gone', types: 'confirmed' })]);
    await expect(publishEvents(undefined, [subscriptionEvent('confirmed', person, at)])).resolves.toBeUndefined();
  });

  it('allOf hands every event to each publisher; one failing does not stop the others', async () => {
    const a = collectEvents();
    const failing: EventPublisher = { publish: () => Promise.reject(new Error('x')) };
    const b = collectEvents();
    await expect(allOf(a, failing, b).publish([subscriptionEvent('confirmed', person, at)])).rejects.toThrow('x');
    expect(a.events).toHaveLength(1);
    expect(b.events).toHaveLength(1);
  });
});

describe('voteMetricsOf (the dashboard’s votes per lesson)', () => {
  const vote = (detail: SubscriptionEvent['detail']): SubscriptionEvent => ({ ...subscriptionEvent('feedback_given', person, at), detail });

  it('adds 1 to votedYes or votedNo of the course and 1-based lesson', () => {
    expect(voteMetricsOf(vote({ lesson: 3, vote: 'yes' }))).toEqual([{ name: 'votedYes', course: 'sleep', lesson: 3, value: 1 }]);
    expect(voteMetricsOf(vote({ lesson: 1, vote: 'no' }))).toEqual([{ name: 'votedNo', course: 'sleep', lesson: 1, value: 1 }]);
  });

  it('a changed vote (detail.previous) also takes one from the other answer; the same vote again takes nothing', () => {
    expect(voteMetricsOf(vote({ lesson: 2, vote: 'yes', previous: 'no' }))).toEqual([
      { name: 'votedYes', course: 'sleep', lesson: 2, value: 1 },
      { name: 'votedNo', course: 'sleep', lesson: 2, value: -1 },
    ]);
    expect(voteMetricsOf(vote({ lesson: 2, vote: 'yes', previous: 'yes' }))).toHaveLength(1);
  });

  it('nothing for other events or a malformed vote', () => {
    expect(voteMetricsOf(subscriptionEvent('confirmed', person, at))).toEqual([]);
    expect(voteMetricsOf(vote({ lesson: 0, vote: 'yes' }))).toEqual([]);
    expect(voteMetricsOf(vote({ lesson: 2, vote: 'maybe' }))).toEqual([]);
    expect(voteMetricsOf(vote({ lesson: '2', vote: 'yes' }))).toEqual([]);
  });
});
