// The drip benchmark: throughput of whole runs against in-process dynalite and the SES emulator, the
// per-recipient cost of precompiled lessons against compiling MJML per recipient, and the due-query
// cost as not-due subscribers pile up (the sparse index reads only the due ones).
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand, ScanCommand, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { runDrip, type DripDeps } from '../functions/core/drip.js';
import { createTokens } from '../functions/core/tokens.js';
import type { Clock } from '../functions/core/ports.js';
import { createDynamoDripStore } from '../functions/adapters/dynamo-drip-store.js';
import { dueSortKey } from '../functions/adapters/dynamo-store.js';
import { createSesMailer } from '../functions/adapters/ses-mailer.js';
import { createDocumentClient, createDynamoClient, LOCAL_CREDENTIALS } from '../functions/adapters/dynamo-client.js';
import { DUE_INDEX, dueShardOf, dueShards, keys, tableDefinition } from '../functions/adapters/table.js';
import { compileCourse } from '../functions/email/compile.js';
import { loadCourse } from '../functions/email/manifest.js';
import { renderLesson } from '../functions/email/personalise.js';
import { composeMessage, listIdFor } from '../functions/email/mime.js';
import type { CompiledCourse } from '../functions/email/compiled-course.js';
import { clearEmulator, startDynalite, startSesEmulator } from '../functions/local/services.js';

const SHARDS = 8;
const wallClock: Clock = { now: () => new Date() };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function newTable(dynamo: ReturnType<typeof createDynamoClient>): Promise<string> {
  const name = `bench-${randomUUID().slice(0, 8)}`;
  await dynamo.send(new CreateTableCommand(tableDefinition(name)));

  return name;
}

/** Write `count` active subscribers due at `dueAt` (BatchWrite, 25 at a time, a few batches in flight). */
async function seed(doc: DynamoDBDocumentClient, table: string, course: string, count: number, dueAt: Date): Promise<void> {
  const nextSendAt = dueAt.toISOString();
  const items = Array.from({ length: count }, () => {
    const id = randomUUID().replace(/-/g, '').slice(0, 22);
    return {
      ...keys.subscriber(id),
      id,
      course,
      email: `${id}@example.com`,
      name: 'Bench',
      timezone: 'Europe/Paris',
      status: 'active',
      nextLesson: 0,
      nextSendAt,
      consent: { at: nextSendAt, ip: '192.0.2.1', userAgent: 'bench', page: 'bench' },
      createdAt: nextSendAt,
      confirmedAt: nextSendAt,
      dueShard: dueShardOf(id, SHARDS),
      dueAt: dueSortKey(nextSendAt, id),
    };
  });
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const inFlight = 4;
  for (let i = 0; i < batches.length; i += inFlight) {
    await Promise.all(
      batches.slice(i, i + inFlight).map(async (batch) => {
        let request: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
        while (request !== undefined && request.length > 0) {
          const out: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: request } }));
          request = out.UnprocessedItems?.[table];
        }
      }),
    );
  }
}

interface Row {
  what: string;
  median: string;
  note: string;
}

export interface DripBenchOptions {
  /** Due subscribers per throughput run. */
  due: number;
  runs: number;
  log: (line: string) => void;
}

export async function runDripBench(o: DripBenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const dynalite = await startDynalite();
  const sesEmu = await startSesEmulator();
  const dynamo = createDynamoClient({ endpoint: dynalite.url });
  const doc = createDocumentClient(dynamo);
  const ses = new SESClient({ endpoint: sesEmu.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    const course = loadCourse();
    const compiled = await compileCourse(course);
    const tokens = createTokens(Buffer.alloc(32, 1));
    const deps = (table: string, maxSendRate: number): DripDeps => ({
      store: createDynamoDripStore({ doc, tableName: table, dueShards: SHARDS }),
      mailer: createSesMailer({ client: ses }),
      clock: wallClock,
      sleep,
      course: compiled,
      tokens,
      settings: { publicUrl: 'http://localhost:3000', maxSendRate, sendConcurrency: 8 },
      log: () => undefined,
    });

    // 1. Whole runs: N due, rate cap out of the way, so this is what the pipeline itself manages.
    const rates: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      const table = await newTable(dynamo);
      const now = new Date();
      await seed(doc, table, course.slug, o.due, new Date(now.getTime() - 60_000));
      const summary = await runDrip(deps(table, 100_000), { now, deadline: new Date(now.getTime() + 10 * 60_000) });
      if (summary.sent !== o.due) throw new Error(`bench run ${r + 1}: sent ${summary.sent} of ${o.due}`);
      rates.push(summary.emailsPerSecond);
      o.log(`  run ${r + 1}: ${summary.sent} sent in ${summary.durationMs} ms = ${summary.emailsPerSecond} emails/s`);
      await clearEmulator(sesEmu.url);
    }
    rows.push({ what: `drip run, ${o.due} due, concurrency 8, no rate cap`, median: `${median(rates).toFixed(0)} emails/s`, note: `${o.runs} runs: ${rates.map((x) => x.toFixed(0)).join(', ')}` });

    // The same with SES stubbed out: the drip + dynalite alone (the emulator parses every message).
    {
      const table = await newTable(dynamo);
      const now = new Date();
      await seed(doc, table, course.slug, o.due, new Date(now.getTime() - 60_000));
      let n = 0;
      const stub = { ...deps(table, 100_000), mailer: { sendRaw: () => Promise.resolve({ messageId: `stub-${++n}` }) } };
      const summary = await runDrip(stub, { now, deadline: new Date(now.getTime() + 10 * 60_000) });
      o.log(`  stub mailer: ${summary.sent} in ${summary.durationMs} ms = ${summary.emailsPerSecond} emails/s`);
      rows.push({ what: `drip run, ${o.due} due, SES stubbed (drip + dynalite only)`, median: `${summary.emailsPerSecond.toFixed(0)} emails/s`, note: 'one run' });
    }

    // The token bucket holds a cap well under what the pipeline manages: 60 due at MAX_SEND_RATE=10.
    {
      const table = await newTable(dynamo);
      const now = new Date();
      await seed(doc, table, course.slug, 60, new Date(now.getTime() - 60_000));
      const capped = deps(table, 10);
      // When each SES call starts: the cap is about any one-second window, not the run's average
      // (n sends over n-1 gaps reads slightly above the rate).
      const starts: number[] = [];
      const timed = { ...capped, mailer: { sendRaw: (m: Parameters<typeof capped.mailer.sendRaw>[0]) => (starts.push(performance.now()), capped.mailer.sendRaw(m)) } };
      const summary = await runDrip(timed, { now, deadline: new Date(now.getTime() + 10 * 60_000) });
      const busiest = Math.max(...starts.map((t) => starts.filter((u) => u >= t && u < t + 1000).length));
      rows.push({ what: 'drip run, 60 due, MAX_SEND_RATE=10', median: `${summary.emailsPerSecond} emails/s`, note: `one run, ${summary.durationMs} ms; busiest 1-s window: ${busiest} sends (the cap holds)` });
      await clearEmulator(sesEmu.url);
    }

    // 2. Per recipient: fill the precompiled lesson vs compile the MJML for each recipient.
    const perRecipient = await renderCosts(compiled, tokens, o.log);
    rows.push(...perRecipient);

    // 3. The due query as not-due subscribers pile up.
    rows.push(...(await dueQueryCosts(doc, dynamo, course.slug, o.log)));
  } finally {
    dynamo.destroy();
    ses.destroy();
    await sesEmu.close();
    await dynalite.close();
  }
  return rows;
}

async function renderCosts(compiled: CompiledCourse, tokens: ReturnType<typeof createTokens>, log: (line: string) => void): Promise<Row[]> {
  const course = compiled.course;
  const listId = listIdFor(course);
  const from = { name: course.sender.name, address: course.sender.email };
  const lessonIndex = 3;
  const personalise = async (i: number, email: { subject: string; html: string; text: string }) => {
    const unsubscribeUrl = `http://localhost:3000/unsubscribe?token=${tokens.sign({ subscriberId: `bench${i}`, purpose: 'unsubscribe', issuedAt: new Date() })}`;
    return composeMessage({ from, to: `r${i}@example.com`, subject: email.subject, html: email.html, text: email.text, unsubscribeUrl, listId });
  };

  // Precompiled: per recipient only the name and link are filled in, then the MIME is composed.
  const fillUs: number[] = [];
  const fillAndComposeUs: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    const email = renderLesson(compiled, lessonIndex, { name: `Reader ${i}`, unsubscribeUrl: `http://localhost:3000/unsubscribe?token=x${i}` });
    const t1 = performance.now();
    await personalise(i, email);
    const t2 = performance.now();
    if (i >= 200) {
      // The first 200 warm up the JIT.
      fillUs.push((t1 - t0) * 1000);
      fillAndComposeUs.push((t2 - t0) * 1000);
    }
  }

  // Naive: compile the lesson's MJML for every recipient. compileCourse caches per course, so each
  // recipient gets a course object of its own (the slug is not in any template, so output is the
  // same); it also compiles the small confirmation email, measured alone and subtracted.
  const withLesson: number[] = [];
  const confirmationOnly: number[] = [];
  const lesson = course.lessons[lessonIndex]!;
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    await compileCourse({ ...course, slug: `bench-l-${i}-${randomUUID().slice(0, 6)}`, lessons: [lesson] });
    const t1 = performance.now();
    await compileCourse({ ...course, slug: `bench-c-${i}-${randomUUID().slice(0, 6)}`, lessons: [] });
    const t2 = performance.now();
    if (i >= 2) {
      withLesson.push(t1 - t0);
      confirmationOnly.push(t2 - t1);
    }
  }
  const compileMs = Math.max(0, median(withLesson) - median(confirmationOnly));
  const fill = median(fillUs);
  const fillCompose = median(fillAndComposeUs);
  const naiveUs = compileMs * 1000 + fillCompose;
  log(`  render: fill ${fill.toFixed(1)} µs, fill+compose ${fillCompose.toFixed(1)} µs, MJML compile ${compileMs.toFixed(1)} ms per lesson`);
  return [
    { what: 'per recipient, precompiled: fill name + link', median: `${fill.toFixed(1)} µs`, note: 'renderLesson on lesson 4' },
    { what: 'per recipient, precompiled: fill + compose MIME', median: `${fillCompose.toFixed(0)} µs`, note: 'what the drip does per email' },
    { what: 'per recipient, compile MJML + fill + compose', median: `${(naiveUs / 1000).toFixed(1)} ms`, note: `mjml strict, minified; ${withLesson.length} compiles` },
    { what: 'ratio: compile-per-recipient / precompiled', median: `${(naiveUs / fillCompose).toFixed(0)}×`, note: `fill alone is ${((compileMs * 1000) / fill).toFixed(0)}× cheaper than one compile` },
  ];
}

async function dueQueryCosts(doc: DynamoDBDocumentClient, dynamo: ReturnType<typeof createDynamoClient>, slug: string, log: (line: string) => void): Promise<Row[]> {
  const now = new Date();
  const dueAt = new Date(now.getTime() - 60_000);
  const notDueAt = new Date(now.getTime() + 3 * 24 * 3_600_000);
  const small = await newTable(dynamo);
  await seed(doc, small, slug, 200, dueAt);
  const large = await newTable(dynamo);
  await seed(doc, large, slug, 200, dueAt);
  await seed(doc, large, slug, 5000, notDueAt);

  const measure = async (table: string) => {
    const store = createDynamoDripStore({ doc, tableName: table, dueShards: SHARDS });
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      found = (await store.findDue(now)).length;
      if (i >= 2) times.push(performance.now() - t0);
    }
    // Items the Query reads (ScannedCount), summed over the shards: what DynamoDB bills for.
    let scanned = 0;
    for (const shard of dueShards(SHARDS)) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: table,
            IndexName: DUE_INDEX,
            KeyConditionExpression: 'dueShard = :s AND dueAt < :u',
            ExpressionAttributeValues: { ':s': shard, ':u': new Date(now.getTime() + 1).toISOString() },
            ExclusiveStartKey: start,
          }),
        );
        scanned += out.ScannedCount ?? 0;
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
    }
    return { ms: median(times), found, scanned };
  };
  const a = await measure(small);
  const b = await measure(large);

  // For contrast: what a Scan with a filter would read on the large table.
  let scanRead = 0;
  let start: Record<string, unknown> | undefined;
  const t0 = performance.now();
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: large, FilterExpression: '#s = :active AND nextSendAt <= :now', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':active': 'active', ':now': now.toISOString() }, ExclusiveStartKey: start }),
    );
    scanRead += out.ScannedCount ?? 0;
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  const scanMs = performance.now() - t0;
  log(`  due query: ${a.ms.toFixed(1)} ms (200 of 200) vs ${b.ms.toFixed(1)} ms (200 of 5200); scan ${scanMs.toFixed(0)} ms`);
  return [
    { what: 'due query, 200 due of 200 active', median: `${a.ms.toFixed(1)} ms`, note: `${a.found} found, ${a.scanned} items read (8 shards)` },
    { what: 'due query, 200 due of 5200 active', median: `${b.ms.toFixed(1)} ms`, note: `${b.found} found, ${b.scanned} items read; ratio ${(b.ms / a.ms).toFixed(2)}×` },
    { what: '(contrast) Scan + filter, 5200 active', median: `${scanMs.toFixed(0)} ms`, note: `${scanRead} items read, one run` },
  ];
}

export function formatTable(rows: Row[]): string {
  const w = [Math.max(4, ...rows.map((r) => r.what.length)), Math.max(6, ...rows.map((r) => r.median.length))];
  const line = (a: string, b: string, c: string) => `${a.padEnd(w[0]!)}  ${b.padStart(w[1]!)}  ${c}`;
  return [line('what', 'median', 'note'), line('-'.repeat(w[0]!), '-'.repeat(w[1]!), '----'), ...rows.map((r) => line(r.what, r.median, r.note))].join('\n');
}
