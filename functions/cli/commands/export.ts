// `course export`: every subscriber (status, lesson, consent, pace, votes) to stdout, as CSV or JSON lines.
import { SEGMENTS_OPTION, segmentsArgument } from '../arguments.js';
import { textValue, UsageError, type TableCommand } from '../command.js';
import { operatorStore } from '../../wiring/cli.js';
import { runExport, type ExportFormat } from '../export.js';

export const exportCommand: TableCommand = {
  kind: 'table',
  name: 'export',
  summary: ['every subscriber (status, lesson, consent, pace, votes) to stdout'],
  options: {
    format: { type: 'string', default: 'csv', value: 'csv|jsonl', doc: 'csv (the default) or jsonl: one JSON object a line' },
    segments: { ...SEGMENTS_OPTION, doc: `${SEGMENTS_OPTION.doc};\nthe rows come in no particular order` },
  },
  where: ['table', 'stack', 'course'],
  plan: (ctx) => {
    const format = textValue(ctx.values.format);
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, not "${format}"`);
    const segments = segmentsArgument(textValue(ctx.values.segments));
    return async () =>
      void (await runExport({
        store: operatorStore(await ctx.connect()),
        out: ctx.io.out,
        format: format satisfies ExportFormat,
        segments,
        ...(ctx.chosen === undefined ? {} : { course: ctx.chosen }),
      }));
  },
};
