// The rate part of `npm run bench` at several caps: one sender as it is and under load, and K = 1, 2, 4
// fanned-out senders sharing the cap (the due spread evenly over the shards, as in a batch longer than
// a tick), plus one K = 4 run with the due placed by the hash of random ids (a batch's last tick,
// where the fullest sender's shards set the end). Arrivals at the SES sink are the figures.
import { measureFanOut, measureRate, type BenchContext, type FanOutFigures, type RateFigures } from './suite.js';
import { fmt, pct, table, type Target } from './report.js';

/** Sender counts of the fan-out runs. */
export const FAN_OUT = [1, 2, 4];
/** Within this of the cap, no load: the target. */
export const RATE_TOLERANCE = 0.02;
/** Within this of the cap under RATE_LOAD. */
export const LOADED_RATE_TOLERANCE = 0.05;

export interface CapFigures {
  maxSendRate: number;
  rate: RateFigures;
  /** K = 1, 2, 4 senders, the due spread evenly over the shards. */
  fanOut: FanOutFigures[];
  /** CPU the drip process needs at this cap: R ÷ emails per CPU-second of the throughput runs (cores). */
  coresNeeded: number;
}

export async function measureCaps(
  ctx: BenchContext,
  caps: readonly number[],
  seconds: number,
): Promise<{ caps: CapFigures[]; lastTick: FanOutFigures }> {
  const out: CapFigures[] = [];
  for (const cap of caps) {
    ctx.progress(`rate: MAX_SEND_RATE=${cap}`);
    const rate = await measureRate(ctx, cap, seconds, seconds);
    ctx.progress(
      `  achieved ${fmt(rate.achievedPerSecond, 2)}/s, busiest one-second window ${rate.busiestOneSecond}; under load ${fmt(rate.underLoad.achievedPerSecond, 2)}/s, busiest ${rate.underLoad.busiestOneSecond}`,
    );
    const fanOut: FanOutFigures[] = [];
    for (const k of FAN_OUT) {
      ctx.progress(`fan-out: K=${k} senders sharing MAX_SEND_RATE=${cap}`);
      const f = await measureFanOut(ctx, cap, k, seconds, { balancedShards: true });
      fanOut.push(f);
      ctx.progress(`  achieved ${fmt(f.achievedPerSecond, 2)}/s together, busiest one-second window ${f.busiestOneSecond}`);
    }
    out.push({ maxSendRate: cap, rate, fanOut, coresNeeded: Number.NaN });
  }
  ctx.progress(`fan-out: K=4 at MAX_SEND_RATE=${caps[0]}, due placed by id hash (a batch's last tick)`);
  const lastTick = await measureFanOut(ctx, caps[0]!, 4, seconds, { balancedShards: false });
  return { caps: out, lastTick };
}

const off = (achieved: number, cap: number) => Math.abs(achieved - cap) / cap;

/** The rate tables; `perCore` (emails per CPU-second of the drip) gives the CPU each cap needs. */
export function printCaps(caps: CapFigures[], lastTick: FanOutFigures, load: string): void {
  console.log(`\nRate accuracy (arrivals at the SES sink; "under load": ${load})`);
  const row = (
    cap: number,
    what: string,
    f: { due: number; sent: number; achievedPerSecond: number; busiestOneSecond: number; durationMs: number },
  ) => [
    `${cap}/s`,
    what,
    fmt(f.due),
    fmt(f.sent),
    `${fmt(f.achievedPerSecond, 2)}/s`,
    pct(f.achievedPerSecond, cap),
    String(f.busiestOneSecond),
    `${fmt(f.durationMs / 1000, 1)} s`,
  ];
  const rows: string[][] = [];
  for (const c of caps) {
    rows.push(row(c.maxSendRate, '1 sender', c.rate));
    rows.push(row(c.maxSendRate, '1 sender, under load', c.rate.underLoad));
    for (const f of c.fanOut) rows.push(row(c.maxSendRate, `K=${f.senders} senders`, f));
  }
  rows.push(row(lastTick.maxSendRate, 'K=4, shards by id hash', lastTick));
  console.log(table(['MAX_SEND_RATE', 'senders', 'due', 'sent', 'achieved', 'of the cap', 'busiest 1-s window', 'run'], rows, ['senders']));
  console.log(
    '(K senders: the due spread evenly over the shards, as in a batch longer than a tick; "shards by id hash": a batch\'s last tick, where the fullest sender sets the end)',
  );
}

/**
 * Targets per cap: one sender and K = 1, 2, 4 within 2 % of the cap, under load within 5 %, no one-second
 * window over the cap anywhere. A miss at a cap the drip process cannot carry on this machine (more
 * CPU than it has: R ÷ emails per CPU-second) says so in `note`.
 */
export function capTargets(caps: CapFigures[], emailsPerCoreSecond: number): Target[] {
  const targets: Target[] = [];
  for (const c of caps) {
    const cap = c.maxSendRate;
    c.coresNeeded = cap / emailsPerCoreSecond;
    const need = `the drip needs ${fmt(c.coresNeeded, 2)} of a core at ${cap}/s (${fmt(emailsPerCoreSecond)} emails per CPU-second)`;
    const quiet = [c.rate, ...c.fanOut];
    targets.push({
      what: `rate at ${cap}/s: 1 sender and K = ${c.fanOut.map((f) => f.senders).join(', ')}`,
      target: `within ${RATE_TOLERANCE * 100} % of ${cap}/s, no 1-s window over ${cap}`,
      figure: [`1 sender ${pct(c.rate.achievedPerSecond, cap)}`, ...c.fanOut.map((f) => `K=${f.senders} ${pct(f.achievedPerSecond, cap)}`)]
        .map((s, i) => `${s} (busiest ${quiet[i]!.busiestOneSecond})`)
        .join(', '),
      met: quiet.every((f) => off(f.achievedPerSecond, cap) <= RATE_TOLERANCE && f.busiestOneSecond <= cap && f.sent === f.due),
      note: need,
    });
    const u = c.rate.underLoad;
    targets.push({
      what: `rate at ${cap}/s under load`,
      target: `within ${LOADED_RATE_TOLERANCE * 100} % of ${cap}/s, no 1-s window over ${cap}`,
      figure: `${fmt(u.achievedPerSecond, 2)}/s = ${pct(u.achievedPerSecond, cap)}, busiest ${u.busiestOneSecond}`,
      met: off(u.achievedPerSecond, cap) <= LOADED_RATE_TOLERANCE && u.busiestOneSecond <= cap,
      note: need,
    });
  }
  return targets;
}
