// `npm run bench`: the drip benchmark (see bench/drip.ts). BENCH_DUE and BENCH_RUNS change its size.
import { formatTable, runDripBench } from './drip.js';

const due = Number(process.env.BENCH_DUE ?? 500);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const started = performance.now();
console.log(`Drip benchmark: in-process dynalite + SES emulator, ${due} due per run, ${runs} runs (Node ${process.version})`);
const rows = await runDripBench({ due, runs, log: (line) => console.log(line) });
console.log('');
console.log(formatTable(rows));
console.log('');
console.log(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
