// The EventBridge publisher against a stand-in client with PutEvents' shape: batches of at most 10,
// entries the bus refused sent again (and only those), whatever is still refused logged, never thrown.
import type { PutEventsCommand, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE, eventBridgePublisher, type PutEventsClient } from '../../../functions/adapters/eventbridge-events.js';
import type { SubscriptionEvent } from '../../../functions/core/events.js';
import type { LogEntry } from '../../../functions/core/ports.js';
import { busEvents } from '../../../functions/wiring/events.js';
import { collectEvents } from '../../support/event-collector.js';

const event = (n: number): SubscriptionEvent => ({
  type: 'lesson_sent',
  course: 'sleep',
  subscriberId: `sub-${n}`,
  at: '2026-03-02T08:00:00.000Z',
  detail: { lesson: 2, round: 1 },
});

/** A client answering each request with `answer(entries, requestNumber)`; keeps every request's entries. */
function client(answer: (ids: string[], request: number) => { FailedEntryCount?: number; Entries?: PutEventsResultEntry[] } | Error) {
  const requests: { EventBusName?: string; Source?: string; DetailType?: string; Detail?: string; Time?: Date }[][] = [];
  const c: PutEventsClient = {
    send: (command: PutEventsCommand) => {
      const entries = command.input.Entries ?? [];
      requests.push(entries);
      const out = answer(
        entries.map((e) => (JSON.parse(e.Detail ?? '{}') as SubscriptionEvent).subscriberId),
        requests.length,
      );
      return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
    },
  };
  return { client: c, requests };
}

const ok = (ids: string[]) => ({ FailedEntryCount: 0, Entries: ids.map((id) => ({ EventId: `ev-${id}` })) });
const noSleep = () => Promise.resolve();

describe('eventBridgePublisher', () => {
  it('puts each event as one entry: the bus, source email-course, the type as detail-type, the event as detail, its time', async () => {
    const c = client(ok);
    const logs: LogEntry[] = [];
    await eventBridgePublisher({ busName: 'course-bus', log: (e) => logs.push(e), client: c.client }).publish([event(1)]);
    expect(c.requests).toHaveLength(1);
    const [entry] = c.requests[0]!;
    expect(entry).toMatchObject({ EventBusName: 'course-bus', Source: EVENT_SOURCE, DetailType: 'lesson_sent' });
    expect(JSON.parse(entry!.Detail!)).toEqual(event(1));
    expect(entry!.Time).toEqual(new Date('2026-03-02T08:00:00.000Z'));
    expect(logs).toEqual([]);
  });

  it('sends 25 events in three requests of at most 10 entries, none lost', async () => {
    const c = client(ok);
    const events = Array.from({ length: 25 }, (_, i) => event(i));
    await eventBridgePublisher({ busName: 'b', log: () => undefined, client: c.client }).publish(events);
    expect(c.requests.map((r) => r.length).sort()).toEqual([10, 10, 5]);
    const sent = c.requests.flat().map((e) => (JSON.parse(e.Detail!) as SubscriptionEvent).subscriberId);
    expect(sent.sort()).toEqual(events.map((e) => e.subscriberId).sort());
  });

  it('sends again only the entries the bus refused (FailedEntryCount, ErrorCode in request order), until they are in', async () => {
    const c = client((ids, n) =>
      n === 1
        ? {
            FailedEntryCount: 2,
            Entries: ids.map((id, i) =>
              i === 1 || i === 3 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `ev-${id}` },
            ),
          }
        : ok(ids),
    );
    const logs: LogEntry[] = [];
    const slept: number[] = [];
    const publisher = eventBridgePublisher({
      busName: 'b',
      log: (e) => logs.push(e),
      client: c.client,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    await publisher.publish([event(0), event(1), event(2), event(3), event(4)]);
    expect(c.requests).toHaveLength(2);
    expect(c.requests[1]!.map((e) => (JSON.parse(e.Detail!) as SubscriptionEvent).subscriberId)).toEqual(['sub-1', 'sub-3']);
    expect(slept).toEqual([100]);
    expect(logs).toEqual([]);
  });

  it('after the bounded attempts, logs what is still refused (ids and errors, never the address) and resolves', async () => {
    const c = client((ids) => ({
      FailedEntryCount: ids.length,
      Entries: ids.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'x' })),
    }));
    const logs: LogEntry[] = [];
    const withAddress = { ...event(7), email: 'ann@example.com' };
    await expect(
      eventBridgePublisher({ busName: 'b', log: (e) => logs.push(e), client: c.client, attempts: 3, sleep: noSleep }).publish([
        withAddress,
      ]),
    ).resolves.toBeUndefined();
    expect(c.requests).toHaveLength(3);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ msg: 'events.undelivered', level: 'error', count: 1, bus: 'b' });
    expect(logs[0]!.events).toEqual([
      { type: 'lesson_sent', course: 'sleep', subscriberId: 'sub-7', at: withAddress.at, error: 'InternalFailure: x' },
    ]);
    expect(JSON.stringify(logs)).not.toContain('ann@example.com');
  });

  it('never throws when the call itself fails (network, access denied): retries the batch, then logs it', async () => {
    const denied = Object.assign(new Error('not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException' });
    const c = client(() => denied);
    const logs: LogEntry[] = [];
    await expect(
      eventBridgePublisher({ busName: 'b', log: (e) => logs.push(e), client: c.client, sleep: noSleep }).publish([event(1), event(2)]),
    ).resolves.toBeUndefined();
    expect(c.requests).toHaveLength(3);
    expect(logs[0]).toMatchObject({ msg: 'events.undelivered', count: 2 });
    expect(JSON.stringify(logs[0]!.events)).toContain('AccessDeniedException: not authorized');
  });

  it('a failing batch does not hold back the others: the good ones are delivered, the bad one logged', async () => {
    const c = client((ids) => (ids.includes('sub-12') ? new Error('boom') : ok(ids)));
    const logs: LogEntry[] = [];
    await eventBridgePublisher({ busName: 'b', log: (e) => logs.push(e), client: c.client, sleep: noSleep }).publish(
      Array.from({ length: 15 }, (_, i) => event(i)),
    );
    expect(logs).toHaveLength(1);
    expect(logs[0]!.count).toBe(5);
  });

  it('a result entry missing for a sent entry counts as refused', async () => {
    const c = client((ids, n) => (n === 1 ? { FailedEntryCount: 1, Entries: [{ EventId: 'a' }] } : ok(ids)));
    await eventBridgePublisher({ busName: 'b', log: () => undefined, client: c.client, sleep: noSleep }).publish([event(1), event(2)]);
    expect(c.requests[1]!.map((e) => (JSON.parse(e.Detail!) as SubscriptionEvent).subscriberId)).toEqual(['sub-2']);
  });

  it('publishes nothing for no events', async () => {
    const c = client(ok);
    await eventBridgePublisher({ busName: 'b', log: () => undefined, client: c.client }).publish([]);
    expect(c.requests).toEqual([]);
  });
});

describe('busEvents (the Lambdas’ wiring)', () => {
  const withAddress: SubscriptionEvent = { ...event(1), email: 'ann@example.com' };
  const sentDetails = (requests: { Detail?: string }[][]) => requests.flat().map((e) => JSON.parse(e.Detail!) as SubscriptionEvent);

  it('puts on EVENT_BUS_NAME without the address by default, with it when EVENTS_INCLUDE_EMAIL', async () => {
    for (const eventsIncludeEmail of [false, true]) {
      const c = client(ok);
      const bus = busEvents({ config: { eventBusName: 'course-bus', eventsIncludeEmail }, log: () => undefined, client: c.client });
      await bus!.publish([withAddress]);
      expect(c.requests[0]![0]!.EventBusName).toBe('course-bus');
      expect(sentDetails(c.requests)[0]!.email).toBe(eventsIncludeEmail ? 'ann@example.com' : undefined);
    }
  });

  it('hands every event to the `also` publishers too (the api’s vote metrics), under the same address policy', async () => {
    const c = client(ok);
    const also = collectEvents();
    await busEvents({ config: { eventBusName: 'b' }, log: () => undefined, client: c.client, also: [also] })!.publish([withAddress]);
    expect(c.requests).toHaveLength(1);
    expect(also.events).toEqual([event(1)]);
  });

  it('is undefined with no bus and nothing else to publish to (no events in that Lambda)', () => {
    expect(busEvents({ config: {}, log: () => undefined })).toBeUndefined();
  });
});
