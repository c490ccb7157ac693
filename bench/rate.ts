// The rate part of the benchmark alone (`npx tsx bench/rate.ts --rates 20,100`): at each cap, one
// sender as it is and under load, and K = 1, 2, 4 fanned-out senders, arrivals at the SES sink.
// The same measurements `npm run bench` makes (bench/suite.ts), without the throughput runs.
import { parseArgs } from 'node:util';
import { loadCourses } from '../functions/email/courses.js';
import { createDocumentClient, createDynamoClient } from '../functions/adapters/dynamo-client.js';
import { startBenchServices } from './services-client.js';
import { measureFanOut, measureRate, type BenchContext } from './suite.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    fan: { type: 'string', default: '1,2,4' },
    hashed: { type: 'boolean', default: false },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const fan = values.fan === '' ? [] : values.fan.split(',').map(Number);
const { course, dir } = loadCourses(process.env.COURSES_DIR)[0]!;
const services = await startBenchServices();
const dynamo = createDynamoClient({ endpoint: services.dynamoUrl });
const ctx: BenchContext = { services, dynamo, doc: createDocumentClient(dynamo), course, courseDir: dir, progress: (l) => console.log(l) };
const pct = (a: number, r: number) => `${((a / r) * 100).toFixed(1)} %`;
try {
  for (const rate of rates) {
    const r = await measureRate(ctx, rate, seconds);
    console.log(
      `R=${rate}: ${r.achievedPerSecond.toFixed(2)}/s (${pct(r.achievedPerSecond, rate)}), busiest ${r.busiestOneSecond}; under load ${r.underLoad.achievedPerSecond.toFixed(2)}/s (${pct(r.underLoad.achievedPerSecond, rate)}), busiest ${r.underLoad.busiestOneSecond}`,
    );
    if (process.env.BENCH_GAPS) {
      const a = (await services.arrivals()).arrivals.sort((x, y) => x - y);
      const gaps = a.slice(1).map((t, i) => Math.round(t - a[i]!));
      console.log(`under load: gaps (ms) ${gaps.join(' ')}`);
    }
    for (const k of fan) {
      const f = await measureFanOut(ctx, rate, k, seconds, { balancedShards: !values.hashed });
      console.log(
        `R=${rate} K=${k}: ${f.achievedPerSecond.toFixed(2)}/s (${pct(f.achievedPerSecond, rate)}), busiest ${f.busiestOneSecond}, sent ${f.sent}/${f.due}`,
      );
    }
  }
} finally {
  dynamo.destroy();
  await services.close();
}
