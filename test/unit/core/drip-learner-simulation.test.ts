// The drip with learners at the controls, as a property (fast-check): weeks of hourly drip runs on the
// in-memory stores (one table: the drip store's and the subscription store's rows are the same map),
// while learners in DST, half-hour and quarter-hour zones pause, pause until a date, resume, take
// "next now", restart (also after finishing) and change hour, zone, weekday and cadence, across the
// March and October/November DST weeks of Europe and the US; some runs overlap, one may crash mid-run.
// At every send and at the end test/support/learner-ledger.ts checks: each lesson of each round once
// and in order, never while paused, at the learner's local send hour (or at once for "next now"), no
// burst; every learner's last round complete. No I/O.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runDrip, type DripDeps } from '../../../functions/core/drip/index.js';
import { courseCatalog as catalogOf } from '../../../functions/core/courses.js';
import { AppError } from '../../../functions/core/errors.js';
import {
  changeSettings,
  nextLessonNow,
  pauseLessons,
  restartCourse,
  resumeLessons,
  type LearnerCourse,
  type LearnerResult,
} from '../../../functions/core/learner.js';
import type { LifecycleDeps } from '../../../functions/core/lifecycle.js';
import type { Mailer } from '../../../functions/core/ports.js';
import { localDate, nextSendSlot, paceOf } from '../../../functions/core/schedule.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { courseCatalog, type CompiledCourse } from '../../../functions/email/compiled-course.js';
import { messageComposer } from '../../../functions/email/composer.js';
import { parseCourse } from '../../../functions/email/manifest.js';
import { LearnerLedger } from '../../support/learner-ledger.js';
import { MemoryDripStore } from '../../support/memory-drip-store.js';
import { MemorySubscriptionStore } from '../../support/memory-subscription-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LESSONS = 4;

const course = parseCourse({
  slug: 'sim',
  title: 'Simulated course',
  description: 'A course for the simulation.',
  sender: { name: 'Course', email: 'course@example.com' },
  postalAddress: '1 Test Street',
  cadenceDays: 7,
  cadenceChoices: [1, 3, 7, 14],
  sendHour: '09:00',
  defaultTimezone: 'UTC',
  confirmation: { file: 'system/confirm.mjml', subject: 'Confirm', preheader: 'Confirm' },
  lessons: Array.from({ length: LESSONS }, (_, i) => ({
    file: `lessons/${i + 1}.mjml`,
    title: `L${i + 1}`,
    subject: `Lesson ${i + 1}`,
    preheader: `P${i + 1}`,
  })),
});
const email = (n: number) => ({
  subject: `Lesson ${n}`,
  preheader: `P${n}`,
  html: `<p>{{name}}</p>{{unsubscribeUrl}}`,
  text: `{{unsubscribeUrl}}`,
});
const compiled: CompiledCourse = { course, lessons: Array.from({ length: LESSONS }, (_, i) => email(i + 1)), confirmation: email(0) };
const tokens = createTokens(Buffer.alloc(32, 5));

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC'] as const;
// Hours clear of the DST gaps (02:00–03:00), so every due time is a real local send hour.
const HOURS = ['07:00', '09:00', '18:30', '21:45'] as const;
// Two Mondays: the March weeks (US 8 March, Europe 29 March) and the autumn ones (Europe 25 October, US 1 November).
const STARTS = ['2026-03-02T00:00:00.000Z', '2026-10-19T00:00:00.000Z'] as const;

type Action =
  | { kind: 'pause' }
  | { kind: 'pauseUntil'; days: number }
  | { kind: 'resume' }
  | { kind: 'next' }
  | { kind: 'restart' }
  | { kind: 'settings'; fields: Record<string, string> };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constant<Action>({ kind: 'pause' }),
  fc.integer({ min: 1, max: 20 }).map((days): Action => ({ kind: 'pauseUntil', days })),
  fc.constant<Action>({ kind: 'resume' }),
  fc.constant<Action>({ kind: 'next' }),
  fc.constant<Action>({ kind: 'restart' }),
  fc
    .record(
      {
        sendHour: fc.constantFrom(...HOURS),
        timezone: fc.constantFrom(...ZONES),
        cadenceDays: fc.constantFrom('1', '3', '7', '14'),
        weekday: fc.constantFrom('', '1', '3', '7'),
      },
      { requiredKeys: [] },
    )
    .map((fields): Action => ({ kind: 'settings', fields })),
);

const scenario = fc.record({
  start: fc.constantFrom(...STARTS),
  learners: fc.array(fc.record({ zone: fc.constantFrom(...ZONES), hour: fc.constantFrom(...HOURS) }), { minLength: 1, maxLength: 3 }),
  actions: fc.array(fc.record({ hour: fc.integer({ min: 0, max: 6 * 7 * 24 - 1 }), who: fc.nat(), act: action }), { maxLength: 30 }),
  overlapEvery: fc.integer({ min: 2, max: 6 }),
  crashAtSend: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
});

interface Scenario {
  start: string;
  learners: { zone: string; hour: string }[];
  actions: { hour: number; who: number; act: Action }[];
  /** Every this many hours, three runs start at once. */
  overlapEvery: number;
  /** The process dies at this send (counting from 1), before SES takes it. */
  crashAtSend: number | undefined;
}

/** One scenario: six weeks of hourly runs with the learners' actions half past the hour, then runs until everyone has finished. */
async function simulate(sc: Scenario): Promise<LearnerLedger> {
  const dripStore = new MemoryDripStore({ course: course.slug, dueShards: 2 });
  const store = new MemorySubscriptionStore({ dueShards: 2 });
  store.rows = dripStore.rows;
  let t = Date.parse(sc.start);
  const clock = { now: () => new Date(t) };
  const ledger = new LearnerLedger({ ...course, lessons: LESSONS }, 2 * HOUR + 5 * 60_000);
  let sends = 0;
  const mailer: Mailer = {
    sendRaw(m) {
      sends++;
      // A crash in the middle of a run, before SES took the message: the claim is left to expire.
      if (sends === sc.crashAtSend) throw new Error('the process died');
      const id = m.tags?.subscriber ?? '';
      const row = store.rows.get(id)!;
      ledger.sent(structuredClone(row), Number(m.tags?.lesson) - 1, t);
      return Promise.resolve({ messageId: `m${sends}` });
    },
  };
  const drip: DripDeps = {
    store: dripStore,
    mailer,
    clock,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
    courses: courseCatalog([compiled]),
    composer: messageComposer,
    tokens,
    settings: { publicUrl: 'https://course.example', maxSendRate: 1000, sendConcurrency: 2, retryBaseMs: 1, retryMaxMs: 2 },
    log: () => undefined,
  };
  const lifecycle: LifecycleDeps<LearnerCourse> = {
    store,
    clock,
    tokens,
    courses: catalogOf<LearnerCourse>([{ course }]),
    config: { publicUrl: 'https://course.example', signupsPerIpPerHour: 10 },
  };

  const learners = sc.learners.map(({ zone, hour }, i) => {
    const due = nextSendSlot(new Date(t), paceOf({ timezone: zone, sendHour: hour }, course));
    const s = dripStore.add(`learner${i}`, due, { timezone: zone, sendHour: hour, course: course.slug });
    ledger.start(s);
    return { s, token: tokens.sign({ subscriberId: s.id, purpose: 'learn', issuedAt: new Date(t) }) };
  });
  const byHour = new Map<number, { who: number; act: Action }[]>();
  for (const a of sc.actions) byHour.set(a.hour, [...(byHour.get(a.hour) ?? []), a]);

  const start = Date.parse(sc.start);
  const tick = async (hour: number) => {
    t = start + hour * HOUR;
    const now = new Date(t);
    const together = hour % sc.overlapEvery === 0 ? 3 : 1;
    await Promise.allSettled(Array.from({ length: together }, () => runDrip(drip, { now, deadline: new Date(t + 10 * 60_000) })));
  };
  const act = async (who: number, a: Action) => {
    const { s, token } = learners[who % learners.length]!;
    const pace = paceOf(store.rows.get(s.id)!, course);
    let result: LearnerResult<LearnerCourse>;
    try {
      if (a.kind === 'pause') result = await pauseLessons(lifecycle, token);
      else if (a.kind === 'pauseUntil')
        result = await pauseLessons(lifecycle, token, { until: localDate(new Date(t + a.days * DAY), pace) });
      else if (a.kind === 'resume') result = await resumeLessons(lifecycle, token);
      else if (a.kind === 'next') result = await nextLessonNow(lifecycle, token);
      else if (a.kind === 'restart') result = await restartCourse(lifecycle, token);
      else result = await changeSettings(lifecycle, token, a.fields);
    } catch (e: unknown) {
      // A refusal (already paused, too soon, a weekday with a daily cadence…) changes nothing.
      if (!(e instanceof AppError) || e.status >= 500 || e.code === 'lesson_in_flight') throw e;
      return;
    }
    ledger.controlled(result);
  };

  const weeks = 6 * 7 * 24;
  for (let hour = 0; hour < weeks; hour++) {
    await tick(hour);
    for (const a of byHour.get(hour) ?? []) {
      t = start + hour * HOUR + 30 * 60_000;
      await act(a.who, a.act);
    }
  }
  // Everyone still paused resumes; then runs until every learner has finished their round.
  for (let who = 0; who < learners.length; who++) {
    t = start + weeks * HOUR + 30 * 60_000;
    if (store.rows.get(learners[who]!.s.id)?.pausedAt !== undefined) await act(who, { kind: 'resume' });
  }
  for (let hour = weeks + 1; hour < weeks + 24 * 7 * 9; hour++) {
    await tick(hour);
    if ([...store.rows.values()].every((r) => r.status === 'completed')) break;
  }
  ledger.finish(learners.map((l) => l.s));
  return ledger;
}

describe('the drip with learners at the controls', () => {
  it(
    'every lesson of every round once, in order, at the local hour, nothing while paused, no burst; overlapping runs and a crash',
    { timeout: 240_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (sc) => {
          const ledger = await simulate(sc);
          expect(ledger.violations).toEqual([]);
        }),
        { numRuns: 25 },
      );
    },
  );

  it(
    'scripted: pause over the Berlin DST change, resume (no burst), next now, a zone change, restart after finishing',
    { timeout: 60_000 },
    async () => {
      const ledger = await simulate({
        start: '2026-03-23T00:00:00.000Z',
        learners: [{ zone: 'Europe/Berlin', hour: '09:00' }],
        actions: [
          { hour: 10, who: 0, act: { kind: 'pause' } },
          // Three weeks paused: the missed lessons are not sent when they resume.
          { hour: 21 * 24 + 10, who: 0, act: { kind: 'resume' } },
          { hour: 22 * 24 + 12, who: 0, act: { kind: 'next' } },
          { hour: 22 * 24 + 13, who: 0, act: { kind: 'settings', fields: { timezone: 'America/New_York', sendHour: '07:00' } } },
          // After the last lesson (21 April): a second round.
          { hour: 30 * 24 + 10, who: 0, act: { kind: 'restart' } },
        ],
        overlapEvery: 3,
        crashAtSend: undefined,
      });
      expect(ledger.violations).toEqual([]);
      const sends = ledger.of('learner0');
      // Lesson 1 Monday 23 March (CET), paused; lesson 2 on the Wednesday after resuming at 09:00 CEST.
      expect(sends.slice(0, 3).map((x) => [x.lesson + 1, new Date(x.at).toISOString()])).toEqual([
        [1, '2026-03-23T08:00:00.000Z'],
        [2, '2026-04-14T07:00:00.000Z'],
        [3, '2026-04-14T13:00:00.000Z'],
      ]);
      // The next one a week after "next now", at 07:00 in New York (EDT).
      expect(new Date(sends[3]!.at).toISOString()).toBe('2026-04-21T11:00:00.000Z');
      // Round 2 from lesson 1 at the next send hour after the restart, then weekly to the end.
      expect(sends.slice(4).map((x) => [x.round, x.lesson + 1, new Date(x.at).toISOString()])).toEqual([
        [2, 1, '2026-04-22T11:00:00.000Z'],
        [2, 2, '2026-04-29T11:00:00.000Z'],
        [2, 3, '2026-05-06T11:00:00.000Z'],
        [2, 4, '2026-05-13T11:00:00.000Z'],
      ]);
    },
  );
});
