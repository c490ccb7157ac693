// The run's start: the limits it works under and who is due. The rate is the settings' MAX_SEND_RATE,
// lowered to SES's MaxSendRate (or, fanned out, to this sender's share); the allowance is what is left
// of SES's 24-hour quota (or the share of it); the page size follows from the rate (pageSizeFor). Then
// one read of the due index: everyone due at the run's calendar time in its shards, oldest first.
//
// Its promise: the run is paced under the lowest rate that applies (the setting, SES's, the share),
// is allowed no more sends than SES's quota leaves, and never has more than a page of emails accepted
// by SES and not yet logged (the crash bound).
import { randomUUID } from 'node:crypto';
import { Pacer } from '../pacer.js';
import { SendLog } from '../send-log.js';
import {
  DEFAULT_CLAIM_TTL_MS,
  DEFAULT_SEND_RESERVE_MS,
  PAGE_MAX,
  pageSizeFor,
  type DripDeps,
  type DripRun,
  type DueEntry,
} from './ports.js';
import { logOf, type Run, type RunState } from './state.js';

/** The rate and the 24-hour allowance (SES's quota, or the planner's share of it), the page size, the pacer. */
export async function startRun(deps: DripDeps, options: DripRun, state: RunState): Promise<Run> {
  const { settings } = deps;
  const { share } = options;
  let rate = settings.maxSendRate;
  let allowance = Number.POSITIVE_INFINITY;
  if (share !== undefined) {
    // The planner read SES's quota once for all senders and gave each its part.
    rate = Math.min(rate, share.maxSendRate);
    allowance = share.remaining24h ?? allowance;
  } else if (deps.sendQuota) {
    const quota = await deps.sendQuota();
    rate = Math.min(rate, quota.maxSendRate);
    allowance = quota.remaining24h ?? allowance;
  }
  state.pageSize = Math.min(PAGE_MAX, Math.max(1, Math.floor(settings.pageSize ?? pageSizeFor(rate))));
  // No more than a page of emails in SES calls or accepted and not yet logged: the crash bound.
  state.sendLog = new SendLog((records) => deps.store.logSends(records), state.pageSize);
  return {
    ...options,
    deps,
    state,
    log: logOf(deps),
    sendLog: state.sendLog,
    // Evenly spaced SES calls, at the rate (no headroom: core/pacer.ts), and never more than ⌊rate⌋ in any one-second window at SES.
    pacer: new Pacer({ ratePerSecond: rate, clock: () => deps.clock.now().getTime(), sleep: deps.sleep }),
    allowance,
    claimTtlMs: settings.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS,
    reserveMs: settings.sendReserveMs ?? DEFAULT_SEND_RESERVE_MS,
    retryMaxMs: settings.retryMaxMs ?? 5_000,
    maxRejections: settings.maxRejectionsInARow ?? 3,
    newClaimId: deps.newClaimId ?? randomUUID,
  };
}

/** Everyone due at the run's calendar time in its shards (all of them unless fanned out), oldest first. */
export async function findDue(run: Run): Promise<DueEntry[]> {
  const due = await run.deps.store.findDue(run.now, run.share?.shards);
  run.state.counts.due = due.length;
  return due;
}
