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

/** Encodings `course import --encoding` reads (WHATWG Encoding names, which Node's TextDecoder knows). */
export const CSV_ENCODINGS = ['utf-8', 'windows-1252', 'latin1', 'utf-16le', 'utf-16be'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

/** A file that is not text in the expected encoding; the message names the fix. */
export class CsvEncodingError extends Error {
  override name = 'CsvEncodingError';
}

const SAVE_AS_UTF8 = 'Save it as "CSV UTF-8" (Excel: File > Save As > CSV UTF-8; LibreOffice: Save As, Character set "Unicode (UTF-8)")';

/**
 * A CSV file's bytes as text. Without `encoding` the file must be UTF-8 (a UTF-8 byte-order mark is
 * fine): anything else is refused with CsvEncodingError naming the fix rather than read with
 * replacement characters in people's names. A UTF-16 byte-order mark, or NUL bytes, mean UTF-16;
 * bytes that are not UTF-8 mean, most often, Latin-1/Windows-1252 (what spreadsheet programs save as
 * "CSV"). With `encoding` the bytes are read in it (WHATWG Encoding: `latin1` is windows-1252).
 */
export function decodeCsvBytes(bytes: Uint8Array, encoding?: CsvEncoding): string {
  if (encoding === 'windows-1252' || encoding === 'latin1') return decodeWindows1252(bytes);
  if (encoding !== undefined && encoding !== 'utf-8') return new TextDecoder(encoding).decode(bytes);
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.slice(0, 512).includes(0);
  if (utf16) {
    const le = bytes[0] === 0xff || (bytes[0] !== 0xfe && bytes[1] === 0);
    throw new CsvEncodingError(
      `the file is UTF-16 text, not UTF-8. ${SAVE_AS_UTF8}, or run again with --encoding ${le ? 'utf-16le' : 'utf-16be'}`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstNonUtf8(bytes);
    const line = bytes.slice(0, at).filter((b) => b === 0x0a).length + 1;
    const byte = bytes[at]?.toString(16).toUpperCase().padStart(2, '0') ?? '??';
    throw new CsvEncodingError(
      `line ${line} is not UTF-8 (byte 0x${byte}): the file is probably Latin-1 or Windows-1252, as spreadsheet programs often save "CSV". ` +
        `${SAVE_AS_UTF8}, or run again with --encoding windows-1252 (or latin1)`,
    );
  }
}

// Windows-1252's 0x80–0x9F (WHATWG Encoding's index-windows-1252; its five holes keep their C1 code).
// Node 20's TextDecoder('windows-1252') decodes these as C1 controls (ISO-8859-1), which would turn
// O’Brien into a control character, so the table is applied here.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** Windows-1252 bytes as text (WHATWG Encoding: `latin1` and `iso-8859-1` are labels of windows-1252). */
function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const codes = Array.from(bytes.subarray(i, i + 8192), (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b));
    out += String.fromCharCode(...codes);
  }
  return out;
}

/**
 * Offset of the first byte that does not start or continue a UTF-8 sequence by its lead and
 * continuation bits (bytes.length when none; the strict decoder is what decides, this only points).
 */
function firstNonUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const more = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (more < 0) return i;
    for (let k = 1; k <= more; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return i;
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
