// The benchmark's settings: its command-line options (bench/run.ts) and the environment it shares
// with the other entry points (COURSES_DIR), read with the same parts as every settings schema
// (functions/config/parts.ts), so a bad value fails naming the option: `Bad setting --rate: …`.
import { part, readShape, readWholeNumber, splitList, text, wholeNumber, type Env } from '../functions/config/parts.js';
import { readSettings } from '../functions/config/settings.js';

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

/** The options that take a value; unset ones get run.ts's defaults (which depend on --quick). */
export const benchOptions = { sizes, due: wholeNumber(1), rate: wholeNumber(1), runs: wholeNumber(1) };

export interface BenchSettings {
  quick: boolean;
  sizes: number[];
  /** Subscribers due in each list. */
  due: number;
  /** MAX_SEND_RATE of the rate-accuracy run. */
  rate: number;
  /** Fresh node processes per bundle for the init time. */
  runs: number;
  /** The courses folder (COURSES_DIR); undefined: templates/courses. */
  coursesDir?: string;
}

/** `values`: parseArgs' values. Throws SettingError naming the option (`--due`) or variable. */
export function parseBenchSettings(
  values: { quick: boolean; sizes?: string; due?: string; rate?: string; runs?: string },
  env: Env,
): BenchSettings {
  const { sizes, due, rate, runs } = values;
  const o = readShape(benchOptions, { sizes, due, rate, runs }, (key) => `--${key}`);
  const quick = values.quick;
  return {
    quick,
    sizes: o.sizes ?? (quick ? [1000, 5000] : [1000, 10_000, 100_000]),
    due: o.due ?? (quick ? 300 : 1000),
    rate: o.rate ?? (quick ? 20 : 50),
    runs: o.runs ?? (quick ? 5 : 7),
    coursesDir: readSettings(benchEnvSettings, env).coursesDir,
  };
}
