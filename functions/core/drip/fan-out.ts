// A drip run past one sender: a planner splits the due index's shards among K senders that run in
// parallel, each paced at its share of the account's send rate, so the shares add up to no more than
// the rate. In AWS the drip planner Lambda invokes K sender Lambdas (functions/handlers/drip-planner.ts);
// locally, in tests and in the bench runFannedOut runs the same K senders in one process.
//
// A tick's identity and deadline (planTick) and the sender's once-per-share rule (runSender) live here
// too, so the planner and sender handlers only adapt their events.
import type { DripSummary, Log } from '../ports.js';
import type { DripDeps, DripRun, SenderShare } from './ports.js';
import { runDrip } from './run.js';

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
 * Split the shards round-robin among the senders and the rate evenly in whole emails per second:
 * ⌊rate⌋ split as ⌊⌊rate⌋ ÷ K⌋ each, the remainder one each to the first senders (K = 1 keeps the rate
 * as it is). Each pacer lets ⌊its share⌋ calls into a second, so whole shares waste none of the rate
 * (rate ÷ K each lost up to one call a second per sender: 12.5/s paced as 12, 96 % of 50/s at K = 4)
 * and together let at most ⌊rate⌋ into any one second.
 * The 24-hour quota left is split the same way (whole emails, the remainder to the first senders).
 */
export function planSenders(o: PlanOptions): SenderShare[] {
  if (o.shards.length === 0) throw new Error('no shards to plan');
  if (!(Number.isFinite(o.maxSendRate) && o.maxSendRate > 0)) throw new Error(`maxSendRate must be > 0, got ${o.maxSendRate}`);
  const k = Math.max(1, Math.min(Math.floor(o.senders), o.shards.length, Math.max(1, Math.floor(o.maxSendRate))));
  const whole = Math.floor(o.maxSendRate);
  return Array.from({ length: k }, (_, sender) => {
    const share: SenderShare = {
      sender,
      senders: k,
      shards: o.shards.filter((_, i) => i % k === sender),
      maxSendRate: k === 1 ? o.maxSendRate : Math.floor(whole / k) + (sender < whole % k ? 1 : 0),
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

// --- One tick: its identity and deadline --------------------------------------------------------

/** The senders start nothing new this long before the next tick (their in-flight sends end by then). */
export const TICK_MARGIN_MS = 15_000;
/** A sender given less than this before its deadline would only claim and give back: the tick is skipped. */
export const MIN_SENDER_MS = 15_000;
/** How long a plan or share item is kept (DynamoDB TTL) after its tick: longer than any redelivery. */
export const TICK_MEMORY_SECONDS = 86_400;

/** What the planner reads of its event: EventBridge's scheduled event (`id`, `time`); anything else is ignored. */
export interface TickEvent {
  id?: unknown;
  time?: unknown;
}

export type TickPlan =
  /** Plan this tick: `tick` identifies it (the plan and share items' keys), senders stop before `until`. */
  | { tick: string; until: Date; late?: undefined }
  /** Delivered too late to send anything before the next tick would start: plan nothing. */
  | { tick: string; late: true; until: Date };

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * A tick's identity and the senders' deadline, from the planner's own start, never a wall-clock grid.
 *
 * An EventBridge `rate()` rule fires at an offset of its own: "a rate expression starts when you create
 * the scheduled event rule" (EventBridge user guide, "Creating a rule that runs on a schedule"), so a
 * 5-minute rule may fire 4.5 minutes into every 5-minute slot of the clock. Counting the deadline from
 * the slot's start (`⌊now/tick⌋·tick + tick − margin`) then leaves the senders seconds; counting it
 * from the planner's start leaves them the whole tick at any offset.
 *
 * - Identity: the scheduled event's `time` (the instant EventBridge scheduled it, to the second). EventBridge
 *   delivers at least once and retries a failed delivery with the same event, so a duplicate or a retry
 *   carries the same `time` (and `id`) and maps to the same tick, which the planner's conditional plan
 *   item then refuses. Without `time` the event `id`, and without either (a manual invoke) the start itself.
 * - Deadline: `until = min(start + tick − margin, scheduled + tick)`. The next tick's planner starts no
 *   earlier than `scheduled + tick`, so even a delivery that arrives late (a retry after a throttle) stops
 *   its senders before the next tick's senders begin: two senders never pace the same shards at once.
 * - Late: fewer than MIN_SENDER_MS left before `until` (a retry older than the tick): plan nothing.
 *
 * `tickMs` and `marginMs` in milliseconds; `startedAt` is the planner's clock at its start.
 */
export function planTick(o: { event: unknown; startedAt: Date; tickMs: number; marginMs?: number }): TickPlan {
  if (!(o.tickMs > 0)) throw new Error(`tickMs must be > 0, got ${o.tickMs}`);
  const margin = o.marginMs ?? TICK_MARGIN_MS;
  const event: TickEvent = typeof o.event === 'object' && o.event !== null ? o.event : {};
  const scheduled = typeof event.time === 'string' && ISO_SECONDS.test(event.time) ? new Date(event.time) : undefined;
  const start = o.startedAt.getTime();
  let tick: string;
  if (scheduled !== undefined && !Number.isNaN(scheduled.getTime())) tick = scheduled.toISOString();
  else if (typeof event.id === 'string' && SAFE_ID.test(event.id)) tick = `event-${event.id}`;
  else tick = `start-${o.startedAt.toISOString()}`;
  const fromStart = start + o.tickMs - margin;
  const untilMs = scheduled === undefined ? fromStart : Math.min(fromStart, scheduled.getTime() + o.tickMs);
  const until = new Date(untilMs);
  if (untilMs - start < MIN_SENDER_MS) return { tick, late: true, until };
  return { tick, until };
}

// --- One sender: its share, once ----------------------------------------------------------------

/** What the planner hands each sender (the async invoke's payload). */
export interface ShareOrder {
  /** The tick's identity (planTick): with `share.sender`, the share's. */
  tick: string;
  /** ISO instant after which this sender starts no send. */
  until: string;
  share: SenderShare;
}

/** The conditional writes that make a tick planned once and a share run once (DynamoDB: dynamo-fan-out.ts). */
export interface FanOutStore {
  /** First planner of `tick`: true; a duplicate delivery of the same scheduled event: false. `expiresAt`: epoch s. */
  claimPlan(tick: string, expiresAt: number): Promise<boolean>;
  /** First run of (tick, sender): true; a second delivery of the same share: false. */
  claimShare(tick: string, sender: number, expiresAt: number): Promise<boolean>;
}

export interface SenderDeps {
  drip: DripDeps;
  store: FanOutStore;
  log: Log;
  /** Sender 0's first job each tick: the signup outbox, within its part of the time (never throws). */
  sweepOutbox?: (now: Date, deadline: Date) => Promise<void>;
}

export type SenderOutcome = DripSummary | { skipped: 'late' | 'duplicate'; sender: number; tick: string };

/**
 * One share of a tick, at most once. The deadline is the earlier of the order's `until` and the
 * invocation's own end (`remainingMs` less `safetyMarginMs`). A share delivered after its deadline is
 * dropped (the next tick's senders own those shards now). Lambda may deliver an asynchronous invoke
 * more than once ("Lambda ... might send the same event to your function more than once", Lambda
 * developer guide, asynchronous invocation), and two senders on one share would pace it at twice its
 * rate: the share is claimed with a conditional put first, and a second delivery logs
 * `drip.share_duplicate` and sends nothing.
 */
export async function runSender(
  deps: SenderDeps,
  order: ShareOrder,
  o: { remainingMs: number; safetyMarginMs: number },
): Promise<SenderOutcome> {
  const { share, tick } = order;
  const now = deps.drip.clock.now();
  const deadline = new Date(Math.min(now.getTime() + o.remainingMs - o.safetyMarginMs, new Date(order.until).getTime()));
  if (deadline.getTime() <= now.getTime()) {
    deps.log({ msg: 'drip.sender_late', level: 'warn', tick, sender: share.sender, until: order.until });
    return { skipped: 'late', sender: share.sender, tick };
  }
  const expiresAt = Math.floor(new Date(order.until).getTime() / 1000) + TICK_MEMORY_SECONDS;
  if (!(await deps.store.claimShare(tick, share.sender, expiresAt))) {
    deps.log({
      msg: 'drip.share_duplicate',
      level: 'warn',
      tick,
      sender: share.sender,
      action: 'a second delivery of this share: sent nothing',
    });
    return { skipped: 'duplicate', sender: share.sender, tick };
  }
  // One sender per tick (the first) sends the signup outbox's confirmations before its lessons.
  if (share.sender === 0 && deps.sweepOutbox) await deps.sweepOutbox(now, deadline);
  return runDrip(deps.drip, { now: share.sender === 0 ? deps.drip.clock.now() : now, deadline, share });
}
