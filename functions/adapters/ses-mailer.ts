// The Mailer port on Amazon SES (v1 SendRawEmail, which keeps our own MIME, List-Unsubscribe headers
// included), with the configuration set and tags so SES events come back tied to the message.
// SES errors become SendError kinds the drip's retry logic understands.
import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { SendError, type Mailer, type MessageTags, type SendFailureKind } from '../core/ports.js';

export interface SesMailerOptions {
  client: SESClient;
  /** SES configuration set (its event destination feeds bounces and complaints back). */
  configurationSet?: string;
}

// SES error names that mean "slow down" (v1 Query API and the v2 spelling, as the SDK reports them).
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'MaxSendingRateExceeded',
  'MaxSendingRateExceededException',
  'TooManyRequests',
  'TooManyRequestsException',
]);
// Network-level failures the SDK surfaces without an HTTP response.
const NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** How a retry should treat an SES (or network) failure. */
export function classifySesError(e: unknown): SendFailureKind {
  if (!(e instanceof Error)) return 'transient';
  const err = e as Error & {
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  if (THROTTLED.has(err.name) || err.$retryable?.throttling === true) return 'throttled';
  const status = err.$metadata?.httpStatusCode;
  if (status === 429) return 'throttled';
  if (err.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  if (NETWORK.has(err.name) || (err.code !== undefined && NETWORK.has(err.code))) return 'transient';
  // No HTTP answer at all: the request never reached SES, so nothing was refused.
  if (status === undefined && err.$fault === undefined) return 'transient';
  // A 4xx that is not throttling (MessageRejected, MailFromDomainNotVerified, InvalidParameterValue,
  // ConfigurationSetDoesNotExist, AccountSendingPaused…): sending the same message again will not help.
  return 'permanent';
}

/** SES tag names and values allow only ASCII letters, digits, `_`, `-`, `.` and `@` (at most 256 characters). */
export function sesTagValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);
  return cleaned === '' ? '_' : cleaned;
}

function sesTags(tags: MessageTags | undefined) {
  return Object.entries(tags ?? {}).map(([name, value]) => ({ Name: sesTagValue(name), Value: sesTagValue(value) }));
}

export function createSesMailer({ client, configurationSet }: SesMailerOptions): Mailer {
  return {
    async sendRaw({ raw, to, tags }) {
      try {
        const out = await client.send(
          new SendRawEmailCommand({
            RawMessage: { Data: raw },
            // Only the intended recipient, whatever the headers say.
            Destinations: [to],
            ...(configurationSet === undefined ? {} : { ConfigurationSetName: configurationSet }),
            Tags: sesTags(tags),
          }),
        );
        if (out.MessageId === undefined) throw new SendError('transient', 'SES answered without a message id');
        return { messageId: out.MessageId };
      } catch (e: unknown) {
        if (e instanceof SendError) throw e;
        const kind = classifySesError(e);
        const name = e instanceof Error ? e.name : 'unknown';
        throw new SendError(kind, `SES SendRawEmail failed (${name}, ${kind})`, { cause: e });
      }
    },
  };
}
