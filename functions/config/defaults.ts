// Every default setting, written once. The settings schemas (Lambda, `npm start`, the CLI, bench),
// infra/ and the CLI's usage text all take them from here.

const defaults = {
  /** The DynamoDB table (locally; infra names the deployed one). */
  tableName: 'email-course',
  /** The local HTTP app. */
  port: 3000,
  /** The local SES emulator and its inbox page. */
  sesPort: 8005,
  /** DynamoDB Local. */
  dynamodbPort: 8000,
  /** Where the local stack keeps its data. */
  dataDir: '.local',
  /** How often the local ticker runs the drip: 1 minute. */
  dripEveryMs: 60_000,
  /** Emails per second the drip may send. */
  maxSendRate: 10,
  /** SES calls in flight at once. */
  sendConcurrency: 4,
  /** Partitions of the due index; the value the stack deploys. */
  dueShards: 8,
  /** Signups accepted per client IP per hour. */
  signupsPerIpPerHour: 20,
  /** The most drip senders one run fans out to (1 = no fan-out). */
  dripSenders: 1,
  /** Emails per second one drip sender is asked to carry. */
  ratePerSender: 100,
};
export const DEFAULTS: Readonly<typeof defaults> = defaults;

/** The local HTTP app's address on `port`: the base of links when PUBLIC_URL is unset. */
export const localUrl = (port: number): string => `http://localhost:${port}`;

/** Base of every link when PUBLIC_URL is unset and no port is known: the local HTTP app on its default port. */
export const DEFAULT_PUBLIC_URL = localUrl(DEFAULTS.port);
