// Deploy-time settings, read once from CDK context (cdk.json defaults, `-c key=value` overrides)
// and validated at synth, so a typo fails before anything reaches CloudFormation, naming the key.
import type { Node } from 'constructs';
import * as z from 'zod';
import { DEFAULTS } from '../functions/config/defaults.js';
import { splitList } from '../functions/config/parts.js';
import { emailAddressSchema } from '../functions/core/text.js';
import { MAX_DRIP_SENDERS, NEW_ACCOUNT_CONCURRENCY } from './concurrency.js';

/** What one deployment of the course is configured with. */
export interface DeployConfig {
  /** Domain SES verifies (Easy DKIM) and sends from, e.g. `example.com`. */
  senderDomain: string;
  /** The From address of every email; must be at `senderDomain` or one of its subdomains. */
  fromAddress: string;
  /** Custom MAIL FROM domain (bounce address), so SPF aligns with the sender domain for DMARC. */
  mailFromDomain: string;
  /**
   * Base of every link in every email, without a trailing slash. Undefined: the HTTP API's own
   * URL is used (set this when a custom domain or CDN fronts the API).
   */
  publicUrl?: string;
  /** Origins allowed to post the signup form from another site; empty: no CORS at all. */
  corsOrigins: string[];
  /** Emails per second the drip may send (keep at or below the account's SES sending rate). */
  maxSendRate: number;
  /** Minutes between drip runs. */
  dripEveryMinutes: number;
  /**
   * The most drip senders one tick fans out to (1 = the single drip Lambda; more = a planner and
   * parallel senders, infra/constructs/drip-fan-out.ts). At most MAX_DRIP_SENDERS (8: a new account's
   * 10 concurrent executions less the planner and one for the api); above 6 the synth warns that the
   * peak could pass 10 (infra/concurrency.ts has the math).
   */
  dripSenders: number;
  /** Emails per second one sender is asked to carry; a higher account rate adds senders, up to dripSenders. */
  ratePerSender: number;
  /** Where alarm notifications go; undefined: the alarm topic has no subscription. */
  alarmEmail?: string;
  /**
   * Reserve one concurrent execution for the drip (one run at a time). Off by default: a new
   * account's concurrency limit (10, sometimes 50) refuses any reservation, and overlapping runs
   * are safe anyway (claims are conditional). With it on, a drip-throttles alarm exists too.
   */
  dripReservedConcurrency: boolean;
  /**
   * The account's SES is in the sandbox (every new account starts there): SES then also
   * authorises SendRawEmail against the recipient's verified identity, so the send permission
   * covers all of this account's identities. Turn off after production access.
   */
  sesSandbox: boolean;
  /**
   * CloudFront fronts the API: the client IP is read from the `CloudFront-Viewer-Address` header
   * (which the distribution's origin request policy must forward) instead of the connection's.
   */
  behindCloudFront: boolean;
  /**
   * Turn off the API's own execute-api URL, so that only the custom domain (and the CDN in front
   * of it) reaches the API. Needs `publicUrl`.
   */
  disableExecuteApiEndpoint: boolean;
}

/** The context keys this app reads, as written in cdk.json and on the command line. */
export const CONTEXT_KEYS = [
  'senderDomain',
  'fromAddress',
  'mailFromSubdomain',
  'publicUrl',
  'corsOrigins',
  'maxSendRate',
  'dripEveryMinutes',
  'alarmEmail',
  'dripSenders',
  'ratePerSender',
  'dripReservedConcurrency',
  'sesSandbox',
  'behindCloudFront',
  'disableExecuteApiEndpoint',
] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

// `-c key=value` always arrives as a string while cdk.json keeps JSON types, so every rule
// accepts both, and an empty string means "not set" (the way to clear a cdk.json default).
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as example.com');

/** true/false from cdk.json, "true"/"false" from `-c`; empty or absent: the default. */
const flag = (fallback: boolean) =>
  z.preprocess((v) => {
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
    return v;
  }, z.boolean('must be true or false'));

const number = (rule: z.ZodNumber) => z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), rule);

const origin = z
  .string()
  .trim()
  .refine((o) => o !== '*', 'must list origins; "*" would let any site post signups')
  .refine((o) => {
    try {
      const u = new URL(o);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'each origin must be scheme://host[:port] with no path, e.g. https://www.example.com')
  .transform((o) => o.replace(/\/$/, ''));

const contextSchema = z.object({
  senderDomain: hostname,
  fromAddress: z.string().trim().toLowerCase().pipe(emailAddressSchema('must be an email address')),
  mailFromSubdomain: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be one DNS label such as bounce')
      .default('bounce'),
  ),
  publicUrl: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  corsOrigins: z.preprocess((v) => (typeof v === 'string' ? splitList(v) : (v ?? [])), z.array(origin)),
  maxSendRate: number(z.number('must be a number').positive('must be a positive number').max(1000, 'must be at most 1000')),
  dripEveryMinutes: number(
    z.number('must be a number').int('must be a whole number of minutes').min(1, 'must be at least 1').max(60, 'must be at most 60'),
  ),
  alarmEmail: z.preprocess(blankToUndefined, emailAddressSchema('must be an email address').optional()),
  // Not in cdk.json: one sender unless asked for more.
  dripSenders: z.preprocess(
    blankToUndefined,
    number(
      z
        .number('must be a number')
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .max(
          MAX_DRIP_SENDERS,
          `must be at most ${MAX_DRIP_SENDERS} (a new account runs ${NEW_ACCOUNT_CONCURRENCY} Lambdas at once in all; the planner and the api need the rest)`,
        ),
    ).default(DEFAULTS.dripSenders),
  ),
  ratePerSender: z.preprocess(
    blankToUndefined,
    number(z.number('must be a number').positive('must be a positive number')).default(DEFAULTS.ratePerSender),
  ),
  dripReservedConcurrency: flag(false),
  sesSandbox: flag(true),
  behindCloudFront: flag(false),
  disableExecuteApiEndpoint: flag(false),
});

/** A context value that does not validate; the message names the key and how to set it. */
export class DeployConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`Context "${key}": ${problem} (set it in cdk.json "context" or with -c ${key}=…)`);
    this.name = 'DeployConfigError';
  }
}

/** Parse raw context values (as `node.tryGetContext` returns them). Throws DeployConfigError. */
export function parseDeployConfig(raw: Partial<Record<ContextKey, unknown>>): DeployConfig {
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'context');
    const problem =
      issue?.code === 'invalid_type' && raw[key as ContextKey] === undefined ? 'is required' : (issue?.message ?? 'is invalid');
    throw new DeployConfigError(key, problem);
  }
  const c = parsed.data;
  const fromDomain = c.fromAddress.split('@')[1] ?? '';
  if (fromDomain !== c.senderDomain && !fromDomain.endsWith(`.${c.senderDomain}`)) {
    // SES only lets the domain identity (and its subdomains) send; anything else fails at send time.
    throw new DeployConfigError('fromAddress', `must be an address at ${c.senderDomain} (the senderDomain), got ${c.fromAddress}`);
  }
  if (c.disableExecuteApiEndpoint && c.publicUrl === undefined) {
    // Every link in every email would point at the URL being turned off.
    throw new DeployConfigError(
      'disableExecuteApiEndpoint',
      'needs publicUrl (the custom domain or CDN address people reach the course at)',
    );
  }
  return {
    senderDomain: c.senderDomain,
    fromAddress: c.fromAddress,
    mailFromDomain: `${c.mailFromSubdomain}.${c.senderDomain}`,
    publicUrl: c.publicUrl,
    corsOrigins: c.corsOrigins,
    maxSendRate: c.maxSendRate,
    dripEveryMinutes: c.dripEveryMinutes,
    alarmEmail: c.alarmEmail,
    dripSenders: c.dripSenders,
    ratePerSender: c.ratePerSender,
    dripReservedConcurrency: c.dripReservedConcurrency,
    sesSandbox: c.sesSandbox,
    behindCloudFront: c.behindCloudFront,
    disableExecuteApiEndpoint: c.disableExecuteApiEndpoint,
  };
}

/** Read and validate the deploy settings from a construct's context (normally the App's). */
export function readDeployConfig(node: Node): DeployConfig {
  return parseDeployConfig(Object.fromEntries(CONTEXT_KEYS.map((k) => [k, node.tryGetContext(k) as unknown])));
}
