// Runtime settings, parsed once at the edge (Lambda handler or local stack) into a typed object.
// Nothing else reads process.env. A missing or bad setting fails at start, naming the setting.
import * as z from 'zod';
import { emailAddressSchema } from '../core/text.js';

const positiveNumber = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a positive number, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  TABLE_NAME: z.string().min(1).default('email-course'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'PUBLIC_URL must be an absolute http(s) URL' }).default('http://localhost:3000'),
  SES_CONFIGURATION_SET: z.string().optional(),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    ),
  MAX_SEND_RATE: positiveNumber('MAX_SEND_RATE', 10),
  SEND_CONCURRENCY: positiveNumber('SEND_CONCURRENCY', 4),
  DUE_SHARDS: positiveNumber('DUE_SHARDS', 8),
  SIGNUPS_PER_IP_PER_HOUR: positiveNumber('SIGNUPS_PER_IP_PER_HOUR', 20),
  SENDER_ADDRESS: emailAddressSchema('SENDER_ADDRESS must be an email address').optional().or(z.literal('')),
  DRIP_SENDERS: positiveNumber('DRIP_SENDERS', 1),
  RATE_PER_SENDER: positiveNumber('RATE_PER_SENDER', 100),
  CLIENT_IP_HEADER: z
    .enum(['cloudfront-viewer-address'], { message: 'CLIENT_IP_HEADER must be cloudfront-viewer-address or unset' })
    .optional()
    .or(z.literal('')),
});

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
  /** The most drip senders one run fans out to (functions/core/fan-out.ts); 1 = no fan-out. */
  dripSenders: number;
  /** Emails per second one sender is asked to carry; a higher account rate adds senders, up to dripSenders. */
  ratePerSender: number;
  /**
   * Where the api Lambda reads the client IP: unset, the connection (API Gateway's sourceIp);
   * `cloudfront-viewer-address` when CloudFront fronts the API (infra's behindCloudFront).
   */
  clientIpHeader?: 'cloudfront-viewer-address';
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') ?? 'config';
    throw new Error(`Bad setting ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  return {
    tableName: e.TABLE_NAME,
    publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
    configurationSet: e.SES_CONFIGURATION_SET || undefined,
    corsOrigins: e.CORS_ORIGINS,
    maxSendRate: e.MAX_SEND_RATE,
    sendConcurrency: Math.floor(e.SEND_CONCURRENCY),
    dueShards: Math.floor(e.DUE_SHARDS),
    signupsPerIpPerHour: Math.floor(e.SIGNUPS_PER_IP_PER_HOUR),
    senderAddress: e.SENDER_ADDRESS || undefined,
    dripSenders: Math.floor(e.DRIP_SENDERS),
    ratePerSender: e.RATE_PER_SENDER,
    clientIpHeader: e.CLIENT_IP_HEADER || undefined,
  };
}
