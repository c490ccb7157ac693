// bounced and complained, from SES notifications through the ses-events handler (the wiring's
// feedbackDeps) on DynamoDB Local: one event when the subscriber is stopped, none for a redelivery or
// for an address already stopped, none for a transient bounce until the third in a row; no address
// unless the operator opted in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAddressPolicy } from '../../../functions/core/events.js';
import { createSesEventsHandler, feedbackDeps } from '../../../functions/wiring/ses-events.js';
import { collectEvents } from '../../support/event-collector.js';
import { COURSE, seedSubscriber, sesNotification, snsEnvelope } from '../../support/feedback-fixtures.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

async function handlerOn(includeEmail = false) {
  const table = await stack.newTable();
  const events = collectEvents();
  const handle = createSesEventsHandler(
    feedbackDeps({
      doc: stack.doc,
      tableName: table,
      clock: { now: () => new Date('2026-01-05T10:00:00Z') },
      log: () => undefined,
      events: withAddressPolicy(events, includeEmail),
    }),
  );
  return { table, events, handle };
}

describe('feedback events', () => {
  it('a permanent bounce publishes one bounced (reason, lesson), none again for its redelivery', async () => {
    const { table, events, handle } = await handlerOn();
    const s = await seedSubscriber(stack.doc, table, 'gone@example.com');
    const bounce = sesNotification('Bounce', s, { lesson: 2, messageId: 'm-bounce' });
    await handle(snsEnvelope([bounce]));
    await handle(snsEnvelope([bounce]));
    expect(events.events).toEqual([
      {
        type: 'bounced',
        course: COURSE,
        subscriberId: s.id,
        at: '2026-01-05T10:00:00.000Z',
        detail: { reason: 'permanent-bounce', lesson: 2 },
      },
    ]);
  });

  it('a complaint publishes one complained; a later bounce of the complained address publishes nothing', async () => {
    const { table, events, handle } = await handlerOn();
    const s = await seedSubscriber(stack.doc, table, 'angry@example.com');
    await handle(snsEnvelope([sesNotification('Complaint', s, { messageId: 'm-1' })]));
    await handle(snsEnvelope([sesNotification('Bounce', s, { messageId: 'm-2' })]));
    expect(events.events.map((e) => [e.type, e.subscriberId, e.detail])).toEqual([
      ['complained', s.id, { reason: 'complaint', lesson: 1 }],
    ]);
  });

  it('transient bounces publish nothing until the third in a row stops the address: one bounced (soft-bounce-limit)', async () => {
    const { table, events, handle } = await handlerOn();
    const s = await seedSubscriber(stack.doc, table, 'full@example.com');
    for (const n of [1, 2]) await handle(snsEnvelope([sesNotification('Bounce', s, { messageId: `m-${n}`, bounceType: 'Transient' })]));
    expect(events.events).toEqual([]);
    await handle(snsEnvelope([sesNotification('Bounce', s, { messageId: 'm-3', bounceType: 'Transient' })]));
    expect(events.events.map((e) => [e.type, e.detail?.reason])).toEqual([['bounced', 'soft-bounce-limit']]);
  });

  it('deliveries, opens and not-spam reports publish nothing', async () => {
    const { table, events, handle } = await handlerOn();
    const s = await seedSubscriber(stack.doc, table, 'fine@example.com');
    await handle(snsEnvelope([sesNotification('Delivery', s), sesNotification('Open', s)]));
    expect(events.events).toEqual([]);
  });

  it('carries the address only when the operator opted in', async () => {
    const { table, events, handle } = await handlerOn(true);
    const s = await seedSubscriber(stack.doc, table, 'optin@example.com');
    await handle(snsEnvelope([sesNotification('Bounce', s)]));
    expect(events.events.map((e) => e.email)).toEqual(['optin@example.com']);
  });
});
