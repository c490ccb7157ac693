// The ses-events Lambda: SES configuration-set notifications arrive through SNS; each record's
// Message is JSON-parsed and handed to the feedback core (functions/adapters/ses-notifications.ts).
// A bad record is logged and skipped.
import { sesEventsLambda, type SnsEvent } from '../wiring/ses-events.js';

const sesEvents = sesEventsLambda();

export const handler = sesEvents.handle(async (event: SnsEvent): Promise<void> => void (await (await sesEvents.deps())(event)));
