// The drip planner Lambda (fan-out): EventBridge runs it every tick; it plans the tick once and
// invokes the K drip senders asynchronously, each with its share (functions/core/drip/planner.ts).
import { plannerLambda, runPlanner } from '../wiring/planner.js';

export const handler = plannerLambda(runPlanner);
