// The benchmark's SES sink must look like SES to the real SDK client and the real mailer, or the
// throughput figures would measure error paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetSendQuotaCommand, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { startSesSink, type SesSink } from '../../../bench/sink.js';

let sink: SesSink;
let client: SESClient;

beforeAll(async () => {
  sink = await startSesSink();
  client = new SESClient({
    endpoint: sink.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await sink.close();
});

describe('bench SES sink', () => {
  it('answers SendRawEmail through the real mailer with a message id, counting arrivals', async () => {
    sink.reset();
    const mailer = createSesMailer({ client, configurationSet: 'bench' });
    const raw = Buffer.from('From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n');
    const first = await mailer.sendRaw({ raw, to: 'b@example.com', tags: { course: 'c', lesson: '1', subscriber: 's' } });
    const second = await mailer.sendRaw({ raw, to: 'b@example.com' });
    expect(first.messageId).toMatch(/^sink-/);
    expect(second.messageId).not.toBe(first.messageId);
    expect(sink.count()).toBe(2);
    expect(sink.arrivals()).toHaveLength(2);
    sink.reset();
    expect(sink.count()).toBe(0);
  });

  it('answers GetSendQuota, and refuses other actions with an SES-shaped error', async () => {
    const quota = await client.send(new GetSendQuotaCommand({}));
    expect(quota.MaxSendRate).toBeGreaterThan(0);
    await expect(
      client.send(
        new SendEmailCommand({
          Source: 'a@example.com',
          Destination: { ToAddresses: ['b@example.com'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAction' });
  });
});
