// Pure parts of the feedback path: reading untrusted SES notifications, event ids, and what the
// local mailbox simulator produces for each address.
import { describe, expect, it } from 'vitest';
import { eventIdOf, parseSesNotification } from '../../../functions/core/ses-notification.js';
import { simulatedNotifications, simulatedOutcome } from '../../../functions/local/simulated-feedback.js';

const mail = { messageId: 'm-1', destination: ['a@example.com'], tags: { course: ['c'], lesson: ['2'], subscriber: ['abc'] } };

describe('parseSesNotification', () => {
  it('accepts a configuration-set bounce and keeps its recipients and tags', () => {
    const r = parseSesNotification({
      eventType: 'Bounce',
      mail,
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'a@example.com' }] },
    });
    expect(r.ok && r.notification.eventType).toBe('Bounce');
  });

  it('reads the older notificationType field as the event type', () => {
    const r = parseSesNotification({
      notificationType: 'Complaint',
      mail,
      complaint: { complainedRecipients: [{ emailAddress: 'a@example.com' }] },
    });
    expect(r.ok && r.notification.eventType).toBe('Complaint');
  });

  it.each([
    ['null', null],
    ['an array', [1]],
    ['a string', 'Bounce'],
    ['no event type', { mail }],
    ['no mail', { eventType: 'Send' }],
    ['no recipients on a bounce', { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bouncedRecipients: [] } }],
    [
      'an unknown bounce type',
      { eventType: 'Bounce', mail, bounce: { bounceType: 'Maybe', bouncedRecipients: [{ emailAddress: 'a@example.com' }] } },
    ],
    ['tags that are not lists', { eventType: 'Send', mail: { ...mail, tags: { course: 'c' } } }],
    ['an empty destination', { eventType: 'Send', mail: { ...mail, destination: [] } }],
  ])('calls %s malformed', (_what, input) => {
    expect(parseSesNotification(input)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('calls an event type it does not handle unknown', () => {
    expect(parseSesNotification({ eventType: 'Rendering Failure', mail })).toMatchObject({ ok: false, reason: 'unknown' });
  });
});

describe('eventIdOf', () => {
  it('is the same for the same message, type and recipient, and differs otherwise', () => {
    const id = eventIdOf('m', 'Open', 'a@example.com');
    expect(eventIdOf('m', 'Open', 'a@example.com')).toBe(id);
    expect(eventIdOf('m', 'Click', 'a@example.com')).not.toBe(id);
    expect(eventIdOf('m', 'Open', 'b@example.com')).not.toBe(id);
    expect(id).not.toContain('example');
  });
});

describe('local mailbox simulator', () => {
  it.each([
    ['bounce@simulator.amazonses.com', 'bounce'],
    ['bounce+label@simulator.amazonses.com', 'bounce'],
    ['Complaint@Simulator.AmazonSES.com', 'complaint'],
    ['suppressionlist@simulator.amazonses.com', 'suppressed'],
    ['ooto@simulator.amazonses.com', 'delivered'],
    ['success@simulator.amazonses.com', 'delivered'],
    ['bounce@example.com', 'delivered'],
  ])('%s is %s', (to, outcome) => {
    expect(simulatedOutcome(to)).toBe(outcome);
  });

  it('produces notifications the core accepts, with tags as lists', () => {
    const events = simulatedNotifications({
      messageId: 'm',
      to: 'complaint@simulator.amazonses.com',
      tags: { course: 'c', lesson: '1' },
      at: new Date(0),
    });
    // What the configuration set publishes: no Send (the drip counts its own sends).
    expect(events.map((e) => e.eventType)).toEqual(['Delivery', 'Complaint']);
    for (const e of events) expect(parseSesNotification(e).ok).toBe(true);
    expect(events[0]?.mail).toMatchObject({ tags: { course: ['c'], lesson: ['1'] } });
  });
});
