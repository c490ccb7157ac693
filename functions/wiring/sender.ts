// A fanned-out drip sender (functions/handlers/drip-sender.ts) on the drip's deps (wiring/drip.ts).
import type { ShareOrder, SenderOutcome } from '../core/drip/index.js';
import { runSender } from '../core/drip/index.js';
import { SAFETY_MARGIN_MS, type DripContainer, type DripContext } from './drip.js';

export { dripLambda, type DripContext } from './drip.js';
export { parseShareOrder } from '../adapters/share-order.js';

/** One fanned-out sender's share (core/drip/fan-out.ts runSender), at most once. */
export function runSenderShare(c: DripContainer, order: ShareOrder, context: DripContext): Promise<SenderOutcome> {
  return runSender({ drip: c.drip, store: c.fanOut, log: c.log, sweepOutbox: c.sweepOutbox }, order, {
    remainingMs: context.getRemainingTimeInMillis(),
    safetyMarginMs: SAFETY_MARGIN_MS,
  });
}
