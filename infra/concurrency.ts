// How many Lambdas the course runs at once, against what a new AWS account allows: the synth refuses
// more drip senders than MAX_DRIP_SENDERS and warns (dripConcurrencyWarning) when the expected peak
// could pass a new account's limit, so the api and ses-events functions would be throttled by the drip.

/**
 * A new account's Lambda concurrency: "new accounts might have a concurrency limit of 10" (Lambda
 * developer guide, "Lambda quotas"; the default for established accounts is 1,000). Raise it through
 * Service Quotas; the synth cannot see the account's actual limit.
 */
export const NEW_ACCOUNT_CONCURRENCY = 10;

/**
 * What the other functions need at the drip's peak, in concurrent executions:
 * - the planner: 1, for the seconds at the start of each tick when it overlaps the senders it invokes;
 * - the api: 2, i.e. about 10 requests a second at ~200 ms each (concurrency = rate × duration); a
 *   signup burst needs more, and throttled requests answer 503;
 * - ses-events: 1, i.e. about 10 SES notifications a second at ~100 ms each (SNS retries a throttled
 *   delivery, so a burst waits rather than being lost).
 */
export const EXPECTED_CONCURRENCY = { planner: 1, api: 2, sesEvents: 1 } as const;

/**
 * The most drip senders a deployment may fan out to: a new account's 10, less the planner and one api
 * execution (so signups are never wholly shut out by the drip). The config refuses more at synth.
 */
export const MAX_DRIP_SENDERS = NEW_ACCOUNT_CONCURRENCY - EXPECTED_CONCURRENCY.planner - 1;

/**
 * The peak concurrency of a fanned-out deployment: every sender runs for nearly the whole tick, so at
 * the start of a tick `dripSenders` senders + the planner + the api's and ses-events' expected share
 * (EXPECTED_CONCURRENCY) run at once: dripSenders + 4. Above NEW_ACCOUNT_CONCURRENCY (dripSenders ≥ 7)
 * a new account throttles some of them.
 */
export function expectedPeakConcurrency(dripSenders: number): number {
  const { planner, api, sesEvents } = EXPECTED_CONCURRENCY;
  return dripSenders + planner + api + sesEvents;
}

/** The synth-time warning when dripSenders could exhaust a new account's concurrency; undefined when it fits. */
export function dripConcurrencyWarning(dripSenders: number): string | undefined {
  const peak = expectedPeakConcurrency(dripSenders);
  if (peak <= NEW_ACCOUNT_CONCURRENCY) return undefined;
  return (
    `dripSenders=${dripSenders}: at the start of a tick ${dripSenders} senders + the planner + the api (about 2) + ses-events (about 1) ` +
    `may run ${peak} Lambdas at once, over a new account's concurrency limit of ${NEW_ACCOUNT_CONCURRENCY}: signups (api) and ` +
    'SES feedback would be throttled. Check the account\'s "Concurrent executions" quota (Service Quotas > AWS Lambda) is above ' +
    `${peak}, or lower dripSenders to ${NEW_ACCOUNT_CONCURRENCY - (peak - dripSenders)}.`
  );
}
