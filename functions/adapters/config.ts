// Runtime settings, parsed once at the edge into typed objects: the app's settings (the same in
// Lambda, `npm start` and the CLI) and each Lambda's own. Nothing else reads process.env. A missing
// or bad setting fails at start, naming the variable. Each schema picks its settings from the one
// table, functions/config/settings.ts (variable, parser, default, doc); infra/ sets them by its names.
import { SettingError, type Env } from '../config/parts.js';
import { extend, pick, readSettings, SETTINGS, type VIEWER_ADDRESS_HEADER } from '../config/settings.js';
import type { Log } from '../core/ports.js';

export interface AppConfig {
  tableName: string;
  /** Base of every link in every email, without a trailing slash. */
  publicUrl: string;
  /** SES configuration set every message is sent with (events flow back through it). */
  configurationSet?: string;
  /** Origins allowed to post the signup form from another site (CORS). */
  corsOrigins: string[];
  /** Emails per second the drip may send (token bucket). */
  maxSendRate: number;
  /** SES calls in flight at once. */
  sendConcurrency: number;
  /** Partitions of the due index. */
  dueShards: number;
  /** Signups accepted per client IP per hour. */
  signupsPerIpPerHour: number;
  /** The deploy's verified From address; when unset, the manifest's sender address is used. */
  senderAddress?: string;
  /** The most drip senders one run fans out to (functions/core/drip/fan-out.ts); 1 = no fan-out. */
  dripSenders: number;
  /** Emails per second one sender is asked to carry; a higher account rate adds senders, up to dripSenders. */
  ratePerSender: number;
  /**
   * Where the api Lambda reads the client IP: unset, the connection (API Gateway's sourceIp);
   * `cloudfront-viewer-address` when CloudFront fronts the API (infra's behindCloudFront).
   */
  clientIpHeader?: typeof VIEWER_ADDRESS_HEADER;
  /** The EventBridge bus subscription events go to; unset: none in Lambda (the local stack keeps its own file). */
  eventBusName?: string;
  /** Subscription events carry the address (the operator opted in); default false. */
  eventsIncludeEmail?: boolean;
}

/** The app's settings, each with its default (functions/config/settings.ts); the other schemas spread it. */
export const appSettings = /* @__PURE__ */ pick(
  'tableName',
  'publicUrl',
  'configurationSet',
  'corsOrigins',
  'maxSendRate',
  'sendConcurrency',
  'dueShards',
  'signupsPerIpPerHour',
  'senderAddress',
  'dripSenders',
  'ratePerSender',
  'clientIpHeader',
  'eventBusName',
  'eventsIncludeEmail',
);

/** The app's settings from the environment (every Lambda; the local stack and the CLI add their own). */
export function parseConfig(env: Env): AppConfig {
  return readSettings(appSettings, env);
}

/** What the api Lambda and the drip Lambdas (single or fanned-out sender) read. */
export const sendingLambdaSettings = /* @__PURE__ */ extend(appSettings, 'tokenSecretId', 'taskRoot');

export interface SendingLambdaSettings {
  app: AppConfig;
  /** The Secrets Manager secret (ARN or name) holding the link-signing key. */
  tokenSecretId: string;
  /** Where the bundle and compiled-course.json are (Lambda's LAMBDA_TASK_ROOT; `.` elsewhere). */
  taskRoot: string;
}

/** A renamed variable still set: one warning line saying which name to use. */
const warnRenamed =
  (log: Log) =>
  ({ old, now }: { old: string; now: string }) =>
    log({ level: 'warn', msg: 'setting renamed', setting: old, use: now });

/** The api and drip Lambdas' settings; `log` hears of a renamed variable still in use (TOKEN_SECRET_ARN). */
export function parseSendingLambdaSettings(env: Env, log: Log): SendingLambdaSettings {
  const { tokenSecretId, taskRoot, ...app } = readSettings(sendingLambdaSettings, env, warnRenamed(log));
  return { app, tokenSecretId, taskRoot };
}

/** What the api Lambda reads: the sending Lambdas' settings and, behind CloudFront, the origin-verify secret. */
export const apiLambdaSettings = /* @__PURE__ */ extend(sendingLambdaSettings, 'originVerifySecretId');

export interface ApiLambdaSettings extends SendingLambdaSettings {
  /**
   * The secret (ARN or name) the x-origin-verify header must match before CloudFront-Viewer-Address
   * is believed. Set exactly when CLIENT_IP_HEADER is (infra's behindCloudFront).
   */
  originVerifySecretId?: string;
}

/**
 * The api Lambda's settings. Fails at start when the viewer-address header is to be read with no
 * origin-verify secret to check it against (anyone could then choose their IP), and the reverse.
 */
export function parseApiLambdaSettings(env: Env, log: Log): ApiLambdaSettings {
  const { originVerifySecretId, tokenSecretId, taskRoot, ...app } = readSettings(apiLambdaSettings, env, warnRenamed(log));
  if ((app.clientIpHeader === undefined) !== (originVerifySecretId === undefined)) {
    const [header, secret] = [SETTINGS.clientIpHeader.env, SETTINGS.originVerifySecretId.env];
    const [given, missing] = app.clientIpHeader === undefined ? [secret, header] : [header, secret];
    throw new SettingError(
      given,
      `set together with ${missing}: the viewer-address header is believed only from requests carrying the origin-verify secret`,
    );
  }
  return { app, tokenSecretId, taskRoot, ...(originVerifySecretId === undefined ? {} : { originVerifySecretId }) };
}

/** What the drip planner (fan-out) reads. */
export const plannerSettings = /* @__PURE__ */ extend(appSettings, 'senderFunctionName', 'dripTickSeconds');

export interface PlannerSettings {
  app: AppConfig;
  senderFunctionName: string;
  /** Seconds between the schedule's ticks (60 to 3600). */
  dripTickSeconds: number;
}

export function parsePlannerSettings(env: Env): PlannerSettings {
  const { senderFunctionName, dripTickSeconds, ...app } = readSettings(plannerSettings, env);
  return { app, senderFunctionName, dripTickSeconds };
}
