// `course export`: every subscriber with status, lesson and consent record, as CSV or JSON lines,
// written page by page as the Scan goes (memory stays flat at any size; the stream's backpressure
// is respected).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Subscriber } from '../core/model.js';
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
] as const;

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
  ]);
}

function jsonLine(s: Subscriber): string {
  // Storage bookkeeping (TTL, claims) is left out; everything about the person stays in.
  const { expiresAt: _expires, ...rest } = s;
  return `${JSON.stringify({ ...rest, lessonsSent: s.nextLesson })}\n`;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Stream every subscriber (of `course` only, when given: a slug) to `out`; answers how many were written. */
export async function runExport(deps: {
  store: OperatorStore;
  out: Writable;
  format: ExportFormat;
  pageSize?: number;
  course?: string;
}): Promise<number> {
  let n = 0;
  if (deps.format === 'csv') await write(deps.out, csvRow([...CSV_COLUMNS]));
  for await (const all of deps.store.subscriberPages(deps.pageSize)) {
    const page = deps.course === undefined ? all : all.filter((s) => s.course === deps.course);
    await write(deps.out, page.map(deps.format === 'csv' ? csvLine : jsonLine).join(''));
    n += page.length;
  }
  return n;
}
