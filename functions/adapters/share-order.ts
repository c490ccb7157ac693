// The drip sender's side of the fan-out: the payload the planner invokes it with (adapters/sender-invoke.ts),
// checked before anything runs. A payload that is not the planner's is a bug or a stray invoke.
import * as z from 'zod';
import type { ShareOrder } from '../core/drip/index.js';

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

/** The order in `event`; throws (a ZodError naming the field) on anything else, so nothing is sent. */
export function parseShareOrder(event: unknown): ShareOrder {
  return senderEventSchema.parse(event);
}
