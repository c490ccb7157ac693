// The ports the core talks through. Adapters (functions/adapters) implement them for AWS and the
// local stack; tests pass real adapters against DynamoDB Local and the SES emulator, or small fakes for
// what cannot run here. The core never imports the AWS SDK and never reads the wall clock.

/** Time comes in through this port so the drip simulation and DST tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Tags SES attaches to every event of a message (configuration-set notifications carry them back). */
export type MessageTags = Record<string, string>;

export interface Mailer {
  /** Send one composed MIME message (SES SendRawEmail with the configuration set). */
  sendRaw(message: { raw: Uint8Array; to: string; tags?: MessageTags }): Promise<{ messageId: string }>;
}

/**
 * Why a send failed, as far as a retry is concerned:
 * - `throttled`: over the account's rate (SES `Throttling`/`MaxSendingRateExceeded`): back off, retry;
 * - `transient`: 5xx or network: back off, retry;
 * - `permanent`: the message itself was refused (`MessageRejected`, bad address): do not retry.
 */
export type SendFailureKind = 'throttled' | 'transient' | 'permanent';

export class SendError extends Error {
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SendError';
  }
}

/** What one drip run did; logged as one structured line and answered by `POST /__local/drip`. */
export interface DripSummary {
  /** Subscribers found due. */
  due: number;
  /** Claims won. */
  claimed: number;
  sent: number;
  /** Lost conditions (someone else has it, or the person left) and work left for the next run. */
  skipped: number;
  failed: number;
  durationMs: number;
  emailsPerSecond: number;
  /** True when the run stopped at its deadline and left work for the next run. */
  stoppedEarly: boolean;
}

/** One drip tick as if the clock read `now`; stops before `deadline`. */
export type RunDrip = (options: { now: Date; deadline: Date }) => Promise<DripSummary>;
