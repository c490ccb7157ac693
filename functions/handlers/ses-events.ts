// The ses-events Lambda: SES configuration-set notifications arrive through SNS; each record's
// Message is JSON-parsed and handed to the feedback core (functions/adapters/ses-notifications.ts).
// A bad record is logged and skipped.
import { sesEventsLambda } from '../wiring/ses-events.js';

export const handler = sesEventsLambda(async (apply, event): Promise<void> => void (await apply(event)));
