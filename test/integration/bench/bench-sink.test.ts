// The benchmark's SES sink must look like SES to the real SDK client and the real mailer, or the
// throughput figures would measure error paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetSendQuotaCommand, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { startSesSink, type SesSink } from '../../../bench/sink.js';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventBridgePublisher } from '../../../functions/adapters/eventbridge-events.js';
import { subscriptionEvent } from '../../../functions/core/events.js';

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

  it('accepts PutEvents from the real publisher and counts the entries, as EventBridge answers', async () => {
    sink.reset();
    const events = new EventBridgeClient({
      endpoint: sink.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const failures: unknown[] = [];
    const publisher = eventBridgePublisher({
      busName: 'bench',
      client: events,
      attempts: 1,
      log: (entry) => failures.push(entry),
    });
    const at = new Date('2026-12-08T09:00:00Z');
    // 23 events: three PutEvents calls of at most 10 entries each.
    await publisher.publish(
      Array.from({ length: 23 }, (_, i) =>
        subscriptionEvent('lesson_sent', { id: `s${i}`, course: 'c', email: `r${i}@example.com` }, at, { lesson: 1 }),
      ),
    );
    events.destroy();
    expect(sink.events()).toBe(23);
    expect(failures).toEqual([]);
    expect(sink.count()).toBe(0);
  });
});
