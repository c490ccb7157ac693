// A drip run past one sender: a planner splits the due index's shards among K senders that run in
// parallel, each paced at its share of the account's send rate, so the shares add up to no more than
// the rate. In AWS the drip planner Lambda invokes K sender Lambdas (functions/handlers/drip-planner.ts);
// locally, in tests and in the bench runFannedOut runs the same K senders in one process.
import { runDrip, type DripDeps, type DripRun, type SenderShare } from './drip.js';
import type { DripSummary } from './ports.js';

export interface SendersForOptions {
  /** The account's send rate (emails per second; SES MaxSendRate, or MAX_SEND_RATE when lower). */
  maxSendRate: number;
  /** What one sender is asked to carry (emails per second); more rate than this adds senders. */
  ratePerSender: number;
  /** The most senders at once (config; mind the account's Lambda concurrency: 10 in a new account). */
  maxSenders: number;
  /** Shards of the due index: no more senders than shards. */
  shards: number;
}

/**
 * How many senders a run needs: ⌈rate ÷ ratePerSender⌉, at least 1, at most `maxSenders`, the shard
 * count, and ⌊rate⌋ (each sender's pacer lets ⌊its share⌋ calls into a second, so a share under 1/s
 * would waste rate).
 */
export function sendersFor(o: SendersForOptions): number {
  const wanted = Math.ceil(o.maxSendRate / o.ratePerSender);
  return Math.max(1, Math.min(wanted, Math.floor(o.maxSenders), o.shards, Math.floor(o.maxSendRate)));
}

export interface PlanOptions {
  /** Every shard of the due index (e.g. DUE#0 … DUE#7). */
  shards: readonly string[];
  /** Senders wanted (sendersFor); fewer when there are fewer shards, or when the rate is under one per sender per second. */
  senders: number;
  /** The account's send rate, emails per second. */
  maxSendRate: number;
  /** What is left of SES's 24-hour quota; undefined when unlimited. */
  remaining24h?: number;
}

/**
 * Split the shards round-robin among the senders and the rate evenly: each sender's share is
 * rate ÷ K, so the K pacers together let at most K × ⌊rate ÷ K⌋ ≤ ⌊rate⌋ calls into any one second.
 * The 24-hour quota left is split the same way (whole emails, the remainder to the first senders).
 */
export function planSenders(o: PlanOptions): SenderShare[] {
  if (o.shards.length === 0) throw new Error('no shards to plan');
  if (!(Number.isFinite(o.maxSendRate) && o.maxSendRate > 0)) throw new Error(`maxSendRate must be > 0, got ${o.maxSendRate}`);
  const k = Math.max(1, Math.min(Math.floor(o.senders), o.shards.length, Math.max(1, Math.floor(o.maxSendRate))));
  return Array.from({ length: k }, (_, sender) => {
    const share: SenderShare = {
      sender,
      senders: k,
      shards: o.shards.filter((_, i) => i % k === sender),
      maxSendRate: o.maxSendRate / k,
    };
    if (o.remaining24h !== undefined) {
      const each = Math.floor(o.remaining24h / k);
      share.remaining24h = each + (sender < o.remaining24h - each * k ? 1 : 0);
    }
    return share;
  });
}

/** A fanned-out run's summary: the senders' counts added up, and each sender's own. */
export interface FanOutSummary extends DripSummary {
  senders: (DripSummary & { sender: number; shards: number; maxSendRate: number })[];
}

/**
 * One drip tick fanned out to `senders` senders in this process (the local stack, tests, the bench):
 * SES's quota is read once, the shards and rate are split with planSenders, and the senders run in
 * parallel, each as runDrip with its share. All are awaited; the first failure is rethrown after.
 */
export async function runFannedOut(
  deps: DripDeps,
  run: Omit<DripRun, 'share'>,
  o: { senders: number; shards: readonly string[] },
): Promise<FanOutSummary> {
  let maxSendRate = deps.settings.maxSendRate;
  let remaining24h: number | undefined;
  if (deps.sendQuota) {
    const quota = await deps.sendQuota();
    maxSendRate = Math.min(maxSendRate, quota.maxSendRate);
    remaining24h = quota.remaining24h;
  }
  const plan = planSenders({ shards: o.shards, senders: o.senders, maxSendRate, ...(remaining24h === undefined ? {} : { remaining24h }) });
  const results = await Promise.allSettled(plan.map((share) => runDrip(deps, { ...run, share })));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const each = results.map((r, i) => ({
    ...(r as PromiseFulfilledResult<DripSummary>).value,
    sender: i,
    shards: plan[i]!.shards.length,
    maxSendRate: plan[i]!.maxSendRate,
  }));
  const sum = (f: (s: DripSummary) => number) => each.reduce((n, s) => n + f(s), 0);
  const durationMs = Math.max(0, ...each.map((s) => s.durationMs));
  const sent = sum((s) => s.sent);
  return {
    due: sum((s) => s.due),
    claimed: sum((s) => s.claimed),
    sent,
    skipped: sum((s) => s.skipped),
    failed: sum((s) => s.failed),
    held: sum((s) => s.held),
    possibleDuplicates: sum((s) => s.possibleDuplicates),
    durationMs,
    emailsPerSecond: durationMs === 0 ? 0 : Math.round((sent / (durationMs / 1000)) * 100) / 100,
    stoppedEarly: each.some((s) => s.stoppedEarly),
    maxUnrecorded: sum((s) => s.maxUnrecorded ?? 0),
    senders: each,
  };
}
