// The drip Lambda: EventBridge runs it every few minutes; it first sends the confirmations of the
// signups waiting in the outbox, then the lessons that are due, and stops before its time runs out
// (the next tick carries on). Deps are built once per container (functions/wiring/drip.ts).
import { dripLambda, runDripTick } from '../wiring/drip.js';

export const handler = dripLambda((drip, _event: unknown, context) => runDripTick(drip, context));
