// The measurements behind `npm run bench` (bench/run.ts prints and saves them):
//   throughput   whole drip runs through the real path (DynamoDB Local, the real drip store and SES
//                mailer, the SDK clients the Lambda uses) into an SES sink that answers at once
//   render       MJML compiles per run, and what one recipient costs once the lessons are compiled
//   due query    items the due query reads per run as the list grows and the due count stays fixed
//   rate         achieved send rate and the busiest one-second window under MAX_SEND_RATE
// DynamoDB Local and the sink run in child processes (bench/services.ts), so this process's CPU time is
// the drip's own: "per core" below is emails per CPU-second of the process running the drip.
import { randomBytes } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runDrip, type DripDeps, type DripStore } from '../functions/core/drip.js';
import { createTokens } from '../functions/core/tokens.js';
import { createDynamoDripStore } from '../functions/adapters/dynamo-drip-store.js';
import { createSesMailer } from '../functions/adapters/ses-mailer.js';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../functions/adapters/dynamo-client.js';
import { compileCourse, mjmlCompilations } from '../functions/email/compile.js';
import type { CompiledCourse } from '../functions/email/compiled-course.js';
import type { Course } from '../functions/email/manifest.js';
import { renderLesson } from '../functions/email/personalise.js';
import { composeMessage, listIdFor } from '../functions/email/mime.js';
import type { BenchServices } from './services-client.js';
import { BENCH_SHARDS, createBenchTable, seedList } from './seed.js';
import { achievedRate, busiestWindow, median, percentile } from './stats.js';

/** SES calls in flight in the throughput runs: the most the stack configures. */
export const THROUGHPUT_CONCURRENCY = 16;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const tokens = createTokens(randomBytes(32));

export interface BenchContext {
  services: BenchServices;
  /** For seeding and scans (not measured). */
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  course: Course;
  progress: (line: string, options?: { transient?: boolean }) => void;
}

export interface ThroughputFigures {
  size: number;
  due: number;
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

/** Per-email latency: claim start → advance end, keyed by subscriber. */
function timedStore(store: DripStore, latencies: number[]): DripStore {
  const started = new Map<string, number>();
  return {
    ...store,
    claim: (entry, claim) => {
      started.set(entry.id, performance.now());
      return store.claim(entry, claim);
    },
    advance: async (id, advance) => {
      try {
        return await store.advance(id, advance);
      } finally {
        const t0 = started.get(id);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
        started.delete(id);
      }
    },
  };
}

function sesClient(endpoint: string): SESClient {
  return new SESClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, cacheMiddleware: true, maxAttempts: 1 });
}

function dripDeps(store: DripStore, ses: SESClient, compiled: CompiledCourse, maxSendRate: number): DripDeps {
  return {
    store,
    mailer: createSesMailer({ client: ses, configurationSet: 'bench' }),
    clock: { now: () => new Date() },
    sleep,
    course: compiled,
    tokens,
    settings: { publicUrl: 'https://course.example.com', maxSendRate, sendConcurrency: THROUGHPUT_CONCURRENCY },
    log: () => undefined,
  };
}

/** Items a Scan + filter reads to find the same due subscribers: the whole table. */
async function scanItemsRead(dynamo: DynamoDBClient, table: string): Promise<number> {
  let read = 0;
  let start: Record<string, never> | undefined;
  do {
    const out = await dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: start }));
    read += out.ScannedCount ?? 0;
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start !== undefined);
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
  o: { scan?: boolean; around?: <T>(run: () => Promise<T>) => Promise<T> } = {},
): Promise<ThroughputFigures> {
  const table = await createBenchTable(ctx.dynamo, `bench-${size}-${randomBytes(4).toString('hex')}`);
  const now = new Date();
  const label = size.toLocaleString('en-US');
  await seedList(ctx.doc, { table, course: ctx.course.slug, lessons: ctx.course.lessons.length, size, due, now, progress: (n) => ctx.progress(`  seeding ${label}: ${n.toLocaleString('en-US')} written`, { transient: true }) });
  ctx.progress(`  seeded ${label} subscribers (${due.toLocaleString('en-US')} due)`);
  const scanned = o.scan === false ? Number.NaN : await scanItemsRead(ctx.dynamo, table);

  // Compile as the local stack does: once per process (cached), before the first run.
  const compiled = await compileCourse(ctx.course);
  const counting = countingDynamoClient(ctx.services.dynamoUrl);
  const ses = sesClient(ctx.services.sesUrl);
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
    const run = () => runDrip(dripDeps(store, ses, compiled, 100_000), { now, deadline: new Date(now.getTime() + 30 * 60_000) });
    const summary = await (o.around ? o.around(run) : run());
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const services1 = await ctx.services.cpu();
    const peakRssMiB = rss.stop();
    const compilesAfter = mjmlCompilations();
    const received = (await ctx.services.arrivals()).count;
    if (summary.sent !== due || received !== due) throw new Error(`list of ${size}: ${summary.sent} sent and ${received} received by the sink, ${due} expected`);

    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const perEmail: Record<string, number> = {};
    for (const [op, n] of Object.entries(counting.calls)) perEmail[op.replace(/Command$/, '')] = Math.round((n / summary.sent) * 1000) / 1000;
    return {
      size,
      due,
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
      compilesSoFar: compilesAfter,
      compilesDuringRun: compilesAfter.lesson + compilesAfter.confirmation - compilesAtStart.lesson - compilesAtStart.confirmation,
    };
  } finally {
    counting.client.destroy();
    ses.destroy();
  }
}

export interface RateFigures {
  maxSendRate: number;
  due: number;
  sent: number;
  /** (n − 1) / (last arrival − first arrival), as the SES sink saw the calls arrive. */
  achievedPerSecond: number;
  /** Most SendRawEmail calls the sink received in any window [t, t + 1 s). */
  busiestOneSecond: number;
  durationMs: number;
}

/** 20·R due at MAX_SEND_RATE=R (`seconds` × R in general): the achieved rate and the busiest one-second window at the sink. */
export async function measureRate(ctx: BenchContext, rate: number, seconds = 20): Promise<RateFigures> {
  const due = Math.round(seconds * rate);
  const table = await createBenchTable(ctx.dynamo, `bench-rate-${randomBytes(4).toString('hex')}`);
  const now = new Date();
  await seedList(ctx.doc, { table, course: ctx.course.slug, lessons: ctx.course.lessons.length, size: due, due, now });
  const compiled = await compileCourse(ctx.course);
  const dynamo = createDynamoClient({ endpoint: ctx.services.dynamoUrl, cacheMiddleware: true });
  const ses = sesClient(ctx.services.sesUrl);
  try {
    await ctx.services.reset();
    ctx.progress(`  ${due} due at MAX_SEND_RATE=${rate}: about ${Math.round(due / rate)} s`);
    const summary = await runDrip(dripDeps(createDynamoDripStore({ dynamo, tableName: table, dueShards: BENCH_SHARDS }), ses, compiled, rate), {
      now,
      deadline: new Date(now.getTime() + 30 * 60_000),
    });
    const { arrivals } = await ctx.services.arrivals();
    return { maxSendRate: rate, due, sent: summary.sent, achievedPerSecond: achievedRate(arrivals), busiestOneSecond: busiestWindow(arrivals, 1000), durationMs: summary.durationMs };
  } finally {
    dynamo.destroy();
    ses.destroy();
  }
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
export async function measureRender(course: Course, compiled: CompiledCourse): Promise<RenderFigures> {
  const from = { name: course.sender.name, address: course.sender.email };
  const listId = listIdFor(course);
  const fill: number[] = [];
  const fillCompose: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const lesson = i % course.lessons.length;
    const unsubscribeUrl = `https://course.example.com/unsubscribe?token=${tokens.sign({ subscriberId: `bench${i}`, purpose: 'unsubscribe', issuedAt: new Date() })}`;
    const t0 = performance.now();
    const email = renderLesson(compiled, lesson, { name: `Reader ${i}`, unsubscribeUrl });
    const t1 = performance.now();
    await composeMessage({ from, to: `r${i}@example.com`, subject: email.subject, html: email.html, text: email.text, unsubscribeUrl, listId });
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
    await compileCourse({ ...course, slug: `bench-l-${i}-${randomBytes(3).toString('hex')}`, lessons: [course.lessons[3]!] });
    const t1 = performance.now();
    await compileCourse({ ...course, slug: `bench-c-${i}-${randomBytes(3).toString('hex')}`, lessons: [] });
    const t2 = performance.now();
    if (i >= 2) {
      withLesson.push(t1 - t0);
      confirmationOnly.push(t2 - t1);
    }
  }
  return { lessons: course.lessons.length, fillUs: median(fill), fillAndComposeUs: median(fillCompose), compileMs: Math.max(0, median(withLesson) - median(confirmationOnly)) };
}
