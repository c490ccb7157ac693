// The large-list part of `npm run bench` (bench/scale.ts measures): per size, the seeding, the due
// query's reads against the due items, the drip's peak memory, the signup answer and three operator
// commands; a size whose seeding would take longer than the budget is skipped with the reason.
import type { BenchContext, ThroughputFigures } from './suite.js';
import { measureThroughput } from './suite.js';
import { measureScale, type ScaleFigures } from './scale.js';
import { fmt, table, type Target } from './report.js';

export type ScaleRow =
  | ({ size: number; due: number; skipped?: undefined; throughput: ThroughputFigures } & ScaleFigures)
  | { size: number; due: number; skipped: string; estimatedSeedMinutes: number; estimatedMinutes: number };

export type Measured = Extract<ScaleRow, { skipped?: undefined }>;

/**
 * How long a large list would take, in minutes: its seeding at `seedRate` items/s (the slowest seen so
 * far, this section's lists included) and its three whole-table commands at the pace per item of the
 * last list measured (`before`, whose commands ran with the same `--segments`), each command's
 * fresh-process start-up (Node, tsx, the SDK: a few seconds) counted once rather than scaled with
 * the list. With nothing measured yet the commands count as nothing (the estimate is the seeding).
 * Linear in the list, so a floor on DynamoDB Local, whose Scan of a segment grows faster than the
 * segment (bench/README.md, "A million, and where it stops": 18.3 min estimated, 22 taken, for a
 * million after 100,000 at 32 segments).
 */
export function estimateMinutes(size: number, seedRate: number | undefined, before: Measured | undefined) {
  const seedMinutes = seedRate === undefined ? 0 : size / seedRate / 60;
  // A fresh process's start-up (1.5–2 s on this machine before any work, bench/README.md) is paid once
  // per command whatever the size: taken out of the per-item pace and added back once.
  const startupMs = 2_000;
  const cli = before === undefined ? [] : [before.cli.stats.ms, before.cli.export.ms, before.cli.held.ms];
  const cliMsPerItem = cli.reduce((sum, ms) => sum + Math.max(0, ms - startupMs), 0) / (before?.size ?? 1);
  const cliMinutes = before === undefined ? 0 : (cli.length * startupMs + size * cliMsPerItem) / 60_000;
  return {
    seedMinutes,
    cliMinutes,
    total: seedMinutes + cliMinutes,
    cliItemsPerSecond: cliMsPerItem === 0 ? undefined : 3_000 / cliMsPerItem,
  };
}

/**
 * Each size in turn: a list seeded, one drip run over it (the throughput figures), then the signups and
 * the CLI on the same table. A size is skipped when its seeding and its three whole-table commands
 * (estimateMinutes) would take more than `maxSeedMinutes`.
 */
export async function measureScaleSizes(
  ctx: BenchContext,
  o: {
    sizes: readonly number[];
    due: number;
    signups: number;
    maxSeedMinutes: number;
    /** `--segments` of the three CLI commands (default the CLI's). */
    segments?: number;
    seedRate: () => number | undefined;
  },
): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const size of o.sizes) {
    const measured = rows.filter((r): r is Measured => r.skipped === undefined);
    // The slowest seeding seen: the caller's runs and this section's own lists.
    const rates = [o.seedRate(), ...measured.map((r) => r.throughput.seedItemsPerSecond)].filter((r): r is number => r !== undefined);
    const rate = rates.length === 0 ? undefined : Math.min(...rates);
    const before = measured.at(-1);
    const estimate = estimateMinutes(size, rate, before);
    const estimatedSeedMinutes = estimate.seedMinutes;
    const estimatedMinutes = estimate.total;
    if (estimatedMinutes > o.maxSeedMinutes) {
      const seeding =
        rate === undefined ? 'seeding at a rate not yet measured' : `seeding ${fmt(estimatedSeedMinutes)} min at ${fmt(rate)} items/s`;
      const skipped =
        before === undefined
          ? `${seeding} (budget ${o.maxSeedMinutes} min, --max-seed-minutes)`
          : `${fmt(size)} would take about ${fmt(estimatedMinutes)} min (budget ${o.maxSeedMinutes} min, --max-seed-minutes): ${seeding}, and course stats, export and held each a whole-table Scan in ${before.segments} parallel segments, ${fmt(estimate.cliMinutes)} min at the ${fmt(before.size)} list's pace (${fmt(estimate.cliItemsPerSecond ?? 0)} items/s a command)`;
      ctx.progress(`large list of ${fmt(size)}: skipped, ${skipped}`);
      rows.push({ size, due: o.due, skipped, estimatedSeedMinutes, estimatedMinutes });
      continue;
    }
    ctx.progress(`large list of ${fmt(size)}: seed, one drip run, ${o.signups} signups, course stats / export / held`);
    let scale: ScaleFigures | undefined;
    const throughput = await measureThroughput(ctx, size, o.due, {
      scan: false,
      after: async (table) => {
        scale = await measureScale({
          dynamoUrl: ctx.services.dynamoUrl,
          sesUrl: ctx.services.sesUrl,
          table,
          signups: o.signups,
          segments: o.segments,
          progress: ctx.progress,
        });
      },
    });
    rows.push({ size, due: o.due, throughput, ...scale! });
    ctx.progress(
      `  signup p50 ${fmt(scale!.signup.p50Ms, 1)} ms, p99 ${fmt(scale!.signup.p99Ms, 1)} ms; stats ${fmt(scale!.cli.stats.ms / 1000, 1)} s, export ${fmt(scale!.cli.export.ms / 1000, 1)} s, held ${fmt(scale!.cli.held.ms / 1000, 1)} s`,
    );
  }
  return rows;
}

const s = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const mib = (n: number) => `${fmt(n)} MiB`;

export function printScale(rows: ScaleRow[]): void {
  const segments = rows.find((r): r is Measured => r.skipped === undefined)?.segments;
  console.log(
    `\nLarge lists (DynamoDB Local; the CLI commands each in a fresh process${segments === undefined ? '' : `, --segments ${segments}`}: wall time, peak RSS)`,
  );
  console.log(
    table(
      [
        'list',
        'seeding',
        'due',
        'due query reads',
        'drip peak RSS',
        'signup p50',
        'signup p99',
        'course stats',
        'course export',
        'course held',
      ],
      rows.map((r) =>
        r.skipped !== undefined
          ? [fmt(r.size), `skipped: ${r.skipped}`, '', '', '', '', '', '', '', '']
          : [
              fmt(r.size),
              `${s(r.throughput.seedMs)} (${fmt(r.throughput.seedItemsPerSecond)}/s)`,
              fmt(r.throughput.due),
              fmt(r.throughput.dueQuery.itemsRead),
              mib(r.throughput.peakRssMiB),
              `${fmt(r.signup.p50Ms, 1)} ms`,
              `${fmt(r.signup.p99Ms, 1)} ms`,
              `${s(r.cli.stats.ms)}, ${mib(r.cli.stats.peakRssMiB)}`,
              `${s(r.cli.export.ms)}, ${mib(r.cli.export.peakRssMiB)}, ${fmt(r.cli.export.rows)} rows`,
              `${s(r.cli.held.ms)}, ${mib(r.cli.held.peakRssMiB)}`,
            ],
      ),
      ['seeding'],
    ),
  );
}

/**
 * Targets: the due query reads the due items only at every size; the drip's peak memory, the signup
 * answer and the CLI's peak memory do not grow with the list (largest size within 1.25× + 25 MiB, or
 * 1.5× for the answer times, of the smallest measured). The CLI's times grow with the list (each is a
 * Scan): reported, no target. A skipped size is a target not met, with the reason.
 */
export function scaleTargets(rows: ScaleRow[]): Target[] {
  const measured = rows.filter((r): r is Measured => r.skipped === undefined);
  const targets: Target[] = [];
  for (const r of rows)
    if (r.skipped !== undefined)
      targets.push({ what: `large list of ${fmt(r.size)}`, target: 'measured', figure: 'skipped', met: false, note: r.skipped });
  if (measured.length === 0) return targets;
  targets.push({
    what: 'due-query reads on large lists',
    target: '= due items',
    figure: measured.map((r) => `${fmt(r.size)}: ${fmt(r.throughput.dueQuery.itemsRead)} for ${fmt(r.throughput.due)} due`).join('; '),
    met: measured.every((r) => r.throughput.dueQuery.itemsRead === r.throughput.due),
  });
  const first = measured[0]!;
  const last = measured.at(-1)!;
  const flat = (what: string, pick: (r: (typeof measured)[number]) => number, unit: string, ratio = 1.25, slack = 25) =>
    targets.push({
      what,
      target:
        measured.length > 1 ? `flat: ≤ ${ratio}× +${slack} ${unit} from ${fmt(first.size)} to ${fmt(last.size)}` : 'reported (one size)',
      figure: measured.map((r) => `${fmt(r.size)}: ${fmt(pick(r), unit === 'ms' ? 1 : 0)} ${unit}`).join('; '),
      met: pick(last) <= pick(first) * ratio + slack,
    });
  flat('drip peak RSS', (r) => r.throughput.peakRssMiB, 'MiB');
  flat('signup answer p50', (r) => r.signup.p50Ms, 'ms', 1.5, 5);
  flat('signup answer p99', (r) => r.signup.p99Ms, 'ms', 1.5, 20);
  flat('course stats peak RSS', (r) => r.cli.stats.peakRssMiB, 'MiB');
  flat('course export peak RSS (streams)', (r) => r.cli.export.peakRssMiB, 'MiB');
  flat('course held peak RSS', (r) => r.cli.held.peakRssMiB, 'MiB');
  targets.push({
    what: 'course stats / export / held time',
    target: 'reported (each reads the whole table)',
    figure: measured.map((r) => `${fmt(r.size)}: ${s(r.cli.stats.ms)} / ${s(r.cli.export.ms)} / ${s(r.cli.held.ms)}`).join('; '),
    met: true,
  });
  return targets;
}
