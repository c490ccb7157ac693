// When each lesson is due: lesson 1 at confirmation, then each next lesson at the course's send hour,
// in the subscriber's own time zone, one cadence (in local calendar days) after the previous one.
// Pure: time comes in as arguments; zone rules come from the runtime's IANA database through luxon.

import { DateTime, IANAZone } from 'luxon';

const MINUTE_MS = 60_000;
/** 24 hours in ms (not a calendar day: DST days are 23 or 25 hours). */
export const DAY_MS = 86_400_000;

// Zone names already found valid: the check builds an Intl.DateTimeFormat on every call, which
// the drip felt once per email. Only valid names are kept (there are a few hundred, in a few
// spellings), and never more than this many, so arbitrary input cannot grow it.
const knownValidZones = new Set<string>();
const MAX_KNOWN_VALID_ZONES = 4096;

/** True when `tz` names a zone of the IANA database this runtime knows (e.g. `Europe/Paris`, `UTC`). */
export function isValidTimezone(tz: string): boolean {
  if (knownValidZones.has(tz)) return true;
  // Only zone names: luxon also accepts fixed offsets such as `UTC+5` in some paths; Intl rejects them
  // on Node 20 but accepts `+05:30` on newer runtimes, so the name shape is checked first.
  const valid = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(tz) && runtimeKnowsZone(tz);
  if (valid && knownValidZones.size < MAX_KNOWN_VALID_ZONES) knownValidZones.add(tz);
  return valid;
}

// luxon's IANAZone.isValidZone, without luxon: the api checks zones but computes no send times, so
// its bundle need not carry (and compile at every cold start) luxon.
function runtimeKnowsZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz }).format();
    return true;
  } catch {
    return false;
  }
}

/**
 * A valid zone in the spelling the runtime lists (`europe/paris` → `Europe/Paris`), or undefined when
 * the zone is unknown. Aliases the list lacks (`US/Eastern`, and on Node 20's ICU `Asia/Kathmandu`) are
 * kept as given: ICU's own canonical names differ between Node versions, so they are not forced.
 */
export function canonicalTimezone(tz: string): string | undefined {
  if (!isValidTimezone(tz)) return undefined;
  return listedZones().get(tz.toLowerCase()) ?? tz;
}

let zonesByLowerCase: Map<string, string> | undefined;
function listedZones(): Map<string, string> {
  zonesByLowerCase ??= new Map(Intl.supportedValuesOf('timeZone').map((zone) => [zone.toLowerCase(), zone]));
  return zonesByLowerCase;
}

/** The subscriber's zone when it is a known IANA zone, otherwise `fallback` (the course's default). */
export function resolveTimezone(tz: string | undefined, fallback: string): string {
  if (tz !== undefined && isValidTimezone(tz)) return tz;
  if (!isValidTimezone(fallback)) {
    // The default comes from config, which validates it; reaching this is a wiring bug, not input.
    throw new Error(`The default time zone "${fallback}" is not a known IANA zone`);
  }
  return fallback;
}

/** Parses a send hour `"HH:MM"` (24-hour clock, `00:00`–`23:59`). Throws on anything else. */
export function parseSendHour(sendHour: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(sendHour);
  if (!m) throw new Error(`Send hour must be "HH:MM" (00:00–23:59), got "${sendHour}"`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** Lesson 1 is due the moment the subscription is confirmed (the next drip run sends it). */
export function firstSendTime(confirmedAt: Date): Date {
  return new Date(confirmedAt.getTime());
}

export interface NextSendTimeParams {
  /**
   * The due time of the lesson just sent (its `nextSendAt`, which for lesson 1 is the confirmation
   * time). Pass the due time rather than the moment SES accepted the email: a run that sends at 09:03
   * would otherwise push every later lesson to the following day's 09:00.
   */
  after: Date;
  /** Days between lessons (7 for a weekly course); local calendar days, so DST does not shift the hour. */
  cadenceDays: number;
  /** Local send hour, `"HH:MM"`. */
  sendHour: string;
  /** The subscriber's IANA zone; unknown or empty falls back to `defaultTimezone`. */
  timezone: string;
  /** The course's zone. */
  defaultTimezone: string;
  /**
   * ISO weekday (1 = Monday … 7 = Sunday) the lesson must fall on, or none. Only for cadences of whole
   * weeks (paceOf drops it otherwise): the lesson then comes on the first such weekday at or after the
   * cadence, so two lessons are never closer than the cadence.
   */
  weekday?: number;
}

/**
 * The first instant at or after (`after` + `cadenceDays` local calendar days) at which the wall clock in
 * the subscriber's zone reads `sendHour`.
 *
 * - "+ cadence days" moves the local date and keeps the local time of day, so a 09:00 send is followed
 *   by a 09:00 send across a DST change (the interval is then 7 days ± 1 hour, or ± 30 minutes on
 *   Lord Howe Island).
 * - Computed on local dates: if `after` is at or before the send hour of its own local day, the answer
 *   is the send hour `cadenceDays` dates later, else one date after that. For real send hours this is
 *   exactly the rule above; it differs only where the hour falls in a DST change, where it keeps the
 *   schedule on its day instead of letting it slip a day each week.
 * - When `sendHour` does not exist on a day (a spring-forward gap, e.g. 02:30 in New York on the second
 *   Sunday of March) the lesson is due at the first instant after the gap, i.e. the transition itself
 *   (03:00 local), not the shifted time a naive conversion gives (03:30).
 * - When `sendHour` occurs twice (a fall-back overlap) the first occurrence is used.
 * - When a zone skipped a whole date (Pacific/Apia, 30 December 2011) the next date's hour is used.
 */
export function nextSendTime(p: NextSendTimeParams): Date {
  if (!Number.isInteger(p.cadenceDays) || p.cadenceDays < 0) {
    throw new Error(`cadenceDays must be a whole number of days ≥ 0, got ${p.cadenceDays}`);
  }
  if (p.weekday !== undefined && !(Number.isInteger(p.weekday) && p.weekday >= 1 && p.weekday <= 7)) {
    throw new Error(`weekday must be 1 (Monday) to 7 (Sunday), got ${p.weekday}`);
  }
  const { hour, minute } = parseSendHour(p.sendHour);
  const zoneName = resolveTimezone(p.timezone, p.defaultTimezone);
  const zone = IANAZone.create(zoneName);

  const local = DateTime.fromJSDate(p.after, { zone });
  /** The send hour `days` local dates after `after`'s date, as a wall time encoded as UTC. */
  const sendWall = (days: number): number => Date.UTC(local.year, local.month - 1, local.day + days, hour, minute);

  // Was `after` at or before its own day's send hour (any occurrence of it)? Then the cadence lands on
  // that day's hour; otherwise on the next day's.
  const ownDay = sendHourInstants(zone, sendWall(0));
  const onOrBeforeHour = ownDay.length > 0 && p.after.getTime() <= Math.max(...ownDay);
  const firstDay = p.cadenceDays + (onOrBeforeHour ? 0 : 1);

  // Without a weekday: that date, or the next one when the zone skipped it. With one: the first date
  // from there on that is that weekday (and was not skipped).
  const lastDay = firstDay + (p.weekday === undefined ? 2 : 14);
  for (let day = firstDay; day <= lastDay; day++) {
    if (p.weekday !== undefined && isoWeekdayOfWall(sendWall(day)) !== p.weekday) continue;
    const [due] = sendHourInstants(zone, sendWall(day));
    if (due !== undefined) return new Date(due);
  }
  // Unreachable for real zone data: no zone has skipped more than one date.
  throw new Error(`No ${p.sendHour} found in ${zoneName} after ${p.after.toISOString()}`);
}

/**
 * How late a lesson may go out and still count from its due time. The next lesson is scheduled from
 * the due time of the one just sent, so a send that drains late from a long queue (09:00 due, out at
 * 10:40) keeps the weekly 09:00 rhythm; but never from earlier than this before it actually went out,
 * so after an outage the next lesson still comes at least one cadence minus half a day after the late one.
 */
export const LATE_SEND_TOLERANCE_MS = 12 * 60 * 60_000;

export interface LessonSent {
  /** The due time of the lesson just sent (its `nextSendAt`); absent: when it went out. */
  dueAt?: Date;
  /** When it went out (SES accepted it, or the send log says so). */
  sentAt: Date;
}

/**
 * The instant the next lesson's cadence counts from after a lesson was sent: its due time, or
 * LATE_SEND_TOLERANCE_MS before it went out when it went out later than that (an outage).
 */
export function cadenceStart({ dueAt, sentAt }: LessonSent): Date {
  const dueMs = dueAt === undefined ? sentAt.getTime() : dueAt.getTime();
  return new Date(Math.max(dueMs, sentAt.getTime() - LATE_SEND_TOLERANCE_MS));
}

/**
 * When the lesson after one just sent is due: nextSendTime counted from cadenceStart (the late-send
 * rule), in the subscriber's zone. `timezone` unknown or empty falls back to `defaultTimezone`.
 */
export function nextSendTimeAfter(sent: LessonSent, p: Omit<NextSendTimeParams, 'after'>): Date {
  return nextSendTime({ ...p, after: cadenceStart(sent) });
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local date-time encoded as UTC. */
function isoWeekdayOfWall(wall: number): number {
  return ((new Date(wall).getUTCDay() + 6) % 7) + 1;
}

/** A learner's schedule: the course's facts, with the learner's own choices where they made them. */
export type Pace = Omit<NextSendTimeParams, 'after'>;

/**
 * The schedule one learner's lessons follow: their own cadence, send hour, weekday and zone when they
 * chose them on their course page (Subscriber's pace fields), the course's otherwise. A weekday counts
 * only with a cadence of whole weeks.
 */
export function paceOf(
  s: { cadenceDays?: number; sendHour?: string; weekday?: number; timezone: string },
  course: { cadenceDays: number; sendHour: string; defaultTimezone: string },
): Pace {
  const cadenceDays = s.cadenceDays ?? course.cadenceDays;
  const pace: Pace = {
    cadenceDays,
    sendHour: s.sendHour ?? course.sendHour,
    timezone: s.timezone,
    defaultTimezone: course.defaultTimezone,
  };
  if (s.weekday !== undefined && cadenceDays % 7 === 0) pace.weekday = s.weekday;
  return pace;
}

/**
 * The first send time at or after `at` (the learner's send hour in their zone, on their weekday if
 * they fixed one): where a resume, a restart or a change of settings puts the next lesson, so none of
 * them ever sends at once or in a burst.
 */
export function nextSendSlot(at: Date, pace: Pace): Date {
  return nextSendTime({ ...pace, cadenceDays: 0, after: at });
}

/**
 * The first send time on or after the local date `date` (`YYYY-MM-DD`, in the learner's zone): when a
 * pause "until a date" ends. Undefined when `date` is not a real calendar date.
 */
export function sendSlotOnDate(date: string, pace: Pace): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const zone = resolveTimezone(pace.timezone, pace.defaultTimezone);
  const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, { zone });
  if (!start.isValid || start.toFormat('yyyy-MM-dd') !== date) return undefined;
  return nextSendSlot(start.startOf('day').toJSDate(), pace);
}

/** The learner's local date (`YYYY-MM-DD`) at `at`, in their zone. */
export function localDate(at: Date, pace: Pick<Pace, 'timezone' | 'defaultTimezone'>): string {
  return DateTime.fromJSDate(at, { zone: resolveTimezone(pace.timezone, pace.defaultTimezone) }).toFormat('yyyy-MM-dd');
}

/** The instants of a send hour on its own local date: none when the zone skipped that date. */
function sendHourInstants(zone: IANAZone, wall: number): number[] {
  // A gap can swallow the rest of the day; its end then falls on the next date, not on this day.
  return instantsForWallTime(zone, wall).filter((t) => sameLocalDate(zone, t, wall));
}

function sameLocalDate(zone: IANAZone, instant: number, wall: number): boolean {
  const localWall = instant + zone.offset(instant) * MINUTE_MS;
  return Math.floor(localWall / DAY_MS) === Math.floor(wall / DAY_MS);
}

/**
 * The instants (epoch ms, ascending) at which the zone's wall clock reads `wall` (a local date-time
 * encoded as if it were UTC). One normally, two in a fall-back overlap; in a spring-forward gap, the
 * single instant the gap ends (the first valid instant after the missing wall time).
 */
function instantsForWallTime(zone: IANAZone, wall: number): number[] {
  // Any offset that could apply to this wall time is in force within a day of it.
  const offsets = [...new Set([zone.offset(wall - DAY_MS), zone.offset(wall), zone.offset(wall + DAY_MS)])];
  const valid = offsets.map((offset) => wall - offset * MINUTE_MS).filter((instant) => zone.offset(instant) * MINUTE_MS === wall - instant);
  if (valid.length > 0) return [...new Set(valid)].sort((a, b) => a - b);

  // A gap: the wall time read with the later offset lands before the transition, read with the earlier
  // offset lands after it. Search for the transition (the first instant with the later offset).
  const candidates = offsets.map((offset) => wall - offset * MINUTE_MS).sort((a, b) => a - b);
  let lo = candidates[0]!;
  let hi = candidates[candidates.length - 1]!;
  const afterOffset = zone.offset(hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === afterOffset) hi = mid;
    else lo = mid;
  }
  return [hi];
}
