// The CSV the operator CLI reads (csv-parse underneath) and writes: records with the line they start
// on, the quirks of spreadsheet exports, and the formula guard surviving a round trip.
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, parseCsv, unguardCell } from '../../../functions/cli/csv.js';

describe('parseCsv', () => {
  it('names the line each record starts on, a quoted field over several lines being one record', () => {
    expect(parseCsv('email,name\na@example.com,"Ann\nLee"\nb@example.com,Bo\n')).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@example.com', 'Ann\nLee'] },
      { line: 4, fields: ['b@example.com', 'Bo'] },
    ]);
  });

  it('reads CRLF and lone-CR files, drops a BOM, and counts blank lines without making records of them', () => {
    const records = [
      { line: 1, fields: ['email'] },
      { line: 3, fields: ['a@example.com'] },
      { line: 5, fields: ['b@example.com'] },
    ];
    expect(parseCsv('\ufeffemail\r\n\r\na@example.com\r\n""\r\nb@example.com')).toEqual(records);
    expect(parseCsv('email\r\ra@example.com\r\rb@example.com\r')).toEqual(records);
  });

  it('keeps commas, doubled quotes and a quote inside an unquoted field as written; rows may differ in length', () => {
    expect(parseCsv('"O\'Brien, Jr.","Ann ""Nan"" Lee",x\nAnn "Nan" Lee\n')).toEqual([
      { line: 1, fields: ["O'Brien, Jr.", 'Ann "Nan" Lee', 'x'] },
      { line: 2, fields: ['Ann "Nan" Lee'] },
    ]);
  });

  it('refuses a quote that is never closed, naming the line it opens on', () => {
    expect(() => parseCsv('email,name\na@example.com,Ann\n\nb@example.com,"Bo\nmore\n')).toThrow('line 4: a quoted field is never closed');
    expect(() => parseCsv('email,name\n"a@example.com\nx",b,"c\n')).toThrow('line 3: a quoted field is never closed');
    expect(() => parseCsv('"email')).toThrow('line 1: a quoted field is never closed');
  });

  it('an empty file has no records', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\n\n')).toEqual([]);
  });
});

describe('writing cells', () => {
  it('quotes what needs it and guards what a spreadsheet would run as a formula', () => {
    expect(csvRow(['a@example.com', 'O\'Brien, "Jr."', 3, undefined, '=1+2@example.com', '-x'])).toBe(
      'a@example.com,"O\'Brien, ""Jr.""",3,,\'=1+2@example.com,\'-x\n',
    );
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('=x', { guardFormulas: false })).toBe('=x');
  });

  it('a guarded row read back and unguarded gives the values written', () => {
    const values = ['=SUM(1+2)', '+44 20', '@home', '-cmd', 'plain, "quoted"', "'kept"];
    const [record] = parseCsv(csvRow(values));
    expect(record!.fields.map(unguardCell)).toEqual(values);
  });
});
