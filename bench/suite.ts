// The measurements behind `npm run bench` (bench/run.ts prints and saves them):
//   throughput   whole drip runs through the real path (DynamoDB Local, the real drip store and SES
//                mailer, the SDK clients the Lambda uses) into an SES sink that answers at once
//   render       MJML compiles per run, and what one recipient costs once the lessons are compiled
//   due query    items the due query reads per run as the list grows and the due count stays fixed
//   rate         achieved send rate and the busiest one-second window under MAX_SEND_RATE
// Every drip run publishes its subscription events (lesson_sent, completed) to the sink's PutEvents, as
// the deployed drip does to its bus, so the figures include what the events cost.
// DynamoDB Local and the sink run in child processes (bench/services.ts), so this process's CPU time is
// the drip's own: "per core" below is emails per CPU-second of the process running the drip.
import { randomBytes } from 'node:crypto';
import { paginateScan, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runDrip, type DripDeps, type DripStore } from '../functions/core/drip/index.js';
import { runFannedOut } from '../functions/core/drip/index.js';
import { dueShards } from '../functions/adapters/table.js';
import { startCpuHog } from './hog.js';
import { createTokens } from '../functions/core/tokens.js';
import { createDynamoDripStore } from '../functions/adapters/dynamo-drip-store.js';
import { dripDeps as wiredDripDeps, sesMailer } from '../functions/wiring/index.js';
import { busEvents } from '../functions/wiring/events.js';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../functions/adapters/dynamo-client.js';
import { compileCourse, mjmlCompilations } from '../functions/email/compile.js';
import { courseCatalog, type CompiledCourse } from '../functions/email/compiled-course.js';
import type { Course } from '../functions/email/manifest.js';
import { renderLesson } from '../functions/email/personalise.js';
import { composeMessage, listIdFor } from '../functions/email/mime.js';
import type { BenchServices } from './services-client.js';
import { BENCH_SHARDS, createBenchTable, seedList } from './seed.js';
import { achievedRate, busiestWindow, median, percentile } from './stats.js';

/** SES calls in flight in the throughput runs: the most the stack configures. */
export const THROUGHPUT_CONCURRENCY = 16;
const tokens = createTokens(randomBytes(32));

export interface BenchContext {
  services: BenchServices;
  /** For seeding and scans (not measured). */
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  course: Course;
  /** The course's folder (its lessons); the bench uses the first course of COURSES_DIR. */
  courseDir: string;
  progress: (line: string, options?: { transient?: boolean }) => void;
}

export interface ThroughputFigures {
  size: number;
  due: number;
  /** Seeding the list: BatchWriteItem, 25 items a request, 8 in flight, into DynamoDB Local. */
  seedMs: number;
  seedItemsPerSecond: number;
  sent: number;
  wallMs: number;
  /** Sent per wall-clock second (the services share this 2-core machine). */
  emailsPerSecond: number;
  /** CPU seconds this process spent in the run (user + system). */
  cpuSeconds: number;
  /** Emails per CPU-second of the drip process. */
  emailsPerCoreSecond: number;
  cpuPerEmailUs: number;
  /** Per email, from its claim to its advance (after the rate limiter let it start). */
  p50Ms: number;
  p99Ms: number;
  /** Highest resident set size sampled during the run. */
  peakRssMiB: number;
  /** CPU seconds DynamoDB Local and the sink spent meanwhile (the other processes). */
  servicesCpuSeconds: number;
  dueQuery: { calls: number; itemsRead: number; itemsReturned: number };
  /** What a Scan with a filter would read for the same answer (measured once per table). */
  scanItemsRead: number;
  /** DynamoDB calls by operation during the run, per email sent. */
  dynamoCallsPerEmail: Record<string, number>;
  /** SES SendRawEmail calls per email sent (1 unless SES was retried). */
  sesCallsPerEmail: number;
  /** EventBridge PutEvents calls per email sent (lesson_sent and completed events, at most 10 a call). */
  eventCallsPerEmail: number;
  /** Subscription events the sink accepted per email sent. */
  eventsPerEmail: number;
  /** The mail path's SDK calls (DynamoDB and SES) per email sent. */
  mailSdkCallsPerEmail: number;
  /** Every SDK call of the run (DynamoDB, SES and EventBridge) per email sent: the drip as deployed. */
  sdkCallsPerEmail: number;
  /** Subscribers per page (the drip's batch size and crash bound). */
  pageSize: number;
  /** MJML compilations this process has done by the end of this run (lessons, confirmation). */
  compilesSoFar: { lesson: number; confirmation: number };
  compilesDuringRun: number;
}

/** A plain DynamoDB client like the drip Lambda's, counting what each operation reads. */
function countingDynamoClient(endpoint: string) {
  const client = createDynamoClient({ endpoint, cacheMiddleware: true });
  const calls: Record<string, number> = {};
  const due = { calls: 0, itemsRead: 0, itemsReturned: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const op = context.commandName ?? 'unknown';
      calls[op] = (calls[op] ?? 0) + 1;
      if (op === 'QueryCommand') {
        const out = result.output as { ScannedCount?: number; Count?: number };
        due.calls++;
        due.itemsRead += out.ScannedCount ?? 0;
        due.itemsReturned += out.Count ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCountCalls' },
  );
  return { client, calls, due };
}

/** Per-email latency: the start of its page's claim → the end of its advance, keyed by subscriber. */
function timedStore(store: DripStore, latencies: number[]): DripStore {
  const started = new Map<string, number>();
  return {
    ...store,
    claim: (entries, claim) => {
      const t0 = performance.now();
      for (const e of entries) started.set(e.id, t0);
      return store.claim(entries, claim);
    },
    advance: async (items) => {
      try {
        return await store.advance(items);
      } finally {
        const t1 = performance.now();
        for (const { subscriberId } of items) {
          const t0 = started.get(subscriberId);
          if (t0 !== undefined) latencies.push(t1 - t0);
          started.delete(subscriberId);
        }
      }
    },
  };
}

function sesClient(endpoint: string): SESClient {
  return new SESClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, cacheMiddleware: true, maxAttempts: 1 });
}

/** The events' client, at the sink (which answers PutEvents). */
function eventsClient(endpoint: string): EventBridgeClient {
  return new EventBridgeClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, cacheMiddleware: true, maxAttempts: 1 });
}

/** Counts every call `client` sends (a middleware at its first step); answers the count so far. */
function countCalls(client: SESClient | EventBridgeClient, name: string): () => number {
  let calls = 0;
  // The two clients' stacks differ only in their commands' input and output types, which this never reads.
  (client.middlewareStack as SESClient['middlewareStack']).add(
    (next) => async (args) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => calls;
}

function dripDeps(store: DripStore, ses: SESClient, events: EventBridgeClient, compiled: CompiledCourse, maxSendRate: number): DripDeps {
  const log = () => undefined;
  return wiredDripDeps({
    // Published as the drip Lambda does (wiring/drip.ts busEvents), to the sink instead of a bus.
    events: busEvents({ config: { eventBusName: 'bench', eventsIncludeEmail: false }, log, client: events }),
    store,
    mailer: sesMailer(ses, { configurationSet: 'bench' }),
    clock: { now: () => new Date() },
    courses: courseCatalog([compiled]),
    tokens,
    config: { publicUrl: 'https://course.example.com', maxSendRate, sendConcurrency: THROUGHPUT_CONCURRENCY },
    log,
  });
}

/** Items a Scan + filter reads to find the same due subscribers: the whole table. */
async function scanItemsRead(dynamo: DynamoDBClient, table: string): Promise<number> {
  let read = 0;
  for await (const page of paginateScan({ client: dynamo }, { TableName: table, Select: 'COUNT' })) read += page.ScannedCount ?? 0;
  return read;
}

function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / (1024 * 1024);
    },
  };
}

/** One drip run over a list of `size` with `due` due now, against a fresh table. */
export async function measureThroughput(
  ctx: BenchContext,
  size: number,
  due: number,
  o: {
    scan?: boolean;
    around?: <T>(run: () => Promise<T>) => Promise<T>;
    /** Called with the table after the run (the large-list figures use the sent-to list). */
    after?: (table: string) => Promise<void>;
  } = {},
): Promise<ThroughputFigures> {
  const table = await createBenchTable(ctx.dynamo, `bench-${size}-${randomBytes(4).toString('hex')}`);
  const now = new Date();
  const label = size.toLocaleString('en-US');
  const seedStarted = performance.now();
  await seedList(ctx.doc, {
    table,
    course: ctx.course.slug,
    lessons: ctx.course.lessons.length,
    size,
    due,
    now,
    progress: (n) => ctx.progress(`  seeding ${label}: ${n.toLocaleString('en-US')} written`, { transient: true }),
  });
  const seedMs = performance.now() - seedStarted;
  ctx.progress(
    `  seeded ${label} subscribers (${due.toLocaleString('en-US')} due) in ${(seedMs / 1000).toFixed(1)} s: ${Math.round(size / (seedMs / 1000))} items/s`,
  );
  const scanned = o.scan === false ? Number.NaN : await scanItemsRead(ctx.dynamo, table);

  // Compile as the local stack does: once per process (cached), before the first run.
  const compiled = await compileCourse(ctx.course, ctx.courseDir);
  const counting = countingDynamoClient(ctx.services.dynamoUrl);
  const ses = sesClient(ctx.services.sesUrl);
  const events = eventsClient(ctx.services.sesUrl);
  const sesCalls = countCalls(ses, 'benchCountSesCalls');
  const eventCalls = countCalls(events, 'benchCountEventCalls');
  const latencies: number[] = [];
  const store = timedStore(createDynamoDripStore({ dynamo: counting.client, tableName: table, dueShards: BENCH_SHARDS }), latencies);
  try {
    await ctx.services.reset();
    // The seeding's garbage is not the run's (npm run bench starts node with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const compilesAtStart = mjmlCompilations();
    const rss = rssSampler();
    const services0 = await ctx.services.cpu();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const run = () => runDrip(dripDeps(store, ses, events, compiled, 100_000), { now, deadline: new Date(now.getTime() + 30 * 60_000) });
    const summary = await (o.around ? o.around(run) : run());
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const services1 = await ctx.services.cpu();
    const peakRssMiB = rss.stop();
    const compilesAfter = mjmlCompilations();
    const { count: received, events: eventsReceived } = await ctx.services.arrivals();
    if (summary.sent !== due || received !== due)
      throw new Error(`list of ${size}: ${summary.sent} sent and ${received} received by the sink, ${due} expected`);
    // One lesson_sent per email (and a completed for each last lesson): none may be lost.
    if (eventsReceived < due) throw new Error(`list of ${size}: ${eventsReceived} events published for ${due} emails`);

    await o.after?.(table);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    // The mail path's calls: DynamoDB's and SES's.
    const mailCalls = Object.values(counting.calls).reduce((a, b) => a + b, 0) + sesCalls();
    const perEmail: Record<string, number> = {};
    for (const [op, n] of Object.entries(counting.calls))
      perEmail[op.replace(/Command$/, '')] = Math.round((n / summary.sent) * 1000) / 1000;
    return {
      size,
      due,
      seedMs,
      seedItemsPerSecond: size / (seedMs / 1000),
      sent: summary.sent,
      wallMs,
      emailsPerSecond: summary.sent / (wallMs / 1000),
      cpuSeconds,
      emailsPerCoreSecond: summary.sent / cpuSeconds,
      cpuPerEmailUs: (cpuSeconds * 1e6) / summary.sent,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      peakRssMiB,
      servicesCpuSeconds: (services1.user + services1.system - services0.user - services0.system) / 1e6,
      dueQuery: { ...counting.due },
      scanItemsRead: scanned,
      dynamoCallsPerEmail: perEmail,
      sesCallsPerEmail: sesCalls() / summary.sent,
      eventCallsPerEmail: eventCalls() / summary.sent,
      eventsPerEmail: eventsReceived / summary.sent,
      mailSdkCallsPerEmail: mailCalls / summary.sent,
      sdkCallsPerEmail: (mailCalls + eventCalls()) / summary.sent,
      pageSize: summary.pageSize ?? 0,
      compilesSoFar: compilesAfter,
      compilesDuringRun: compilesAfter.lesson + compilesAfter.confirmation - compilesAtStart.lesson - compilesAtStart.confirmation,
    };
  } finally {
    counting.client.destroy();
    ses.destroy();
    events.destroy();
  }
}

/** One paced run as the sink saw it. */
export interface PacedFigures {
  maxSendRate: number;
  due: number;
  sent: number;
  /** (n − 1) / (last arrival − first arrival), as the SES sink saw the calls arrive. */
  achievedPerSecond: number;
  /** Most SendRawEmail calls the sink received in any window [t, t + 1 s). */
  busiestOneSecond: number;
  durationMs: number;
}

export interface RateFigures extends PacedFigures {
  /** The same run with RATE_LOAD beside it: what matters there is the busiest window, not the rate achieved. */
  underLoad: PacedFigures & { load: LoadFigures };
}

export interface LoadFigures {
  threads: number;
  stallMs: number;
  everyMs: number;
}

/** The load the rate runs are measured under (bench/hog.ts): both cores busy, and 150 ms stalls of the drip's own thread. */
export const RATE_LOAD: LoadFigures = { threads: 2, stallMs: 150, everyMs: 400 };

/** A fanned-out run: arrivals at the sink of all K senders together ((n − 1) / (last − first), busiest window). */
export interface FanOutFigures extends PacedFigures {
  /** Senders (K) the run fanned out to, each paced at its share (planSenders) on its own shards. */
  senders: number;
  /** The due spread evenly over the shards (true), or by the hash of random ids (false). */
  balancedShards: boolean;
}

/** `seconds` × R due, sent by one drip run or `senders` fanned-out senders (runFannedOut), with or without RATE_LOAD; arrivals at the sink. */
async function pacedRun(
  ctx: BenchContext,
  rate: number,
  seconds: number,
  o: { senders?: number; load: boolean; balancedShards?: boolean },
): Promise<PacedFigures> {
  const senders = o.senders;
  const due = Math.round(seconds * rate);
  const table = await createBenchTable(ctx.dynamo, `bench-rate-${randomBytes(4).toString('hex')}`);
  const now = new Date();
  const balancedShards = o.balancedShards ?? false;
  await seedList(ctx.doc, { table, course: ctx.course.slug, lessons: ctx.course.lessons.length, size: due, due, now, balancedShards });
  const compiled = await compileCourse(ctx.course, ctx.courseDir);
  const dynamo = createDynamoClient({ endpoint: ctx.services.dynamoUrl, cacheMiddleware: true });
  const ses = sesClient(ctx.services.sesUrl);
  const events = eventsClient(ctx.services.sesUrl);
  try {
    await ctx.services.reset();
    ctx.progress(
      `  ${due} due at MAX_SEND_RATE=${rate}${senders === undefined ? '' : `, ${senders} sender(s)`}${o.load ? ', under load' : ''}: about ${Math.round(due / rate)} s`,
    );
    const deps = dripDeps(createDynamoDripStore({ dynamo, tableName: table, dueShards: BENCH_SHARDS }), ses, events, compiled, rate);
    const run = { now, deadline: new Date(now.getTime() + 30 * 60_000) };
    const hog = o.load ? startCpuHog(RATE_LOAD) : undefined;
    let summary;
    try {
      summary =
        senders === undefined ? await runDrip(deps, run) : await runFannedOut(deps, run, { senders, shards: dueShards(BENCH_SHARDS) });
    } finally {
      await hog?.stop();
    }
    const { arrivals } = await ctx.services.arrivals();
    return {
      maxSendRate: rate,
      due,
      sent: summary.sent,
      achievedPerSecond: achievedRate(arrivals),
      busiestOneSecond: busiestWindow(arrivals, 1000),
      durationMs: summary.durationMs,
    };
  } finally {
    dynamo.destroy();
    ses.destroy();
    events.destroy();
  }
}

/**
 * 20·R due at MAX_SEND_RATE=R (`seconds` × R in general): the achieved rate and the busiest one-second
 * window at the sink; then `loadSeconds` (default `seconds` ÷ 2) × R more under RATE_LOAD.
 */
export async function measureRate(ctx: BenchContext, rate: number, seconds = 20, loadSeconds = seconds / 2): Promise<RateFigures> {
  const quiet = await pacedRun(ctx, rate, seconds, { load: false });
  const loaded = await pacedRun(ctx, rate, loadSeconds, { load: true });
  return { ...quiet, underLoad: { ...loaded, load: RATE_LOAD } };
}

/** K fanned-out senders sharing MAX_SEND_RATE=R, `seconds` × R due. */
/**
 * K fanned-out senders sharing MAX_SEND_RATE=R, `seconds` × R due. `balancedShards`: the due spread
 * evenly over the shards (each sender has the same work, as in a batch longer than a tick); otherwise
 * by the hash of random ids, so the fullest sender's shards set the end (a batch's last tick).
 */
export async function measureFanOut(
  ctx: BenchContext,
  rate: number,
  senders: number,
  seconds = 10,
  o: { balancedShards?: boolean } = {},
): Promise<FanOutFigures> {
  const balancedShards = o.balancedShards ?? false;
  return { senders, balancedShards, ...(await pacedRun(ctx, rate, seconds, { senders, load: false, balancedShards })) };
}

export interface RenderFigures {
  lessons: number;
  /** Per recipient, precompiled: fill the name and links (µs, median). */
  fillUs: number;
  /** Per recipient: fill + compose the MIME message, what the drip does per email (µs, median). */
  fillAndComposeUs: number;
  /** One lesson's MJML compile (ms, median): what a compile per recipient would add to each email. */
  compileMs: number;
}

/** What one recipient costs with compiled lessons, against compiling one lesson's MJML. */
export async function measureRender(course: Course, courseDir: string, compiled: CompiledCourse): Promise<RenderFigures> {
  const from = { name: course.sender.name, address: course.sender.email };
  const listId = listIdFor(course);
  const fill: number[] = [];
  const fillCompose: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const lesson = i % course.lessons.length;
    const unsubscribeUrl = `https://course.example.com/unsubscribe?token=${tokens.sign({ subscriberId: `bench${i}`, purpose: 'unsubscribe', issuedAt: new Date() })}`;
    const t0 = performance.now();
    const email = renderLesson(compiled, lesson, {
      name: `Reader ${i}`,
      unsubscribeUrl,
      learnUrl: unsubscribeUrl.replace('/unsubscribe?', '/learn?'),
    });
    const t1 = performance.now();
    await composeMessage({
      from,
      to: `r${i}@example.com`,
      subject: email.subject,
      html: email.html,
      text: email.text,
      unsubscribeUrl,
      listId,
    });
    const t2 = performance.now();
    if (i >= 200) {
      fill.push((t1 - t0) * 1000);
      fillCompose.push((t2 - t0) * 1000);
    }
  }
  // A course object of its own per compile gets past the per-process cache; the confirmation email
  // compiled alongside is measured alone and subtracted.
  const withLesson: number[] = [];
  const confirmationOnly: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await compileCourse({ ...course, slug: `bench-l-${i}-${randomBytes(3).toString('hex')}`, lessons: [course.lessons[3]!] }, courseDir);
    const t1 = performance.now();
    await compileCourse({ ...course, slug: `bench-c-${i}-${randomBytes(3).toString('hex')}`, lessons: [] }, courseDir);
    const t2 = performance.now();
    if (i >= 2) {
      withLesson.push(t1 - t0);
      confirmationOnly.push(t2 - t1);
    }
  }
  return {
    lessons: course.lessons.length,
    fillUs: median(fill),
    fillAndComposeUs: median(fillCompose),
    compileMs: Math.max(0, median(withLesson) - median(confirmationOnly)),
  };
}
