// The drip's public surface: what the rest of the code (handlers, the local stack, the CLI, adapters,
// tests and the bench) imports. Inside the folder, run.ts puts the steps in order (start, claim, send,
// hold, record, summary: a module each, knowing only the run state and the ports), and fan-out.ts runs
// the drip as K senders, each with its share of the due index and of the rate.
//
// The drip's promise: each subscriber gets each lesson once, in order, at their local send hour;
// nothing is lost through crashes or overlapping runs (a crash costs at most one page of duplicates,
// logged as `drip.possible_duplicate`).
export {
  DEFAULT_CLAIM_TTL_MS,
  PAGE_MAX,
  pageSizeFor,
  type Advance,
  type AdvanceOutcome,
  type Claimed,
  type DripDeps,
  type DripRun,
  type DripSettings,
  type DripStore,
  type DueEntry,
  type SendCheck,
  type SenderShare,
  type SendQuota,
} from './ports.js';
export type { StopReason } from './state.js';
export { runDrip } from './run.js';
export {
  MIN_SENDER_MS,
  planSenders,
  planTick,
  runFannedOut,
  runSender,
  sendersFor,
  TICK_MARGIN_MS,
  TICK_MEMORY_SECONDS,
  type FanOutStore,
  type FanOutSummary,
  type PlanOptions,
  type SenderDeps,
  type SenderOutcome,
  type SendersForOptions,
  type ShareOrder,
  type TickEvent,
  type TickPlan,
} from './fan-out.js';
