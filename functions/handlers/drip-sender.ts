// A drip sender Lambda (fan-out, see functions/core/fan-out.ts): the drip planner invokes K of these
// asynchronously each tick, each with its share: its shards of the due index and its part of the
// send rate. It runs the same drip as the single drip Lambda, on its shards only, paced at its share,
// and stops before the planner's tick ends, so senders of consecutive ticks never overlap (which would
// add their shares up past the account's rate). A share delivered twice runs once (runSender).
import * as z from 'zod';
import { runSender, type SenderOutcome, type ShareOrder } from '../core/drip/index.js';
import { containerDeps, containerFanOutStore, observability, SAFETY_MARGIN_MS, sweepSignupOutbox, type DripContext } from './drip.js';

/** What the planner sends each sender (the invocation's payload, ShareOrder). */
export const senderEventSchema = z.object({
  /** The tick's identity (planTick): with the sender's number, the key of the share's once-only item. */
  tick: z.string().regex(/^[A-Za-z0-9:.+-]{1,80}$/),
  share: z.object({
    sender: z.number().int().min(0),
    senders: z.number().int().min(1),
    shards: z.array(z.string().min(1)).min(1),
    maxSendRate: z.number().positive(),
    remaining24h: z.number().int().min(0).optional(),
  }),
  /** ISO instant after which this sender starts no send: the planner's start plus a tick, less a margin. */
  until: z.iso.datetime(),
});
export type SenderEvent = z.infer<typeof senderEventSchema> & ShareOrder;

export const handler = async (event: unknown, context: DripContext): Promise<SenderOutcome> => {
  // A payload that is not the planner's is a bug or a stray invoke: fail loudly, send nothing.
  const order: ShareOrder = senderEventSchema.parse(event);
  observability.startInvocation(context);
  try {
    const [drip, store] = await Promise.all([containerDeps(), containerFanOutStore()]);
    return await runSender({ drip, store, log: observability.log, sweepOutbox: sweepSignupOutbox }, order, {
      remainingMs: context.getRemainingTimeInMillis(),
      safetyMarginMs: SAFETY_MARGIN_MS,
    });
  } finally {
    observability.publishMetrics();
  }
};
