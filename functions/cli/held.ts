// `course held` and `course requeue <email>`: the subscribers the drip holds after SES permanently
// refused their lesson, and putting one back in the due index once the cause is fixed; and the signups
// whose confirmation SES refused for good (held out of the signup outbox, never retried).
import type { Writable } from 'node:stream';
import type { Course } from '../email/manifest.js';
import { subscriberFromItem } from '../adapters/dynamo-store.js';
import type { HeldSignup } from '../core/signup-outbox.js';
import type { OperatorStore, StoredSubscriber } from './operator-store.js';
import { CommandRefusedError } from './command.js';
import { table, truncate } from './terminal.js';
import { controlCharactersToSpaces } from '../core/text.js';

export type HeldCourse = Pick<Course, 'slug' | 'lessons'>;

/** The operator asked for something that cannot be done (unknown address, not held): exit code 1. */
export class RequeueRefusedError extends CommandRefusedError {
  override name = 'RequeueRefusedError';
  readonly command = 'requeue';
  readonly code = 'requeue_refused';
}

// A hold reason is an SES error message: keep it to one line so it cannot redraw the terminal.
const oneLine = controlCharactersToSpaces;

const lessonTitle = (course: HeldCourse, lesson: number) => course.lessons[lesson]?.title ?? '';

/**
 * Held subscribers, then held confirmations, of one course, written to `out`; answers the held
 * subscribers, oldest hold first. `segments` (1..32, default 1) splits the subscribers' Scan; the
 * answer is the same for any count.
 */
export async function runHeld(deps: {
  store: OperatorStore;
  out: Writable;
  course: HeldCourse;
  segments?: number;
}): Promise<StoredSubscriber[]> {
  const { course, out } = deps;
  const [held, signups] = await Promise.all([deps.store.heldSubscribers(course.slug, deps.segments), deps.store.heldSignups(course.slug)]);
  if (held.length === 0 && signups.length === 0) {
    out.write(`Nobody is held in ${course.slug}.\n`);
    return held;
  }
  if (held.length > 0) writeHeldSubscribers(out, course, held);
  if (signups.length > 0) writeHeldSignups(out, course, signups);
  return held;
}

function writeHeldSubscribers(out: Writable, course: HeldCourse, held: StoredSubscriber[]): void {
  out.write(
    `Held in ${course.slug}: ${held.length} subscriber${held.length === 1 ? '' : 's'} (SES refused the lesson; nothing more is sent until requeued).\n` +
      'Fix the cause, then `course requeue <email>`: the held lesson goes out at the next drip run.\n\n',
  );
  const rows: (string | number)[][] = [
    ['  email', 'lesson', 'title', 'held since', 'reason'],
    ...held.map((s) => [
      `  ${s.email}`,
      s.nextLesson + 1,
      truncate(lessonTitle(course, s.nextLesson), 30),
      s.heldAt ?? '',
      oneLine(s.heldReason ?? ''),
    ]),
  ];
  out.write(`${table(rows)}\n`);
}

function writeHeldSignups(out: Writable, course: HeldCourse, signups: HeldSignup[]): void {
  out.write(
    `Confirmations SES refused in ${course.slug}: ${signups.length} signup${signups.length === 1 ? '' : 's'} (not retried; listed for 30 days).\n` +
      'In the SES sandbox only verified addresses can be mailed; once the cause is fixed the person signs up again.\n\n',
  );
  const rows: (string | number)[][] = [
    ['  email', 'signed up', 'held since', 'reason'],
    ...signups.map((h) => [`  ${oneLine(h.email)}`, h.receivedAt, h.heldAt, oneLine(h.reason)]),
  ];
  out.write(`${table(rows)}\n`);
}

/**
 * Put one held subscriber back in the due index, due at `now`. Refuses (RequeueRefusedError) an
 * address with no subscription, one that is not active, and one that is not held; `requeue` is the
 * conditional write (requeueHeldSubscriber), so a change between the read and the write refuses too.
 */
export async function runRequeue(deps: {
  store: OperatorStore;
  requeue: (subscriberId: string, at: Date) => Promise<boolean>;
  out: Writable;
  course: HeldCourse;
  email: string;
  now: Date;
}): Promise<StoredSubscriber> {
  const { course, email, now, out } = deps;
  const record = await deps.store.person(course.slug, email);
  const profile = record.subscriberItems.find((i) => i.sk === 'PROFILE');
  if (profile === undefined) throw new RequeueRefusedError(`${email} has no subscription to ${course.slug}; nothing to requeue`);
  const s: StoredSubscriber = subscriberFromItem(profile);
  if (s.status !== 'active') throw new RequeueRefusedError(`${email} is ${s.status}, not held; nothing to requeue`);
  if (s.heldAt === undefined) {
    throw new RequeueRefusedError(
      `${email} is not held: lesson ${s.nextLesson + 1} is due ${s.nextSendAt ?? '(no time set)'}; nothing to requeue`,
    );
  }
  if (!(await deps.requeue(s.id, now))) {
    throw new RequeueRefusedError(
      `${email} changed while being requeued (no longer held or active); see \`course held\` and \`course show ${email}\``,
    );
  }
  const lesson = s.nextLesson + 1;
  const title = lessonTitle(course, s.nextLesson);
  out.write(
    `Requeued ${email}: lesson ${lesson}${title ? ` (${title})` : ''} is due now (${now.toISOString()}); the next drip run sends it.\n` +
      `It had been held since ${s.heldAt}: ${oneLine(s.heldReason ?? '')}\n`,
  );
  return s;
}
