// A drip sender Lambda (fan-out, see functions/core/fan-out.ts): the drip planner invokes K of these
// asynchronously each tick, each with its share: its shards of the due index and its part of the
// send rate. It runs the same drip as the single drip Lambda, on its shards only, paced at its share,
// and stops before the planner's tick ends, so senders of consecutive ticks never overlap (which would
// add their shares up past the account's rate). A share delivered twice runs once (runSender).
import type { SenderOutcome } from '../core/fan-out.js';
import { dripLambda, parseShareOrder, runSenderShare, type DripContext } from '../wiring/sender.js';

const drip = dripLambda();

export const handler = drip.handle(async (event: unknown, context: DripContext): Promise<SenderOutcome> => {
  // A payload that is not the planner's is a bug or a stray invoke: fail loudly, send nothing.
  const order = parseShareOrder(event);
  return runSenderShare(await drip.deps(), order, context);
});
