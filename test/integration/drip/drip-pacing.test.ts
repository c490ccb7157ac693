// The send rate as SES would count it, on a busy machine: arrivals at an SES-compatible sink in its
// own thread, with busy-loop threads beside the sender and the sender's event loop stalled now and
// then. Asserts counts of arrivals in one-second windows, never timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESClient } from '@aws-sdk/client-ses';
import { Pacer } from '../../../functions/core/pacer.js';
import { runFannedOut } from '../../../functions/core/drip/index.js';
import { createSesMailer } from '../../../functions/adapters/ses-mailer.js';
import { LOCAL_CREDENTIALS } from '../../../functions/adapters/dynamo-client.js';
import { dueShards } from '../../../functions/adapters/table.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { busiestWindow } from '../../../bench/stats.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { startCpuHog } from '../../../bench/hog.js';
import { startArrivalSink, type ArrivalSink } from '../../support/contention.js';
import { SettableClock, dripDeps, seedActive } from '../../support/drip-fixtures.js';
import { compileShippedCourse } from '../../support/course.js';

let stack: TestStack;
let sink: ArrivalSink;
let ses: SESClient;
let compiled: CompiledCourse;
const SHARDS = 8;

beforeAll(async () => {
  [stack, sink, compiled] = await Promise.all([startTestStack(), startArrivalSink(), compileShippedCourse()]);
  ses = new SESClient({ endpoint: sink.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, cacheMiddleware: true, maxAttempts: 1 });
});
afterAll(async () => {
  ses.destroy();
  await sink.close();
  await stack.stop();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const raw = new TextEncoder().encode(`Subject: pacing\r\n\r\n${'x'.repeat(20_000)}`);

describe('pacing under CPU contention', () => {
  it(
    'no one-second window at SES holds more than the cap, with busy threads beside it and its own event loop stalling',
    { timeout: 60_000 },
    async () => {
      const RATE = 20;
      const SENDS = 140;
      const mailer = createSesMailer({ client: ses });
      const pacer = new Pacer({ ratePerSecond: RATE, clock: () => performance.now(), sleep });
      const before = (await sink.arrivals()).length;
      // Two busy threads on this 2-core machine, and this thread blocked for 150 ms every 400 ms: timers
      // fire late, and every send queued behind a stall wakes at once.
      const hog = startCpuHog({ threads: 2, stallMs: 150, everyMs: 400 });
      try {
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let i = next++; i < SENDS; i = next++) {
              const ticket = await pacer.take();
              try {
                await mailer.sendRaw({ raw, to: `pace-${i}@example.com` });
              } finally {
                ticket.done();
              }
            }
          }),
        );
      } finally {
        await hog.stop();
      }
      const arrivals = (await sink.arrivals()).slice(before).filter((a) => a.to.startsWith('pace-'));
      expect(arrivals).toHaveLength(SENDS);
      expect(
        busiestWindow(
          arrivals.map((a) => a.at),
          1000,
        ),
      ).toBeLessThanOrEqual(RATE);
    },
  );

  it(
    'K = 4 senders fanned out in one process share the rate: all sent once, no one-second window over the cap',
    { timeout: 90_000 },
    async () => {
      const RATE = 20;
      const DUE = 100;
      const table = await stack.newTable();
      const now = new Date('2026-03-02T12:00:00.000Z');
      const people = await Promise.all(
        Array.from({ length: DUE }, (_, i) =>
          seedActive(stack, table, {
            course: compiled.course.slug,
            timezone: 'UTC',
            dueAt: new Date(now.getTime() - 60_000 - i),
            shards: SHARDS,
            email: `fan-${i}@example.com`,
          }),
        ),
      );
      const before = (await sink.arrivals()).length;
      const deps = dripDeps(stack, table, compiled, {
        clock: new SettableClock(now),
        shards: SHARDS,
        mailer: createSesMailer({ client: ses }),
        settings: { maxSendRate: RATE, sendConcurrency: 4 },
      });
      const hog = startCpuHog({ threads: 2, stallMs: 150, everyMs: 400 });
      let summary;
      try {
        summary = await runFannedOut(
          deps,
          { now, deadline: new Date(now.getTime() + 5 * 60_000) },
          { senders: 4, shards: dueShards(SHARDS) },
        );
      } finally {
        await hog.stop();
      }
      expect(summary).toMatchObject({ due: DUE, sent: DUE });
      expect(summary.senders).toHaveLength(4);
      // Each sender paced at a quarter of the rate, and each found only its own shards' people.
      for (const s of summary.senders) expect(s.maxSendRate).toBe(RATE / 4);
      expect(summary.senders.reduce((n, s) => n + s.due, 0)).toBe(DUE);
      const arrivals = (await sink.arrivals()).slice(before).filter((a) => a.to.startsWith('fan-'));
      expect(arrivals.map((a) => a.to).sort()).toEqual(people.map((p) => p.email).sort());
      expect(
        busiestWindow(
          arrivals.map((a) => a.at),
          1000,
        ),
      ).toBeLessThanOrEqual(RATE);
      const summaries = deps.logs.filter((l) => l.msg === 'drip.summary');
      expect(summaries.map((l) => l.sender).sort()).toEqual([0, 1, 2, 3]);
    },
  );
});
