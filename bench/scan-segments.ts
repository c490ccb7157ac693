// Scan throughput of the operator's whole-table read (`course stats`, `export`, `held`) on DynamoDB
// Local, by parallel Scan segment count: one list seeded once, then the subscribers read through the
// operator store (functions/cli/operator-store.ts subscriberPages) with each count in turn, round by
// round, the counts alternating so a change in the machine's load falls on all of them.
//   npx tsx bench/scan-segments.ts [--size 100000] [--segments 1,4,8] [--rounds 1] [--json]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createDocumentClient, createDynamoClient } from '../functions/adapters/dynamo-client.js';
import { createOperatorStore, SCAN_SEGMENTS } from '../functions/cli/operator-store.js';
import { startDynamoDbLocal } from '../functions/local/services.js';
import { createBenchTable, seedList } from './seed.js';

const USAGE = `Usage: npx tsx bench/scan-segments.ts [--size N] [--segments 1,4,8] [--rounds N] [--json]

Seeds one list of --size subscribers (default 100000) into a fresh DynamoDB Local, then reads every
subscriber with each parallel Scan segment count of --segments (default 1,4,8; each ${SCAN_SEGMENTS.min}..${SCAN_SEGMENTS.max}),
--rounds times (default 1), and prints items per second with the load average beside each figure.
--json prints the figures as JSON on the last line.
`;

/** One timed read of the whole list. */
interface ScanFigure {
  segments: number;
  round: number;
  items: number;
  ms: number;
  itemsPerSecond: number;
  /** Load average (1, 5, 15 min) as the read ended. */
  load: number[];
}

function whole(name: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}, not "${text}"\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100000' },
    segments: { type: 'string', default: '1,4,8' },
    rounds: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const size = whole('size', values.size, 1, 10_000_000);
const counts = values.segments.split(',').map((t) => whole('segments', t.trim(), SCAN_SEGMENTS.min, SCAN_SEGMENTS.max));
const rounds = whole('rounds', values.rounds, 1, 20);

const load = () => loadavg().map((l) => Math.round(l * 100) / 100);
const dynamoLocal = await startDynamoDbLocal();
const dynamo = createDynamoClient({ endpoint: dynamoLocal.url });
const doc = createDocumentClient(dynamo);
try {
  const table = await createBenchTable(dynamo, `scan-${Date.now().toString(36)}`);
  const seedStart = performance.now();
  await seedList(doc, { table, course: 'bench', lessons: 8, size, due: Math.min(100, size), now: new Date() });
  const seedMs = performance.now() - seedStart;
  console.log(
    `seeded ${size} in ${(seedMs / 1000).toFixed(1)} s (${Math.round(size / (seedMs / 1000))} items/s), load ${load().join(' ')}`,
  );
  const store = createOperatorStore({ doc, tableName: table });
  const figures: ScanFigure[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const segments of counts) {
      const started = performance.now();
      let items = 0;
      for await (const page of store.subscriberPages({ segments })) items += page.length;
      const ms = performance.now() - started;
      const f = { segments, round, items, ms, itemsPerSecond: items / (ms / 1000), load: load() };
      figures.push(f);
      console.log(
        `round ${round}, ${segments} segment${segments === 1 ? '' : 's'}: ${items} items in ${(ms / 1000).toFixed(1)} s = ${Math.round(f.itemsPerSecond)} items/s (load ${f.load.join(' ')})`,
      );
      if (items !== size) throw new Error(`read ${items} subscribers, seeded ${size}`);
    }
  }
  if (values.json) console.log(JSON.stringify({ size, seedMs, figures }));
} finally {
  dynamo.destroy();
  await dynamoLocal.close();
}
