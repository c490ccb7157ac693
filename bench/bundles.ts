// `npm run bench:bundles`: only the cold-start part of the benchmark (see cold-start.ts).
//
//   npx tsx bench/bundles.ts [--runs 9] [--json FILE]
// With --json the figures go to FILE as JSON and progress lines to stdout prefixed `progress: `
// (npm run bench runs it this way, in a child process, so esbuild's bundling output stays out of
// the benchmark's own output).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { readShape, wholeNumber, withDefault } from '../functions/config/parts.js';
import { measureBundles, MIB } from './cold-start.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, json: { type: 'string' } } });
const { runs } = readShape({ runs: withDefault(wholeNumber(1), 9) }, values, (key) => `--${key}`);
const json = values.json;
const result = await measureBundles({ runs, log: (line) => console.log(json === undefined ? line : `progress: ${line}`) });
if (json !== undefined) {
  writeFileSync(json, JSON.stringify(result));
} else {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`\nnode ${process.version} ${process.arch}, ${runs} runs per figure\n`);
  console.log(
    '| function | bundle (index.mjs) | gzip | source map | compiled course | import, median | its floor: size, import | ratio (target) | node process | import with --enable-source-maps (floor) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const b of result.bundles) {
    console.log(
      `| ${b.name} | ${kib(b.bytes)}${b.bytes >= MIB ? ' **over 1 MiB**' : ''} | ${kib(b.gzipBytes)} | ${kib(b.sourceMapBytes)} | ${b.compiledCourseBytes === undefined ? '-' : kib(b.compiledCourseBytes)} | ${b.importMs.toFixed(0)} ms | ${b.floor ? `${kib(b.floor.bytes)}, ${b.floor.importMs.toFixed(0)} ms` : '-'} | ${b.floorRatio?.toFixed(2) ?? '-'}× (≤ ${b.floorRatioTarget ?? '-'}×) | ${b.processMs.toFixed(0)} ms | ${b.importWithSourceMapsMs.toFixed(0)} ms (${b.floor?.importWithSourceMapsMs.toFixed(0) ?? '-'} ms) |`,
    );
  }
  console.log(
    `\nload average (/proc/loadavg) at the end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
}
if (result.bundles.some((b) => b.bytes >= MIB)) {
  console.error('\nA bundle is over the 1 MiB budget.');
  process.exitCode = 1;
}
