// A drip sender Lambda (fan-out, see functions/core/fan-out.ts): the drip planner invokes K of these
// asynchronously each tick, each with its share: its shards of the due index and its part of the
// send rate. It runs the same drip as the single drip Lambda, on its shards only, paced at its share,
// and stops before the planner's tick ends, so senders of consecutive ticks never overlap (which would
// add their shares up past the account's rate).
import * as z from 'zod';
import { runDrip } from '../core/drip.js';
import { systemClock, type DripSummary } from '../core/ports.js';
import { containerDeps, observability, SAFETY_MARGIN_MS, sweepSignupOutbox, type DripContext } from './drip.js';

/** What the planner sends each sender (the invocation's payload). */
export const senderEventSchema = z.object({
  share: z.object({
    sender: z.number().int().min(0),
    senders: z.number().int().min(1),
    shards: z.array(z.string().min(1)).min(1),
    maxSendRate: z.number().positive(),
    remaining24h: z.number().int().min(0).optional(),
  }),
  /** ISO instant after which this sender starts no send: the end of the planner's tick less a margin. */
  until: z.iso.datetime(),
});
export type SenderEvent = z.infer<typeof senderEventSchema>;

export const handler = async (event: unknown, context: DripContext): Promise<DripSummary | { skipped: 'late' }> => {
  // A payload that is not the planner's is a bug or a stray invoke: fail loudly, send nothing.
  const { share, until } = senderEventSchema.parse(event);
  observability.startInvocation(context);
  try {
    const deps = await containerDeps();
    const now = systemClock.now();
    const deadline = new Date(Math.min(now.getTime() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS, new Date(until).getTime()));
    if (deadline.getTime() <= now.getTime()) {
      // Delivered after its tick (Lambda's async queue held it): the next tick's senders own these shards now.
      observability.log({ msg: 'drip.sender_late', sender: share.sender, until });
      return { skipped: 'late' };
    }
    // One sender per tick (the first) sends the signup outbox's confirmations before its lessons.
    if (share.sender === 0) await sweepSignupOutbox(now, deadline);
    return await runDrip(deps, { now: share.sender === 0 ? systemClock.now() : now, deadline, share });
  } finally {
    observability.publishMetrics();
  }
};
