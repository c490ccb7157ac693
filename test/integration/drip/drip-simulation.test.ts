// Ten simulated weeks of hourly drip runs against DynamoDB Local and the SES emulator: 24 learners in eight
// zones (half-hour, quarter-hour, date-line and DST zones), some leaving after lesson 3, a third of the
// runs started three at a time. Checks the course as learners receive it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { runDrip, type DripDeps } from '../../../functions/core/drip/index.js';
import type { Mailer } from '../../../functions/core/ports.js';
import type { DripSummary } from '../../../functions/core/ports.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import type { Subscriber } from '../../../functions/core/model.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import {
  SettableClock,
  dripDeps,
  lessonsReceived,
  readSubscriberItem,
  seedActive,
  sendRecords,
  unsubscribe,
} from '../../support/drip-fixtures.js';
import { compileShippedCourse } from '../../support/course.js';

let stack: TestStack;
let compiled: CompiledCourse;
// Two shards keep ~1700 hourly runs quick on DynamoDB Local; the query path is the same for any count.
const SHARDS = 2;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const ZONES = [
  'Asia/Kathmandu',
  'America/St_Johns',
  'Pacific/Chatham',
  'America/New_York',
  'Europe/Paris',
  'Australia/Sydney',
  'Pacific/Kiritimati',
  'UTC',
];
// 16 Feb 2026 to 27 Apr 2026: New York and St John's spring forward on 8 March, Paris on 29 March,
// Sydney and Chatham fall back on 5 April.
const START = new Date('2026-02-16T00:00:00.000Z');
const END = new Date(START.getTime() + 10 * WEEK);

beforeAll(async () => {
  [stack, compiled] = await Promise.all([startTestStack(), compileShippedCourse()]);
});
afterAll(async () => {
  await stack.stop();
});

interface Learner {
  subscriber: Subscriber;
  leavesAfterLesson3: boolean;
  confirmedAtSendHour: boolean;
}

describe('ten weeks of hourly drip runs', () => {
  it(
    'every learner gets all eight lessons once, in order, a week apart at 09:00 local; leavers get nothing after leaving; overlapping runs send nothing twice',
    { timeout: 120_000 },
    async () => {
      const table = await stack.newTable();
      const slug = compiled.course.slug;
      const learners: Learner[] = [];
      for (const [z, zone] of ZONES.entries()) {
        for (let i = 0; i < 3; i++) {
          // One per zone confirms exactly at the local send hour; the others at odd times of day.
          const dueAt =
            i === 0
              ? DateTime.fromObject({ year: 2026, month: 2, day: 17, hour: 9 }, { zone }).toJSDate()
              : new Date(START.getTime() + (z * 5 + i * 11) * HOUR + 17 * 60_000);
          const subscriber = await seedActive(stack, table, {
            course: slug,
            timezone: zone,
            dueAt,
            name: `Learner ${z}-${i}`,
            shards: SHARDS,
          });
          learners.push({ subscriber, leavesAfterLesson3: i === 2 && z % 2 === 0, confirmedAtSendHour: i === 0 });
        }
      }
      const leaving = new Map(learners.filter((l) => l.leavesAfterLesson3).map((l) => [l.subscriber.id, l]));

      // The real SES mailer; it notes when a leaver gets lesson 3 so they can unsubscribe right after.
      const ses = createSesMailer({ client: stack.ses });
      const toUnsubscribe = new Set<string>();
      const mailer: Mailer = {
        async sendRaw(m) {
          const out = await ses.sendRaw(m);
          if (m.tags?.lesson === '3' && m.tags.subscriber !== undefined && leaving.has(m.tags.subscriber))
            toUnsubscribe.add(m.tags.subscriber);
          return out;
        },
      };
      const clock = new SettableClock(START);
      const deps: DripDeps = dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer });

      let contested = 0;
      let runs = 0;
      for (let t = START.getTime(); t <= END.getTime(); t += HOUR) {
        const now = new Date(t);
        clock.set(now);
        const deadline = new Date(t + 10 * 60_000);
        // Every third day, each hourly tick starts three runs at once (overlapping schedules, retries).
        const together = Math.floor((t - START.getTime()) / DAY) % 3 === 0 ? 3 : 1;
        const summaries: DripSummary[] = await Promise.all(Array.from({ length: together }, () => runDrip(deps, { now, deadline })));
        runs += together;
        if (together > 1 && summaries.some((s) => s.skipped > 0)) contested++;
        for (const id of toUnsubscribe) await unsubscribe(stack, table, id, new Date(t + 30 * 60_000), SHARDS);
        toUnsubscribe.clear();
      }
      expect(runs).toBeGreaterThan(1680);
      // Overlapping runs did race for the same people (and lost claims were skips).
      expect(contested).toBeGreaterThan(0);

      for (const { subscriber, leavesAfterLesson3, confirmedAtSendHour } of learners) {
        const received = await lessonsReceived(stack, subscriber.email);
        const records = await sendRecords(stack, table, subscriber.id);
        const item = await readSubscriberItem(stack, table, subscriber.id);
        const who = `${subscriber.timezone} ${subscriber.id}`;
        if (leavesAfterLesson3) {
          expect(received, who).toEqual([1, 2, 3]);
          expect(
            records.map((r) => r.lesson),
            who,
          ).toEqual([0, 1, 2]);
          expect(item?.status, who).toBe('unsubscribed');
          continue;
        }
        expect(received, who).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(
          records.map((r) => [r.lesson, r.status]),
          who,
        ).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((l) => [l, 'sent']));
        expect(item?.status, who).toBe('completed');

        // The hourly tick each lesson went out in (a record's time is the tick plus the run's few ms).
        const sentAt = records.map((r) => Math.floor(new Date(r.at).getTime() / HOUR) * HOUR);
        // Lesson 1 goes at the first run after confirmation.
        expect(sentAt[0]! - new Date(subscriber.nextSendAt!).getTime(), who).toBeLessThan(HOUR);
        // Lesson 2 at the send hour on the first day a week or more after confirming: exactly a week
        // (± 1 h at DST) for those who confirmed at the send hour, within a day more for the others.
        if (confirmedAtSendHour) expect(Math.abs(sentAt[1]! - sentAt[0]! - WEEK), who).toBeLessThanOrEqual(HOUR);
        expect(sentAt[1]! - sentAt[0]!, who).toBeGreaterThanOrEqual(WEEK - HOUR);
        expect(sentAt[1]! - sentAt[0]!, who).toBeLessThan(WEEK + DAY + HOUR);
        for (let k = 1; k < 8; k++) {
          // Same local hour (09:xx: the hourly run at the first full hour after 09:00 local).
          expect(DateTime.fromMillis(sentAt[k]!, { zone: subscriber.timezone }).hour, `${who} lesson ${k + 1}`).toBe(9);
          // Exactly a week apart, ±1 hour across a DST change.
          if (k >= 2) expect(Math.abs(sentAt[k]! - sentAt[k - 1]! - WEEK), `${who} lesson ${k + 1}`).toBeLessThanOrEqual(HOUR);
        }
      }
      // Nothing beyond what the records say went out (no duplicate hidden from the records).
      const total = learners.reduce((n, l) => n + (l.leavesAfterLesson3 ? 3 : 8), 0);
      const emails = (await stack.emails()).filter((m) =>
        learners.some((l) => m.destination.to.some((to) => to.includes(l.subscriber.email))),
      );
      expect(emails).toHaveLength(total);
    },
  );
});
