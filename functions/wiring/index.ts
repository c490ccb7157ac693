// The one place that builds the dependency objects (the core's ports made real) for every entry point:
// the five Lambda handlers (functions/handlers/), the local stack and its drip (functions/local/), the
// course CLI (functions/cli/) and the bench (bench/). A folder rather than one file so that each
// Lambda bundle reaches only its own module (wiring/api.ts, drip.ts, sender.ts, planner.ts,
// ses-events.ts): a module's top-level code (zod schemas, a Hono adapter) lands in every bundle that
// imports it, used or not. Nothing here runs at import: a Lambda's container is built on its first
// invocation, and every other entry point calls the builder it needs. This index is for the entry
// points that are not Lambdas.
export { dripDeps, sesMailer, siteDeps, subscriptionDeps, type DripParts, type SiteParts, type SubscriptionParts } from './deps.js';
export { createLocalRunDrip, localEvents, localSubscriptionDeps, type LocalDripContext, type LocalEvents } from './local.js';
export { createSesEventsHandler, feedbackDeps, type SnsEvent } from './ses-events.js';
