// Measures the three Lambda bundles exactly as `cdk synth` builds them: size of each bundle (the
// budget is 1 MiB) and cold init time (a fresh `node` importing the bundle, median of several
// runs), with AWS pointed at a closed local port so nothing can reach AWS during init.
//
//   npx tsx bench/bundles.ts [--runs 9]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { cdkJsonContext, defineCourseApp } from '../infra/course-app.js';
import type { CourseFunction } from '../infra/constructs/course-function.js';

const MIB = 1024 * 1024;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Math.max(1, Number(values.runs));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** What the bundle's init sees: Lambda-like settings, fake credentials, every AWS endpoint closed. */
function lambdaLikeEnv(taskRoot: string, withSourceMaps: boolean): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench-not-a-key',
    AWS_SECRET_ACCESS_KEY: 'bench-not-a-secret',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
    TABLE_NAME: 'bench',
    PUBLIC_URL: 'https://course.example.com',
    SES_CONFIGURATION_SET: 'bench',
    SENDER_ADDRESS: 'course@example.com',
    TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench',
    DUE_SHARDS: '8',
    ...(withSourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

// Import time inside the child (parse + evaluate the module graph), and the whole process as seen
// from outside (adds Node's own start-up, which Lambda pays too, before the init phase).
const CHILD = `const t0 = performance.now();
const m = await import(process.argv[1]);
const t1 = performance.now();
if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(2); }
console.log(JSON.stringify({ importMs: t1 - t0 }));`;

function measureInit(bundleFile: string, taskRoot: string, withSourceMaps: boolean): { importMs: number; processMs: number } {
  const imports: number[] = [];
  const processes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, pathToFileURL(bundleFile).href], { env: lambdaLikeEnv(taskRoot, withSourceMaps), encoding: 'utf8' });
    const elapsed = performance.now() - start;
    if (r.status !== 0) throw new Error(`importing ${bundleFile} failed:\n${r.stderr}`);
    imports.push((JSON.parse(r.stdout.trim().split('\n').pop()!) as { importMs: number }).importMs);
    processes.push(elapsed);
  }
  return { importMs: median(imports), processMs: median(processes) };
}

const outdir = mkdtempSync(join(tmpdir(), 'course-bench-'));
const app = new App({ outdir, context: cdkJsonContext() });
const t0 = performance.now();
const { service } = await defineCourseApp(app);
app.synth();
console.log(`synth with bundling: ${((performance.now() - t0) / 1000).toFixed(1)} s; ${runs} runs per figure; node ${process.version} ${process.arch}\n`);

const functions: [string, string, CourseFunction][] = [
  ['api', 'functions/handlers/api.ts', service.api.handler],
  ['drip', 'functions/handlers/drip.ts', service.drip.handler],
  ['ses-events', 'functions/handlers/ses-events.ts', service.feedback.handler],
];
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const rows: string[] = [
  '| function | entry | bundle (index.mjs) | gzip | source map | compiled course | import, median | node process, median | import with --enable-source-maps |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
let overBudget = false;
for (const [name, entry, fn] of functions) {
  const dir = fn.bundleDir;
  if (!dir) throw new Error(`${name}: no bundle`);
  const file = join(dir, 'index.mjs');
  const bytes = statSync(file).size;
  overBudget ||= bytes >= MIB;
  const gz = gzipSync(readFileSync(file)).length;
  const map = existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0;
  const course = existsSync(join(dir, 'compiled-course.json')) ? kib(statSync(join(dir, 'compiled-course.json')).size) : '-';
  const plain = measureInit(file, dir, false);
  const mapped = measureInit(file, dir, true);
  rows.push(
    `| ${name} | ${entry} | ${kib(bytes)}${bytes >= MIB ? ' **over 1 MiB**' : ''} | ${kib(gz)} | ${kib(map)} | ${course} | ${plain.importMs.toFixed(0)} ms | ${plain.processMs.toFixed(0)} ms | ${mapped.importMs.toFixed(0)} ms |`,
  );
}
console.log(rows.join('\n'));
if (overBudget) {
  console.error('\nA bundle is over the 1 MiB budget.');
  process.exitCode = 1;
}
