// The rate part of the benchmark alone, as `npm run bench` makes it (bench/rate-section.ts), without
// the throughput runs: `npx tsx bench/rate.ts --rates 20,100 --seconds 8`. The targets' CPU note uses
// --per-core (emails per CPU-second of the drip, from a throughput run; default 425, the quick bench's).
import { parseArgs } from 'node:util';
import { loadCourses } from '../functions/email/courses.js';
import { createDocumentClient, createDynamoClient } from '../functions/adapters/dynamo-client.js';
import { startBenchServices } from './services-client.js';
import { RATE_LOAD, type BenchContext } from './suite.js';
import { capTargets, measureCaps, printCaps } from './rate-section.js';
import { table, targetStatus } from './report.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '20,100,200' },
    seconds: { type: 'string', default: '8' },
    'per-core': { type: 'string', default: '425' },
  },
});
const { course, dir } = loadCourses(process.env.COURSES_DIR)[0]!;
const services = await startBenchServices();
const dynamo = createDynamoClient({ endpoint: services.dynamoUrl });
const ctx: BenchContext = {
  services,
  dynamo,
  doc: createDocumentClient(dynamo),
  course,
  courseDir: dir,
  progress: (line, o) => {
    if (!o?.transient) console.log(line);
  },
};
try {
  const { caps, lastTick } = await measureCaps(ctx, values.rates.split(',').map(Number), Number(values.seconds));
  printCaps(
    caps,
    lastTick,
    `${RATE_LOAD.threads} busy-loop threads, event loop stalled ${RATE_LOAD.stallMs} ms every ${RATE_LOAD.everyMs} ms`,
  );
  const targets = capTargets(caps, Number(values['per-core']));
  console.log(
    `\n${table(
      ['what', 'target', 'figure', 'met'],
      targets.map((t) => [t.what, t.target, t.figure, targetStatus(t)]),
      ['target', 'figure', 'met'],
    )}`,
  );
} finally {
  dynamo.destroy();
  await services.close();
}
