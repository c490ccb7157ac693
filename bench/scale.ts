// Large lists (the full bench: 100,000 and 1,000,000): what an operator and a visitor feel as the
// list grows. Per size, on the list the throughput run just sent to (bench/suite.ts seeds it with
// batched writes and reports the due query's reads and the drip's peak memory):
//   signup   POST /subscribe answered over real HTTP by the local stack's app on the same table
//            (SES pointed at the bench's sink): p50 and p99 of the answer
//   CLI      `course stats`, `course export` (CSV to a pipe, counted, never held) and `course held`,
//            each in a fresh process against the table, each reading it as `--segments` parallel
//            Scan segments (the CLI's default, 4): wall time and the process's peak RSS
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLocalSettings } from '../functions/local/settings.js';
import { startLocalStack } from '../functions/local/stack.js';
import { SCAN_SEGMENTS } from '../functions/cli/operator-store.js';
import { percentile } from './stats.js';

export interface ProcessFigures {
  ms: number;
  peakRssMiB: number;
  /** Bytes the command wrote to stdout. */
  stdoutBytes: number;
}

export interface ScaleFigures {
  /** The parallel Scan segments each CLI command read the table with (`--segments`). */
  segments: number;
  signup: { requests: number; p50Ms: number; p99Ms: number };
  cli: { stats: ProcessFigures; export: ProcessFigures & { rows: number }; held: ProcessFigures };
}

const CLI = fileURLToPath(new URL('../functions/cli/main.ts', import.meta.url));
// Loaded before the CLI: prints the process's peak RSS (KiB) to stderr as it exits.
const PEAK = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nbench-maxrss-kib:"+process.resourceUsage().maxRSS+"\\n"))`;

/** One `course` command in a fresh process against (dynamoUrl, table); stdout is counted and dropped. */
export async function timeCli(
  args: string[],
  o: { dynamoUrl: string; sesUrl: string; table: string },
): Promise<ProcessFigures & { lines: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', PEAK, CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: o.dynamoUrl,
      AWS_ENDPOINT_URL_SES: o.sesUrl,
      TABLE_NAME: o.table,
    },
  });
  let bytes = 0;
  let lines = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) lines++;
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`course ${args.join(' ')} failed (exit ${code}):\n${err.slice(-2000)}`);
  const kib = Number(/bench-maxrss-kib:(\d+)/.exec(err)?.[1] ?? Number.NaN);
  return { ms, peakRssMiB: kib / 1024, stdoutBytes: bytes, lines };
}

/** `requests` signups (after 20 unmeasured), one at a time, each answer timed; the outbox's work settles between them. */
export async function timeSignups(o: {
  dynamoUrl: string;
  sesUrl: string;
  table: string;
  requests: number;
}): Promise<ScaleFigures['signup']> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-scale-'));
  const settings = {
    ...parseLocalSettings({
      DATA_DIR: dataDir,
      DRIP_EVERY: '0',
      SIGNUPS_PER_IP_PER_HOUR: '1000000',
      TABLE_NAME: o.table,
      AWS_ENDPOINT_URL_DYNAMODB: o.dynamoUrl,
      AWS_ENDPOINT_URL_SES: o.sesUrl,
    }),
    port: 0,
  };
  const stack = await startLocalStack({ settings, log: () => undefined });
  const times: number[] = [];
  try {
    for (let i = -20; i < o.requests; i++) {
      const t0 = performance.now();
      const res = await fetch(`${stack.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email: `scale-${Date.now().toString(36)}-${i + 20}@bench.example`, name: 'Bench' }),
      });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`POST /subscribe answered ${res.status}`);
      if (i >= 0) times.push(ms);
      await stack.signupsSettled();
    }
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return { requests: times.length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

/**
 * Signup answers and the three CLI commands on a table already seeded (and sent to), each command
 * reading the table as `segments` parallel Scan segments (default the CLI's, SCAN_SEGMENTS.default).
 */
export async function measureScale(o: {
  dynamoUrl: string;
  sesUrl: string;
  table: string;
  signups: number;
  segments?: number;
  /** Told each step's figure as it is taken (a million-item run is long). */
  progress?: (line: string) => void;
}): Promise<ScaleFigures> {
  const segments = o.segments ?? SCAN_SEGMENTS.default;
  const say = (what: string, f: ProcessFigures) =>
    o.progress?.(`  course ${what} --segments ${segments}: ${(f.ms / 1000).toFixed(1)} s, ${Math.round(f.peakRssMiB)} MiB`);
  const signup = await timeSignups({ ...o, requests: o.signups });
  o.progress?.(`  ${signup.requests} signups: p50 ${signup.p50Ms.toFixed(1)} ms, p99 ${signup.p99Ms.toFixed(1)} ms`);
  const split = ['--segments', String(segments)];
  const stats = await timeCli(['stats', ...split], o);
  say('stats', stats);
  const exported = await timeCli(['export', '--format', 'csv', ...split], o);
  say('export', exported);
  const held = await timeCli(['held', ...split], o);
  say('held', held);
  const { lines, ...exportFigures } = exported;
  return {
    segments,
    signup,
    cli: {
      stats: { ms: stats.ms, peakRssMiB: stats.peakRssMiB, stdoutBytes: stats.stdoutBytes },
      export: { ...exportFigures, rows: Math.max(0, lines - 1) },
      held: { ms: held.ms, peakRssMiB: held.peakRssMiB, stdoutBytes: held.stdoutBytes },
    },
  };
}
