// The benchmark's settings: its command-line options (bench/run.ts) and the environment it shares
// with the other entry points (COURSES_DIR), read with the same parts as every settings schema
// (functions/config/parts.ts), so a bad value fails naming the option: `Bad setting --rate: …`.
import { part, readShape, readWholeNumber, splitList, text, wholeNumber, type Env } from '../functions/config/parts.js';
import { readSettings } from '../functions/config/settings.js';
import { SCAN_SEGMENTS } from '../functions/cli/operator-store.js';

/** `--sizes 1000,10000`: list sizes, each a whole number. */
const sizes = part((t) => {
  const values: number[] = [];
  for (const item of splitList(t)) {
    const reading = readWholeNumber(item, 0);
    if ('problem' in reading) return { problem: `each size ${reading.problem}` };
    values.push(reading.value);
  }
  return { value: values };
});

/** The environment the benchmark reads (the one table's COURSES_DIR). */
export const benchEnvSettings = { coursesDir: text };

/** `--rates 20,100,200`: send rates, each a whole number ≥ 1. */
const rates = part((t) => {
  const values: number[] = [];
  for (const item of splitList(t)) {
    const reading = readWholeNumber(item, 1);
    if ('problem' in reading) return { problem: `each rate ${reading.problem}` };
    values.push(reading.value);
  }
  return { value: values };
});

/** The options that take a value; unset ones get run.ts's defaults (which depend on --quick). */
export const benchOptions = {
  sizes,
  due: wholeNumber(1),
  rate: wholeNumber(1),
  rates,
  runs: wholeNumber(1),
  seconds: wholeNumber(2),
  scale: sizes,
  signups: wholeNumber(1),
  maxSeedMinutes: wholeNumber(1),
  scanSegments: wholeNumber(SCAN_SEGMENTS.min, SCAN_SEGMENTS.max),
};

export interface BenchSettings {
  quick: boolean;
  sizes: number[];
  /** Subscribers due in each list. */
  due: number;
  /** MAX_SEND_RATE of the rate-accuracy run (the first of `rates`). */
  rate: number;
  /** Every MAX_SEND_RATE the rate and fan-out runs are made at (`--rates 20,100,200`). */
  rates: number[];
  /** Seconds of sending in each rate and fan-out run (`seconds` × R due). */
  rateSeconds: number;
  /** List sizes of the large-list figures (`--scale`; default 100,000 and 1,000,000, quick 5,000). */
  scale: number[];
  /** Signups timed on each large list. */
  signups: number;
  /** A large list whose seeding and whole-table commands would take longer than this (minutes) is skipped. */
  maxSeedMinutes: number;
  /** The `--segments` the large lists' `course stats`, `export` and `held` read the table with (1..32; default the CLI's, 4). */
  scanSegments: number;
  /** Fresh node processes per bundle for the init time. */
  runs: number;
  /** The courses folder (COURSES_DIR); undefined: templates/courses. */
  coursesDir?: string;
}

/** `values`: parseArgs' values. Throws SettingError naming the option (`--due`) or variable. */
export function parseBenchSettings(
  values: {
    quick: boolean;
    sizes?: string;
    due?: string;
    rate?: string;
    rates?: string;
    runs?: string;
    seconds?: string;
    scale?: string;
    signups?: string;
    'max-seed-minutes'?: string;
    'scan-segments'?: string;
  },
  env: Env,
): BenchSettings {
  const { sizes, due, rate, rates, runs, seconds, scale, signups } = values;
  const maxSeedMinutes = values['max-seed-minutes'];
  const scanSegments = values['scan-segments'];
  const o = readShape(benchOptions, { sizes, due, rate, rates, runs, seconds, scale, signups, maxSeedMinutes, scanSegments }, (key) =>
    key === 'maxSeedMinutes' ? '--max-seed-minutes' : key === 'scanSegments' ? '--scan-segments' : `--${key}`,
  );
  const quick = values.quick;
  // --rate alone keeps its old meaning (one cap); --rates lists them all; by default 20, 100 and 200/s.
  const caps = o.rates ?? (o.rate !== undefined ? [o.rate] : [20, 100, 200]);
  return {
    quick,
    sizes: o.sizes ?? (quick ? [1000, 5000] : [1000, 10_000, 100_000]),
    due: o.due ?? (quick ? 300 : 1000),
    rate: caps[0]!,
    rates: caps,
    rateSeconds: o.seconds ?? (quick ? 8 : 20),
    scale: o.scale ?? (quick ? [5000] : [100_000, 1_000_000]),
    signups: o.signups ?? (quick ? 50 : 200),
    maxSeedMinutes: o.maxSeedMinutes ?? 20,
    scanSegments: o.scanSegments ?? SCAN_SEGMENTS.default,
    runs: o.runs ?? (quick ? 5 : 7),
    coursesDir: readSettings(benchEnvSettings, env).coursesDir,
  };
}
