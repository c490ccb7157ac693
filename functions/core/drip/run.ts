// The drip run: find who is due, claim them, send each their next lesson at most once, log it and
// schedule the next. The same function runs in the drip Lambda (alone, or as one of K fanned-out
// senders, fan-out.ts), the local ticker, tests and the bench. This module is the order of the steps;
// each step is a module of its own that knows only the run state (state.ts) and the ports (ports.ts):
//   start    the rate, the 24-hour allowance, the page size; who is due              start.ts
//   claim    still active, still on the due entry we read, no live claim → lost: skip claim.ts
//   check    one consistent read of each lesson's send log record and each address's suppression item:
//            a `sent` record already (a run died before advancing) → advance only; suppressed → held
//   send     paced under the rate at the SES call, bounded concurrency, throttling/5xx retried with
//            backoff + jitter (each retry first re-reads the claim)                      send.ts
//   hold     refused for good, or suppressed: out of the due index with the reason      hold.ts
//   record   the page's `sent` records in one batch write; then advance (next lesson + due time, or
//            completed), conditional on our claim and the lesson: that update is what makes a lesson
//            once                                                                      record.ts
//   summary  one `drip.summary` line and the run's metrics                             summary.ts
// Every step is batched across a page, each conditional write still standing alone, so overlapping
// runs cannot both win a subscriber and one lost condition never undoes another. The claim and send
// steps hold subscribers with the hold step's functions, handed to them here.
//
// The SES window: SendRawEmail has no idempotency key, so a process that dies after SES accepted a
// message and before its send log record is written leaves only its claim behind. The claim expires
// and the next run sends that lesson again: never a lost lesson, and at most one page of duplicates
// per crash (pageSize, ≤ 50; see runDrip). The run that takes over an expired claim logs
// `drip.possible_duplicate` so an operator can see it.
import type { DripSummary } from '../ports.js';
import { chunks } from '../concurrency.js';
import type { DripDeps, DripRun, DueEntry } from './ports.js';
import { limitReached, stopped, type Page, type PageResult, type Run, type RunState } from './state.js';
import { findDue, startRun } from './start.js';
import { claimAndCheck } from './claim.js';
import { sendPage } from './send.js';
import { holdRefused, holdSuppressed } from './hold.js';
import { flushSentCounts, recordAndAdvance } from './record.js';
import { reportRun } from './summary.js';

/**
 * One drip tick as if the calendar read `now`; starts no send it could not finish before `deadline`.
 *
 * Page by page (pageSizeFor the rate, ≤ 50): claim the page (one batch read, conditional claims in
 * batches), read its send records and suppression items (one batch read), send each email paced and
 * with bounded concurrency, write the page's send log (one batch write), then advance the page
 * (conditional updates in batches). The next page is claimed and checked while this one sends. A page
 * sends nothing until the page before it is in the send log, so at most one page of emails is ever
 * accepted by SES and not yet logged: a crash sends at most `pageSize` emails again, each once
 * (logged per run as `maxUnrecorded`, and by the run that takes over as `drip.possible_duplicate`).
 *
 * Logs one `drip.summary` line and emits the summary as metrics, then answers it; an error that is
 * not a send's (a store that cannot be read, a bug) is thrown after that, as a crash would end the run.
 */
export async function runDrip(deps: DripDeps, options: DripRun): Promise<DripSummary> {
  const state: RunState = {
    startedMs: deps.clock.now().getTime(),
    counts: { due: 0, claimed: 0, sent: 0, skipped: 0, failed: 0, held: 0, possibleDuplicates: 0 },
    pageSize: 0,
    started: 0,
    rejectionsInARow: 0,
    uncounted: new Map(),
  };
  let run: Run | undefined;
  try {
    run = await startRun(deps, options, state);
    const due = await findDue(run);
    await sendPages(run, due);
  } catch (e: unknown) {
    state.error = e instanceof Error ? e : new Error(String(e));
  }
  if (run !== undefined) await flushSentCounts(run);
  const summary = reportRun(deps, options, state);
  if (state.error !== undefined) throw state.error;
  return summary;
}

/**
 * The due list, page by page: each page is claimed and checked while the one before it sends, and
 * recorded and advanced (in page order) while the next one sends. A page claimed ahead and never sent
 * (the run stopped) gives its claims back.
 */
async function sendPages(run: Run, due: DueEntry[]): Promise<void> {
  const { state } = run;
  const pages = chunks(due, state.pageSize);
  const recording = pageRecorder(run);
  let ahead: Promise<Page> | undefined;
  let failing = true;
  try {
    for (const [i, entries] of pages.entries()) {
      recording.throwIfFailed();
      if (!stopped(state)) state.stopReason = limitReached(run);
      if (stopped(state) && ahead === undefined) {
        state.counts.skipped += entries.length; // never claimed: work left for the next run
        continue;
      }
      const page = await (ahead ?? claimAndCheck(run, entries, holdSuppressed));
      // The next page is claimed and checked while this one sends.
      ahead = !stopped(state) && i + 1 < pages.length ? claimAndCheck(run, pages[i + 1]!, holdSuppressed) : undefined;
      const result: PageResult = { sent: [], unused: [] };
      try {
        await sendPage(run, page, result, holdRefused);
      } catch (e: unknown) {
        // Stopping as a crash would (unknown error): what SES accepted is still logged and advanced.
        await recording.settled().catch(() => undefined);
        await recordAndAdvance(run, page, { sent: result.sent, unused: [] }).catch(() => undefined);
        throw e;
      }
      recording.add(page, result);
    }
    await recording.settled();
    failing = false;
  } finally {
    if (ahead !== undefined) await giveBack(run, ahead, failing);
  }
}

/** Records and advances sent pages one after another, in page order, while later pages send. */
function pageRecorder(run: Run) {
  let chain: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  return {
    add(page: Page, result: PageResult): void {
      chain = chain.then(() => recordAndAdvance(run, page, result));
      chain.catch((e: unknown) => {
        failure ??= { error: e };
      });
    },
    /** A page that could not be recorded stops the run before the next page is sent. */
    throwIfFailed(): void {
      if (failure) throw failure.error;
    },
    /** Every page added so far recorded and advanced; rejects with the first failure. */
    settled: (): Promise<void> => chain,
  };
}

/** A page claimed ahead and never sent: its claims go back (its advance-only subscribers still move on). */
async function giveBack(run: Run, ahead: Promise<Page>, failing: boolean): Promise<void> {
  const given = ahead.then(async (page) => {
    run.state.counts.skipped += page.toSend.length;
    await recordAndAdvance(run, page, { sent: [], unused: page.toSend.map((c) => c.subscriber.id) });
  });
  // When the run is already failing, that error is the one to report; the claims then expire.
  await (failing ? given.catch(() => undefined) : given);
}
