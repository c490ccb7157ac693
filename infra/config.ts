// Deploy-time settings, read once from CDK context (cdk.json defaults, `-c key=value` overrides)
// and validated at synth, so a typo fails before anything reaches CloudFormation, naming the key.
import type { Node } from 'constructs';
import * as z from 'zod';
import { DEFAULTS } from '../functions/config/settings.js';
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
   * (which the distribution's origin request policy must forward) instead of the connection's, on
   * requests carrying the origin-verify secret the deploy generates (the `X-Origin-Verify` origin
   * custom header); other requests count under their connection's address.
   */
  behindCloudFront: boolean;
  /**
   * Turn off the API's own execute-api URL, so that only the custom domain (and the CDN in front
   * of it) reaches the API. Needs `publicUrl` or `domainName`.
   */
  disableExecuteApiEndpoint: boolean;
  /**
   * A custom domain for the API (`course.example.org`): an API Gateway regional domain name and an
   * API mapping, with `certificateArn`. Undefined: none (the API is reached at its execute-api URL,
   * or through a domain mapped by hand).
   */
  customDomain?: { domainName: string; certificateArn: string };
  /**
   * SES open and click tracking (a pixel in every message, every link rewritten through an AWS
   * domain). Off unless the operator opts in; never on confirm and unsubscribe links.
   */
  trackOpensAndClicks: boolean;
  /**
   * Subscription events (the EventBridge bus) carry the subscriber's address. Off unless the operator
   * opts in: events then name the subscriber by the opaque id only.
   */
  eventsIncludeEmail: boolean;
}

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

/**
 * Every CDK context key this app reads, as written in cdk.json and on the command line, with its
 * rule; the doc comment of each is its line in docs/reference/configuration.md (generated by
 * `npm run docs:reference`, with the defaults cdk.json and the rules give).
 */
export const CONTEXT = {
  /** Domain SES verifies (Easy DKIM) and sends from, e.g. `example.com`. */
  senderDomain: hostname,
  /** The From address of every email (SENDER_ADDRESS); at senderDomain or one of its subdomains. */
  fromAddress: z.string().trim().toLowerCase().pipe(emailAddressSchema('must be an email address')),
  /** The custom MAIL FROM (bounce) subdomain of senderDomain, so SPF aligns for DMARC. */
  mailFromSubdomain: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be one DNS label such as bounce')
      .default('bounce'),
  ),
  /** Base of every link in every email (PUBLIC_URL); unset: the custom domain's, else the API's own URL. */
  publicUrl: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  /** Origins allowed to post the signup form from another site (CORS_ORIGINS); `-c` takes them comma-separated. */
  corsOrigins: z.preprocess((v) => (typeof v === 'string' ? splitList(v) : (v ?? [])), z.array(origin)),
  /** Emails per second the drip may send (MAX_SEND_RATE); keep at or below the account's SES rate. */
  maxSendRate: number(z.number('must be a number').positive('must be a positive number').max(1000, 'must be at most 1000')),
  /** Minutes between drip runs (1 to 60). */
  dripEveryMinutes: number(
    z.number('must be a number').int('must be a whole number of minutes').min(1, 'must be at least 1').max(60, 'must be at most 60'),
  ),
  /** Where alarm notifications go; unset: the alarm topic has no subscription. */
  alarmEmail: z.preprocess(blankToUndefined, emailAddressSchema('must be an email address').optional()),
  /** The most drip senders one tick fans out to (DRIP_SENDERS); 1: the single drip Lambda. */
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
  /** Emails per second one drip sender is asked to carry (RATE_PER_SENDER). */
  ratePerSender: z.preprocess(
    blankToUndefined,
    number(z.number('must be a number').positive('must be a positive number')).default(DEFAULTS.ratePerSender),
  ),
  /** Reserve one concurrent execution for the drip (a new account's limit refuses it). */
  dripReservedConcurrency: flag(false),
  /** The account's SES is in the sandbox: the send permission covers every identity of the account. */
  sesSandbox: flag(true),
  /** CloudFront fronts the API: the client IP is read from CloudFront-Viewer-Address on verified requests. */
  behindCloudFront: flag(false),
  /** Turn off the API's own execute-api URL; needs publicUrl or domainName. */
  disableExecuteApiEndpoint: flag(false),
  /** A custom domain for the API (`course.example.org`), with certificateArn. */
  domainName: z.preprocess(blankToUndefined, hostname.optional()),
  /** The ACM certificate for domainName, in the stack's region. */
  certificateArn: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) in the stack's region",
      )
      .optional(),
  ),
  /** SES open and click tracking (never on confirm and unsubscribe links). */
  trackOpensAndClicks: flag(false),
  /** Subscription events carry the subscriber's address (EVENTS_INCLUDE_EMAIL); off: the opaque id only. */
  eventsIncludeEmail: flag(false),
  /** Tests and trial synths only: lets senderDomain be a reserved example domain (never deploy with it). */
  allowPlaceholderDomain: flag(false),
};

type ContextKey = keyof typeof CONTEXT;

/** The context keys this app reads. */
export const CONTEXT_KEYS = Object.keys(CONTEXT) as ContextKey[];

const contextSchema = z.object(CONTEXT);

/** A context value that does not validate; the message names the key and how to set it. */
export class DeployConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
    /** Add how to set the key (false when `problem` already names the fix). */
    hint = true,
  ) {
    super(`Context "${key}": ${problem}${hint ? ` (set it in cdk.json "context" or with -c ${key}=…)` : ''}`);
    this.name = 'DeployConfigError';
  }
}

/** How to give the sender domain, as every refusal about it says. */
const SENDER_FIX =
  'deploy with -c senderDomain=<your domain> -c fromAddress=<you>@<your domain>, or set both in cdk.json "context" ' +
  '(tests and trial synths only: -c allowPlaceholderDomain=true)';

/**
 * True for a domain reserved for examples and testing, which no one can verify in SES: example.com,
 * example.net, example.org and their subdomains (RFC 2606 §3), and names under the .example, .test,
 * .invalid and .localhost top-level domains (RFC 2606 §2, RFC 6761 §6).
 */
export function isReservedExampleDomain(domain: string): boolean {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  if (/(^|\.)example\.(com|net|org)$/.test(d)) return true;
  return /(^|\.)(example|test|invalid|localhost)$/.test(d);
}

/**
 * A deploy needs a real sender: without one the SES identity would be replaced by a placeholder's
 * (its DKIM tokens go with it) and every send would stop. Throws DeployConfigError naming the fix.
 */
function requireRealSender(raw: Partial<Record<ContextKey, unknown>>, allowPlaceholder: boolean): void {
  for (const key of ['senderDomain', 'fromAddress'] as const) {
    const v = raw[key];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      throw new DeployConfigError(key, `is required: the domain SES sends from and the From address of every email; ${SENDER_FIX}`, false);
    }
  }
  const domain = String(raw.senderDomain);
  if (!allowPlaceholder && isReservedExampleDomain(domain)) {
    throw new DeployConfigError(
      'senderDomain',
      `${domain} is a reserved example domain (RFC 2606, RFC 6761) that SES can never verify, and deploying it would replace ` +
        `the SES identity of your real one; ${SENDER_FIX}`,
      false,
    );
  }
}

/** The first issue of a failed parse, as a DeployConfigError naming its key. */
function firstIssue(raw: Partial<Record<ContextKey, unknown>>, error: z.ZodError): DeployConfigError {
  const issue = error.issues[0];
  const key = String(issue?.path[0] ?? 'context');
  const problem = issue?.code === 'invalid_type' && raw[key as ContextKey] === undefined ? 'is required' : (issue?.message ?? 'is invalid');
  return new DeployConfigError(key, problem);
}

/**
 * Parse raw context values (as `node.tryGetContext` returns them). Throws DeployConfigError: a
 * missing or placeholder sender (unless `allowPlaceholderDomain`), a bad value, or settings that
 * contradict each other.
 */
export function parseDeployConfig(raw: Partial<Record<ContextKey, unknown>>): DeployConfig {
  const allowPlaceholder = flag(false).safeParse(raw.allowPlaceholderDomain);
  requireRealSender(raw, allowPlaceholder.success && allowPlaceholder.data);
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(raw, parsed.error);
  const c = parsed.data;
  const fromDomain = c.fromAddress.split('@')[1] ?? '';
  if (fromDomain !== c.senderDomain && !fromDomain.endsWith(`.${c.senderDomain}`)) {
    // SES only lets the domain identity (and its subdomains) send; anything else fails at send time.
    throw new DeployConfigError('fromAddress', `must be an address at ${c.senderDomain} (the senderDomain), got ${c.fromAddress}`);
  }
  const customDomain = customDomainOf(c.domainName, c.certificateArn);
  const publicUrl = c.publicUrl ?? (customDomain === undefined ? undefined : `https://${customDomain.domainName}`);
  if (c.disableExecuteApiEndpoint && publicUrl === undefined) {
    // Every link in every email would point at the URL being turned off.
    throw new DeployConfigError(
      'disableExecuteApiEndpoint',
      'needs publicUrl or domainName (the custom domain or CDN address people reach the course at)',
    );
  }
  return {
    senderDomain: c.senderDomain,
    fromAddress: c.fromAddress,
    mailFromDomain: `${c.mailFromSubdomain}.${c.senderDomain}`,
    publicUrl,
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
    ...(customDomain === undefined ? {} : { customDomain }),
    trackOpensAndClicks: c.trackOpensAndClicks,
    eventsIncludeEmail: c.eventsIncludeEmail,
  };
}

/** domainName and certificateArn come together (API Gateway's regional domain needs a certificate in its region). */
function customDomainOf(domainName: string | undefined, certificateArn: string | undefined): DeployConfig['customDomain'] {
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (domainName === undefined)
    throw new DeployConfigError('domainName', 'is required with certificateArn (the custom domain the certificate is for)');
  if (certificateArn === undefined)
    throw new DeployConfigError(
      'certificateArn',
      `is required with domainName: an ACM certificate for ${domainName} in the stack's region`,
    );
  return { domainName, certificateArn };
}

/**
 * The sender context the tests, the bench and trial synths use: a reserved example domain, with the
 * opt-in that lets it through. Never deploy with it.
 */
export const PLACEHOLDER_SENDER_CONTEXT = {
  senderDomain: 'example.com',
  fromAddress: 'course@example.com',
  allowPlaceholderDomain: true,
} as const;

/** Read and validate the deploy settings from a construct's context (normally the App's). */
export function readDeployConfig(node: Node): DeployConfig {
  return parseDeployConfig(Object.fromEntries(CONTEXT_KEYS.map((k) => [k, node.tryGetContext(k) as unknown])));
}
