// The SubscriptionStore contract: what signup, confirm, unsubscribe and the signup outbox rely on from
// their store, as tests any implementation must pass. The DynamoDB store (functions/adapters/dynamo-store.ts
// on DynamoDB Local) is the truth; the in-memory store (memory-subscription-store.ts) runs the same tests,
// so the lifecycle rules can run without Java and cannot drift from what DynamoDB does. Each test makes
// its own store (its own key space). Times are passed in, never read from the wall clock.
//
// Run from test/unit/core/subscription-store.contract.test.ts (in memory) and
// test/integration/signup/subscription-store.test.ts (DynamoDB).
import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../functions/core/model.js';
import type {
  HeldSignup,
  PaceExpectation,
  PaceUpdate,
  PendingRenewal,
  SignupRequest,
  SubscriptionStore,
} from '../../functions/core/subscription-store.js';
import type { SubscriptionRow } from './memory-subscription-store.js';

/** A fresh store with what a test needs to set the scene and look at it. */
export interface SubscriptionStoreFixture {
  store: SubscriptionStore;
  /** The address gets suppressed as a bounce, complaint or erasure leaves it (the feedback store's suppressAddress). */
  suppress(email: string): Promise<void>;
  /** An address lock written before locks were keyed by mailbox: under the address as typed. */
  legacyLock(lock: { course: string; email: string; id: string; expiresAt?: number }): Promise<void>;
  /** The subscriber as stored, model fields and the due index entry; undefined when there is none. */
  read(id: string): Promise<SubscriptionRow | undefined>;
  /** The `unsubscribed` counter of lesson `lesson` (0-based) of `course`; 0 when never counted. */
  unsubscribedAfter(course: string, lesson: number): Promise<number>;
  /** The held confirmations of `course`, oldest hold first (as `course held` lists them). */
  heldSignups(course: string): Promise<HeldSignup[]>;
  /** Sets attributes on the subscriber item as another writer would (the drip's claim or hold). */
  setAttributes(id: string, values: Record<string, unknown>): Promise<void>;
}

export type MakeSubscriptionStore = () => Promise<SubscriptionStoreFixture>;

const COURSE = 'c';
const NOW = new Date('2026-03-02T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const WEEK_S = 7 * 24 * 60 * 60;
let serial = 0;
const freshId = (prefix = 's') => `${prefix}${Date.now().toString(36)}${(serial++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** A pending subscriber as signup writes it: confirmation sent at `sentAt`, expiring a week later. */
function pending(email: string, sentAt: Date, extra: Partial<Subscriber> = {}): Subscriber {
  return {
    id: freshId(),
    course: COURSE,
    email,
    timezone: 'Europe/Paris',
    status: 'pending',
    nextLesson: 0,
    consent: { at: sentAt.toISOString(), ip: '192.0.2.1', userAgent: 'contract', page: 'https://example.com/' },
    createdAt: sentAt.toISOString(),
    confirmationSentAt: sentAt.toISOString(),
    expiresAt: seconds(sentAt) + WEEK_S,
    ...extra,
  };
}

/** Signs `email` up as the signup path does: the address lock, then the pending subscriber. */
async function signUp(f: SubscriptionStoreFixture, email: string, sentAt = NOW, extra: Partial<Subscriber> = {}): Promise<Subscriber> {
  const s = pending(email, sentAt, extra);
  expect(await f.store.claimAddress({ course: COURSE, email, id: s.id, expiresAt: s.expiresAt }, sentAt)).toBe(true);
  expect(await f.store.createSubscriber(s)).toBe(true);
  return s;
}

/** Confirms as the confirm path does: active and due at `due`, the lock kept for good. */
async function confirm(f: SubscriptionStoreFixture, s: Subscriber, when = at(5), due = at(60 * 24)): Promise<void> {
  expect(await f.store.activate(s.id, { at: when, status: 'active', nextSendAt: due })).toBe(true);
  expect(await f.store.keepAddress(COURSE, s.email, s.id)).toBe(true);
}

function renewal(sentAt: Date, extra: Partial<PendingRenewal> = {}): PendingRenewal {
  return {
    consent: { at: sentAt.toISOString(), ip: '198.51.100.7', userAgent: 'renewal', page: 'https://example.com/again' },
    timezone: 'Asia/Kolkata',
    confirmationSentAt: sentAt.toISOString(),
    confirmationRequest: freshId('r'),
    expiresAt: seconds(sentAt) + WEEK_S,
    ...extra,
  };
}

/** The contract's tests for the store `makeStore` makes, under `SubscriptionStore contract: <name>`. */
export function describeSubscriptionStoreContract(name: string, makeStore: MakeSubscriptionStore): void {
  describe(`SubscriptionStore contract: ${name}`, () => {
    describeAddressLock(makeStore);
    describeRenewal(makeStore);
    describeConfirm(makeStore);
    describeUnsubscribe(makeStore);
    describeLifecycle(makeStore);
    describeCounters(makeStore);
    describeOutbox(makeStore);
    describeLearnerPace(makeStore);
  });
}

function describeAddressLock(makeStore: MakeSubscriptionStore): void {
  describe('the address lock: one subscription per mailbox and course', () => {
    it('a free address is claimed once; findByAddress answers the lock, its expiry and its subscriber', async () => {
      const f = await makeStore();
      expect(await f.store.findByAddress(COURSE, 'ann@example.com')).toBeUndefined();
      const s = await signUp(f, 'ann@example.com');
      expect(await f.store.claimAddress({ course: COURSE, email: 'ann@example.com', id: freshId() }, at(1))).toBe(false);
      expect(await f.store.findByAddress(COURSE, 'ann@example.com')).toEqual({ id: s.id, expiresAt: s.expiresAt, subscriber: s });
      expect(await f.store.getSubscriber(s.id)).toEqual(s);
      expect(await f.store.findByAddress('other-course', 'ann@example.com')).toBeUndefined();
    });

    it('a lock is taken over once its expiry has passed, and not a second before', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'bo@example.com');
      const expiry = new Date(s.expiresAt! * 1000);
      const next = freshId();
      expect(await f.store.claimAddress({ course: COURSE, email: 'bo@example.com', id: next }, new Date(expiry.getTime() - 1000))).toBe(
        false,
      );
      expect(
        await f.store.claimAddress({ course: COURSE, email: 'bo@example.com', id: next, expiresAt: s.expiresAt! + WEEK_S }, expiry),
      ).toBe(true);
      const found = await f.store.findByAddress(COURSE, 'bo@example.com');
      expect(found).toEqual({ id: next, expiresAt: s.expiresAt! + WEEK_S });
    });

    it('a lock without expiry (confirmed) is never taken over', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'cy@example.com');
      await confirm(f, s);
      expect(await f.store.claimAddress({ course: COURSE, email: 'cy@example.com', id: freshId() }, at(60 * 24 * 365))).toBe(false);
      expect((await f.store.findByAddress(COURSE, 'cy@example.com'))?.expiresAt).toBeUndefined();
    });

    it('aliases of one inbox meet one lock: dots and +tags at Gmail, googlemail.com', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'a.nn+x@googlemail.com');
      expect(await f.store.claimAddress({ course: COURSE, email: 'ann@gmail.com', id: freshId() }, at(1))).toBe(false);
      expect((await f.store.findByAddress(COURSE, 'an.n@gmail.com'))?.id).toBe(s.id);
      expect(await f.store.keepAddress(COURSE, 'ann+y@gmail.com', s.id)).toBe(true);
    });

    it('ten parallel claims of one address: exactly one wins', async () => {
      const f = await makeStore();
      const wins = await Promise.all(
        Array.from({ length: 10 }, () => f.store.claimAddress({ course: COURSE, email: 'race@example.com', id: freshId() }, NOW)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('a lock written under the address as typed is found, and kept, under it', async () => {
      const f = await makeStore();
      const id = freshId();
      await f.legacyLock({ course: COURSE, email: 'd.an@gmail.com', id, expiresAt: seconds(NOW) + WEEK_S });
      expect(await f.store.findByAddress(COURSE, 'd.an@gmail.com')).toEqual({ id, expiresAt: seconds(NOW) + WEEK_S });
      expect(await f.store.keepAddress(COURSE, 'd.an@gmail.com', freshId())).toBe(false);
      expect(await f.store.keepAddress(COURSE, 'd.an@gmail.com', id)).toBe(true);
      expect(await f.store.findByAddress(COURSE, 'd.an@gmail.com')).toEqual({ id });
    });

    it('keepAddress keeps only the lock of its own id', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'eve@example.com');
      expect(await f.store.keepAddress(COURSE, 'eve@example.com', freshId())).toBe(false);
      expect((await f.store.findByAddress(COURSE, 'eve@example.com'))?.expiresAt).toBe(s.expiresAt);
      expect(await f.store.keepAddress(COURSE, 'nobody@example.com', s.id)).toBe(false);
    });

    it('a subscriber id is written once', async () => {
      const f = await makeStore();
      const s = pending('fay@example.com', NOW);
      expect(await f.store.createSubscriber(s)).toBe(true);
      expect(await f.store.createSubscriber({ ...s, email: 'other@example.com' })).toBe(false);
      expect(await f.store.getSubscriber(s.id)).toEqual(s);
      expect(await f.store.getSubscriber(freshId())).toBeUndefined();
    });

    it('suppression stops every spelling of the inbox, and only it', async () => {
      const f = await makeStore();
      expect(await f.store.isSuppressed('g.uy+news@gmail.com')).toBe(false);
      await f.suppress('g.uy+news@gmail.com');
      for (const spelling of ['g.uy+news@gmail.com', 'guy@gmail.com', 'g.u.y@googlemail.com', 'guy+other@gmail.com'])
        expect(await f.store.isSuppressed(spelling), spelling).toBe(true);
      expect(await f.store.isSuppressed('guyana@gmail.com')).toBe(false);
      expect(await f.store.isSuppressed('guy@example.com')).toBe(false);
    });
  });
}

function describeRenewal(makeStore: MakeSubscriptionStore): void {
  describe('renewPending: a signup again, at most one confirmation per window', () => {
    it('renews a pending subscription whose confirmation went out before the cutoff, and extends its lock', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'hal@example.com', NOW, { unknownTimezone: 'Mars/Olympus', confirmationRequest: 'old-request' });
      const r = renewal(at(11), { name: 'Hal' });
      const renewed = await f.store.renewPending(s.id, r, at(1));
      const { unknownTimezone: _tz, ...kept } = s;
      const expected: Subscriber = {
        ...kept,
        status: 'pending',
        consent: r.consent,
        timezone: r.timezone,
        name: 'Hal',
        confirmationSentAt: r.confirmationSentAt!,
        confirmationRequest: r.confirmationRequest!,
        expiresAt: r.expiresAt,
      };
      expect(renewed).toEqual(expected);
      expect(await f.store.getSubscriber(s.id)).toEqual(expected);
      expect(await f.store.findByAddress(COURSE, 'hal@example.com')).toEqual({ id: s.id, expiresAt: r.expiresAt, subscriber: expected });
    });

    it('within the window nothing changes; at the cutoff itself neither', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'ida@example.com');
      expect(await f.store.renewPending(s.id, renewal(at(5)), at(-5))).toBeUndefined();
      expect(await f.store.renewPending(s.id, renewal(at(10)), NOW)).toBeUndefined();
      expect(await f.store.getSubscriber(s.id)).toEqual(s);
    });

    it('ten parallel renewals: exactly one takes the window', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'jo@example.com');
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => f.store.renewPending(s.id, renewal(at(20 + i)), at(10))));
      expect(outcomes.filter((o) => o !== undefined)).toHaveLength(1);
    });

    it('a renewal without a confirmation (an import) keeps the last send time and drops the request', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'kai@example.com', NOW, { confirmationRequest: 'old-request' });
      const r = renewal(at(30));
      delete r.confirmationSentAt;
      delete r.confirmationRequest;
      const renewed = await f.store.renewPending(s.id, r, at(20));
      expect(renewed?.confirmationSentAt).toBe(s.confirmationSentAt);
      expect(renewed).not.toHaveProperty('confirmationRequest');
      expect(renewed?.name).toBeUndefined();
    });

    it('active, completed, suppressed-status and unknown subscribers are not renewed', async () => {
      const f = await makeStore();
      const active = await signUp(f, 'lu@example.com');
      await confirm(f, active);
      const done = await signUp(f, 'mo@example.com');
      expect(await f.store.activate(done.id, { at: at(5), status: 'completed' })).toBe(true);
      const bounced = pending('ned@example.com', NOW, { status: 'bounced' });
      await f.store.createSubscriber(bounced);
      for (const id of [active.id, done.id, bounced.id, freshId()])
        expect(await f.store.renewPending(id, renewal(at(60)), at(50)), id).toBeUndefined();
      expect((await f.store.getSubscriber(bounced.id))?.status).toBe('bounced');
    });

    it('forgetConfirmationSent clears the send time only while it is still the one given', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'ola@example.com');
      await f.store.forgetConfirmationSent(s.id, at(-1).toISOString());
      expect((await f.store.getSubscriber(s.id))?.confirmationSentAt).toBe(NOW.toISOString());
      await f.store.forgetConfirmationSent(s.id, NOW.toISOString());
      expect(await f.store.getSubscriber(s.id)).not.toHaveProperty('confirmationSentAt');
      // With no send time, the window is free at once.
      expect(await f.store.renewPending(s.id, renewal(at(1)), at(1))).toBeDefined();
      await f.store.forgetConfirmationSent(freshId(), NOW.toISOString());
    });
  });
}

function describeConfirm(makeStore: MakeSubscriptionStore): void {
  describe('activate: pending → active (due) or completed, once, before it expires', () => {
    it('active: confirmed, due at nextSendAt in the due index, no expiry', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'pia@example.com');
      expect(await f.store.activate(s.id, { at: at(5), status: 'active', nextSendAt: at(60) })).toBe(true);
      const row = await f.read(s.id);
      expect(row).toMatchObject({ status: 'active', confirmedAt: at(5).toISOString(), nextSendAt: at(60).toISOString() });
      expect(row?.dueAt).toBe(`${at(60).toISOString()}#${s.id}`);
      expect(row?.dueShard).toMatch(/^DUE#\d+$/);
      expect(row).not.toHaveProperty('expiresAt');
      expect(await f.store.activate(s.id, { at: at(6), status: 'active', nextSendAt: at(61) })).toBe(false);
      expect((await f.read(s.id))?.nextSendAt).toBe(at(60).toISOString());
    });

    it('completed (a course with nothing left to send): confirmed, not due', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'quin@example.com');
      expect(await f.store.activate(s.id, { at: at(5), status: 'completed' })).toBe(true);
      const row = await f.read(s.id);
      expect(row).toMatchObject({ status: 'completed', confirmedAt: at(5).toISOString() });
      for (const field of ['nextSendAt', 'dueAt', 'dueShard', 'expiresAt']) expect(row).not.toHaveProperty(field);
    });

    it('an expired pending subscription is not confirmed (TTL deletes lazily), nor an unknown or unsubscribed one', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'ray@example.com');
      const expiry = new Date(s.expiresAt! * 1000);
      expect(await f.store.activate(s.id, { at: expiry, status: 'active', nextSendAt: at(60) })).toBe(false);
      expect((await f.read(s.id))?.status).toBe('pending');
      expect(await f.store.activate(freshId(), { at: at(1), status: 'completed' })).toBe(false);
      const left = await signUp(f, 'sue@example.com');
      await f.store.unsubscribe(left.id, at(1));
      expect(await f.store.activate(left.id, { at: at(2), status: 'active', nextSendAt: at(60) })).toBe(false);
      expect(await f.store.activate(s.id, { at: new Date(expiry.getTime() - 1000), status: 'completed' })).toBe(true);
    });

    it('ten parallel confirmations: exactly one activates', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'tom@example.com');
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => f.store.activate(s.id, { at: at(5), status: 'active', nextSendAt: at(60 + i) })),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('active without nextSendAt is refused', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'uma@example.com');
      await expect((async () => f.store.activate(s.id, { at: at(5), status: 'active' }))()).rejects.toThrow(/nextSendAt/);
      expect((await f.read(s.id))?.status).toBe('pending');
    });
  });
}

function describeUnsubscribe(makeStore: MakeSubscriptionStore): void {
  describe('unsubscribe: pending, active or completed → unsubscribed, out of the due index at once', () => {
    it('answers the subscriber as it was and takes them out of the due index', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'val@example.com');
      await confirm(f, s, at(5), at(60));
      const before = await f.store.getSubscriber(s.id);
      expect(await f.store.unsubscribe(s.id, at(30))).toEqual(before);
      const row = await f.read(s.id);
      expect(row).toMatchObject({ status: 'unsubscribed', unsubscribedAt: at(30).toISOString() });
      for (const field of ['nextSendAt', 'dueAt', 'dueShard']) expect(row).not.toHaveProperty(field);
    });

    it('pending and completed subscribers leave too; a second unsubscribe, or an unknown id, answers nothing', async () => {
      const f = await makeStore();
      const p = await signUp(f, 'wes@example.com');
      const c = await signUp(f, 'xia@example.com');
      await f.store.activate(c.id, { at: at(1), status: 'completed' });
      expect((await f.store.unsubscribe(p.id, at(2)))?.status).toBe('pending');
      expect((await f.store.unsubscribe(c.id, at(2)))?.status).toBe('completed');
      expect(await f.store.unsubscribe(p.id, at(3))).toBeUndefined();
      expect((await f.read(p.id))?.unsubscribedAt).toBe(at(2).toISOString());
      expect(await f.store.unsubscribe(freshId(), at(3))).toBeUndefined();
    });

    it('a bounced or complained subscriber stays as they are', async () => {
      const f = await makeStore();
      for (const status of ['bounced', 'complained'] as const) {
        const s = pending(`${status}@example.com`, NOW, { status });
        await f.store.createSubscriber(s);
        expect(await f.store.unsubscribe(s.id, at(1))).toBeUndefined();
        expect(await f.store.getSubscriber(s.id)).toEqual(s);
      }
    });

    it('ten parallel unsubscribes: exactly one answers the subscriber', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'yan@example.com');
      await confirm(f, s);
      const answers = await Promise.all(Array.from({ length: 10 }, () => f.store.unsubscribe(s.id, at(30))));
      expect(answers.filter((a) => a !== undefined)).toHaveLength(1);
    });
  });
}

function describeLifecycle(makeStore: MakeSubscriptionStore): void {
  describe('the lifecycle through the store', () => {
    it('subscribe → confirm → unsubscribe → subscribe again (same id, kept lock) → confirm again', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'zoe@example.com');
      await confirm(f, s, at(5), at(60));
      expect(await f.store.findByAddress(COURSE, 'zoe@example.com')).toMatchObject({ id: s.id, subscriber: { status: 'active' } });
      await f.store.unsubscribe(s.id, at(120));
      // The lock stays the subscriber's: a new signup renews the same subscription.
      expect(await f.store.claimAddress({ course: COURSE, email: 'zoe@example.com', id: freshId() }, at(121))).toBe(false);
      const r = renewal(at(121));
      expect((await f.store.renewPending(s.id, r, at(111)))?.status).toBe('pending');
      // A kept lock never gets an expiry back.
      expect(await f.store.findByAddress(COURSE, 'zoe@example.com')).toEqual({
        id: s.id,
        subscriber: expect.objectContaining({ status: 'pending', expiresAt: r.expiresAt }) as Subscriber,
      });
      expect(await f.read(s.id)).not.toHaveProperty('dueAt');
      expect(await f.store.activate(s.id, { at: at(130), status: 'active', nextSendAt: at(200) })).toBe(true);
      expect(await f.read(s.id)).toMatchObject({ status: 'active', dueAt: `${at(200).toISOString()}#${s.id}` });
    });

    it('the "already subscribed" email: active only, one per window, given back only while it is still ours', async () => {
      const f = await makeStore();
      const s = await signUp(f, 'abe@example.com');
      expect(await f.store.claimKnownSignupNotice(s.id, at(1), at(-9))).toBe(false);
      await confirm(f, s);
      expect(await f.store.claimKnownSignupNotice(s.id, at(10), at(0))).toBe(true);
      expect(await f.store.claimKnownSignupNotice(s.id, at(15), at(5))).toBe(false);
      await f.store.forgetKnownSignupNotice(s.id, at(9));
      expect((await f.store.getSubscriber(s.id))?.knownSignupNoticeAt).toBe(at(10).toISOString());
      await f.store.forgetKnownSignupNotice(s.id, at(10));
      expect(await f.store.getSubscriber(s.id)).not.toHaveProperty('knownSignupNoticeAt');
      const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => f.store.claimKnownSignupNotice(s.id, at(20 + i), at(10))));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await f.store.claimKnownSignupNotice(freshId(), at(30), at(20))).toBe(false);
    });
  });
}

function describeCounters(makeStore: MakeSubscriptionStore): void {
  describe('counters', () => {
    it('hitRateLimit counts the hits of one key in one window, each answer including its own hit', async () => {
      const f = await makeStore();
      const key = `ip#${freshId()}`;
      expect(await f.store.hitRateLimit(key, NOW, 3600)).toBe(1);
      const counts = await Promise.all(Array.from({ length: 9 }, () => f.store.hitRateLimit(key, at(1), 3600)));
      expect(counts.sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await f.store.hitRateLimit(`${key}-other`, NOW, 3600)).toBe(1);
      const nextWindow = new Date((Math.floor(seconds(NOW) / 3600) + 1) * 3600 * 1000);
      expect(await f.store.hitRateLimit(key, nextWindow, 3600)).toBe(1);
      expect(await f.store.hitRateLimit(key, new Date(nextWindow.getTime() - 1), 3600)).toBe(11);
    });

    it('countUnsubscribeAfter adds one to the lesson of the course; a lesson index that is not a whole number ≥ 0 is refused', async () => {
      const f = await makeStore();
      await Promise.all([f.store.countUnsubscribeAfter(COURSE, 2), f.store.countUnsubscribeAfter(COURSE, 2)]);
      await f.store.countUnsubscribeAfter(COURSE, 0);
      expect(await f.unsubscribedAfter(COURSE, 2)).toBe(2);
      expect(await f.unsubscribedAfter(COURSE, 0)).toBe(1);
      expect(await f.unsubscribedAfter(COURSE, 1)).toBe(0);
      expect(await f.unsubscribedAfter('other', 2)).toBe(0);
      await expect(f.store.countUnsubscribeAfter(COURSE, -1)).rejects.toThrow(RangeError);
      await expect(f.store.countUnsubscribeAfter(COURSE, 1.5)).rejects.toThrow(RangeError);
    });
  });
}

/** A signup request received at `receivedAt` (the request id sorts requests received at one instant). */
function request(receivedAt: Date, requestId = freshId('q')): SignupRequest {
  return {
    requestId,
    receivedAt: receivedAt.toISOString(),
    fields: { email: `${requestId}@example.com`, timezone: 'UTC' },
    course: COURSE,
    consent: { at: receivedAt.toISOString(), ip: '192.0.2.9', userAgent: 'contract', page: 'https://example.com/' },
  };
}

async function allDue(f: SubscriptionStoreFixture, now: Date, limit = 100): Promise<SignupRequest[]> {
  const out: SignupRequest[] = [];
  let after: unknown;
  do {
    const page = await f.store.dueSignups(now, limit, after);
    expect(page.requests.length).toBeLessThanOrEqual(limit);
    out.push(...page.requests);
    after = page.next;
  } while (after !== undefined);
  return out;
}

function describeOutbox(makeStore: MakeSubscriptionStore): void {
  describe('the signup outbox', () => {
    it('answers the requests due at now, oldest first (then by id), as enqueued; later ones are not read', async () => {
      const f = await makeStore();
      const rs = [request(at(-3)), request(at(-9)), request(at(0)), request(at(-3), 'aaa'), request(at(0), 'zzz')];
      for (const r of rs) await f.store.enqueueSignup(r, seconds(NOW) + WEEK_S);
      await f.store.enqueueSignup(request(new Date(NOW.getTime() + 1)), seconds(NOW) + WEEK_S);
      const due = await f.store.dueSignups(NOW, 100);
      // 'aaa' sorts before, and 'zzz' after, the random ids ('q…') received at the same instant.
      expect(due.requests).toEqual([rs[1], rs[3], rs[0], rs[2], rs[4]]);
      expect(due.next).toBeUndefined();
    });

    it('pages: five due requests two at a time, in order, the last page saying there is no more', async () => {
      const f = await makeStore();
      const rs = Array.from({ length: 5 }, (_, i) => request(at(-10 + i)));
      for (const r of rs) await f.store.enqueueSignup(r, seconds(NOW) + WEEK_S);
      const first = await f.store.dueSignups(NOW, 2);
      expect(first.requests).toEqual(rs.slice(0, 2));
      expect(first.next).toBeDefined();
      expect(await allDue(f, NOW, 2)).toEqual(rs);
    });

    it('a request is claimed once while the lease lives, and again once it has run out', async () => {
      const f = await makeStore();
      const r = request(at(-1));
      await f.store.enqueueSignup(r, seconds(NOW) + WEEK_S);
      const claims = await Promise.all(Array.from({ length: 5 }, (_, i) => f.store.claimSignup(r, `w${i}`, NOW, at(1))));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await f.store.claimSignup(r, 'late', new Date(at(1).getTime() - 1), at(2))).toBe(false);
      expect(await f.store.claimSignup(r, 'late', at(1), at(2))).toBe(true);
      // The first holder, whose lease ran out, can no longer finish it.
      const first = `w${claims.indexOf(true)}`;
      expect(await f.store.finishSignup(r, first)).toBe(false);
      expect(await f.store.finishSignup(r, 'late')).toBe(true);
      expect(await f.store.finishSignup(r, 'late')).toBe(false);
      expect(await f.store.claimSignup(r, 'again', at(5), at(6))).toBe(false);
      expect(await allDue(f, at(10))).toEqual([]);
    });

    it('a released request moves to its retry time: not read before it, claimable at it, its stale copy not', async () => {
      const f = await makeStore();
      const r = request(at(-1));
      await f.store.enqueueSignup(r, seconds(NOW) + WEEK_S);
      expect(await f.store.claimSignup(r, 'w', NOW, at(1))).toBe(true);
      await f.store.releaseSignup(r, 'other', at(2), 'not mine');
      expect(await allDue(f, NOW)).toEqual([r]);
      await f.store.releaseSignup(r, 'w', at(5), 'SES throttled');
      expect(await allDue(f, at(5 - 0.001))).toEqual([]);
      const moved = await allDue(f, at(5));
      expect(moved).toEqual([{ ...r, attempts: 1, dueAt: at(5).toISOString() }]);
      expect(await f.store.claimSignup(r, 'stale', at(5), at(6))).toBe(false);
      expect(await f.store.claimSignup(moved[0]!, 'w2', new Date(at(5).getTime() - 1), at(6))).toBe(false);
      expect(await f.store.claimSignup(moved[0]!, 'w2', at(5), at(6))).toBe(true);
      await f.store.releaseSignup(moved[0]!, 'w2', at(8), 'again');
      expect(await allDue(f, at(8))).toEqual([{ ...r, attempts: 2, dueAt: at(8).toISOString() }]);
    });

    it('a refused confirmation is held: out of the outbox, listed for the operator; only by the lease holder', async () => {
      const f = await makeStore();
      const r = request(at(-1));
      await f.store.enqueueSignup(r, seconds(NOW) + WEEK_S);
      await f.store.claimSignup(r, 'w', NOW, at(1));
      const held: HeldSignup = {
        requestId: r.requestId,
        course: COURSE,
        email: r.fields.email,
        receivedAt: r.receivedAt,
        heldAt: NOW.toISOString(),
        reason: 'MessageRejected: Email address is not verified.',
        attempts: 1,
      };
      expect(await f.store.holdSignup(r, 'other', held, seconds(NOW) + 30 * 24 * 3600)).toBe(false);
      expect(await f.heldSignups(COURSE)).toEqual([]);
      expect(await f.store.holdSignup(r, 'w', held, seconds(NOW) + 30 * 24 * 3600)).toBe(true);
      expect(await f.heldSignups(COURSE)).toEqual([held]);
      expect(await f.heldSignups('other')).toEqual([]);
      expect(await allDue(f, at(10))).toEqual([]);
      expect(await f.store.holdSignup(r, 'w', held, seconds(NOW))).toBe(false);
    });
  });
}

function describeLearnerPace(makeStore: MakeSubscriptionStore): void {
  describe("the learner's controls: one conditional write each", () => {
    /** An active subscriber on lesson 3 (index 2), due tomorrow. */
    async function learner(f: SubscriptionStoreFixture, email: string): Promise<Subscriber> {
      const s = await signUp(f, email);
      await confirm(f, s);
      await f.setAttributes(s.id, { nextLesson: 2 });
      return (await f.store.getSubscriber(s.id))!;
    }
    const expecting = (extra: Partial<PaceExpectation> = {}): PaceExpectation => ({
      status: 'active',
      nextLesson: 2,
      round: 1,
      paused: false,
      now: at(10),
      ...extra,
    });
    const pause: PaceUpdate = { set: { pausedAt: at(10).toISOString() }, remove: [], due: 'out' };

    it('a pause takes them out of the due index and bumps the pace version; the same pause again finds them paused and writes nothing', async () => {
      const f = await makeStore();
      const s = await learner(f, 'pa@example.com');
      expect(await f.store.updatePace(s.id, pause, expecting())).toBe(true);
      const row = await f.read(s.id);
      expect(row).toMatchObject({
        status: 'active',
        nextLesson: 2,
        pausedAt: at(10).toISOString(),
        nextSendAt: s.nextSendAt,
        paceVersion: 1,
      });
      expect(row?.dueShard).toBeUndefined();
      expect(row?.dueAt).toBeUndefined();
      expect(await f.store.getSubscriber(s.id)).not.toHaveProperty('paceVersion');
      expect(await f.store.updatePace(s.id, pause, expecting())).toBe(false);
      expect((await f.read(s.id))?.paceVersion).toBe(1);
    });

    it('into the due index at the new nextSendAt, fields removed; a restart sets round and lesson', async () => {
      const f = await makeStore();
      const s = await learner(f, 'pb@example.com');
      expect(await f.store.updatePace(s.id, pause, expecting())).toBe(true);
      const due = at(60 * 30).toISOString();
      const resume: PaceUpdate = { set: { nextSendAt: due }, remove: ['pausedAt', 'pausedUntil'], due: 'in' };
      expect(await f.store.updatePace(s.id, resume, expecting({ paused: true }))).toBe(true);
      let row = await f.read(s.id);
      expect(row).toMatchObject({ nextSendAt: due, dueAt: `${due}#${s.id}`, paceVersion: 2 });
      expect(row?.dueShard).toMatch(/^DUE#[0-2]$/);
      expect(row?.pausedAt).toBeUndefined();
      const restart: PaceUpdate = { set: { status: 'active', round: 2, nextLesson: 0, nextSendAt: due }, remove: [], due: 'in' };
      expect(await f.store.updatePace(s.id, restart, expecting())).toBe(true);
      row = await f.read(s.id);
      expect(row).toMatchObject({ round: 2, nextLesson: 0 });
      // Round 2 now: what expects round 1 (or lesson 3) is refused.
      expect(await f.store.updatePace(s.id, pause, expecting())).toBe(false);
      expect(await f.store.updatePace(s.id, pause, expecting({ nextLesson: 0 }))).toBe(false);
      expect(await f.store.updatePace(s.id, pause, expecting({ nextLesson: 0, round: 2 }))).toBe(true);
    });

    it('refused on another status, lesson, round or pause state, while held, and while a drip claim lives; an expired claim is dropped', async () => {
      const f = await makeStore();
      const s = await learner(f, 'pc@example.com');
      for (const wrong of [
        expecting({ status: 'completed' }),
        expecting({ nextLesson: 3 }),
        expecting({ round: 2 }),
        expecting({ paused: true }),
      ])
        expect(await f.store.updatePace(s.id, pause, wrong)).toBe(false);
      await f.setAttributes(s.id, { claimId: 'run-1', claimUntil: at(10).getTime() });
      expect(await f.store.updatePace(s.id, pause, expecting())).toBe(false);
      // At its last millisecond the claim still lives; after it, its run has died.
      await f.setAttributes(s.id, { claimUntil: at(10).getTime() - 1 });
      expect(await f.store.updatePace(s.id, pause, expecting())).toBe(true);
      const row = await f.read(s.id);
      expect(row?.claimId).toBeUndefined();
      expect(row?.claimUntil).toBeUndefined();
      const held = await learner(f, 'pd@example.com');
      await f.setAttributes(held.id, { heldAt: at(1).toISOString() });
      expect(await f.store.updatePace(held.id, pause, expecting())).toBe(false);
      expect(await f.store.updatePace('nobody', pause, expecting())).toBe(false);
    });

    it('next now: refused while the last one is after the cutoff; parallel clicks: exactly one wins', async () => {
      const f = await makeStore();
      const s = await learner(f, 'pe@example.com');
      const nowIso = at(10).toISOString();
      const next: PaceUpdate = { set: { nextSendAt: nowIso, nextNowAt: nowIso }, remove: [], due: 'in' };
      const cutoff = at(10 - 24 * 60).toISOString();
      const wins = await Promise.all(Array.from({ length: 6 }, () => f.store.updatePace(s.id, next, expecting({ nextNowBefore: cutoff }))));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await f.read(s.id))?.nextNowAt).toBe(nowIso);
      expect(await f.store.updatePace(s.id, next, expecting({ nextNowBefore: at(9).toISOString() }))).toBe(false);
      expect(await f.store.updatePace(s.id, next, expecting({ nextNowBefore: nowIso }))).toBe(true);
    });

    it('a learner who left while paused and confirms a new signup is not paused any more', async () => {
      const f = await makeStore();
      const s = await learner(f, 'pg@example.com');
      expect(await f.store.updatePace(s.id, pause, expecting())).toBe(true);
      expect(await f.store.unsubscribe(s.id, at(20))).toBeDefined();
      expect(await f.store.renewPending(s.id, renewal(at(30)), at(30))).toBeDefined();
      expect(await f.store.activate(s.id, { at: at(40), status: 'active', nextSendAt: at(40) })).toBe(true);
      const row = await f.read(s.id);
      expect(row?.pausedAt).toBeUndefined();
      expect(row?.dueAt).toBe(`${at(40).toISOString()}#${s.id}`);
    });

    it('a completed learner: settings stored out of the due index; a zone field that is a reserved word is written', async () => {
      const f = await makeStore();
      const s = await learner(f, 'pf@example.com');
      await f.setAttributes(s.id, { status: 'completed', nextLesson: 8, weekday: 3 });
      const change: PaceUpdate = {
        set: { sendHour: '18:30', timezone: 'Asia/Kathmandu', cadenceDays: 3 },
        remove: ['weekday'],
        due: 'out',
      };
      expect(await f.store.updatePace(s.id, change, expecting({ status: 'completed', nextLesson: 8 }))).toBe(true);
      const row = await f.read(s.id);
      expect(row).toMatchObject({ status: 'completed', sendHour: '18:30', timezone: 'Asia/Kathmandu', cadenceDays: 3 });
      expect(row?.weekday).toBeUndefined();
    });
  });
}
