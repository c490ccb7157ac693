// The benchmark's measurements on a tiny list: the figures it reports must describe what happened
// (every due person sent to once, the due query reading only the due ones, no compile during a
// run). Counts only; timings belong to `npm run bench`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../../functions/adapters/dynamo-client.js';
import { startBenchServices, type BenchServices } from '../../../bench/services-client.js';
import { measureRate, measureThroughput, type BenchContext } from '../../../bench/suite.js';
import { timeCli } from '../../../bench/scale.js';
import { SHIPPED_COURSE_DIR, shippedCourse } from '../../support/course.js';

let services: BenchServices;
let ctx: BenchContext;

beforeAll(async () => {
  services = await startBenchServices();
  const dynamo = createDynamoClient({ endpoint: services.dynamoUrl });
  ctx = {
    services,
    dynamo,
    doc: createDocumentClient(dynamo),
    course: shippedCourse(),
    courseDir: SHIPPED_COURSE_DIR,
    progress: () => undefined,
  };
});
afterAll(async () => {
  ctx.dynamo.destroy();
  await services.close();
});

describe('bench suite', () => {
  it('a run over a list of 400 with 40 due: 40 sent, 40 items read by the due query, 400 by a Scan, no compile during the run', async () => {
    const t = await measureThroughput(ctx, 400, 40);
    expect(t).toMatchObject({ size: 400, due: 40, sent: 40, scanItemsRead: 400, compilesDuringRun: 0 });
    expect(t.dueQuery.itemsRead).toBe(40);
    expect(t.dueQuery.itemsReturned).toBe(40);
    expect(t.compilesSoFar.lesson).toBe(ctx.course.lessons.length);
    // One page of 40: the subscriber read and the send check (2 BatchGetItem), claims and advances in
    // batches of 25 (4 BatchExecuteStatement), the send log in 2 writes; one Query per shard (8); the
    // `sent` counters, one ADD per lesson sent at the end of the run (the list is spread over all 8 lessons: 8).
    expect(t.dynamoCallsPerEmail).toEqual({
      Query: 0.2,
      BatchGetItem: 0.05,
      BatchExecuteStatement: 0.1,
      BatchWriteItem: 0.05,
      UpdateItem: 0.2,
    });
    expect(t.sesCallsPerEmail).toBe(1);
    expect(t.mailSdkCallsPerEmail).toBeCloseTo(1.6, 6);
    // Events as deployed: a lesson_sent per email and a completed per last lesson (the eighth on
    // lesson 8), published after the page's advance in PutEvents of at most 10 entries.
    const events = Math.round(t.eventsPerEmail * 40);
    expect(events).toBe(45);
    expect(t.eventCallsPerEmail).toBeCloseTo(Math.ceil(events / 10) / 40, 6);
    expect(t.sdkCallsPerEmail).toBeCloseTo(1.6 + t.eventCallsPerEmail, 6);
    expect(t.pageSize).toBe(50);
    expect(t.emailsPerCoreSecond).toBeGreaterThan(0);
    expect(t.p99Ms).toBeGreaterThanOrEqual(t.p50Ms);
  });

  it('course export against the sent-to list, in a process of its own: one row per subscriber, its peak memory read at exit', async () => {
    let exported: Awaited<ReturnType<typeof timeCli>> | undefined;
    await measureThroughput(ctx, 120, 12, {
      scan: false,
      after: async (table) => {
        exported = await timeCli(['export', '--format', 'csv'], { dynamoUrl: services.dynamoUrl, sesUrl: services.sesUrl, table });
      },
    });
    // The header and 120 rows.
    expect(exported!.lines).toBe(121);
    expect(exported!.peakRssMiB).toBeGreaterThan(10);
    expect(exported!.ms).toBeGreaterThan(0);
  });

  it('the rate run sends seconds × R, then half that under load, and reports the arrivals the sink saw', async () => {
    const r = await measureRate(ctx, 10, 3);
    expect(r).toMatchObject({ maxSendRate: 10, due: 30, sent: 30 });
    // Not the cap itself: on a loaded test machine the jitter between pacing and arrival is not
    // this test's business (test/unit/core/pacer.test.ts checks the grid; npm run bench the sink).
    expect(r.busiestOneSecond).toBeGreaterThan(0);
    expect(r.achievedPerSecond).toBeGreaterThan(0);
    // Then half as many again with the CPU hog beside the run.
    expect(r.underLoad).toMatchObject({ maxSendRate: 10, due: 15, sent: 15, load: { threads: 2 } });
    expect(r.underLoad.busiestOneSecond).toBeGreaterThan(0);
  });
});
