// Every environment variable the course reads, once: its name, its parser (functions/config/parts.ts),
// its default and, in its doc comment, one line for the configuration reference. The settings
// schemas (Lambda: functions/adapters/config.ts; `npm start`: functions/local/settings.ts; the CLI:
// functions/cli/target.ts) pick their settings from this table, infra/ sets the Lambda ones under
// these names, and docs/reference/configuration.md is generated from it (`npm run docs:reference`;
// a test fails when the committed file differs). The doc lines are comments, not strings, so they
// stay out of the Lambda bundles; a `@default` tag says what unset means when the value alone would
// not. To add a setting: one entry here with its doc comment, then pick it in the schema of each
// entry point that reads it, then `npm run docs:reference`.
import type * as z from 'zod';
import {
  count,
  email,
  flag,
  httpUrl,
  interval,
  list,
  oneOf,
  port,
  positiveNumber,
  readShape,
  required,
  text,
  wholeNumber,
  withDefault,
  type Env,
  type Part,
  type SettingsOf,
  type Shape,
} from './parts.js';

/** The request header CloudFront adds with the viewer's address (forward it in the origin request policy). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

/** The shortest origin-verify secret (ORIGIN_VERIFY_SECRET_ID) accepted; the deploy generates 48 characters. */
export const MIN_ORIGIN_SECRET_LENGTH = 32;

/** The local HTTP app's address on `port`: the base of links when PUBLIC_URL is unset. */
export const localUrl = (port: number): string => `http://localhost:${port}`;

/** One environment variable: its name, its parser, and what unset means. */
export interface Setting<T> {
  /** The environment variable. */
  env: string;
  /** Reads a set value; unset or blank: undefined. */
  part: Part<T>;
  /** The value when unset. */
  default?: T;
  /** Unset fails at start; says what the setting is for (it appears in the error). */
  required?: string;
}

/** A variable that may be unset (undefined). */
const optional = <T>(env: string, p: Part<T>): Setting<T> => ({ env, part: p });

/** A variable with a default. */
const defaulted = <T>(env: string, p: Part<T>, fallback: T): Setting<T> & { default: T } => ({ env, part: p, default: fallback });

/** A variable that must be set; `why` names what it is for. */
const needed = <T>(env: string, p: Part<T>, why: string): Setting<T> & { required: string } => ({ env, part: p, required: why });

const localPort = 3000;

/** Every environment variable, by the name the parsed settings give it. */
export const SETTINGS = {
  // The app's settings, the same in Lambda, `npm start` and the CLI.
  /** The DynamoDB table (infra names the deployed one). */
  tableName: defaulted('TABLE_NAME', text, 'email-course'),
  /** Base of every link in every email, without a trailing slash. @default `http://localhost:$PORT` */
  publicUrl: defaulted('PUBLIC_URL', httpUrl, localUrl(localPort)),
  /** SES configuration set every message is sent with (delivery events flow back through it). @default none */
  configurationSet: optional('SES_CONFIGURATION_SET', text),
  /** Origins allowed to post the signup form from another site (CORS), comma-separated. @default none */
  corsOrigins: defaulted('CORS_ORIGINS', list, [] as string[]),
  /** Emails per second the drip may send (token bucket). */
  maxSendRate: defaulted('MAX_SEND_RATE', positiveNumber, 10),
  /** SES calls in flight at once. */
  sendConcurrency: defaulted('SEND_CONCURRENCY', count, 4),
  /** Partitions of the due index; must be the deployed drip's. */
  dueShards: defaulted('DUE_SHARDS', count, 8),
  /** Signups accepted per client IP per hour. */
  signupsPerIpPerHour: defaulted('SIGNUPS_PER_IP_PER_HOUR', count, 20),
  /** The deploy's verified From address. @default the course manifest's sender */
  senderAddress: optional('SENDER_ADDRESS', email),
  /** The most drip senders one run fans out to (1 = no fan-out). */
  dripSenders: defaulted('DRIP_SENDERS', count, 1),
  /** Emails per second one drip sender is asked to carry; a higher rate adds senders, up to DRIP_SENDERS. */
  ratePerSender: defaulted('RATE_PER_SENDER', positiveNumber, 100),
  /** Where the client IP is read: `cloudfront-viewer-address` behind CloudFront (with ORIGIN_VERIFY_SECRET_ID). @default the connection's */
  clientIpHeader: optional('CLIENT_IP_HEADER', oneOf([VIEWER_ADDRESS_HEADER])),
  /** The EventBridge bus (name or ARN) subscription events are published to (infra names the deployed one). @default none: no events in Lambda; locally the log and DATA_DIR/events.jsonl */
  eventBusName: optional('EVENT_BUS_NAME', text),
  /** Put the subscriber's address in every subscription event (`true`/`false`); off, events carry only the opaque id. */
  eventsIncludeEmail: defaulted('EVENTS_INCLUDE_EMAIL', flag, false),
  // The Lambdas' own.
  /** The Secrets Manager secret (ARN or name) the CloudFront origin-verify header must match; set with CLIENT_IP_HEADER. @default none */
  originVerifySecretId: optional('ORIGIN_VERIFY_SECRET_ID', text),
  /** The Secrets Manager secret (ARN or name) holding the link-signing key; TOKEN_SECRET_ARN is its old name. */
  tokenSecretId: needed('TOKEN_SECRET_ID', text, 'the Secrets Manager secret holding the link-signing key'),
  /** The drip sender Lambda the drip planner invokes. */
  senderFunctionName: needed('SENDER_FUNCTION_NAME', text, 'the drip sender Lambda the planner invokes'),
  /** Seconds between the drip schedule's ticks (60 to 3600). */
  dripTickSeconds: needed('DRIP_TICK_SECONDS', wholeNumber(60, 3600), 'seconds between drip ticks'),
  /** Set by Lambda itself: the folder the bundle was unpacked into, with compiled-course.json (the drip; the api for web lessons) and course-manifests.json (the api). */
  taskRoot: defaulted('LAMBDA_TASK_ROOT', text, '.'),
  // The local stack's (`npm start`; the CLI finds it through the same ones).
  /** The local HTTP app's port; 0 picks a free one. */
  port: defaulted('PORT', port, localPort),
  /** The local SES emulator and its inbox page. */
  sesPort: defaulted('SES_PORT', port, 8005),
  /** DynamoDB Local. */
  dynamodbPort: defaulted('DYNAMODB_PORT', port, 8000),
  /** Where the local stack keeps DynamoDB Local's files and the link-signing key. */
  dataDir: defaulted('DATA_DIR', text, '.local'),
  /** How often the local ticker runs the drip: `90s`, `1m`, `2h`, `500ms` or seconds; 0 turns it off. @default `1m` */
  dripEvery: defaulted('DRIP_EVERY', interval, 60_000),
  /** Use this DynamoDB instead of starting DynamoDB Local (the AWS SDK's own endpoint override). @default DynamoDB Local on DYNAMODB_PORT */
  dynamodbEndpoint: optional('AWS_ENDPOINT_URL_DYNAMODB', httpUrl),
  /** Use this SES instead of starting the emulator (the AWS SDK's own endpoint override). @default the emulator on SES_PORT */
  sesEndpoint: optional('AWS_ENDPOINT_URL_SES', httpUrl),
  /** Where the courses are: every folder in it with a course.json is a course. @default the repository's templates/courses */
  coursesDir: optional('COURSES_DIR', text),
} as const;

export type SettingKey = keyof typeof SETTINGS;

type Settings = typeof SETTINGS;

/** Each setting's `field` (derived, so nothing is written twice; pure, so a bundle that never reads it leaves it out). */
const byKey = <V>(field: (s: Setting<unknown>) => [V] | []) =>
  Object.fromEntries(Object.entries(SETTINGS as Record<string, Setting<unknown>>).flatMap(([key, s]) => field(s).map((v) => [key, v])));

/** Setting → environment variable. */
export const ENV = /* @__PURE__ */ byKey((s) => [s.env]) as { readonly [K in SettingKey]: Settings[K]['env'] };

type Defaulted = { [K in SettingKey]: Settings[K] extends { default: unknown } ? K : never }[SettingKey];

/** Every default, by setting. */
export const DEFAULTS = /* @__PURE__ */ byKey((s) => ('default' in s ? [s.default] : [])) as {
  readonly [K in Defaulted]: Settings[K] extends { default: infer T } ? T : never;
};

/** Base of every link when PUBLIC_URL is unset and no port is known: the local HTTP app on its default port. */
export const DEFAULT_PUBLIC_URL = SETTINGS.publicUrl.default;

/** Old names still read, each with the name that replaced it (a deprecation line is logged when one is used). */
export const RENAMED_ENV: Readonly<Record<string, SettingKey>> = {
  /** Until the token secret had one name everywhere (the CLI always said TOKEN_SECRET_ID). */
  TOKEN_SECRET_ARN: 'tokenSecretId',
};

/** What a setting reads as: its value, or undefined when it may be unset. */
type ReadAs<S extends Setting<unknown>> = S extends { default: unknown } | { required: string }
  ? Exclude<z.output<S['part']>, undefined>
  : z.output<S['part']>;

type Picked<K extends SettingKey> = { [P in K]: z.ZodType<ReadAs<Settings[P]>, string | undefined> };

/** The setting read as the entry points do: with its default, or refusing unset when required. */
function schemaOf<T>(s: Setting<T>) {
  if (s.required !== undefined) return required(s.part, s.required);
  return 'default' in s ? withDefault(s.part, s.default as T) : s.part;
}

/** The settings `keys`, each read as the table says (its default, or required): a schema's shape. */
export function pick<const K extends SettingKey>(...keys: K[]): Picked<K> {
  return Object.fromEntries(keys.map((k) => [k, schemaOf<unknown>(SETTINGS[k])])) as unknown as Picked<K>;
}

/**
 * The schema `base` with the settings `keys` added. Called with a pure annotation where a bundle may
 * not use the schema, so it is left out of that bundle.
 */
export function extend<B extends SettingsShape, const K extends SettingKey>(base: B, ...keys: K[]): B & Picked<K> {
  return { ...base, ...pick(...keys) };
}

/** A settings schema's shape: parts keyed by the setting they read (SETTINGS names its variable). */
export type SettingsShape = { [K in SettingKey]?: z.ZodType<unknown, string | undefined> };

/**
 * Reads `shape`'s settings from `env` into a typed object keyed by setting. A variable renamed
 * (RENAMED_ENV) is still read when its new name is unset, and `onRenamed` hears of it. Throws
 * SettingError naming the first variable that is wrong.
 */
export function readSettings<S extends SettingsShape>(
  shape: S,
  env: Env,
  onRenamed?: (used: { old: string; now: string }) => void,
): SettingsOf<S> {
  const input: Record<string, string | undefined> = {};
  const name = (key: string) => (key in SETTINGS ? SETTINGS[key as SettingKey].env : 'settings');
  for (const key of Object.keys(shape)) input[key] = env[name(key)];
  for (const [old, key] of Object.entries(RENAMED_ENV)) {
    if (key in shape && (input[key] ?? '').trim() === '' && (env[old] ?? '').trim() !== '') {
      input[key] = env[old];
      onRenamed?.({ old, now: name(key) });
    }
  }
  return readShape(shape as Shape, input, name) as SettingsOf<S>;
}
