// A drip sender Lambda (fan-out, see functions/core/drip/fan-out.ts): the drip planner invokes K of these
// asynchronously each tick, each with its share: its shards of the due index and its part of the
// send rate. It runs the same drip as the single drip Lambda, on its shards only, paced at its share,
// and stops before the planner's tick ends, so senders of consecutive ticks never overlap (which would
// add their shares up past the account's rate). A share delivered twice runs once (runSender).
import { dripLambda, parseShareOrder, runSenderShare } from '../wiring/sender.js';

// A payload that is not the planner's is a bug or a stray invoke: it fails loudly and sends nothing.
export const handler = dripLambda((drip, event: unknown, context) => runSenderShare(drip, parseShareOrder(event), context));
