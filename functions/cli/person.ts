// `course show <email>` and `course erase <email>`: everything held about one person, and its
// removal (a data-protection request in one command), keeping only the address's one-way hash.
import type { Writable } from 'node:stream';
import type { Course } from '../email/manifest.js';
import type { OperatorStore, PersonRecord } from './operator-store.js';

/** What show reads of the course: its defaults for a learner who chose none, and its length. */
export type ShownCourse = Pick<Course, 'cadenceDays' | 'sendHour' | 'lessons'>;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * The learner's pace and votes in words, from their stored subscriber item: round, pause (since,
 * until), cadence, send hour and weekday (theirs, or the course's), and each lesson's vote.
 */
export function paceLines(item: Record<string, unknown>, course?: ShownCourse): string[] {
  const str = (k: string) => (typeof item[k] === 'string' ? item[k] : undefined);
  const num = (k: string) => (typeof item[k] === 'number' ? item[k] : undefined);
  const status = str('status') ?? '?';
  const next = num('nextLesson') ?? 0;
  const of = course === undefined ? '' : ` of ${course.lessons.length}`;
  const pausedAt = str('pausedAt');
  const pausedUntil = str('pausedUntil');
  const cadence = num('cadenceDays');
  const hour = str('sendHour');
  const weekday = num('weekday');
  const defaults = (v: string | undefined) => (v === undefined ? "the course's" : `the course's: ${v}`);
  const votes = Object.entries((item.votes as Record<string, unknown> | undefined) ?? {})
    .map(([i, v]) => [Number(i) + 1, v] as const)
    .filter(([n, v]) => Number.isInteger(n) && n >= 1 && (v === 'yes' || v === 'no'))
    .sort(([a], [b]) => a - b);
  return [
    `  status: ${status}, round ${num('round') ?? 1}, lessons sent: ${next}${of}${str('nextSendAt') ? `, next due ${str('nextSendAt')}` : ''}`,
    `  paused: ${pausedAt === undefined ? 'no' : `since ${pausedAt}, ${pausedUntil === undefined ? 'until they resume' : `until ${pausedUntil}`}`}`,
    `  cadence: ${cadence === undefined ? defaults(course && `every ${course.cadenceDays} days`) : `every ${cadence} day${cadence === 1 ? '' : 's'} (their choice)`}`,
    `  send hour: ${hour === undefined ? defaults(course?.sendHour) : `${hour} (their choice)`}`,
    `  weekday: ${weekday === undefined ? 'none fixed' : `${WEEKDAYS[weekday - 1] ?? weekday} (their choice)`}`,
    `  votes: ${votes.length === 0 ? 'none' : votes.map(([n, v]) => `lesson ${n} ${String(v)}`).join(', ')}`,
  ];
}

export async function runShow(deps: {
  store: OperatorStore;
  out: Writable;
  course: string;
  email: string;
  /** The course's manifest, for its defaults and length; absent: a course no longer in the folder. */
  courseInfo?: ShownCourse;
}): Promise<PersonRecord> {
  const record = await deps.store.person(deps.course, deps.email);
  const { out } = deps;
  const held = (record.addressLock ? 1 : 0) + record.subscriberItems.length;
  out.write(
    `${record.email} in ${record.course}: ${held === 0 ? 'nothing held' : `${held} item${held === 1 ? '' : 's'} held`}${record.suppression ? ', suppressed' : ''}\n`,
  );
  const section = (title: string, items: readonly Record<string, unknown>[]) => {
    if (items.length === 0) return;
    out.write(`\n${title}\n`);
    for (const item of items) out.write(`${JSON.stringify(item, null, 2)}\n`);
  };
  const profile = record.subscriberItems.find((i) => i.sk === 'PROFILE');
  if (profile !== undefined) out.write(`\nPace and votes\n${paceLines(profile, deps.courseInfo).join('\n')}\n`);
  section('Address lock', record.addressLock ? [record.addressLock] : []);
  section(
    'Subscriber',
    record.subscriberItems.filter((i) => i.sk === 'PROFILE'),
  );
  section(
    'Send records',
    record.subscriberItems.filter((i) => i.sk !== 'PROFILE'),
  );
  section('Suppression (one-way hash of the address; never mailed again)', record.suppression ? [record.suppression] : []);
  return record;
}

export async function runErase(deps: { store: OperatorStore; out: Writable; course: string; email: string; now: Date }): Promise<number> {
  const { deleted, suppressionKeys } = await deps.store.erase(deps.course, deps.email, deps.now.toISOString());
  const sends = deleted.filter((k) => k.sk.startsWith('SEND#')).length;
  const profile = deleted.some((k) => k.sk === 'PROFILE');
  const lock = deleted.some((k) => k.sk === 'ADDR');
  deps.out.write(
    `Erased ${deps.email} from ${deps.course}: ${deleted.length} item${deleted.length === 1 ? '' : 's'} deleted ` +
      `(subscriber: ${profile ? 'yes' : 'none'}, address lock: ${lock ? 'yes' : 'none'}, send records: ${sends}).\n` +
      `Kept only ${suppressionKeys.map((k) => k.pk).join(' and ')} (the address's one-way hash${suppressionKeys.length > 1 ? ", and its mailbox's" : ''}), so the address is never mailed again.\n`,
  );
  return deleted.length;
}
