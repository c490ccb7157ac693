// Cold start of the three Lambda bundles exactly as `cdk synth` builds them: the size of each bundle
// (budget 1 MiB) and its init time, the median of several fresh `node` processes importing it, with
// AWS pointed at a closed local port so nothing can reach AWS during init.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { DEFAULTS, ENV } from '../functions/config/settings.js';
import { PLACEHOLDER_SENDER_CONTEXT } from '../infra/config.js';
import { cdkJsonContext, defineCourseApp } from '../infra/course-app.js';
import type { CourseFunction } from '../infra/constructs/course-function.js';
import { buildFloor, FLOORS } from './floors.js';
import { median } from './stats.js';

export const MIB = 1024 * 1024;

export interface BundleFigures {
  name: string;
  entry: string;
  bytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  compiledCourseBytes?: number;
  /** Median time to import the bundle (parse + evaluate the module graph): Lambda's init phase. */
  importMs: number;
  /** Median of the whole `node` process, start to exit (adds Node's own start-up). */
  processMs: number;
  /** Median import time with --enable-source-maps, as the stack deploys it. */
  importWithSourceMapsMs: number;
  /** The floor (bench/floors.ts: only the SDK clients and Powertools parts it needs), imported alternately with the bundle. */
  floor?: { parts: string[]; bytes: number; importMs: number; importWithSourceMapsMs: number };
  /** importMs ÷ floor.importMs (medians of the same alternating runs), and the most allowed. */
  floorRatio?: number;
  floorRatioTarget?: number;
}

/** What a bundle's init sees: Lambda-like settings, fake credentials, every AWS endpoint closed. */
function lambdaLikeEnv(taskRoot: string, withSourceMaps: boolean): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    [ENV.taskRoot]: taskRoot,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench-not-a-key',
    AWS_SECRET_ACCESS_KEY: 'bench-not-a-secret',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    [ENV.tableName]: 'bench',
    [ENV.publicUrl]: 'https://course.example.com',
    [ENV.configurationSet]: 'bench',
    [ENV.senderAddress]: 'course@example.com',
    [ENV.tokenSecretId]: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench',
    [ENV.dueShards]: String(DEFAULTS.dueShards),
    ...(withSourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

// Runs inside the child: the import time as the module graph is parsed and evaluated.
const CHILD = `const t0 = performance.now();
const m = await import(process.argv[1]);
const t1 = performance.now();
if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(2); }
// The answer to the parent, not a log line: the last line of stdout is the import time in ms.
process.stdout.write('\\n' + String(t1 - t0) + '\\n');`;

/**
 * Import times of several bundles side by side: each round imports every bundle once, in turn, in a
 * fresh process, so a busy spell of this shared machine falls on all of them alike. Medians per bundle.
 */
function measureInits(
  bundles: { file: string; taskRoot: string }[],
  withSourceMaps: boolean,
  runs: number,
): { importMs: number; processMs: number }[] {
  const imports: number[][] = bundles.map(() => []);
  const processes: number[][] = bundles.map(() => []);
  // One unmeasured round first: the bundles were just written, and reading them back from disk the
  // first time is this machine's page cache, not the code's init.
  for (let i = -1; i < runs; i++) {
    for (const [k, b] of bundles.entries()) {
      const start = performance.now();
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, pathToFileURL(b.file).href], {
        env: lambdaLikeEnv(b.taskRoot, withSourceMaps),
        encoding: 'utf8',
      });
      const elapsed = performance.now() - start;
      if (r.status !== 0) throw new Error(`importing ${b.file} failed:\n${r.stderr}`);
      if (i < 0) continue;
      imports[k]!.push(Number(r.stdout.trim().split('\n').pop()));
      processes[k]!.push(elapsed);
    }
  }
  return bundles.map((_, k) => ({ importMs: median(imports[k]!), processMs: median(processes[k]!) }));
}

/**
 * In a child process (`bench/bundles.ts --json`), so the bundling output of the synth stays out of
 * the caller's output; `log` gets the child's progress lines. Fails with the child's output.
 */
export async function measureBundlesInChild(o: {
  runs: number;
  log: (line: string) => void;
}): Promise<{ synthMs: number; bundles: BundleFigures[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'course-bench-json-'));
  const out = join(dir, 'bundles.json');
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./bundles.ts', import.meta.url)), '--runs', String(o.runs), '--json', out],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    let output = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith('progress: ')) o.log(line.slice('progress: '.length));
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`measuring the bundles failed (exit ${code}):\n${output}`);
    return JSON.parse(readFileSync(out, 'utf8')) as { synthMs: number; bundles: BundleFigures[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Synthesises the app with real bundling (esbuild, offline) into a temporary folder and measures each bundle. */
export async function measureBundles(o: {
  runs: number;
  log: (line: string) => void;
}): Promise<{ synthMs: number; bundles: BundleFigures[] }> {
  const outdir = mkdtempSync(join(tmpdir(), 'course-bench-'));
  try {
    // cdk.json names no sender; the bench builds the bundles for example.com, with the test opt-in.
    const app = new App({ outdir, context: { ...cdkJsonContext(), ...PLACEHOLDER_SENDER_CONTEXT } });
    const t0 = performance.now();
    const { service } = await defineCourseApp(app);
    app.synth();
    const synthMs = performance.now() - t0;
    o.log(`synth with esbuild bundling: ${(synthMs / 1000).toFixed(1)} s`);
    const functions: [string, string, CourseFunction][] = [
      ['api', 'functions/handlers/api.ts', service.api.handler],
      ['drip', 'functions/handlers/drip.ts', service.drip.handler],
      ['ses-events', 'functions/handlers/ses-events.ts', service.feedback.handler],
    ];
    const bundles: BundleFigures[] = [];
    for (const [name, entry, fn] of functions) {
      const dir = fn.bundleDir;
      if (!dir) throw new Error(`${name}: no bundle`);
      const file = join(dir, 'index.mjs');
      const floorDir = join(outdir, 'floors', name);
      const floorFile = await buildFloor(name, floorDir);
      // The bundle and its floor alternately, in the same run.
      const pair = [
        { file, taskRoot: dir },
        { file: floorFile, taskRoot: floorDir },
      ];
      const [plain, floorPlain] = measureInits(pair, false, o.runs);
      const [mapped, floorMapped] = measureInits(pair, true, o.runs);
      const course = join(dir, 'compiled-course.json');
      const floor = FLOORS[name]!;
      bundles.push({
        name,
        entry,
        bytes: statSync(file).size,
        gzipBytes: gzipSync(readFileSync(file)).length,
        sourceMapBytes: existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0,
        ...(existsSync(course) ? { compiledCourseBytes: statSync(course).size } : {}),
        importMs: plain!.importMs,
        processMs: plain!.processMs,
        importWithSourceMapsMs: mapped!.importMs,
        floor: {
          parts: floor.parts,
          bytes: statSync(floorFile).size,
          importMs: floorPlain!.importMs,
          importWithSourceMapsMs: floorMapped!.importMs,
        },
        floorRatio: plain!.importMs / floorPlain!.importMs,
        floorRatioTarget: floor.ratio,
      });
      o.log(
        `${name}: ${(statSync(file).size / 1024).toFixed(1)} KiB, import ${plain!.importMs.toFixed(0)} ms; its floor ${(statSync(floorFile).size / 1024).toFixed(1)} KiB, ${floorPlain!.importMs.toFixed(0)} ms: ${(plain!.importMs / floorPlain!.importMs).toFixed(2)}× (target ≤ ${floor.ratio}×; medians of ${o.runs}, alternating)`,
      );
    }
    return { synthMs, bundles };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
