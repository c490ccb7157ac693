// `course stats`: the funnel and a per-lesson table, with bar charts.
import { SEGMENTS_OPTION, segmentsArgument } from '../arguments.js';
import { textValue, type TableCommand } from '../command.js';
import { operatorStore } from '../../wiring/cli.js';
import { runStats } from '../stats.js';

export const stats: TableCommand = {
  kind: 'table',
  name: 'stats',
  summary: ['the funnel and a per-lesson table, with bar charts'],
  options: { segments: SEGMENTS_OPTION },
  where: ['table', 'stack', 'course'],
  plan: (ctx) => {
    const segments = segmentsArgument(textValue(ctx.values.segments));
    return async () => {
      const store = operatorStore(await ctx.connect());
      await runStats({ store, out: ctx.io.out, courses: ctx.courses, segments, ...(ctx.chosen === undefined ? {} : { only: ctx.chosen }) });
    };
  },
};
