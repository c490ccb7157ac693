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

// The subscription store and its signup outbox (types in subscription-store.ts, beside the rules that use them).
export type {
  AddressRecord,
  HeldSignup,
  OutboxPage,
  PendingRenewal,
  SignupOutbox,
  SignupOutboxStore,
  SignupRequest,
  SubscriptionStore,
} from './subscription-store.js';

// --- Courses and the emails made from them -------------------------------------------------------

/**
 * What the core reads of a course's manifest: who it is (slug), who sends it and when. The manifest
 * itself (functions/email/manifest.ts) has these fields and more; the core needs no others.
 */
export interface CourseFacts {
  /** The course's identity in the table (address locks, counters, each subscriber's `course`). */
  slug: string;
  title: string;
  sender: { name: string; email: string };
  /** Days between lessons, in local calendar days (schedule.ts). */
  cadenceDays: number;
  /** Local send hour, `"HH:MM"`. */
  sendHour: string;
  /** The zone of a subscriber whose own zone is unknown (IANA name). */
  defaultTimezone: string;
  /** The course's language (BCP 47) and the author's wording (course.json `strings`): the emails rendered per person read them. */
  language?: string;
  strings?: Partial<Record<string, string>>;
}

/**
 * One email of a course as compiled at build time (MJML → HTML and text), with placeholders for the
 * personal parts. The core only counts and carries them; the MessageComposer fills them in.
 */
export interface CompiledEmail {
  subject: string;
  preheader: string;
  /** Full HTML document with placeholders. */
  html: string;
  /** Plain-text alternative with the same placeholders. */
  text: string;
}

/** A course a deployment serves: its facts and its compiled emails (functions/email's CompiledCourse is one). */
export interface ServedCourse {
  course: CourseFacts;
  /** In course order; index 0 is lesson 1. */
  lessons: readonly CompiledEmail[];
  confirmation: CompiledEmail;
}

/**
 * Every course one deployment serves, by slug (core/courses.ts builds one). `C` is what it holds per
 * course: the compiled course where emails are sent, only the manifest where none are (the api).
 */
export interface CourseCatalog<C extends Pick<ServedCourse, 'course'> = ServedCourse> {
  /** In the courses folder's order; with one course, it is served at `GET /`. */
  readonly all: readonly C[];
  get(slug: string): C | undefined;
}

/**
 * Turns a course's compiled email into the raw MIME message (RFC 5322) for one person, ready for
 * `Mailer.sendRaw`: the personal parts filled in and escaped, headers checked. Implemented by
 * functions/email/composer.ts (rendering and MIME stay out of the core). Both methods reject with
 * ValidationError (code such as `invalid_email`, `header_injection`, `unrenderable_email` for an
 * email that cannot be rendered for this person) when a value cannot be put in a message: the drip
 * holds that subscriber, as when SES refuses an address.
 */
export interface MessageComposer {
  /**
   * Lesson `lesson` (0-based) of `course` for one subscriber: From the course's sender name at
   * `fromAddress` (the manifest's address when undefined), List-Unsubscribe with One-Click (RFC 8058)
   * at `unsubscribeUrl`, and the course's List-Id (RFC 2919) under the From domain.
   */
  lesson(course: ServedCourse, lesson: number, to: LessonRecipient): Promise<Uint8Array>;
  /**
   * The double opt-in email for one address. It carries no name: before the address is confirmed,
   * nothing a stranger typed other than the address is mailed.
   */
  confirmation(course: ServedCourse, to: ConfirmationRecipient): Promise<Uint8Array>;
  /**
   * The email to a learner whose address was signed up again: already subscribed, the zone lessons
   * arrive in, a link to manage the subscription. Carries nothing the new signup typed.
   */
  alreadySubscribed(course: ServedCourse, to: AlreadySubscribedRecipient): Promise<Uint8Array>;
}

export interface AlreadySubscribedRecipient {
  email: string;
  /** The learner's course page (`/learn?token=…`; its GET changes nothing). */
  manageUrl: string;
  /** The learner's stored zone. */
  timezone: string;
  /** The learner's own send time (HH:MM), when they chose one; absent: the course's. */
  sendHour?: string;
  /** The new signup's zone was another one (the email says so without naming it). */
  zoneDiffers: boolean;
  fromAddress?: string;
}

export interface LessonRecipient {
  email: string;
  /** As they gave it; absent or blank gets the greeting's fallback. */
  name?: string;
  unsubscribeUrl: string;
  /** The learner's course page with their `learn` token (learner-links.ts learnUrlOf); the lesson's other links are made from it. */
  learnUrl: string;
  /** The deploy's verified From address; absent: the manifest's `sender.email`. */
  fromAddress?: string;
}

export interface ConfirmationRecipient {
  email: string;
  confirmUrl: string;
  /** The deploy's verified From address; absent: the manifest's `sender.email`. */
  fromAddress?: string;
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
 * work for the next tick), `duration`; and, from each signup outbox sweep the drip starts,
 * `outboxAge` (seconds since the oldest request still waiting was received; 0 when none waits).
 * ses-events, per batch: `bounces` (permanent bounces: the address is stopped; the same word as
 * `course stats`' "bounced (permanent)"), `softBounces` (transient bounces, counted towards the
 * three-in-a-row stop), `complaints`, `deliveries`.
 */
export const METRIC_UNITS = {
  sent: 'Count',
  failed: 'Count',
  skipped: 'Count',
  held: 'Count',
  possibleDuplicates: 'Count',
  stoppedEarly: 'Count',
  duration: 'Milliseconds',
  outboxAge: 'Seconds',
  bounces: 'Count',
  softBounces: 'Count',
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
