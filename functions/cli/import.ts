// `course import <file.csv> --consent "<where they agreed>"`: bring an existing list in. Every row
// is checked with the signup form's own rules before anything is written; bad rows are reported by
// line, repeats are dropped, and nobody who unsubscribed, bounced, complained or was erased is added
// back. The rest become pending subscriptions (confirmation emails only when asked).
import type { Writable } from 'node:stream';
import { isAppError } from '../core/errors.js';
import { parseSignupInput } from '../core/validation.js';
import type { MailedCourse, SubscriptionDeps } from '../core/lifecycle.js';
import { PENDING_TTL_SECONDS, subscribe, type SubscribeOutcome } from '../core/signup.js';
import { mapWithConcurrency } from '../core/concurrency.js';
import { CommandRefusedError } from './command.js';
import { CsvEncodingError, decodeCsvBytes, parseCsv, unguardCell, type CsvEncoding } from './csv.js';
import { progressBar, table } from './terminal.js';

export interface ImportRow {
  line: number;
  email: string;
  name?: string;
  timezone?: string;
  /** A well-formed zone name nobody knows: the course's zone applies, and this is kept as the record of it. */
  unknownTimezone?: string;
}

export interface ImportPlan {
  records: number;
  rows: ImportRow[];
  /** Rows whose own `status` column says the person left or must not be mailed (an export's). */
  leftOut: { line: number; status: string }[];
  bad: { line: number; code: string; message: string }[];
  duplicates: { line: number; firstLine: number }[];
}

/** Rows in flight at once: enough to hide DynamoDB latency, few enough for a small table's capacity. */
export const IMPORT_CONCURRENCY = 8;

/** The file cannot be imported at all (nothing was written). */
export class ImportFileError extends CommandRefusedError {
  override name = 'ImportFileError';
  readonly command = 'import';
  readonly code = 'import_file_refused';
  override get report(): string {
    return `${this.message}. Nothing was imported.`;
  }
}

const EMAIL_HEADERS = ['email', 'e-mail', 'email_address', 'email address'];
const STOPPED_STATUSES: readonly string[] = ['unsubscribed', 'bounced', 'complained'];

const unguardName = (v: string | undefined) => (v === undefined ? undefined : unguardCell(v));

/** The file's text (decodeCsvBytes); ImportFileError naming the fix when it is not in the encoding expected. */
export function importText(bytes: Uint8Array, encoding?: CsvEncoding): string {
  try {
    return decodeCsvBytes(bytes, encoding);
  } catch (e: unknown) {
    if (e instanceof CsvEncodingError) throw new ImportFileError(e.message);
    throw e;
  }
}

/** Read and check the whole file; writes nothing. */
export function planImport(text: string): ImportPlan {
  let records;
  try {
    records = parseCsv(text);
  } catch (e: unknown) {
    throw new ImportFileError(e instanceof Error ? e.message : String(e));
  }
  const header = records[0];
  if (!header) throw new ImportFileError('the file is empty');
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const emailAt = names.findIndex((n) => EMAIL_HEADERS.includes(n));
  if (emailAt < 0)
    throw new ImportFileError(
      `line ${header.line}: the first line must be a header with an "email" column (found: ${names.join(', ') || 'nothing'})`,
    );
  const nameAt = names.findIndex((n) => n === 'name' || n === 'first_name' || n === 'first name');
  const zoneAt = names.findIndex((n) => n === 'timezone' || n === 'time_zone' || n === 'time zone');
  const statusAt = names.indexOf('status');

  const plan: ImportPlan = { records: records.length - 1, rows: [], leftOut: [], bad: [], duplicates: [] };
  const seen = new Map<string, number>();
  for (const { line, fields } of records.slice(1)) {
    const cell = (i: number) => (i < 0 ? undefined : fields[i]);
    try {
      // An export guards cells against spreadsheet formulas ('=…); address and name come back as they were.
      const parsed = parseSignupInput({ email: unguardCell(cell(emailAt) ?? ''), name: unguardName(cell(nameAt)), timezone: cell(zoneAt) });
      const first = seen.get(parsed.email);
      if (first !== undefined) {
        plan.duplicates.push({ line, firstLine: first });
        continue;
      }
      seen.set(parsed.email, line);
      // A file exported from another table says who unsubscribed, bounced or complained there:
      // importing it must not sign them up again.
      const status = cell(statusAt)?.trim().toLowerCase();
      if (status !== undefined && STOPPED_STATUSES.includes(status)) {
        plan.leftOut.push({ line, status });
        continue;
      }
      plan.rows.push({
        line,
        email: parsed.email,
        ...(parsed.name ? { name: parsed.name } : {}),
        ...(parsed.timezone ? { timezone: parsed.timezone } : {}),
        ...(parsed.unknownTimezone ? { unknownTimezone: parsed.unknownTimezone } : {}),
      });
    } catch (e: unknown) {
      if (!isAppError(e)) throw e;
      plan.bad.push({ line, code: e.code, message: e.message });
    }
  }
  return plan;
}

export interface ImportSummary {
  added: number;
  confirmationsSent: number;
  /** Rows already pending whose confirmation this import sent (with --send-confirmations). */
  pendingConfirmed: number;
  /** Rows already pending whose last confirmation went out under 10 minutes ago: not sent again. */
  pendingRecentlySent: number;
  /** Rows already pending, left as they are (no --send-confirmations); also counted in alreadyListed. */
  pendingUnsent: number;
  alreadyListed: number;
  unsubscribed: number;
  suppressed: number;
  duplicates: number;
  bad: number;
}

export interface ImportDeps {
  /** subscribe()'s ports; `mailer` and `tokens` are used only with sendConfirmations. */
  subscriptions: SubscriptionDeps;
  /** The course the list is imported into. */
  course: MailedCourse;
  out: Writable;
  err: Writable & { isTTY?: boolean };
}

export async function runImport(
  deps: ImportDeps,
  plan: ImportPlan,
  options: { consent: string; source: string; sendConfirmations: boolean; dryRun: boolean; concurrency?: number },
): Promise<ImportSummary> {
  const { store } = deps.subscriptions;
  const course = deps.course.course.slug;
  const summary: ImportSummary = {
    added: 0,
    confirmationsSent: 0,
    pendingConfirmed: 0,
    pendingRecentlySent: 0,
    pendingUnsent: 0,
    alreadyListed: 0,
    unsubscribed: plan.leftOut.filter((l) => l.status === 'unsubscribed').length,
    suppressed: plan.leftOut.filter((l) => l.status !== 'unsubscribed').length,
    duplicates: plan.duplicates.length,
    bad: plan.bad.length,
  };
  const progress = progressBar(deps.err, plan.rows.length, options.dryRun ? 'checking' : 'importing');
  let done = 0;
  progress.update(0);
  const importRow = async (row: ImportRow): Promise<void> => {
    // subscribe() would send an unsubscribed person a new confirmation; an import must never do that,
    // so people already known are sorted out here first.
    const known = await store.findByAddress(course, row.email);
    const status = known?.subscriber?.status;
    if (await store.isSuppressed(row.email)) summary.suppressed++;
    else if (status === 'bounced' || status === 'complained') summary.suppressed++;
    else if (status === 'unsubscribed') summary.unsubscribed++;
    // Already pending (an earlier import, or the form): with --send-confirmations its confirmation
    // goes out now, within the one-per-10-minutes rule (subscribe renews the pending subscription).
    else if (status === 'pending' && options.sendConfirmations) {
      if (options.dryRun) summary.pendingConfirmed++;
      else countPendingOutcome(summary, (await subscribe(deps.subscriptions, deps.course, signupOf(row, options))).outcome);
    } else if (status !== undefined) {
      summary.alreadyListed++;
      if (status === 'pending') summary.pendingUnsent++;
    } else if (options.dryRun) summary.added++;
    else {
      const result = await subscribe(deps.subscriptions, deps.course, signupOf(row, options));
      if (result.outcome === 'created' || result.outcome === 'renewed') {
        summary.added++;
        if (options.sendConfirmations) summary.confirmationsSent++;
      } else if (result.outcome === 'suppressed') summary.suppressed++;
      else summary.alreadyListed++;
    }
    progress.update(++done);
  };
  try {
    // Rows are distinct addresses (repeats were dropped), so rows in flight never race each other.
    await mapWithConcurrency(plan.rows, options.concurrency ?? IMPORT_CONCURRENCY, importRow);
  } catch (e: unknown) {
    progress.done();
    deps.out.write(formatImportSummary(plan, summary, options));
    deps.out.write(
      `Stopped after ${done} of ${plan.rows.length} rows. The rows done stay done; running the same import again skips them.\n`,
    );
    throw e;
  }
  progress.done();
  deps.out.write(formatImportSummary(plan, summary, options));
  deps.out.write(expiryNotice(summary, options, deps.subscriptions.clock.now()));
  return summary;
}

/** subscribe()'s input for one row: the import's consent, and a confirmation only when asked for. */
function signupOf(row: ImportRow, options: { consent: string; source: string; sendConfirmations: boolean }) {
  return {
    fields: { email: row.email, name: row.name, timezone: row.timezone ?? row.unknownTimezone },
    consent: { ip: '', userAgent: `course import ${options.source}`, page: options.consent },
    sendConfirmation: options.sendConfirmations,
  };
}

function countPendingOutcome(summary: ImportSummary, outcome: SubscribeOutcome): void {
  if (outcome === 'renewed' || outcome === 'created') summary.pendingConfirmed++;
  else if (outcome === 'recently_sent') summary.pendingRecentlySent++;
  else if (outcome === 'suppressed') summary.suppressed++;
  else summary.alreadyListed++;
}

/**
 * What happens to the pending rows, said plainly: unconfirmed subscriptions expire (DynamoDB TTL)
 * PENDING_TTL_SECONDS after they were written or last sent a confirmation, and without
 * --send-confirmations nobody was asked to confirm.
 */
export function expiryNotice(s: ImportSummary, options: { sendConfirmations: boolean; dryRun: boolean }, now: Date): string {
  const expires = new Date(now.getTime() + PENDING_TTL_SECONDS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const days = PENDING_TTL_SECONDS / 86_400;
  const unsent = s.added + s.pendingUnsent;
  if (!options.sendConfirmations && unsent > 0) {
    const already = s.pendingUnsent === 0 ? '' : ` (${s.pendingUnsent} of them were already pending and expire sooner)`;
    return (
      `Nobody was emailed. ${unsent} row${unsent === 1 ? ' is' : 's are'} pending without a confirmation email${already}: ` +
      `unconfirmed subscriptions expire ${days} days after they are written${s.added > 0 ? ` (the new ones on ${expires})` : ''} and are then deleted. ` +
      'To send their confirmation emails, run the same import again with --send-confirmations ' +
      '(rows already pending get their confirmation; at most one per address per 10 minutes).\n'
    );
  }
  const waiting = s.added + s.pendingConfirmed;
  if (options.sendConfirmations && !options.dryRun && waiting > 0) {
    return `Each confirmation link works for ${days} days: whoever has not confirmed by ${expires} is deleted with their pending subscription.\n`;
  }
  return '';
}

export function formatImportSummary(
  plan: ImportPlan,
  s: ImportSummary,
  options: { consent: string; source: string; sendConfirmations: boolean; dryRun: boolean },
): string {
  const added = options.dryRun
    ? 'would be added as pending'
    : options.sendConfirmations
      ? 'added as pending, confirmation sent'
      : 'added as pending (no emails sent)';
  const details = (title: string, lines: string[]) => (lines.length === 0 ? [] : [`${title}:`, ...lines.map((l) => `  ${l}`)]);
  return [
    `${options.dryRun ? 'Dry run: nothing written. ' : ''}Import of ${options.source} (consent: "${options.consent}")`,
    table([
      ['  rows read', plan.records],
      [`  ${added}`, s.added],
      ...(options.sendConfirmations
        ? [
            [`  already pending: confirmation ${options.dryRun ? 'would be ' : ''}sent`, s.pendingConfirmed],
            ['  already pending: a confirmation went out under 10 minutes ago, not sent again', s.pendingRecentlySent],
          ]
        : []),
      ['  already on the list', s.alreadyListed],
      ['  unsubscribed: left out', s.unsubscribed],
      ['  bounced, complained or erased: left out', s.suppressed],
      ['  repeated in the file', s.duplicates],
      ['  bad rows', s.bad],
    ]),
    ...details(
      'Left out as the file says',
      plan.leftOut.map((l) => `line ${l.line}: ${l.status}`),
    ),
    ...details(
      'Repeated',
      plan.duplicates.map((d) => `line ${d.line}: same address as line ${d.firstLine}`),
    ),
    ...details(
      'Bad rows',
      plan.bad.map((b) => `line ${b.line}: ${b.code}: ${b.message}`),
    ),
    '',
  ].join('\n');
}
