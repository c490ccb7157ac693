// runDrip's own rules on a fake clock, the in-memory store (test/support/memory-drip-store.ts, held to
// the DynamoDB one's conditions by the DripStore contract suite) and a scripted mailer: scheduling after
// late sends, the deadline, the rate, the concurrency bound, the SES quota, the rejection breaker and
// what a crash leaves behind. No I/O.
import { describe, expect, it } from 'vitest';
import { runDrip, type DripDeps } from '../../../functions/core/drip/index.js';
import { SendError, type Mailer } from '../../../functions/core/ports.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { parseCourse } from '../../../functions/email/manifest.js';
import { courseCatalog, type CompiledCourse } from '../../../functions/email/compiled-course.js';
import { messageComposer } from '../../../functions/email/composer.js';
import { LATE_SEND_TOLERANCE_MS } from '../../../functions/core/schedule.js';
import { MemoryDripStore } from '../../support/memory-drip-store.js';

const course = parseCourse({
  slug: 'unit-course',
  title: 'Unit course',
  description: 'A course for tests.',
  sender: { name: 'Course', email: 'course@example.com' },
  postalAddress: '1 Test Street',
  cadenceDays: 7,
  sendHour: '09:00',
  defaultTimezone: 'UTC',
  confirmation: { file: 'system/confirm.mjml', subject: 'Confirm', preheader: 'Confirm' },
  lessons: [1, 2, 3].map((n) => ({ file: `lessons/${n}.mjml`, title: `L${n}`, subject: `Lesson ${n} of 3: L${n}`, preheader: `P${n}` })),
});
const email = (n: number) => ({
  subject: `Lesson ${n} of 3: L${n}`,
  preheader: `P${n}`,
  html: `<p>Hi {{name}}</p><a href="{{unsubscribeUrl}}">unsubscribe</a>`,
  text: `Hi {{name}} {{unsubscribeUrl}}`,
});
const compiled: CompiledCourse = { course, lessons: [email(1), email(2), email(3)], confirmation: email(0) };

/** A clock that only moves when someone sleeps (or a fake send takes time). */
function fakeTime(start: Date) {
  let t = start.getTime();
  return {
    clock: { now: () => new Date(t) },
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function setup(
  start: Date,
  o: {
    mailer?: (m: { to: string; tags?: Record<string, string> }, at: number) => Promise<void>;
    settings?: Partial<DripDeps['settings']>;
  } = {},
) {
  const store = new MemoryDripStore({ course: course.slug });
  const time = fakeTime(start);
  const sent: { to: string; lesson: string; at: number }[] = [];
  const logs: Record<string, unknown>[] = [];
  const mailer: Mailer = {
    async sendRaw(m) {
      const at = time.clock.now().getTime();
      await o.mailer?.(m, at);
      sent.push({ to: m.to, lesson: m.tags?.lesson ?? '?', at });
      return { messageId: `m${sent.length}` };
    },
  };
  const deps: DripDeps = {
    store,
    mailer,
    clock: time.clock,
    sleep: time.sleep,
    courses: courseCatalog([compiled]),
    composer: messageComposer,
    tokens: createTokens(Buffer.alloc(32, 3)),
    settings: {
      publicUrl: 'https://course.example.com',
      maxSendRate: 1000,
      sendConcurrency: 4,
      retryBaseMs: 10,
      retryMaxMs: 100,
      ...o.settings,
    },
    random: () => 0.5,
    log: (e) => logs.push(e),
  };
  const run = (now: Date, deadlineMs = 10 * 60_000) => runDrip(deps, { now, deadline: new Date(now.getTime() + deadlineMs) });
  return { store, time, sent, logs, deps, run };
}

const T = (iso: string) => new Date(iso);

describe('runDrip scheduling', () => {
  it('a lesson sent late from a long queue keeps the weekly rhythm at the send hour', async () => {
    // Due 09:00 Paris (08:00 UTC); the run that reaches them starts at 10:40 Paris.
    const { store, run } = setup(T('2026-03-03T09:40:00Z'));
    store.add('late', T('2026-03-03T08:00:00Z'));
    await run(T('2026-03-03T09:40:00Z'));
    expect(store.rows.get('late')?.nextSendAt).toBe('2026-03-10T08:00:00.000Z');
  });

  it('after an outage longer than half a day the next lesson is at least a cadence minus half a day later', async () => {
    const { store, run } = setup(T('2026-03-05T15:00:00Z'));
    store.add('outage', T('2026-03-03T08:00:00Z'));
    await run(T('2026-03-05T15:00:00Z'));
    const next = new Date(store.rows.get('outage')!.nextSendAt!);
    // Anchored at 03:00 UTC on the 5th (sent 15:00 minus half a day): a week on, then 09:00 Paris.
    expect(next.toISOString()).toBe('2026-03-12T08:00:00.000Z');
    expect(next.getTime() - T('2026-03-05T15:00:00Z').getTime()).toBeGreaterThanOrEqual(7 * 86_400_000 - LATE_SEND_TOLERANCE_MS);
  });

  it('lessons recorded as sent long before the due time are stepped over at once: the next unsent one goes out within runs, not weeks', async () => {
    // Lessons 1 and 2 went out in January; the same id is due again now (it signed up again after
    // its item was lost), back at lesson 1.
    const now = T('2026-03-03T08:00:00Z');
    const { store, sent, run } = setup(now);
    store.add('back', now);
    store.records.set('back/0', { subscriberId: 'back', lesson: 0, status: 'sent', at: '2026-01-06T08:00:00.000Z' });
    store.records.set('back/1', { subscriberId: 'back', lesson: 1, status: 'sent', at: '2026-01-13T08:00:00.000Z' });
    expect(await run(now)).toMatchObject({ sent: 0, skipped: 1 });
    expect(store.rows.get('back')).toMatchObject({ nextLesson: 1, nextSendAt: '2026-01-13T08:00:00.000Z' });
    expect(await run(T('2026-03-03T08:05:00Z'))).toMatchObject({ sent: 0, skipped: 1 });
    expect(await run(T('2026-03-03T08:10:00Z'))).toMatchObject({ sent: 1 });
    expect(sent.map((m) => m.lesson)).toEqual(['3']);
  });

  it('a place beyond the course whose completion is lost (they left meanwhile) gives the claim back', async () => {
    const { store, sent, run } = setup(T('2026-03-03T08:00:00Z'));
    store.add('left', T('2026-03-03T08:00:00Z'), { nextLesson: 5 });
    const advance = store.advance.bind(store);
    store.advance = (items) => {
      for (const { subscriberId } of items) store.rows.get(subscriberId)!.status = 'unsubscribed';
      return advance(items);
    };
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ due: 1, claimed: 1, sent: 0 });
    expect(sent).toEqual([]);
    expect(store.rows.get('left')).toMatchObject({ status: 'unsubscribed', nextLesson: 5 });
    expect(store.rows.get('left')?.claimId).toBeUndefined();
  });

  it('the last lesson completes the subscriber; a place beyond the course completes them without sending', async () => {
    const { store, sent, run } = setup(T('2026-03-03T08:00:00Z'));
    store.add('last', T('2026-03-03T08:00:00Z'), { nextLesson: 2 });
    store.add('beyond', T('2026-03-03T08:00:00Z'), { nextLesson: 5 });
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ due: 2, sent: 1, skipped: 1 });
    expect(sent.map((s) => s.to)).toEqual(['last@example.com']);
    expect(store.rows.get('last')).toMatchObject({ status: 'completed', nextLesson: 3 });
    expect(store.rows.get('beyond')?.status).toBe('completed');
  });
});

describe('runDrip limits', () => {
  it('keeps to MAX_SEND_RATE: the i-th send goes no earlier than i/rate seconds into the run', async () => {
    const start = T('2026-03-03T08:00:00Z');
    const { store, sent, run } = setup(start, { settings: { maxSendRate: 4 } });
    for (let i = 0; i < 9; i++) store.add(`s${i}`, T('2026-03-03T07:00:00Z'));
    expect(await run(start)).toMatchObject({ sent: 9 });
    const times = sent.map((s) => s.at).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) expect(times[i]! - start.getTime()).toBeGreaterThanOrEqual(i * 250);
  });

  it("lowers the rate to SES's MaxSendRate when that is smaller", async () => {
    const { store, sent, deps } = setup(T('2026-03-03T08:00:00Z'), { settings: { maxSendRate: 50 } });
    for (let i = 0; i < 4; i++) store.add(`q${i}`, T('2026-03-03T07:00:00Z'));
    const now = T('2026-03-03T08:00:00Z');
    await runDrip({ ...deps, sendQuota: () => Promise.resolve({ maxSendRate: 1 }) }, { now, deadline: new Date(now.getTime() + 600_000) });
    const times = sent.map((s) => s.at).sort((a, b) => a - b);
    expect(times).toHaveLength(4);
    for (let i = 0; i < times.length; i++) expect(times[i]! - now.getTime()).toBeGreaterThanOrEqual(i * 1000);
  });

  it('never has more than SEND_CONCURRENCY sends in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const { store, run } = setup(T('2026-03-03T08:00:00Z'), {
      settings: { sendConcurrency: 3 },
      mailer: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
      },
    });
    for (let i = 0; i < 12; i++) store.add(`c${i}`, T('2026-03-03T07:00:00Z'));
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ sent: 12 });
    expect(most).toBe(3);
  });

  it('stops starting sends before the deadline; the rest is left due for the next run', async () => {
    const start = T('2026-03-03T08:00:00Z');
    const { store, time, run } = setup(start, {
      settings: { sendConcurrency: 1, sendReserveMs: 20_000 },
      mailer: () => Promise.resolve(time.advance(4_000)),
    });
    for (let i = 0; i < 10; i++) store.add(`d${i}`, T('2026-03-03T07:00:00Z'));
    const summary = await run(start, 30_000);
    // Starts at +0, +4 s and +8 s fit (20 s reserve before a 30 s deadline); +12 s does not. The
    // page was claimed whole; the claims not used went back.
    expect(summary).toMatchObject({ due: 10, claimed: 10, sent: 3, skipped: 7, failed: 0, stoppedEarly: true });
    expect([...store.rows.values()].filter((r) => r.nextLesson === 0 && r.dueAt !== undefined && r.claimId === undefined)).toHaveLength(7);
  });

  it('a claim whose wait for a send slot runs into the deadline is given back, nothing sent', async () => {
    const start = T('2026-03-03T08:00:00Z');
    // 0.1/s: slots at +0 and +10 s; the second is past a 30 s deadline's 25 s reserve.
    const { store, sent, run } = setup(start, { settings: { maxSendRate: 0.1, sendConcurrency: 2, sendReserveMs: 25_000 } });
    for (let i = 0; i < 2; i++) store.add(`w${i}`, T('2026-03-03T07:00:00Z'));
    const summary = await run(start, 30_000);
    expect(summary).toMatchObject({ due: 2, claimed: 2, sent: 1, skipped: 1, stoppedEarly: true });
    expect(sent).toHaveLength(1);
    const waiting = [...store.rows.values()].filter((r) => r.nextLesson === 0);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.claimId).toBeUndefined();
    expect(waiting[0]!.dueAt).toBeDefined();
  });

  it('stops the run after three permanent rejections in a row: likely the account or the message, not the addresses', async () => {
    const { store, run, logs } = setup(T('2026-03-03T08:00:00Z'), {
      settings: { sendConcurrency: 1 },
      mailer: () => Promise.reject(new SendError('permanent', 'SES SendRawEmail failed (MessageRejected, permanent)')),
    });
    for (let i = 0; i < 6; i++) store.add(`r${i}`, T('2026-03-03T07:00:00Z'));
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ due: 6, failed: 3, skipped: 3, sent: 0, stoppedEarly: true });
    expect(logs.find((l) => l.msg === 'drip.summary')).toMatchObject({ stopReason: 'rejections_in_a_row', held: 3 });
    expect([...store.rows.values()].filter((r) => r.heldReason !== undefined)).toHaveLength(3);
  });

  it('emits the summary as metrics once per run, refused sends as failed and held (the alarm’s metrics), zeros included', async () => {
    const { store, deps } = setup(T('2026-03-03T08:00:00Z'), {
      settings: { sendConcurrency: 1 },
      mailer: (m) =>
        m.to.startsWith('bad')
          ? Promise.reject(new SendError('permanent', 'SES SendRawEmail failed (MessageRejected, permanent)'))
          : Promise.resolve(),
    });
    store.add('bad0', T('2026-03-03T07:00:00Z'));
    store.add('good1', T('2026-03-03T07:01:00Z'));
    const added: [string, number][] = [];
    const now = T('2026-03-03T08:00:00Z');
    await runDrip(
      { ...deps, metrics: { add: (name, value) => added.push([name, value]) } },
      { now, deadline: new Date(now.getTime() + 600_000) },
    );
    expect(Object.fromEntries(added)).toEqual({
      sent: 1,
      failed: 1,
      skipped: 0,
      held: 1,
      possibleDuplicates: 0,
      stoppedEarly: 0,
      duration: expect.any(Number) as number,
    });
    expect(added).toHaveLength(7);
  });
});

describe('runDrip stop reasons', () => {
  const summaryOf = (logs: Record<string, unknown>[]) => logs.find((l) => l.msg === 'drip.summary');

  it('a run that ends with every due lesson sent names no stop reason', async () => {
    const { store, run, logs } = setup(T('2026-03-03T08:00:00Z'));
    store.add('a1', T('2026-03-03T07:00:00Z'));
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ sent: 1, stoppedEarly: false });
    expect(summaryOf(logs)).not.toHaveProperty('stopReason');
  });

  it('the deadline: stopReason "deadline"', async () => {
    const start = T('2026-03-03T08:00:00Z');
    const { store, time, run, logs } = setup(start, {
      settings: { sendConcurrency: 1, sendReserveMs: 20_000 },
      mailer: () => Promise.resolve(time.advance(4_000)),
    });
    for (let i = 0; i < 5; i++) store.add(`d${i}`, T('2026-03-03T07:00:00Z'));
    expect(await run(start, 30_000)).toMatchObject({ sent: 3, skipped: 2, stoppedEarly: true });
    expect(summaryOf(logs)).toMatchObject({ stopReason: 'deadline' });
  });

  it('what is left of the SES 24-hour quota: stopReason "daily_quota", the rest left due and unclaimed', async () => {
    const { store, deps, logs, sent } = setup(T('2026-03-03T08:00:00Z'), { settings: { sendConcurrency: 1 } });
    for (let i = 0; i < 5; i++) store.add(`q${i}`, T('2026-03-03T07:00:00Z'));
    const now = T('2026-03-03T08:00:00Z');
    const summary = await runDrip(
      { ...deps, sendQuota: () => Promise.resolve({ maxSendRate: 1000, remaining24h: 2 }) },
      { now, deadline: new Date(now.getTime() + 600_000) },
    );
    expect(summary).toMatchObject({ due: 5, sent: 2, skipped: 3, stoppedEarly: true });
    expect(sent).toHaveLength(2);
    expect(summaryOf(logs)).toMatchObject({ stopReason: 'daily_quota' });
    const waiting = [...store.rows.values()].filter((r) => r.nextLesson === 0);
    expect(waiting).toHaveLength(3);
    for (const r of waiting) {
      expect(r.claimId).toBeUndefined();
      expect(r.dueAt).toBeDefined();
    }
  });

  it.each([
    ['throttled', 'ses_throttled'],
    ['transient', 'ses_transient'],
  ] as const)(
    'SES still %s after the retries: stopReason "%s", the deferred claim and the ones never used given back, each counted once',
    async (kind, reason) => {
      let calls = 0;
      const { store, run, logs, sent } = setup(T('2026-03-03T08:00:00Z'), {
        settings: { sendConcurrency: 1, retries: 1 },
        mailer: () => {
          calls++;
          return Promise.reject(new SendError(kind, `SES SendRawEmail failed (${kind})`));
        },
      });
      for (let i = 0; i < 3; i++) store.add(`t${i}`, T('2026-03-03T07:00:00Z'));
      expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({
        due: 3,
        claimed: 3,
        sent: 0,
        skipped: 3,
        failed: 0,
        held: 0,
        stoppedEarly: true,
      });
      expect(calls).toBe(2); // the first subscriber's try and its one retry; nothing new after that
      expect(sent).toEqual([]);
      expect(summaryOf(logs)).toMatchObject({ stopReason: reason });
      expect(logs.filter((l) => l.msg === 'drip.send_deferred')).toEqual([expect.objectContaining({ subscriber: 't0', kind })]);
      expect(store.records.size).toBe(0);
      for (const r of store.rows.values()) {
        expect(r.claimId).toBeUndefined();
        expect(r).toMatchObject({ nextLesson: 0, dueAt: expect.any(String) as string });
      }
    },
  );
});

describe('runDrip failures', () => {
  it('an error that is not a SendError stops the run like a crash: claim kept, nothing recorded, summary logged, error thrown', async () => {
    const { store, run, logs } = setup(T('2026-03-03T08:00:00Z'), { mailer: () => Promise.reject(new TypeError('bug')) });
    store.add('x', T('2026-03-03T07:00:00Z'));
    await expect(run(T('2026-03-03T08:00:00Z'))).rejects.toThrow(TypeError);
    expect(store.rows.get('x')?.claimId).toBeDefined();
    expect(store.records.size).toBe(0);
    expect(logs.filter((l) => l.msg === 'drip.summary')).toEqual([expect.objectContaining({ error: 'TypeError: bug' })]);
  });

  it('someone who unsubscribes during a throttling backoff gets nothing: the retry looks again first', async () => {
    let calls = 0;
    const { store, sent, run, logs } = setup(T('2026-03-03T08:00:00Z'), {
      mailer: () => {
        calls++;
        // SES says slow down; while the run backs off, the person clicks unsubscribe.
        store.rows.get('leaver')!.status = 'unsubscribed';
        return Promise.reject(new SendError('throttled', 'SES SendRawEmail failed (Throttling, throttled)'));
      },
    });
    store.add('leaver', T('2026-03-03T07:00:00Z'));
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ due: 1, claimed: 1, sent: 0, skipped: 1, failed: 0 });
    expect(calls).toBe(1);
    expect(sent).toEqual([]);
    expect(store.records.size).toBe(0);
    expect(store.rows.get('leaver')?.claimId).toBeUndefined();
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'drip.left_during_retry', subscriber: 'leaver', lesson: 1 }));
  });

  it('a claim check before a retry that cannot be read sends nothing and fails the run (fail closed)', async () => {
    let calls = 0;
    const { store, sent, run } = setup(T('2026-03-03T08:00:00Z'), {
      mailer: () => {
        calls++;
        return calls === 1
          ? Promise.reject(new SendError('throttled', 'SES SendRawEmail failed (Throttling, throttled)'))
          : Promise.resolve();
      },
    });
    store.holdsClaim = () => Promise.reject(new Error('DynamoDB claim check failed'));
    store.add('z', T('2026-03-03T07:00:00Z'));
    await expect(run(T('2026-03-03T08:00:00Z'))).rejects.toThrow('DynamoDB claim check failed');
    expect(calls).toBe(1);
    expect(sent).toEqual([]);
  });

  it('a suppressed address is not mailed even while its subscriber is still active: held, nothing sent', async () => {
    const { store, sent, run, logs } = setup(T('2026-03-03T08:00:00Z'));
    store.add('hushed', T('2026-03-03T07:00:00Z'));
    store.add('fine', T('2026-03-03T07:00:00Z'));
    store.suppressed.add('hushed@example.com');
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ due: 2, claimed: 2, sent: 1, skipped: 1 });
    expect(sent.map((m) => m.to)).toEqual(['fine@example.com']);
    expect(store.rows.get('hushed')).toMatchObject({ status: 'active', nextLesson: 0 });
    expect(store.rows.get('hushed')?.dueAt).toBeUndefined();
    expect(store.rows.get('hushed')?.heldReason).toContain('suppressed');
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'drip.suppressed', subscriber: 'hushed' }));
  });

  it.each([
    [
      'a placeholder it cannot fill (a course compiled by an older build)',
      { html: '<p>{{confirmUrl}}</p>' },
      /lesson 2 cannot be rendered: it has no value for \{\{confirmUrl\}\}/,
    ],
    ['a compiled email that is not even text', { text: undefined as unknown as string }, /lesson 2 of unit-course cannot be rendered: /],
  ])(
    'a lesson that cannot be rendered, %s: that learner is held with the reason, counted, and the run goes on',
    async (_what, broken, reason) => {
      const { store, sent, run, logs, deps } = setup(T('2026-03-03T08:00:00Z'));
      deps.courses = courseCatalog([{ ...compiled, lessons: compiled.lessons.map((l, i) => (i === 1 ? { ...l, ...broken } : l)) }]);
      store.add('stuck', T('2026-03-03T07:00:00Z'), { nextLesson: 1 });
      store.add('first', T('2026-03-03T07:00:00Z'));
      store.add('third', T('2026-03-03T07:00:00Z'), { nextLesson: 2 });
      expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ due: 3, sent: 2, held: 1, failed: 1 });
      expect(sent.map((m) => m.to).sort()).toEqual(['first@example.com', 'third@example.com']);
      expect(store.rows.get('stuck')).toMatchObject({ status: 'active', nextLesson: 1 });
      expect(store.rows.get('stuck')?.dueAt).toBeUndefined();
      expect(store.rows.get('stuck')?.heldReason).toMatch(reason);
      expect(store.records.get('stuck/1')).toMatchObject({ status: 'failed' });
      expect(logs).toContainEqual(expect.objectContaining({ msg: 'drip.send_rejected', subscriber: 'stuck', lesson: 2 }));
    },
  );

  it('a lesson already sent before the address was suppressed is advanced past, not held, and nothing is sent', async () => {
    const { store, sent, run } = setup(T('2026-03-03T08:00:00Z'));
    store.add('done', T('2026-03-03T07:00:00Z'));
    store.records.set('done/0', { subscriberId: 'done', lesson: 0, status: 'sent', at: '2026-03-03T07:00:00.000Z' });
    store.suppressed.add('done@example.com');
    expect(await run(T('2026-03-03T08:00:00Z'))).toMatchObject({ sent: 0, skipped: 1 });
    expect(sent).toEqual([]);
    expect(store.rows.get('done')).toMatchObject({ status: 'active', nextLesson: 1 });
    expect(store.rows.get('done')?.heldReason).toBeUndefined();
  });

  it('a suppression check that cannot be read sends nothing (fail closed)', async () => {
    const { store, sent, run } = setup(T('2026-03-03T08:00:00Z'));
    store.checkBeforeSend = () => Promise.reject(new Error('DynamoDB send check failed'));
    store.add('w', T('2026-03-03T07:00:00Z'));
    await expect(run(T('2026-03-03T08:00:00Z'))).rejects.toThrow('DynamoDB send check failed');
    expect(sent).toEqual([]);
  });

  it('a GetSendQuota failure sends nothing', async () => {
    const { store, sent, deps } = setup(T('2026-03-03T08:00:00Z'));
    store.add('y', T('2026-03-03T07:00:00Z'));
    const now = T('2026-03-03T08:00:00Z');
    await expect(
      runDrip({ ...deps, sendQuota: () => Promise.reject(new Error('SES down')) }, { now, deadline: new Date(now.getTime() + 60_000) }),
    ).rejects.toThrow('SES down');
    expect(sent).toEqual([]);
  });

  it('logs exactly one summary line per run with the counts an operator needs', async () => {
    const { store, run, logs } = setup(T('2026-03-03T08:00:00Z'));
    store.add('a', T('2026-03-03T07:00:00Z'));
    await run(T('2026-03-03T08:00:00Z'));
    const lines = logs.filter((l) => l.msg === 'drip.summary');
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]!)).toEqual(
      expect.arrayContaining([
        'due',
        'claimed',
        'sent',
        'skipped',
        'failed',
        'held',
        'possibleDuplicates',
        'durationMs',
        'emailsPerSecond',
        'stoppedEarly',
      ]),
    );
    // An object with a level, never a pre-stringified line.
    expect(lines[0]).toMatchObject({ level: 'info', sent: 1 });
  });
});
