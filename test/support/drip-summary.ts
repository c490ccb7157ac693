// Test support: a drip run's summary with nothing done, for tests that stand in for runDrip.
import type { DripSummary } from '../../functions/core/ports.js';

/** A run that found nobody due; `fields` override any count. */
export function idleDripSummary(fields: Partial<DripSummary> = {}): DripSummary {
  return {
    due: 0,
    claimed: 0,
    sent: 0,
    skipped: 0,
    failed: 0,
    held: 0,
    possibleDuplicates: 0,
    durationMs: 0,
    emailsPerSecond: 0,
    stoppedEarly: false,
    ...fields,
  };
}
