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
  /** Refused sends (the person is held) and subscribers that cannot be sent to. */
  failed: number;
  /** Taken out of the due index until an operator requeues them: a refused send, or a suppressed address. */
  held: number;
  /** Lessons that may have gone out twice (a run died, or lost its claim, during the SES call). */
  possibleDuplicates: number;
  durationMs: number;
  emailsPerSecond: number;
  /** True when the run stopped at its deadline and left work for the next run. */
  stoppedEarly: boolean;
  /** Subscribers per page: the most emails a crash could send again (see runDrip). */
  pageSize?: number;
  /** The most emails SES had accepted and the send log did not yet hold, at any moment of the run (≤ pageSize). */
  maxUnrecorded?: number;
}

/** One drip tick as if the clock read `now`; stops before `deadline`. */
export type RunDrip = (options: { now: Date; deadline: Date }) => Promise<DripSummary>;

// --- Logs and metrics ----------------------------------------------------------------------------

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * One log entry: `msg` says what happened (a stable dotted name such as `drip.summary`, or a short
 * sentence), `level` defaults to `info`, every other field is data. Always an object, never a
 * pre-stringified one: in Lambda the adapter hands it to Powertools Logger, which writes it as one
 * JSON line with `level` and `message` (a string would be nested as a string, and Logs Insights
 * could not query its fields).
 */
export interface LogEntry {
  msg: string;
  level?: LogLevel;
  [field: string]: unknown;
}

/**
 * The log port: Powertools Logger in Lambda (functions/adapters/observability.ts), a readable line
 * locally, an array in tests. Must not throw.
 */
export type Log = (entry: LogEntry) => void;

/** CloudWatch namespace of the course's own metrics (EMF, written by Powertools Metrics). */
export const METRIC_NAMESPACE = 'EmailCourse';

/**
 * The `service` dimension each Lambda's metrics carry (Powertools Metrics adds it to every metric);
 * alarms and the dashboard name the same values.
 */
export const METRIC_SERVICE = { drip: 'drip', sesEvents: 'ses-events' } as const;

/**
 * Every metric the course emits, with its unit. Drip, once per run: `sent`, `failed` (refused or
 * unsendable: held), `skipped`, `held` (taken out of the due index: refused or suppressed),
 * `possibleDuplicates` (a lesson that may have gone out twice), `stoppedEarly` (1 when the run left
 * work for the next tick), `duration`. ses-events, per batch: `bounces`, `complaints`,
 * `deliveries`.
 */
export const METRIC_UNITS = {
  sent: 'Count',
  failed: 'Count',
  skipped: 'Count',
  held: 'Count',
  possibleDuplicates: 'Count',
  stoppedEarly: 'Count',
  duration: 'Milliseconds',
  bounces: 'Count',
  complaints: 'Count',
  deliveries: 'Count',
} as const;

export type MetricName = keyof typeof METRIC_UNITS;

/**
 * The metrics port: Powertools Metrics (EMF) in Lambda; locally a no-op or a readable line.
 * Values added under one name within an invocation are summed; the adapter publishes them when
 * the invocation ends.
 */
export interface Metrics {
  add(name: MetricName, value: number): void;
}

/** For code run where nobody collects metrics (tests, CLI). */
export const noMetrics: Metrics = { add: () => undefined };
