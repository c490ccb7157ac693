// `course import <file.csv> --consent "…"`: add a list as pending subscriptions; with
// --send-confirmations, send them their confirmation (rows already pending included).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ENV } from '../../config/settings.js';
import { hasControlCharacter } from '../../core/text.js';
import { oneCourse } from '../arguments.js';
import { textValue, UsageError, type TableCommand } from '../command.js';
import { CSV_ENCODINGS, type CsvEncoding } from '../csv.js';
import { importSubscriptions } from '../../wiring/cli.js';
import { importText, planImport, runImport } from '../import.js';

export const importCommand: TableCommand = {
  kind: 'table',
  name: 'import',
  argument: '<file.csv>',
  summary: [
    'add a list as pending subscriptions (a header row with an email column);',
    'without --send-confirmations nobody is mailed and the rows expire',
    'unconfirmed after 7 days; run again with it to send them (rows already',
    'pending included). The file must be UTF-8, or name its encoding:',
    '--encoding windows-1252|latin1|utf-16le|utf-16be',
  ],
  options: {
    consent: {
      type: 'string',
      value: '"<where they agreed>"',
      required: true,
      doc: 'where these people agreed to receive the course: one line of at most 500 characters, stored with each',
    },
    'send-confirmations': { type: 'boolean', doc: 'send each pending row its confirmation email' },
    'dry-run': { type: 'boolean', doc: 'check the file and say what would be done, writing nothing' },
    encoding: { type: 'string', value: 'E', doc: `the file's encoding when it is not UTF-8: ${CSV_ENCODINGS.join(', ')}` },
  },
  where: ['table', 'stack', 'course'],
  plan: async (ctx) => {
    const { values, io, settings } = ctx;
    const consent = textValue(values.consent)?.trim();
    if (!consent) throw new UsageError('import needs --consent "<where these people agreed to receive the course>"');
    // The consent text is stored and exported: one clean line.
    if (consent.length > 500 || hasControlCharacter(consent)) throw new UsageError('--consent must be one line of at most 500 characters');
    const folder = oneCourse(ctx.folders, ctx.chosen, 'import');
    const file = ctx.positional ?? '';
    const encoding = textValue(values.encoding)?.trim().toLowerCase();
    if (encoding !== undefined && !(CSV_ENCODINGS as readonly string[]).includes(encoding)) {
      throw new UsageError(`--encoding must be one of ${CSV_ENCODINGS.join(', ')} (not "${encoding}")`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e: unknown) {
      throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const plan = planImport(importText(bytes, encoding as CsvEncoding | undefined));
    const sendConfirmations = values['send-confirmations'] === true;
    const dryRun = values['dry-run'] === true;
    const sending = sendConfirmations && !dryRun;
    const deployed = values.table !== undefined || values.stack !== undefined;
    if (sending && deployed && (settings.tokenSecretId === undefined || settings.publicUrl === undefined)) {
      throw new UsageError(`import --send-confirmations on a deployed table needs ${ENV.tokenSecretId} and ${ENV.publicUrl} set`);
    }
    return async () => {
      const wired = await importSubscriptions(await ctx.connect(), io, settings, folder, sending);
      await runImport({ subscriptions: wired.subscriptions, course: wired.course, out: io.out, err: io.err }, plan, {
        consent,
        source: basename(file),
        sendConfirmations,
        dryRun,
      });
      await wired.settled();
    };
  },
};
