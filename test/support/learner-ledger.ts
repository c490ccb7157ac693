// What a drip simulation with learners who pause, resume, take "next now", restart and change their
// settings checks at every send (and at the end): each lesson of each round once and in order, never
// while paused, at the learner's local send hour (or at once for "next now"), no burst. Shared by the
// in-memory property test (test/unit/core/drip-learner-simulation.test.ts) and the DynamoDB one
// (test/integration/drip/drip-learner-simulation.test.ts).
import { DateTime } from 'luxon';
import type { LearnerResult } from '../../functions/core/learner.js';
import type { Subscriber } from '../../functions/core/model.js';
import { paceOf } from '../../functions/core/schedule.js';

const HOUR = 3_600_000;

export interface LedgerCourse {
  cadenceDays: number;
  sendHour: string;
  defaultTimezone: string;
  lessons: number;
}

interface Send {
  round: number;
  lesson: number;
  at: number;
  nextNow: boolean;
}

/** One learner's sends and what the controls told them, checked as they happen. */
export class LearnerLedger {
  readonly sends = new Map<string, Send[]>();
  readonly violations: string[] = [];
  /** Paused learners: since when, and until when (undefined: until they resume). */
  private readonly paused = new Map<string, { until?: number }>();
  /** Every (zone, send hour, weekday) a learner has had: a lesson scheduled before a change may go at the old one. */
  private readonly paces = new Map<string, Set<string>>();

  constructor(
    private readonly course: LedgerCourse,
    /** The longest a lesson may go out after its due time (a tick, and one more after a crash). */
    private readonly maxLateMs: number,
  ) {}

  /** A learner the simulation starts with. */
  start(s: Subscriber): void {
    this.notePace(s);
  }

  /** A control that succeeded: its pause state, and the learner's pace from now on. */
  controlled(result: LearnerResult<never> | { done: string; subscriber: Subscriber }): void {
    const s = result.subscriber;
    if (result.done === 'paused') this.paused.set(s.id, s.pausedUntil === undefined ? {} : { until: Date.parse(s.pausedUntil) });
    else if (result.done === 'settings') {
      if (this.paused.has(s.id)) this.paused.set(s.id, s.pausedUntil === undefined ? {} : { until: Date.parse(s.pausedUntil) });
    } else this.paused.delete(s.id);
    this.notePace(s);
  }

  /** One send as the mailer sees it, with the subscriber as stored at that moment (the claim's state). */
  sent(s: Subscriber, lesson: number, at: number): void {
    const who = `${s.id} (${s.timezone})`;
    const fail = (what: string) =>
      this.violations.push(`${who} round ${s.round ?? 1} lesson ${lesson + 1} at ${new Date(at).toISOString()}: ${what}`);
    const round = s.round ?? 1;
    const pause = this.paused.get(s.id);
    if (pause !== undefined) {
      if (pause.until === undefined || at < pause.until) fail('sent while paused');
      else this.paused.delete(s.id);
    }
    const due = Date.parse(s.nextSendAt ?? '');
    const nextNow = s.nextNowAt !== undefined && s.nextNowAt === s.nextSendAt;
    if (!(due <= at)) fail(`sent before it was due (${s.nextSendAt})`);
    if (at - due >= this.maxLateMs) fail(`sent ${((at - due) / HOUR).toFixed(2)} h after it was due`);
    if (!nextNow && !this.atASendHour(s.id, due)) fail(`due ${s.nextSendAt}, not at a send hour the learner had`);
    const sends = this.sends.get(s.id) ?? [];
    const inRound = sends.filter((x) => x.round === round);
    const last = inRound.at(-1);
    if (inRound.some((x) => x.lesson === lesson)) fail('sent twice in the round');
    if (lesson !== (last === undefined ? 0 : last.lesson + 1))
      fail(`out of order (last: ${last === undefined ? 'none' : last.lesson + 1})`);
    const previous = sends.at(-1);
    if (previous !== undefined && at - previous.at < HOUR / 2) fail('a burst: two lessons in one run');
    if (last !== undefined && !nextNow && at - last.at < 10 * HOUR)
      fail(`only ${((at - last.at) / HOUR).toFixed(1)} h after the one before`);
    sends.push({ round, lesson, at, nextNow });
    this.sends.set(s.id, sends);
  }

  /** At the end: each learner's last round complete (every earlier round a prefix, checked as it went). */
  finish(learners: readonly Subscriber[]): void {
    for (const s of learners) {
      const sends = this.sends.get(s.id) ?? [];
      const lastRound = Math.max(1, ...sends.map((x) => x.round));
      const lessons = sends.filter((x) => x.round === lastRound).map((x) => x.lesson);
      const all = Array.from({ length: this.course.lessons }, (_, i) => i);
      if (JSON.stringify(lessons) !== JSON.stringify(all))
        this.violations.push(`${s.id}: round ${lastRound} ended with lessons ${lessons.map((l) => l + 1).join(',')}`);
    }
  }

  /** Sends of one learner, in order. */
  of(id: string): readonly Send[] {
    return this.sends.get(id) ?? [];
  }

  private notePace(s: Subscriber): void {
    const pace = paceOf(s, this.course);
    const set = this.paces.get(s.id) ?? new Set<string>();
    set.add(JSON.stringify([pace.timezone, pace.sendHour, pace.weekday ?? 0]));
    this.paces.set(s.id, set);
  }

  private atASendHour(id: string, due: number): boolean {
    for (const entry of this.paces.get(id) ?? []) {
      const [zone, hour, weekday] = JSON.parse(entry) as [string, string, number];
      const local = DateTime.fromMillis(due, { zone });
      if (local.toFormat('HH:mm') === hour && (weekday === 0 || local.weekday === weekday)) return true;
    }
    return false;
  }
}
