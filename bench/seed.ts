// Fills a benchmark table: `size` subscribers of whom exactly `due` are due now. The rest look like a
// real list: most are active and due later this week (in the due index, past the query's bound), the
// others completed the course or unsubscribed (out of the index).
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dueSortKey } from '../functions/adapters/dynamo-store.js';
import { dueShardOf, keys, tableDefinition } from '../functions/adapters/table.js';
import { DEFAULTS } from '../functions/config/settings.js';

/** The due index's shards in the benchmark's tables: the count the stack deploys. */
export const BENCH_SHARDS = DEFAULTS.dueShards;
const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Africa/Lagos',
  'Asia/Tokyo',
  'Europe/London',
];

export async function createBenchTable(dynamo: DynamoDBClient, name: string): Promise<string> {
  await dynamo.send(new CreateTableCommand(tableDefinition(name)));
  return name;
}

export interface SeedOptions {
  table: string;
  course: string;
  lessons: number;
  size: number;
  due: number;
  now: Date;
  /**
   * The due subscribers spread evenly over the due index's shards (round-robin) rather than by the
   * hash of a random id: every fanned-out sender then has the same work, as in a batch longer than a
   * tick, where every sender is busy to the end.
   */
  balancedShards?: boolean;
  /** Called now and then with the items written so far. */
  progress?: (written: number) => void;
}

/** Writes the list: BatchWrite, 25 items a request, 8 requests in flight. */
export async function seedList(doc: DynamoDBDocumentClient, o: SeedOptions): Promise<void> {
  if (o.due > o.size) throw new Error(`due (${o.due}) cannot exceed the list size (${o.size})`);
  const dueAt = new Date(o.now.getTime() - 60_000).toISOString();
  const item = (i: number): Record<string, unknown> => {
    let id = randomBytes(16).toString('base64url');
    if (o.balancedShards && i < o.due)
      while (dueShardOf(id, BENCH_SHARDS) !== `DUE#${i % BENCH_SHARDS}`) id = randomBytes(16).toString('base64url');
    const base = {
      ...keys.subscriber(id),
      id,
      course: o.course,
      email: `reader-${i}-${id.slice(0, 6).toLowerCase()}@example.com`,
      // Every tenth name is non-ASCII, so the encoded-word path of the composer is in the mix.
      name: i % 10 === 0 ? `Zoë Ångström ${i}` : `Reader ${i}`,
      timezone: ZONES[i % ZONES.length],
      consent: { at: dueAt, ip: '192.0.2.1', userAgent: 'bench', page: 'bench' },
      createdAt: dueAt,
      confirmedAt: dueAt,
    };
    // Active and in the due index at `at`.
    const active = (nextLesson: number, at: string) => ({
      ...base,
      status: 'active',
      nextLesson,
      nextSendAt: at,
      dueShard: dueShardOf(id, BENCH_SHARDS),
      dueAt: dueSortKey(at, id),
    });
    // Due now, spread over every lesson so each compiled lesson is rendered.
    if (i < o.due) return active(i % o.lessons, dueAt);
    const rest = i - o.due;
    // Due later this week: in the index, but after `now`.
    if (rest % 10 < 7) return active(rest % o.lessons, new Date(o.now.getTime() + (1 + (rest % (7 * 24))) * 3_600_000).toISOString());
    return rest % 10 < 9
      ? { ...base, status: 'completed', nextLesson: o.lessons }
      : { ...base, status: 'unsubscribed', nextLesson: rest % o.lessons, unsubscribedAt: dueAt };
  };

  const batchSize = 25;
  const batches = Math.ceil(o.size / batchSize);
  let nextBatch = 0;
  let written = 0;
  const worker = async () => {
    for (let b = nextBatch++; b < batches; b = nextBatch++) {
      const from = b * batchSize;
      let request: Record<string, unknown>[] | undefined = Array.from({ length: Math.min(batchSize, o.size - from) }, (_, k) => ({
        PutRequest: { Item: item(from + k) },
      }));
      const count = request.length;
      while (request !== undefined && request.length > 0) {
        const out: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: { [o.table]: request } }));
        request = out.UnprocessedItems?.[o.table];
      }
      written += count;
      if (b % 40 === 0) o.progress?.(written);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  o.progress?.(written);
}
