// The summary: one `drip.summary` log line per run (its counts, duration, rate, page size, crash
// bound, why it stopped early, and the error that ended it, if any) and the same counts as metrics.
//
// Its promise: every run reports once, a failed one included, with zeros sent as zeros so graphs and
// alarms see a quiet run as 0 rather than a gap.
import { noMetrics, type DripSummary, type Metrics } from '../ports.js';
import type { DripDeps, DripRun } from './ports.js';
import { logOf, type RunState } from './state.js';

/** The run's one `drip.summary` line and its metrics; answers the summary. */
export function reportRun(deps: DripDeps, { now, share }: DripRun, state: RunState): DripSummary {
  const { counts, stopReason, error } = state;
  const durationMs = Math.max(0, deps.clock.now().getTime() - state.startedMs);
  const summary: DripSummary = {
    ...counts,
    durationMs,
    emailsPerSecond: durationMs === 0 ? 0 : Math.round((counts.sent / (durationMs / 1000)) * 100) / 100,
    stoppedEarly: stopReason !== undefined,
    pageSize: state.pageSize,
    maxUnrecorded: state.sendLog?.maxAtRisk ?? 0,
  };
  logOf(deps)({
    msg: 'drip.summary',
    level: error === undefined ? 'info' : 'error',
    at: now.toISOString(),
    ...(share === undefined ? {} : { sender: share.sender, senders: share.senders, shards: share.shards.length, rate: share.maxSendRate }),
    ...summary,
    ...(stopReason === undefined ? {} : { stopReason }),
    ...(error === undefined ? {} : { error: `${error.name}: ${error.message}` }),
  });
  emitMetrics(deps.metrics ?? noMetrics, summary);
  return summary;
}

/** The run's summary as metrics (zeros included, so graphs and alarms see quiet runs as 0, not gaps). */
function emitMetrics(metrics: Metrics, summary: DripSummary): void {
  metrics.add('sent', summary.sent);
  metrics.add('failed', summary.failed);
  metrics.add('skipped', summary.skipped);
  metrics.add('held', summary.held);
  metrics.add('possibleDuplicates', summary.possibleDuplicates);
  metrics.add('stoppedEarly', summary.stoppedEarly ? 1 : 0);
  metrics.add('duration', summary.durationMs);
}
