// The drip with learners at the controls on the real adapters: hourly runs against DynamoDB Local and
// the SES emulator from 19 October 2026 to the end, across the European (25 October) and US (1 November)
// DST changes, some runs two at once and one crash mid-run, while six learners in Berlin, New York,
// Kolkata and Kathmandu pause, pause until a date, resume, take "next now", restart after finishing
// and change hour, zone, weekday and cadence. test/support/learner-ledger.ts checks every send as it
// happens; at the end, the inbox and the send records agree with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrip } from '../../../functions/core/drip/index.js';
import { courseCatalog } from '../../../functions/core/courses.js';
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
import type { Subscriber } from '../../../functions/core/model.js';
import { nextSendSlot, paceOf } from '../../../functions/core/schedule.js';
import { createTokens } from '../../../functions/core/tokens.js';
import { createDynamoStore, subscriberFromItem } from '../../../functions/adapters/dynamo-store.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { compileShippedCourse } from '../../support/course.js';
import {
  SettableClock,
  TEST_TOKEN_KEY,
  dripDeps,
  lessonsReceived,
  readSubscriberItem,
  seedActive,
  sendRecords,
} from '../../support/drip-fixtures.js';
import { LearnerLedger } from '../../support/learner-ledger.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

let stack: TestStack;
let compiled: CompiledCourse;
const SHARDS = 2;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2026-10-19T00:00:00.000Z');

beforeAll(async () => {
  let shipped: CompiledCourse;
  [stack, shipped] = await Promise.all([startTestStack(), compileShippedCourse()]);
  compiled = { ...shipped, course: { ...shipped.course, cadenceChoices: [1, 3, 7] } };
});
afterAll(async () => {
  await stack.stop();
});

type Control = (deps: LifecycleDeps<LearnerCourse>, token: string) => Promise<LearnerResult<LearnerCourse>>;
const pause: Control = (d, token) => pauseLessons(d, token);
const pauseUntil =
  (until: string): Control =>
  (d, token) =>
    pauseLessons(d, token, { until });
const resume: Control = (d, token) => resumeLessons(d, token);
const next: Control = (d, token) => nextLessonNow(d, token);
const restart: Control = (d, token) => restartCourse(d, token);
const settings =
  (fields: Record<string, string>): Control =>
  (d, token) =>
    changeSettings(d, token, fields);

describe('the drip with learners at the controls, on DynamoDB Local and the SES emulator', () => {
  it('every lesson of every round once, in order, at the local hour; nothing while paused; no burst', { timeout: 300_000 }, async () => {
    const table = await stack.newTable();
    const slug = compiled.course.slug;
    const lessons = compiled.lessons.length;
    const clock = new SettableClock(START);
    const store = createDynamoStore({ doc: stack.doc, tableName: table, dueShards: SHARDS });
    const ledger = new LearnerLedger({ ...compiled.course, lessons }, 2 * HOUR + 5 * 60_000);
    const ses = createSesMailer({ client: stack.ses });
    let sends = 0;
    const crashAt = 9;
    const mailer: Mailer = {
      async sendRaw(m) {
        sends++;
        // The process dies mid-run before SES took this one: its claim is left to expire.
        if (sends === crashAt) throw new Error('the process died');
        const item = await readSubscriberItem(stack, table, m.tags?.subscriber ?? '');
        ledger.sent(subscriberFromItem(item!), Number(m.tags?.lesson) - 1, clock.now().getTime());
        return ses.sendRaw(m);
      },
    };
    const drip = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer });
    const lifecycle: LifecycleDeps<LearnerCourse> = {
      store,
      clock,
      tokens: createTokens(TEST_TOKEN_KEY),
      courses: courseCatalog<LearnerCourse>([compiled]),
      config: { publicUrl: 'http://localhost:3000', signupsPerIpPerHour: 10 },
    };

    const people: { zone: string; hour: string; actions: [number, Control][] }[] = [
      // Paused before the European change, resumed after it: the next lesson at the next 09:00 CET.
      {
        zone: 'Europe/Berlin',
        hour: '09:00',
        actions: [
          [2 * 24 + 10, pause],
          [12 * 24 + 10, resume],
        ],
      },
      // Paused until a date across the US change; later a lesson now.
      {
        zone: 'America/New_York',
        hour: '07:00',
        actions: [
          [8 * 24 + 14, pauseUntil('2026-11-03')],
          [20 * 24 + 15, next],
        ],
      },
      // Every three days at 18:30 in Kolkata (+05:30), then daily; restarts after finishing.
      {
        zone: 'Asia/Kolkata',
        hour: '09:00',
        actions: [
          [3 * 24 + 5, settings({ cadenceDays: '3', sendHour: '18:30' })],
          [12 * 24 + 5, settings({ cadenceDays: '1' })],
          [24 * 24 + 5, restart],
        ],
      },
      // Kathmandu (+05:45), daily at 21:45, "next now" twice in a day (the second refused), restart mid-course.
      {
        zone: 'Asia/Kathmandu',
        hour: '21:45',
        actions: [
          [0 * 24 + 20, settings({ cadenceDays: '1' })],
          [2 * 24 + 3, next],
          [2 * 24 + 9, next],
          [5 * 24 + 3, restart],
        ],
      },
      // New York to Berlin on Wednesdays, weekly, across both changes.
      {
        zone: 'America/New_York',
        hour: '09:00',
        actions: [[5 * 24 + 16, settings({ timezone: 'Europe/Berlin', weekday: '3', sendHour: '07:00' })]],
      },
      // Weekly, then every three days mid-course; a pause resumed the same day (the lesson keeps its time).
      {
        zone: 'Europe/Berlin',
        hour: '18:30',
        actions: [
          [9 * 24 + 12, settings({ cadenceDays: '3' })],
          [15 * 24 + 1, pause],
          [15 * 24 + 2, resume],
        ],
      },
    ];
    const learners: { s: Subscriber; token: string }[] = [];
    for (const [i, p] of people.entries()) {
      const dueAt = nextSendSlot(START, paceOf({ timezone: p.zone, sendHour: p.hour }, compiled.course));
      const s = await seedActive(stack, table, {
        course: slug,
        timezone: p.zone,
        dueAt,
        name: `Learner ${i}`,
        shards: SHARDS,
        extra: { sendHour: p.hour },
      });
      ledger.start(s);
      learners.push({ s, token: drip.tokens.sign({ subscriberId: s.id, purpose: 'learn', issuedAt: START }) });
    }
    const byHour = new Map<number, [number, Control][]>();
    for (const [i, p] of people.entries())
      for (const [hour, control] of p.actions) byHour.set(hour, [...(byHour.get(hour) ?? []), [i, control]]);

    const refusals: string[] = [];
    let allDone = false;
    for (let hour = 0; hour < 24 * 70 && !allDone; hour++) {
      const now = new Date(START.getTime() + hour * HOUR);
      clock.set(now);
      // Every third day, each tick starts two runs at once.
      const together = Math.floor(hour / 24) % 3 === 0 ? 2 : 1;
      await Promise.allSettled(
        Array.from({ length: together }, () => runDrip(drip, { now, deadline: new Date(now.getTime() + 10 * 60_000) })),
      );
      for (const [who, control] of byHour.get(hour) ?? []) {
        clock.set(new Date(now.getTime() + 30 * 60_000));
        try {
          ledger.controlled(await control(lifecycle, learners[who]!.token));
        } catch (e: unknown) {
          if (!(e instanceof AppError) || e.status >= 500) throw e;
          refusals.push(`${who}: ${e.code}`);
        }
      }
      if (hour % 24 === 23) {
        const items = await Promise.all(learners.map((l) => readSubscriberItem(stack, table, l.s.id)));
        allDone = items.every((item) => item?.status === 'completed');
      }
    }
    expect(allDone).toBe(true);
    expect(refusals).toEqual(['3: next_too_soon']);
    ledger.finish(learners.map((l) => l.s));
    expect(ledger.violations).toEqual([]);

    for (const [i, { s }] of learners.entries()) {
      const own = ledger.of(s.id);
      // What the inbox got is what the ledger saw, in order, lesson numbers as the subjects say.
      expect(await lessonsReceived(stack, s.email), `learner ${i}`).toEqual(own.map((x) => x.lesson + 1));
      // One send record per (round, lesson).
      const records = await sendRecords(stack, table, s.id);
      expect(records.length, `learner ${i}`).toBe(own.length);
    }
    // Restarts: learners 2 and 3 went through a second round.
    expect(ledger.of(learners[2]!.s.id).filter((x) => x.round === 2)).toHaveLength(lessons);
    expect(ledger.of(learners[3]!.s.id).filter((x) => x.round === 2)).toHaveLength(lessons);
    // Learner 4 got lessons on Wednesdays at 07:00 in Berlin after the change.
    const berlin = ledger.of(learners[4]!.s.id).filter((x) => x.at > START.getTime() + 6 * DAY);
    expect(berlin.length).toBeGreaterThan(2);
  });
});
