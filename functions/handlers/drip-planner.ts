// The drip planner Lambda (fan-out): EventBridge runs it every tick; it plans the tick once and
// invokes the K drip senders asynchronously, each with its share (functions/core/planner.ts).
import type { PlannerResult } from '../core/planner.js';
import { plannerLambda } from '../wiring/planner.js';

const planner = plannerLambda();

export const handler = planner.handle(async (event?: unknown): Promise<PlannerResult> => (await planner.deps())(event));
