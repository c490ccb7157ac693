// Terminal output for the operator CLI: bar charts for stats, aligned tables, a progress bar.
import type { Writable } from 'node:stream';

/** A bar `width` cells long at `max`, in eighths of a cell so small differences still show. */
export function bar(value: number, max: number, width = 30): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8] ?? '';
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

/** At most `n` characters (code points), with an ellipsis when cut. */
export function truncate(s: string, n: number): string {
  return [...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s;
}

/** Columns padded to their widest cell; numbers (and the header over them) right-aligned. */
export function table(rows: readonly (readonly (string | number)[])[]): string {
  const widths: number[] = [];
  const numeric: boolean[] = [];
  rows.forEach((row, r) =>
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...String(cell)].length);
      if (r > 0) numeric[i] = (numeric[i] ?? true) && typeof cell === 'number';
    }),
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const s = String(cell);
          const pad = ' '.repeat((widths[i] ?? 0) - [...s].length);
          return numeric[i] ? pad + s : s + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * A progress bar on a stream (stderr): redrawn in place on a terminal, and otherwise written as a
 * line at every tenth, so logs of a piped run stay short.
 */
export function progressBar(out: Writable & { isTTY?: boolean }, total: number, label: string) {
  let lastTenth = -1;
  return {
    update(done: number) {
      const fraction = total === 0 ? 1 : done / total;
      const text = `${label} [${bar(done, total, 30).padEnd(30, ' ')}] ${done}/${total}`;
      if (out.isTTY) out.write(`\r${text}`);
      else {
        const tenth = Math.floor(fraction * 10);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          out.write(`${text}\n`);
        }
      }
    },
    done() {
      if (out.isTTY) out.write('\n');
    },
  };
}
