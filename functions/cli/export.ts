// `course export`: every subscriber with status, lesson, consent record, the learner's pace (round,
// pause, cadence, send hour, weekday) and their votes, as CSV or JSON lines,
// written page by page as the Scan goes (memory stays flat at any size; the stream's backpressure
// is respected). The Scan runs in parallel segments, so the rows come in no particular order.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { FeedbackVote, Subscriber } from '../core/model.js';
import { csvRow } from './csv.js';
import type { OperatorStore } from './operator-store.js';

export type ExportFormat = 'csv' | 'jsonl';

export const CSV_COLUMNS = [
  'id',
  'course',
  'email',
  'name',
  'status',
  'lessons_sent',
  'next_send_at',
  'timezone',
  'created_at',
  'confirmed_at',
  'unsubscribed_at',
  'stopped_reason',
  'consent_at',
  'consent_ip',
  'consent_user_agent',
  'consent_page',
  'round',
  'paused_at',
  'paused_until',
  'cadence_days',
  'send_hour',
  'weekday',
  'votes_yes',
  'votes_no',
] as const;

/** The 1-based lessons a learner answered `vote` for, space-separated in lesson order (`1 3`); empty when none. */
export function votedLessons(s: Pick<Subscriber, 'votes'>, vote: FeedbackVote): string {
  return Object.entries(s.votes ?? {})
    .filter(([, v]) => v === vote)
    .map(([index]) => Number(index) + 1)
    .filter((n) => Number.isInteger(n) && n >= 1)
    .sort((a, b) => a - b)
    .join(' ');
}

function csvLine(s: Subscriber & { stoppedReason?: string }): string {
  // Every cell is guarded against spreadsheet formulas, the address too: `=1+2@example.com` and
  // `-x@example.com` are valid addresses. Import takes the guarded form back (unguardCell).
  return csvRow([
    s.id,
    s.course,
    s.email,
    s.name,
    s.status,
    s.nextLesson,
    s.nextSendAt,
    s.timezone,
    s.createdAt,
    s.confirmedAt,
    s.unsubscribedAt,
    s.stoppedReason,
    s.consent?.at,
    s.consent?.ip,
    s.consent?.userAgent,
    s.consent?.page,
    s.round ?? 1,
    s.pausedAt,
    s.pausedUntil,
    s.cadenceDays,
    s.sendHour,
    s.weekday,
    votedLessons(s, 'yes'),
    votedLessons(s, 'no'),
  ]);
}

function jsonLine(s: Subscriber): string {
  // Storage bookkeeping (TTL, claims) is left out; everything about the person stays in.
  const { expiresAt: _expires, ...rest } = s;
  // The pace fields and `votes` (lesson index → yes/no) are the subscriber's own; the round is 1 until a restart.
  return `${JSON.stringify({ ...rest, round: s.round ?? 1, lessonsSent: s.nextLesson })}\n`;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Stream every subscriber (of `course` only, when given: a slug) to `out` as CSV (a header line, then
 * CSV_COLUMNS) or JSON lines; answers how many rows were written. The table is read as `segments`
 * parallel Scan segments (1..32, default 1) whose pages are written as they arrive: the rows'
 * order is neither the table's nor the same from run to run (sort the file if order matters). Each
 * page waits for `out` to drain, and each segment reads at most one page ahead, so memory stays flat
 * at any size. A page that cannot be read stops the export with the store's DependencyError; the
 * rows already written stay written (the file is then incomplete: run it again); when the first page
 * cannot be read, nothing is written, not even the CSV header.
 */
export async function runExport(deps: {
  store: OperatorStore;
  out: Writable;
  format: ExportFormat;
  pageSize?: number;
  segments?: number;
  course?: string;
}): Promise<number> {
  let n = 0;
  // The CSV header goes out with the first page read (or at the end of an empty table), so a table
  // that cannot be read at all leaves nothing behind that looks like an empty list.
  let headed = deps.format !== 'csv';
  const head = async () => {
    if (!headed) await write(deps.out, csvRow([...CSV_COLUMNS]));
    headed = true;
  };
  for await (const all of deps.store.subscriberPages({ pageSize: deps.pageSize, segments: deps.segments })) {
    await head();
    const page = deps.course === undefined ? all : all.filter((s) => s.course === deps.course);
    await write(deps.out, page.map(deps.format === 'csv' ? csvLine : jsonLine).join(''));
    n += page.length;
  }
  await head();
  return n;
}
