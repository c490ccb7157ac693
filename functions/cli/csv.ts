// CSV in and out for the operator CLI (RFC 4180: quoted fields may hold commas, quotes and line
// breaks). Reading (csv-parse) reports the line each record starts on, so bad rows can be named;
// writing guards cells a spreadsheet would run as formulas.
import { CsvError, parse } from 'csv-parse/sync';

export interface CsvRecord {
  /** 1-based line of the file the record starts on. */
  line: number;
  fields: string[];
}

const lineBreaks = (s: string) => s.split('\n').length - 1;

/**
 * Parse CSV text into records with csv-parse: a BOM from a spreadsheet export is dropped, blank lines
 * are not records, rows may differ in length, and a quote inside an unquoted field is a plain
 * character. Line breaks become `\n` first (a line break inside a field is a control character that
 * import refuses either way), which keeps csv-parse's line count exact.
 * Throws an Error naming the line: `line N: a quoted field is never closed`, or csv-parse's own message.
 */
export function parseCsv(text: string): CsvRecord[] {
  const body = text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n'); // a BOM from spreadsheet exports
  const records: CsvRecord[] = [];
  try {
    parse(body, {
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      on_record: (fields: string[], { lines }) => {
        // `lines` is where the record ends (a quoted field may run over several lines).
        // A line holding only "" is as blank as an empty one.
        if (fields.length > 1 || fields[0] !== '') records.push({ line: lines - fields.reduce((n, f) => n + lineBreaks(f), 0), fields });
        return null;
      },
    });
  } catch (e: unknown) {
    if (!(e instanceof CsvError)) throw e;
    if (e.code !== 'CSV_QUOTE_NOT_CLOSED') throw new Error(e.message, { cause: e });
    // The open field runs to the end: from a quote at a field's start, with only doubled quotes after it.
    const open = /(?:^|[,\n])"(?:[^"]|"")*$/.exec(body);
    const line = open === null ? Number(e.lines) : lineBreaks(body.slice(0, open.index + 1)) + 1;
    throw new Error(`line ${line}: a quoted field is never closed`, { cause: e });
  }
  return records;
}

// A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(value: string | number | undefined, options: { guardFormulas?: boolean } = {}): string {
  if (value === undefined) return '';
  let s = String(value);
  if ((options.guardFormulas ?? true) && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A cell as typed before csvCell guarded it: `'=x` → `=x`. Anything else is left as it is. */
export function unguardCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export function csvRow(values: readonly (string | number | undefined)[]): string {
  return `${values.map((v) => csvCell(v)).join(',')}\n`;
}
