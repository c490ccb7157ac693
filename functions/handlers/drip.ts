// The drip Lambda: EventBridge runs it every few minutes; it first sends the confirmations of the
// signups waiting in the outbox, then the lessons that are due, and stops before its time runs out
// (the next tick carries on). Deps are built once per container (functions/wiring.ts).
import type { DripSummary } from '../core/ports.js';
import { dripLambda, runDripTick, type DripContext } from '../wiring/drip.js';

const drip = dripLambda();

export const handler = drip.handle(async (_event: unknown, context: DripContext): Promise<DripSummary> =>
  runDripTick(await drip.deps(), context),
);
