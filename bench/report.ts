// Printing the benchmark's figures: number format, plain-text tables, and the targets with met / not met.

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';

/** Plain-text table; columns of figures are right-aligned, the first column and columns named in `left` left-aligned. */
export function table(header: string[], rows: string[][], left: string[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const alignLeft = header.map((h, i) => i === 0 || left.includes(h));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (alignLeft[i] ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One figure against its target, as printed and as the JSON's `targets` carries it. */
export interface Target {
  what: string;
  target: string;
  figure: string;
  met: boolean;
  /** Why a miss is the machine's and not the code's, when the bench can tell (e.g. not enough CPU for the rate). */
  note?: string;
}

/** Whole-percent figure of `a` against `b`, one decimal: 99.3 %. */
export const pct = (a: number, b: number): string => `${fmt((a / b) * 100, 1)} %`;

/**
 * A target's last column: `reported` for a figure with no threshold (its target reads "reported…"),
 * else met, or NOT MET with the note saying why when the bench can tell.
 */
export function targetStatus(t: Target): string {
  if (t.target.startsWith('reported')) return 'reported';
  if (t.met) return 'met';
  return t.note === undefined ? 'NOT MET' : `NOT MET (${t.note})`;
}
