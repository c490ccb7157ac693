// The drip planner (fan-out): run every tick, it reads SES's quota once, decides how many senders the
// account's rate needs (K = ⌈rate ÷ ratePerSender⌉, at most dripSenders), splits the due index's shards
// and the rate among them (fan-out.ts), and hands each sender its share, the tick's identity and the
// senders' deadline, counted from this planner's own start (planTick: an EventBridge rate rule fires
// at an offset of its own). A tick is planned once: claimPlan, keyed by the scheduled event's time,
// stops a second planner for the same event (EventBridge delivers at least once), whose senders would
// otherwise double the rate.
import type { SendQuota } from './ports.js';
import { planSenders, planTick, sendersFor, TICK_MEMORY_SECONDS, type FanOutStore, type ShareOrder } from './fan-out.js';
import type { Clock, Log } from '../ports.js';

export interface PlannerDeps {
  store: Pick<FanOutStore, 'claimPlan'>;
  /** SES GetSendQuota. */
  sendQuota: () => Promise<SendQuota>;
  /** Starts one sender with its share (in AWS an asynchronous Lambda invoke); rejects when it cannot. */
  startSender: (order: ShareOrder) => Promise<void>;
  clock: Clock;
  log: Log;
  /** The due index's shards (adapters/table.ts dueShards). */
  shards: string[];
  /** The tick's length in ms (the schedule's rate). */
  tickMs: number;
  settings: {
    /** Emails per second the deployment may send; SES's own rate caps it. */
    maxSendRate: number;
    /** Emails per second one sender is asked to carry. */
    ratePerSender: number;
    /** The most senders a tick fans out to. */
    dripSenders: number;
  };
}

export type PlannerResult =
  { tick: string; senders: number; maxSendRate: number; until: string } | { tick: string; duplicate: true } | { tick: string; late: true };

/** Plans the tick of `event` (the scheduled event) and starts its senders; logs `drip.plan` (or why not). */
export async function runPlanner(deps: PlannerDeps, event: unknown): Promise<PlannerResult> {
  const { log, settings, shards } = deps;
  const startedAt = deps.clock.now();
  const planned = planTick({ event, startedAt, tickMs: deps.tickMs });
  const { tick } = planned;
  if (planned.late) {
    // A delivery so late that its senders could not start before the next tick's: that tick carries on.
    log({ msg: 'drip.plan_late', level: 'warn', tick, startedAt: startedAt.toISOString(), until: planned.until.toISOString() });
    return { tick, late: true };
  }
  const until = planned.until.toISOString();
  if (!(await deps.store.claimPlan(tick, Math.floor(planned.until.getTime() / 1000) + TICK_MEMORY_SECONDS))) {
    log({ msg: 'drip.plan_duplicate', tick });
    return { tick, duplicate: true };
  }
  const quota = await deps.sendQuota();
  const maxSendRate = Math.min(settings.maxSendRate, quota.maxSendRate);
  const senders = sendersFor({
    maxSendRate,
    ratePerSender: settings.ratePerSender,
    maxSenders: settings.dripSenders,
    shards: shards.length,
  });
  const plan = planSenders({ shards, senders, maxSendRate, remaining24h: quota.remaining24h });
  await Promise.all(plan.map((share) => deps.startSender({ tick, share, until })));
  log({
    msg: 'drip.plan',
    tick,
    until,
    senders: plan.length,
    maxSendRate,
    shares: plan.map((p) => ({ sender: p.sender, shards: p.shards, maxSendRate: p.maxSendRate })),
  });
  return { tick, senders: plan.length, maxSendRate, until };
}
