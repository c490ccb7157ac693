// SES GetSendQuota (AWS only): the account's sending rate and what is left of its 24-hour quota, so
// the drip never plans to send faster or more than SES will accept. The local emulator has no quota.
import { GetSendQuotaCommand, type SESClient } from '@aws-sdk/client-ses';
import { DependencyError } from '../core/errors.js';
import type { SendQuota } from '../core/drip/index.js';

export function createSendQuota(client: SESClient): () => Promise<SendQuota> {
  return async () => {
    let out;
    try {
      out = await client.send(new GetSendQuotaCommand({}));
    } catch (e: unknown) {
      throw new DependencyError('SES GetSendQuota failed', e);
    }
    const rate = out.MaxSendRate;
    if (rate === undefined || !(rate > 0))
      throw new DependencyError(`SES GetSendQuota answered no usable MaxSendRate (${String(rate)})`, undefined);
    const max = out.Max24HourSend;
    // -1 means an unlimited 24-hour quota.
    if (max === undefined || max < 0) return { maxSendRate: rate };
    return { maxSendRate: rate, remaining24h: Math.max(0, Math.floor(max - (out.SentLast24Hours ?? 0))) };
  };
}
